"""``nonasn init``: prepare a data folder without the GUI (for scripted installs)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Any

from nonasn_desktop.accounts.users import find_user
from nonasn_desktop.cli.argparse_id import ArgumentParser
from nonasn_desktop.cli.common import add_data_dir_option, data_dir_of, database_url_of
from nonasn_desktop.cli.keys_cmd import PASSPHRASE_ENV, add_passphrase_option, read_passphrase
from nonasn_desktop.errors import UserError
from nonasn_desktop.office.identity import initialise
from nonasn_desktop.office.keys import create_office_key, get_key_info, validate_new_passphrase
from nonasn_desktop.startup import open_app

ADMIN_PASSWORD_ENV = "NONASN_ADMIN_PASSWORD"  # noqa: S105 - a variable name, not a password


def register(commands: Any) -> None:
    parser: ArgumentParser = commands.add_parser("init", help="siapkan folder data dan kantor")
    add_data_dir_option(parser)
    parser.add_argument("--office-code", required=True, metavar="CODE", help="kode kantor")
    parser.add_argument("--office-name", required=True, metavar="NAME", help="nama kantor")
    parser.add_argument("--admin", metavar="USER", help="buat admin pertama dengan nama ini")
    add_passphrase_option(parser)
    parser.set_defaults(handler=run)


def _admin_password() -> str:
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


def _key_passphrase(args: argparse.Namespace) -> str | None:
    """The passphrase for a new office key, or None when none was given by any means."""
    given = args.passphrase_file is not None or bool(os.environ.get(PASSPHRASE_ENV))
    if not given and not sys.stdin.isatty():
        return None
    passphrase = read_passphrase(args, confirm=True)
    validate_new_passphrase(passphrase)
    return passphrase


def run(args: argparse.Namespace) -> int:
    with open_app(data_dir_of(args), create=True, database_url=database_url_of(args)) as ctx:
        existing_key = get_key_info(ctx)
        # Asked before anything is written, so a refused passphrase leaves the folder as it was.
        key_passphrase = None if existing_key is not None else _key_passphrase(args)
        admin: tuple[str, str] | None = None
        if args.admin:
            # An existing admin keeps their password: asking for one would suggest a change.
            existing = find_user(ctx, args.admin)
            password = "" if existing is not None else _admin_password()
            admin = (args.admin, password)
        result = initialise(
            ctx, office_code=args.office_code, office_name=args.office_name, admin=admin
        )
        for message in result.messages:
            print(message)
        if existing_key is not None:
            print(f"Kunci tanda tangan kantor sudah ada (ID {existing_key.key_id}); tidak diubah.")
        elif key_passphrase is not None:
            key = create_office_key(ctx, key_passphrase)
            print(f"Kunci tanda tangan kantor dibuat (ID {key.key_id}).")
            print("Simpan frasa sandinya baik-baik: tanpa itu batch tidak dapat ditandatangani.")
        else:
            print(
                "Kunci tanda tangan kantor belum dibuat: frasa sandinya tidak diberikan. "
                f"Jalankan lagi dengan --passphrase-file FILE atau {PASSPHRASE_ENV}."
            )
        print(f"Folder data: {ctx.data_dir.path}")
    return 0
