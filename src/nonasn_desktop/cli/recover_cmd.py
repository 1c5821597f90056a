"""``nonasn recover``: the recovery key of an encrypted data folder.

``--recovery-key-file F --admin USER``: every admin password lost; the recovery key (printed
once at ``nonasn init``, kept in the office safe) opens the folder's data key; the admin's
password is then set in the database and their key slot rewritten, and the audit trail records
that the recovery key was used. On a desk of an office database server (PostgreSQL) the office's
recovery key (shown once when the office was set up there) opens the office data key instead,
and the admin gets a new slot of it.

``--new-key``: the sheet in the safe was lost or seen by others; a signed-in admin replaces the
recovery key (accounts.recovery): the new one is printed once (and written on an A4 sheet with
``--recovery-sheet``), the old one stops opening the folder. At a desk of an office database
server it is the office's recovery key that is replaced (the office data key must be open for
that admin, as their sign-in opens it).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Final

from nonasn_desktop.accounts.recovery import new_recovery_key, old_key_note
from nonasn_desktop.accounts.slots import close_office_key, open_office_key_with_recovery
from nonasn_desktop.accounts.users import recover_admin_password
from nonasn_desktop.cli.argparse_id import ArgumentParser, UsageError
from nonasn_desktop.cli.common import (
    Credentials,
    add_data_dir_option,
    data_dir_of,
    database_url_of,
    read_credentials,
    sign_in,
    unlock_data_folder,
)
from nonasn_desktop.cli.init_cmd import ADMIN_PASSWORD_ENV, admin_password
from nonasn_desktop.cli.recovery_output import WARNING, refuse_existing_sheet, write_sheet
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import UserError
from nonasn_desktop.startup import is_encrypted, open_app, unlock_with_recovery_key

# A recovery key is 44 characters; a larger file is not one.
_MAX_KEY_FILE: Final = 4096


def register(commands: Any) -> None:
    parser: ArgumentParser = commands.add_parser(
        "recover", help="tetapkan kata sandi admin baru dengan kunci pemulihan"
    )
    add_data_dir_option(parser)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument(
        "--recovery-key-file",
        type=Path,
        metavar="FILE",
        help="berkas teks berisi kunci pemulihan (dari lembar kunci pemulihan); bersama --admin",
    )
    mode.add_argument(
        "--new-key",
        action="store_true",
        help="buat kunci pemulihan baru (admin yang masuk dengan NONASN_USER dan "
        "NONASN_PASSWORD); kunci lama tidak berlaku lagi",
    )
    parser.add_argument(
        "--admin",
        metavar="USER",
        help=f"admin yang diberi kata sandi baru (kata sandinya: {ADMIN_PASSWORD_ENV}, "
        "atau diketik)",
    )
    parser.add_argument(
        "--recovery-sheet",
        type=Path,
        metavar="FILE.pdf",
        help="bersama --new-key: tulis lembar kunci pemulihan baru (A4) ke berkas PDF ini",
    )
    parser.set_defaults(handler=run)


def _read_key_file(path: Path) -> str:
    try:
        with path.open("rb") as stream:
            data = stream.read(_MAX_KEY_FILE + 1)
    except OSError as exc:
        raise UserError(
            f"Berkas kunci pemulihan {path} tidak dapat dibaca ({exc.strerror or exc}).",
            hint="Periksa nama berkasnya, lalu coba lagi.",
        ) from None
    if len(data) > _MAX_KEY_FILE:
        raise UserError(
            f"Berkas {path} terlalu besar untuk berisi kunci pemulihan.",
            hint="Berkas itu cukup berisi 9 kelompok huruf/angka dari lembar kunci pemulihan.",
        )
    return data.decode("utf-8", errors="replace")


def _require_encrypted(data_dir: Path | None) -> None:
    if not is_encrypted(data_dir):
        raise UserError(
            "Folder data ini tidak terenkripsi, jadi tidak memakai kunci pemulihan.",
            hint="Folder data dienkripsi saat admin masuk lewat aplikasi; admin lain dapat "
            "mengganti kata sandi (Admin › Pengguna).",
        )


def run(args: argparse.Namespace) -> int:
    if args.new_key:
        if args.admin is not None:
            raise UsageError("--admin hanya dipakai bersama --recovery-key-file")
        return _new_key(args)
    if args.admin is None:
        raise UsageError("sebutkan admin yang diberi kata sandi baru dengan --admin USER")
    if args.recovery_sheet is not None:
        raise UsageError("--recovery-sheet hanya dipakai bersama --new-key")
    data_dir = data_dir_of(args)
    recovery_text = _read_key_file(args.recovery_key_file)
    if is_encrypted(data_dir):
        key = unlock_with_recovery_key(data_dir, recovery_text)
        with open_app(data_dir, key=key) as ctx:
            recover_admin_password(ctx, username=args.admin, new_password=admin_password())
    else:
        _recover_on_office_server(args, data_dir, recovery_text)
    print(f"Kata sandi admin '{args.admin}' sudah diganti dengan kunci pemulihan.")
    print("Simpan kembali lembar kunci pemulihan di brankas; hapus berkas teks kuncinya.")
    return 0


def _recover_on_office_server(
    args: argparse.Namespace, data_dir: Path | None, recovery_text: str
) -> None:
    """Every admin password of an office database server lost: the office's recovery key (shown
    once when the office was set up on the server) opens the office data key, which proves the
    right to set an admin's password and gives that admin a new key slot with it."""
    with open_app(data_dir) as ctx:
        if not ctx.db.is_postgresql:
            _require_encrypted(data_dir)  # a plain folder of its own: says what to do instead
        open_office_key_with_recovery(ctx, recovery_text)
        try:
            recover_admin_password(ctx, username=args.admin, new_password=admin_password())
        finally:
            close_office_key(ctx)


def _new_key(args: argparse.Namespace) -> int:
    """As ``open_signed_in`` signs in, keeping the password: the service asks for it again.

    An encrypted folder of its own opens with the credentials; a plain folder is an office
    server's desk (its database elsewhere, the office data key opened by the sign-in) or a
    folder without a recovery key, refused before anyone is asked to sign in."""
    data_dir, database_url = data_dir_of(args), database_url_of(args)
    sheet: Path | None = args.recovery_sheet
    # Checked before the old key is replaced: the new one must reach the admin.
    refuse_existing_sheet(sheet)
    if is_encrypted(data_dir):
        key, credentials = unlock_data_folder(data_dir)
        assert credentials is not None  # an encrypted folder opens only with them
        with open_app(data_dir, database_url=database_url, key=key) as ctx:
            _replace_and_show(ctx, credentials, sheet)
        return 0
    with open_app(data_dir, database_url=database_url) as ctx:
        if not ctx.db.is_postgresql:
            _require_encrypted(data_dir)  # a plain folder of its own: says what to do instead
        _replace_and_show(ctx, read_credentials(), sheet)
    return 0


def _replace_and_show(ctx: AppContext, credentials: Credentials, sheet: Path | None) -> None:
    # A key nobody has seen yet is not shown: it stops working a moment later.
    actor = sign_in(ctx, credentials, show_recovery=False)
    recovery_text = new_recovery_key(ctx, actor=actor, password=credentials[1])
    print("Kunci pemulihan baru dibuat. KUNCI PEMULIHAN (hanya ditampilkan sekali ini):")
    print(f"    {recovery_text}")
    print(old_key_note(ctx))
    print(WARNING)
    if sheet is not None:
        write_sheet(ctx, recovery_text, sheet)
