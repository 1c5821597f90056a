"""``nonasn recover``: every admin password lost; the recovery key sets a new one.

The recovery key (printed once at ``nonasn init``, kept in the office safe) opens the folder's
data key; the admin's password is then set in the database and their key slot rewritten, and
the audit trail records that the recovery key was used.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Final

from nonasn_desktop.accounts.users import recover_admin_password
from nonasn_desktop.cli.argparse_id import ArgumentParser
from nonasn_desktop.cli.common import add_data_dir_option, data_dir_of
from nonasn_desktop.cli.init_cmd import ADMIN_PASSWORD_ENV, admin_password
from nonasn_desktop.errors import UserError
from nonasn_desktop.startup import is_encrypted, open_app, unlock_with_recovery_key

# A recovery key is 44 characters; a larger file is not one.
_MAX_KEY_FILE: Final = 4096


def register(commands: Any) -> None:
    parser: ArgumentParser = commands.add_parser(
        "recover", help="tetapkan kata sandi admin baru dengan kunci pemulihan"
    )
    add_data_dir_option(parser)
    parser.add_argument(
        "--recovery-key-file",
        type=Path,
        required=True,
        metavar="FILE",
        help="berkas teks berisi kunci pemulihan (dari lembar kunci pemulihan)",
    )
    parser.add_argument(
        "--admin",
        metavar="USER",
        required=True,
        help=f"admin yang diberi kata sandi baru (kata sandinya: {ADMIN_PASSWORD_ENV}, "
        "atau diketik)",
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


def run(args: argparse.Namespace) -> int:
    data_dir = data_dir_of(args)
    if not is_encrypted(data_dir):
        raise UserError(
            "Folder data ini tidak terenkripsi, jadi tidak memakai kunci pemulihan.",
            hint="Admin lain dapat mengganti kata sandi (Admin › Pengguna).",
        )
    key = unlock_with_recovery_key(data_dir, _read_key_file(args.recovery_key_file))
    with open_app(data_dir, key=key) as ctx:
        recover_admin_password(ctx, username=args.admin, new_password=admin_password())
    print(f"Kata sandi admin '{args.admin}' sudah diganti dengan kunci pemulihan.")
    print("Simpan kembali lembar kunci pemulihan di brankas; hapus berkas teks kuncinya.")
    return 0
