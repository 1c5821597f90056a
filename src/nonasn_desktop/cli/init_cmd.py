"""``nonasn init``: prepare a data folder without the GUI (for scripted installs).

Three cases, told apart by what the database already holds:

- a new office (empty database, SQLite file or PostgreSQL): the schema, the office, the first
  admin and the office signing key are made;
- the same data folder again (its own SQLite file): nothing changes, except what the options
  ask for (a new office name, a missing admin or key);
- a desk joining an office database that already holds an office (``--database-url``): the
  office, its clerks and its one signing key are used as they are and nothing is written to the
  office database; only the desk's own data folder remembers the office database and the
  desk's name (storage.deskconfig).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from nonasn_desktop.accounts.slots import create_office_key as create_documents_key
from nonasn_desktop.accounts.users import authenticate, find_user
from nonasn_desktop.cli.argparse_id import ArgumentParser
from nonasn_desktop.cli.common import (
    add_data_dir_option,
    data_dir_of,
    database_url_of,
    open_unlocked,
)
from nonasn_desktop.cli.keys_cmd import PASSPHRASE_ENV, add_passphrase_option, read_passphrase
from nonasn_desktop.cli.recovery_output import WARNING, show_new_folder_key, write_sheet
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.devices.field import FieldSetup, set_up_field_device
from nonasn_desktop.errors import ConflictError, UserError
from nonasn_desktop.office.identity import OfficeInfo, get_office, initialise, normalise_office_code
from nonasn_desktop.office.keys import (
    KeyInfo,
    create_office_key,
    get_key_info,
    validate_new_passphrase,
)
from nonasn_desktop.startup import (
    Unlocked,
    encrypt_field_device,
    encrypt_new_folder,
    is_encrypted,
    open_app,
)
from nonasn_desktop.storage.database import database_url_for, sqlite_url
from nonasn_desktop.storage.datadir import DataDir, resolve_data_dir
from nonasn_desktop.storage.deskconfig import (
    clean_desk_name,
    read_desk_config,
    write_desk_config,
)

ADMIN_PASSWORD_ENV = "NONASN_ADMIN_PASSWORD"  # noqa: S105 - a variable name, not a password


def register(commands: Any) -> None:
    parser: ArgumentParser = commands.add_parser("init", help="siapkan folder data dan kantor")
    add_data_dir_option(parser)
    parser.add_argument(
        "--office-code", metavar="CODE", help="kode kantor (tidak perlu saat bergabung)"
    )
    parser.add_argument(
        "--office-name", metavar="NAME", help="nama kantor (tidak perlu saat bergabung)"
    )
    parser.add_argument("--admin", metavar="USER", help="buat admin pertama dengan nama ini")
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="basis data kantor di server PostgreSQL, diingat folder data meja ini, mis. "
        "postgresql://nonasn@server-bkd/nonasn?sslmode=verify-full",
    )
    parser.add_argument("--desk-name", metavar="NAME", help='nama meja ini, mis. "Meja 2"')
    parser.add_argument(
        "--enrollment",
        type=Path,
        metavar="FILE",
        help="siapkan laptop lapangan dari berkas pendaftaran kantor (frasa sandi pendaftaran: "
        "--passphrase-file, NONASN_KEY_PASSPHRASE, atau ketik)",
    )
    parser.add_argument(
        "--recovery-sheet",
        type=Path,
        metavar="FILE.pdf",
        help="tulis lembar kunci pemulihan (A4) ke berkas PDF ini untuk dicetak",
    )
    parser.add_argument(
        "--plain",
        action="store_true",
        help="jangan enkripsi folder data baru (hanya untuk data uji atau demo; folder itu "
        "dienkripsi saat admin pertama kali masuk lewat aplikasi)",
    )
    add_passphrase_option(parser)
    parser.set_defaults(handler=run)


def admin_password() -> str:
    from_env = os.environ.get(ADMIN_PASSWORD_ENV)
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        raise UserError(
            "Kata sandi admin tidak diberikan.",
            hint=f"Ketik di terminal, atau setel variabel lingkungan {ADMIN_PASSWORD_ENV}.",
        )
    first = getpass.getpass("Kata sandi admin: ")
    second = getpass.getpass("Ulangi kata sandi admin: ")
    if first != second:
        raise UserError("Kata sandi dan ulangannya tidak sama; tidak ada yang diubah.")
    return first


def _passphrase_given(args: argparse.Namespace) -> bool:
    return args.passphrase_file is not None or bool(os.environ.get(PASSPHRASE_ENV))


def _key_passphrase(args: argparse.Namespace) -> str | None:
    """The passphrase for a new office key, or None when none was given by any means."""
    if not _passphrase_given(args) and not sys.stdin.isatty():
        return None
    passphrase = read_passphrase(args, confirm=True)
    validate_new_passphrase(passphrase)
    return passphrase


def _database_url(args: argparse.Namespace, folder: DataDir) -> str:
    """--database-url, else NONASN_DATABASE_URL, else what the desk remembers, else SQLite."""
    explicit = (args.database_url or "").strip()
    return explicit or database_url_of(args) or database_url_for(folder)


def _remember_desk(folder: DataDir, url: str, desk_name: str | None) -> None:
    """The office database and the desk's name, kept in the desk's data folder."""
    config = read_desk_config(folder.path)
    shared = None if url == sqlite_url(folder.database_path) else url
    updated = replace(
        config,
        database_url=shared or config.database_url,
        name=desk_name or config.name,
    )
    if updated != config:
        write_desk_config(folder.path, updated)


def _key_line(key: KeyInfo | None) -> str:
    if key is None:
        return (
            "Kunci tanda tangan kantor belum dibuat. Admin membuatnya dengan: nonasn init "
            f"--passphrase-file FILE (atau {PASSPHRASE_ENV}) di meja mana pun."
        )
    return f"Kunci tanda tangan kantor: ID {key.key_id}, dipakai bersama oleh semua meja."


def _join(ctx: AppContext, args: argparse.Namespace, office: OfficeInfo) -> None:
    """A desk joining an office database that already holds an office: change nothing there."""
    if args.office_code and normalise_office_code(args.office_code) != office.code:
        raise ConflictError(
            f"Basis data kantor {ctx.db.location} milik kantor {office.code} ({office.name}), "
            f"bukan {normalise_office_code(args.office_code)}.",
            hint="Periksa alamat basis data (--database-url); tidak ada yang diubah.",
        )
    print(
        f"Kantor {office.code} ({office.name}) sudah ada di basis data kantor "
        f"{ctx.db.location}; meja ini bergabung. Basis data kantor tidak diubah."
    )
    if args.admin:
        print(
            f"Pengguna '{args.admin}' tidak dibuat: admin kantor mengelola pengguna "
            "(Admin › Pengguna) dari meja mana pun."
        )
    key = get_key_info(ctx)
    if key is None and _passphrase_given(args):
        # An admin asked for the office's key explicitly; the database keeps only one.
        passphrase = read_passphrase(args, confirm=False)
        validate_new_passphrase(passphrase)
        key = create_office_key(ctx, passphrase)
        print(f"Kunci tanda tangan kantor dibuat (ID {key.key_id}).")
    print(_key_line(key))


def _set_up_field_device(args: argparse.Namespace, folder: DataDir) -> int:
    """A field laptop from its enrolment file: always its own SQLite folder, no office key,
    and (unless --plain) encrypted at once: it is the folder most likely to be lost."""
    if args.database_url or args.office_code or args.admin:
        raise UserError(
            "--enrollment tidak dipakai bersama --database-url, --office-code atau --admin: "
            "laptop lapangan menyimpan datanya sendiri dan mendapat kantor serta penggunanya "
            "dari berkas pendaftaran."
        )
    opener = open_unlocked if is_encrypted(folder.path) else open_app
    with opener(folder.path, create=True, database_url=sqlite_url(folder.database_path)) as ctx:
        passphrase = read_passphrase(args)
        setup = set_up_field_device(ctx, args.enrollment, passphrase)
        _print_field_setup(setup)
        print(f"Folder data: {ctx.data_dir.path}")
    if not setup.already and not args.plain and not is_encrypted(folder.path):
        _encrypt(folder, args, encrypt_field_device(folder.path))
    return 0


def _print_field_setup(setup: FieldSetup) -> None:
    device = setup.device
    if setup.already:
        print(
            f"Folder data ini sudah menjadi perangkat {device.code} ({device.name}) kantor "
            f"{device.office_code}; tidak ada yang diubah."
        )
        return
    print(
        f"Perangkat lapangan {device.code} ({device.name}) kantor {device.office_code} "
        f"({setup.office_name}) disiapkan."
    )
    print(
        f"Pengguna: {', '.join(setup.clerks)}; daftar Admin Instansi: {setup.roster_count} orang."
    )
    print(
        "Kirim data ke kantor dengan: nonasn transfer export --out FOLDER (frasa sandi "
        "pendaftaran diminta untuk menandatangani)."
    )


def run(args: argparse.Namespace) -> int:
    folder = DataDir(resolve_data_dir(data_dir_of(args)))
    if args.enrollment is not None:
        return _set_up_field_device(args, folder)
    url = _database_url(args, folder)
    desk_name = clean_desk_name(args.desk_name) if args.desk_name else None
    own_file = url == sqlite_url(folder.database_path)
    # A new folder of its own is encrypted once its first admin exists (README, "Data pribadi
    # terenkripsi"); an office database server is protected by the server (see README).
    encrypt = own_file and not args.plain and not folder.database_path.exists()
    opener = open_unlocked if is_encrypted(folder.path) else open_app
    admin_password: str | None = None
    with opener(folder.path, create=True, database_url=url) as ctx:
        office = get_office(ctx)
        if office is not None and not own_file:
            _join(ctx, args, office)
        else:
            admin_password = _set_up(ctx, args)
            if not own_file and args.admin and admin_password:
                _office_documents_key(ctx, args, admin_password)
        _remember_desk(folder, url, desk_name)
        print(f"Meja ini: {desk_name or ctx.desk.name} (kode {ctx.desk.code})")
        print(f"Folder data: {ctx.data_dir.path}")
    if encrypt and args.admin and admin_password:
        _encrypt(folder, args, encrypt_new_folder(folder.path, args.admin, admin_password))
    elif encrypt:
        print(
            "Folder data belum terenkripsi: belum ada admin. Folder dienkripsi saat admin "
            "pertama masuk (atau jalankan lagi dengan --admin NAMA)."
        )
    return 0


def _office_documents_key(ctx: AppContext, args: argparse.Namespace, password: str) -> None:
    """A new office on a database server: its documents are encrypted from the first one with
    the office data key (accounts.slots), made now with the first admin's slot."""
    actor = authenticate(ctx, args.admin, password).actor
    recovery_text = create_documents_key(ctx, actor=actor, password=password)
    print("Dokumen kantor dienkripsi dengan kunci dokumen kantor.")
    _show_recovery_key(recovery_text)
    if args.recovery_sheet is not None:
        write_sheet(ctx, recovery_text, args.recovery_sheet)


def _show_recovery_key(recovery_text: str) -> None:
    print("KUNCI PEMULIHAN (hanya ditampilkan sekali ini):")
    print(f"    {recovery_text}")
    print(WARNING)


def _encrypt(folder: DataDir, args: argparse.Namespace, unlocked: Unlocked) -> None:
    """Show the new recovery key once (and write its A4 sheet when asked)."""
    assert unlocked.recovery_text is not None
    show_new_folder_key(folder.path, unlocked.key, unlocked.recovery_text, args.recovery_sheet)


def _set_up(ctx: AppContext, args: argparse.Namespace) -> str | None:
    """A new office, or this folder's own office again (see the module docstring).

    Returns the password of the admin created just now (None when none was)."""
    if not args.office_code or not args.office_name:
        raise UserError(
            "Kode dan nama kantor wajib diisi untuk menyiapkan kantor baru.",
            hint='Contoh: nonasn init --office-code 1771BKD --office-name "BKD Kota Bengkulu". '
            "Untuk bergabung ke kantor yang sudah ada: nonasn init --database-url URL.",
        )
    existing_key = get_key_info(ctx)
    # Asked before anything is written, so a refused passphrase leaves the folder as it was.
    key_passphrase = None if existing_key is not None else _key_passphrase(args)
    admin: tuple[str, str] | None = None
    if args.admin:
        # An existing admin keeps their password: asking for one would suggest a change.
        existing = find_user(ctx, args.admin)
        password = "" if existing is not None else admin_password()
        admin = (args.admin, password)
    result = initialise(
        ctx, office_code=args.office_code, office_name=args.office_name, admin=admin
    )
    for message in result.messages:
        print(message)
    if existing_key is not None:
        print(f"Kunci tanda tangan kantor sudah ada (ID {existing_key.key_id}); tidak diubah.")
    elif key_passphrase is not None:
        try:
            key = create_office_key(ctx, key_passphrase)
        except ConflictError:
            # Another desk made the office's key a moment ago: that one is the office's key.
            print(_key_line(get_key_info(ctx)))
            return admin[1] if admin else None
        print(f"Kunci tanda tangan kantor dibuat (ID {key.key_id}).")
        print("Simpan frasa sandinya baik-baik: tanpa itu batch tidak dapat ditandatangani.")
    else:
        print(
            "Kunci tanda tangan kantor belum dibuat: frasa sandinya tidak diberikan. "
            f"Jalankan lagi dengan --passphrase-file FILE atau {PASSPHRASE_ENV}."
        )
    return admin[1] if admin else None
