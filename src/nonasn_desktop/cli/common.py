"""Pieces shared by the subcommands: the data-folder option, opening the application and
signing in to it."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from nonasn_desktop.accounts.authz import Actor
from nonasn_desktop.accounts.users import authenticate
from nonasn_desktop.cli.argparse_id import ArgumentParser
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import ConflictError, UserError
from nonasn_desktop.office.identity import get_office
from nonasn_desktop.startup import open_app

DATA_DIR_HELP = "folder data (bawaan: NONASN_DATA_DIR, atau folder data pengguna)"


def add_data_dir_option(parser: ArgumentParser, *, top_level: bool = False) -> None:
    """--data-dir is accepted before and after the subcommand name."""
    parser.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        help=DATA_DIR_HELP,
        # Subcommands must not overwrite a value given before the subcommand name.
        default=None if top_level else argparse.SUPPRESS,
    )


def data_dir_of(args: argparse.Namespace) -> Path | None:
    value: Path | None = getattr(args, "data_dir", None)
    return value


# Every command's options reach it as ``args``; this one needs none of them yet.
def database_url_of(args: argparse.Namespace) -> str | None:  # noqa: ARG001
    return os.environ.get("NONASN_DATABASE_URL") or None


# -- signing in --------------------------------------------------------------------------------

USER_ENV = "NONASN_USER"
PASSWORD_ENV = "NONASN_PASSWORD"  # noqa: S105 - the name of a variable, not a password


def sign_in(ctx: AppContext) -> Actor:
    """The clerk a command acts for: NONASN_USER and NONASN_PASSWORD, or a prompt.

    Every command that works on a data folder signs in, except ``init`` (it makes the first
    admin, or sets a field laptop up from its enrolment file), ``device apply`` (a roster
    refresh: the office's signature and the enrolment passphrase vouch for it, and it may be
    what brings a laptop's clerks back), ``check``, ``self-test``, ``central`` (the centre has
    no clerks) and ``gui`` (which has its own sign-in). Without a terminal and without the
    variables it says what to set. This is the one place the command line signs in.
    """
    if get_office(ctx) is None:
        # Nobody can sign in to a folder that was never set up; say what to do first.
        raise ConflictError(
            "Folder data ini belum disiapkan untuk kantor mana pun.",
            hint="Jalankan dulu: nonasn init --office-code KODE --office-name NAMA --admin USER",
        )
    username = os.environ.get(USER_ENV) or None
    password = os.environ.get(PASSWORD_ENV) or None
    if (username is None or password is None) and not sys.stdin.isatty():
        raise UserError(
            "Perintah ini harus dijalankan oleh pengguna aplikasi; belum ada yang masuk.",
            hint=f"Setel variabel lingkungan {USER_ENV} (nama pengguna) dan {PASSWORD_ENV} "
            "(kata sandinya), atau jalankan di terminal untuk mengetiknya.",
        )
    if username is None:
        username = input("Nama pengguna: ")
    if password is None:
        password = getpass.getpass(f"Kata sandi {username}: ")
    return authenticate(ctx, username, password).actor


@contextlib.contextmanager
def open_signed_in(args: argparse.Namespace) -> Iterator[tuple[AppContext, Actor]]:
    """The data folder of ``args`` opened, and the clerk signed in to it."""
    with open_app(data_dir_of(args), database_url=database_url_of(args)) as ctx:
        yield ctx, sign_in(ctx)
