"""``nonasn keys``: the office signing key (show it, export its public half), and encryption at
rest: a plain data folder of an older version (``encrypt-folder``), an office database
server's documents (``encrypt-documents``) and a clerk's access to them (``grant-documents``:
the clerk types their own password at the admin's desk).

Also home of the passphrase helper every command that needs the office key uses: the
passphrase comes from ``--passphrase-file FILE`` (its first line), else the environment
variable ``NONASN_KEY_PASSPHRASE``, else a prompt on the terminal.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any

from nonasn_desktop.accounts.slots import clerks_without_office_slot, grant_office_slot
from nonasn_desktop.cli.argparse_id import ArgumentParser
from nonasn_desktop.cli.common import (
    add_data_dir_option,
    data_dir_of,
    database_url_of,
    open_signed_in,
    read_credentials,
    sign_in,
    sign_in_user,
)
from nonasn_desktop.cli.progress import progress_printer
from nonasn_desktop.cli.recovery_output import refuse_existing_sheet, show_new_folder_key
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import AuthError, ConflictError, UserError
from nonasn_desktop.office.documentkey import encrypt_office_documents
from nonasn_desktop.office.keys import export_public_key, require_key_info
from nonasn_desktop.rules.formatting import format_date
from nonasn_desktop.rules.roles import Role
from nonasn_desktop.startup import (
    conversion_due,
    convert_after_sign_in,
    encryption_due,
    is_encrypted,
    open_app,
)

PASSPHRASE_ENV = "NONASN_KEY_PASSPHRASE"  # noqa: S105 - a variable name, not a passphrase
CLERK_PASSWORD_ENV = "NONASN_CLERK_PASSWORD"  # noqa: S105 - a variable name, not a password


def add_passphrase_option(parser: ArgumentParser) -> None:
    parser.add_argument(
        "--passphrase-file",
        type=Path,
        metavar="FILE",
        help=f"berkas berisi frasa sandi kunci kantor (baris pertama); bawaan: {PASSPHRASE_ENV} "
        "atau ketik di terminal",
    )


def read_passphrase(args: argparse.Namespace, *, confirm: bool = False) -> str:
    """The office key passphrase from --passphrase-file, the environment, or a prompt.

    ``confirm``: ask twice at the prompt (a new key).
    """
    path: Path | None = getattr(args, "passphrase_file", None)
    if path is not None:
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "bukan berkas teks UTF-8"
            raise UserError(f"Berkas frasa sandi {path} tidak dapat dibaca ({reason}).") from None
        lines = text.splitlines()
        value = lines[0] if lines else ""
        if not value:
            raise UserError(f"Berkas frasa sandi {path} kosong.")
        return value
    from_env = os.environ.get(PASSPHRASE_ENV)
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        raise UserError(
            "Frasa sandi kunci kantor tidak diberikan.",
            hint=f"Ketik di terminal, pakai --passphrase-file FILE, atau setel {PASSPHRASE_ENV}.",
        )
    first = getpass.getpass("Frasa sandi kunci kantor: ")
    if confirm:
        second = getpass.getpass("Ulangi frasa sandi kunci kantor: ")
        if first != second:
            raise UserError("Frasa sandi dan ulangannya tidak sama; tidak ada yang diubah.")
    return first


def register(commands: Any) -> None:
    parser: ArgumentParser = commands.add_parser("keys", help="kunci tanda tangan kantor")
    sub = parser.add_subparsers(
        dest="keys_command", metavar="PERINTAH", parser_class=ArgumentParser
    )
    sub.required = True
    show = sub.add_parser("show", help="tampilkan ID kunci dan kantornya")
    add_data_dir_option(show)
    show.set_defaults(handler=run_show)
    export = sub.add_parser("export", help="tulis kunci publik (format minisign)")
    add_data_dir_option(export)
    export.add_argument("--out", type=Path, required=True, metavar="FILE", help="berkas .pub")
    export.set_defaults(handler=run_export)
    documents = sub.add_parser(
        "encrypt-documents",
        help="enkripsi dokumen basis data kantor dengan kunci dokumen kantor (sekali saja)",
    )
    add_data_dir_option(documents)
    documents.set_defaults(handler=run_encrypt_documents)
    grant = sub.add_parser(
        "grant-documents",
        help="beri pengguna akses ke dokumen kantor terenkripsi: pengguna itu mengetik kata "
        "sandinya sendiri di meja admin (admin); tanpa USER: daftar pengguna yang belum punya",
    )
    add_data_dir_option(grant)
    grant.add_argument(
        "username",
        nargs="?",
        metavar="USER",
        help=f"nama pengguna; kata sandinya dari {CLERK_PASSWORD_ENV} atau diketik di terminal",
    )
    grant.set_defaults(handler=run_grant_documents)
    folder = sub.add_parser(
        "encrypt-folder",
        help="enkripsi folder data versi lama yang belum terenkripsi (admin; sekali saja)",
    )
    add_data_dir_option(folder)
    folder.add_argument(
        "--recovery-sheet",
        type=Path,
        metavar="FILE.pdf",
        help="tulis lembar kunci pemulihan (A4) ke berkas PDF ini untuk dicetak",
    )
    folder.set_defaults(handler=run_encrypt_folder)


def run_show(args: argparse.Namespace) -> int:
    with open_signed_in(args) as (ctx, _actor):
        info = require_key_info(ctx)
    print(f"ID kunci    : {info.key_id}")
    print(f"Kantor      : {info.office_code} ({info.office_name})")
    print(f"Dibuat      : {format_date(info.created_at.date())}")
    print(f"Disimpan di : {info.where}")
    print("Kunci publik:")
    print(info.public_key_text, end="")
    return 0


def run_export(args: argparse.Namespace) -> int:
    with open_signed_in(args) as (ctx, actor):
        info = export_public_key(ctx, args.out, actor=actor)
    print(f"Kunci publik {info.key_id} kantor {info.office_code} ditulis ke {args.out}.")
    print("Serahkan berkas itu ke kantor pusat untuk didaftarkan sebagai kunci tepercaya.")
    return 0


def run_encrypt_documents(args: argparse.Namespace) -> int:
    """The one-time conversion of an office server's documents (office.documentkey)."""
    credentials = read_credentials()
    with open_app(data_dir_of(args), database_url=database_url_of(args)) as ctx:
        actor = sign_in(ctx, credentials)
        done = encrypt_office_documents(
            ctx, actor=actor, password=credentials[1], progress=progress_printer()
        )
        # The clerks made before the key have no slot of it yet: the admin learns whom to call.
        missing = clerks_without_office_slot(ctx, actor=actor)
    if done.recovery_text is not None:
        print("Kunci dokumen kantor dibuat. KUNCI PEMULIHAN (tampil sekali ini saja; tulis dan")
        print("simpan di brankas kantor, bukan di komputer):")
        print(f"    {done.recovery_text}")
    rows = done.rows
    print(f"Dokumen dienkripsi: {rows.encrypted}; sudah terenkripsi: {rows.already}.")
    if rows.damaged:
        print(
            f"{len(rows.damaged)} dokumen rusak dibiarkan apa adanya (pulihkan dari cadangan "
            "pg_dump atau unggah ulang): " + ", ".join(sha[:12] for sha in rows.damaged)
        )
    _print_missing(missing)
    return 0


def read_clerk_password(username: str) -> str:
    """The clerk's own password: NONASN_CLERK_PASSWORD, else typed (hidden) on the terminal,
    by the clerk, at this desk."""
    from_env = os.environ.get(CLERK_PASSWORD_ENV)
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        raise UserError(
            f"Kata sandi {username} tidak diberikan.",
            hint=f"Jalankan di terminal agar {username} mengetiknya sendiri, atau setel "
            f"{CLERK_PASSWORD_ENV}. Tidak ada yang diubah.",
        )
    return getpass.getpass(f"Kata sandi {username} (diketik oleh {username} sendiri): ")


def run_grant_documents(args: argparse.Namespace) -> int:
    """A slot of the office data key for a clerk who has none (accounts.slots), or the list of
    those clerks."""
    with open_signed_in(args) as (ctx, actor):
        if args.username is not None:
            username = args.username.strip().lower()
            done = grant_office_slot(
                ctx, actor=actor, username=username, password=read_clerk_password(username)
            )
            print(
                f"Akses dokumen kantor untuk {done.username} "
                + ("diperbarui." if done.replaced else "diberikan.")
                + " Kata sandinya tidak berubah; dokumen terbuka saat ia masuk berikutnya."
            )
        missing = clerks_without_office_slot(ctx, actor=actor)
    _print_missing(missing)
    return 0


def _print_missing(missing: list[str]) -> None:
    if missing:
        print("Pengguna aktif tanpa akses dokumen kantor: " + ", ".join(missing))
        print("Beri akses: nonasn keys grant-documents USER (pengguna itu mengetik kata sandinya).")
    else:
        print("Semua pengguna aktif dapat membuka dokumen kantor.")


def run_encrypt_folder(args: argparse.Namespace) -> int:
    """A plain data folder of an older version encrypted from the command line, as an admin's
    GUI sign-in does it (startup.convert_after_sign_in: automatic backup first, crash-safe
    conversion); the recovery key is printed once (and its A4 sheet written when asked)."""
    data_dir, database_url = data_dir_of(args), database_url_of(args)
    sheet: Path | None = args.recovery_sheet
    refuse_existing_sheet(sheet)
    if is_encrypted(data_dir):
        raise ConflictError(
            "Folder data ini sudah terenkripsi.",
            hint="Tidak ada yang diubah. Kunci pemulihan baru: nonasn recover --new-key.",
        )
    credentials = read_credentials()
    with open_app(data_dir, database_url=database_url) as ctx:
        user = sign_in_user(ctx, credentials)
        _require_conversion_due(ctx, user.role, database_url)
        print(
            "Membuat cadangan otomatis, lalu mengenkripsi folder data (sekali saja; jangan "
            "matikan komputer)..."
        )
        # Closes ``ctx`` and opens the folder again (encrypted, or plain when it failed).
        converted = convert_after_sign_in(ctx, *credentials)
    opened = converted.ctx
    opened.close()
    if converted.failure is not None:
        raise converted.failure
    assert converted.recovery_text is not None
    show_new_folder_key(opened.data_dir.path, opened.key, converted.recovery_text, sheet)
    return 0


def _require_conversion_due(ctx: AppContext, role: Role, database_url: str | None) -> None:
    """Why this folder is not converted by this clerk, when it is not (nothing changes)."""
    if conversion_due(ctx, role) and encryption_due(ctx.data_dir.path, database_url):
        return
    if ctx.db.is_postgresql:
        raise ConflictError(
            "Komputer ini memakai basis data kantor di server; perlindungannya diatur di server "
            "(lihat README, bagian server basis data kantor).",
            hint="Dokumen kantor dienkripsi dengan: nonasn keys encrypt-documents. Tidak ada "
            "yang diubah.",
        )
    if role != Role.ADMIN:
        raise AuthError(
            "Hanya admin kantor yang dapat mengenkripsi folder data ini (admin menyimpan kunci "
            "pemulihannya).",
            hint="Minta admin menjalankan perintah ini. Tidak ada yang diubah.",
        )
    raise ConflictError(
        "Folder data ini tidak perlu dienkripsi: basis datanya bukan basis data versi lama yang "
        "belum terenkripsi.",
        hint="Tidak ada yang diubah.",
    )
