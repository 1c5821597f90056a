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
from typing import Any

from nonasn_desktop.accounts.authz import Actor
from nonasn_desktop.accounts.users import authenticate
from nonasn_desktop.cli.argparse_id import ArgumentParser
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import ConflictError, FolderLockedError, UserError
from nonasn_desktop.office.identity import get_office
from nonasn_desktop.startup import is_encrypted, open_app, unlock
from nonasn_desktop.storage.vault import DataKey

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


# -- signing in and unlocking --------------------------------------------------------------------
# The command line reads a clerk's credentials in ONE place (read_credentials) and signs in in ONE
# place (open_signed_in): the same NONASN_USER / NONASN_PASSWORD open an encrypted folder's key
# slot (issue 11) and then give the Actor that the role checks ask for (issue 12).

USER_ENV = "NONASN_USER"
PASSWORD_ENV = "NONASN_PASSWORD"  # noqa: S105 - the name of a variable, not a password

Credentials = tuple[str, str]


def read_credentials(*, locked: bool = False) -> Credentials:
    """The clerk's username and password: NONASN_USER and NONASN_PASSWORD, else asked on a
    terminal, else a message saying which variables to set (``locked``: the folder is encrypted,
    so the message says it is locked)."""
    username = os.environ.get(USER_ENV, "").strip() or None
    password = os.environ.get(PASSWORD_ENV) or None
    if (username is None or password is None) and not sys.stdin.isatty():
        hint = (
            f"Setel variabel lingkungan {USER_ENV} (nama pengguna) dan {PASSWORD_ENV} "
            "(kata sandinya), atau jalankan perintah di terminal untuk mengetiknya."
        )
        if locked:
            raise FolderLockedError(hint=hint)
        raise UserError(
            "Perintah ini harus dijalankan oleh pengguna aplikasi; belum ada yang masuk.",
            hint=hint,
        )
    if username is None:
        username = input("Nama pengguna: ").strip()
    if password is None:
        password = getpass.getpass(f"Kata sandi {username}: ")
    return username, password


def sign_in(ctx: AppContext, credentials: Credentials | None = None) -> Actor:
    """The clerk a command acts for: ``credentials`` when the folder was just unlocked with them,
    else NONASN_USER and NONASN_PASSWORD, or a prompt.

    Every command that works on a data folder signs in, except ``init`` (it makes the first
    admin, or sets a field laptop up from its enrolment file), ``device apply`` (a roster
    refresh: the office's signature and the enrolment passphrase vouch for it, and it may be
    what brings a laptop's clerks back), ``check``, ``self-test``, ``central`` (the centre has
    no clerks) and ``gui`` (which has its own sign-in).
    """
    if get_office(ctx) is None:
        # Nobody can sign in to a folder that was never set up; say what to do first.
        raise ConflictError(
            "Folder data ini belum disiapkan untuk kantor mana pun.",
            hint="Jalankan dulu: nonasn init --office-code KODE --office-name NAMA --admin USER",
        )
    username, password = credentials or read_credentials()
    return authenticate(ctx, username, password).actor


def unlock_data_folder(
    data_dir: Path | None, credentials: Credentials | None = None
) -> tuple[DataKey | None, Credentials | None]:
    """The data key of an encrypted folder, opened with the clerk's credentials (argon2id key
    slot, throttled after wrong passwords), and the credentials used; (None, None) for a plain
    folder, which opens as before (only an admin's sign-in converts it)."""
    if not is_encrypted(data_dir):
        return None, credentials
    credentials = credentials or read_credentials(locked=True)
    return unlock(data_dir, *credentials).key, credentials


def open_unlocked(data_dir: Path | None, **options: Any) -> AppContext:
    """``open_app`` for a command that does not sign in (a field laptop's roster refresh): an
    encrypted folder is unlocked first."""
    key, _ = unlock_data_folder(data_dir)
    return open_app(data_dir, key=key, **options)


@contextlib.contextmanager
def open_signed_in(args: argparse.Namespace) -> Iterator[tuple[AppContext, Actor]]:
    """The data folder of ``args`` opened (unlocked first when it is encrypted), and the clerk
    signed in to it, with one reading of the credentials."""
    data_dir = data_dir_of(args)
    key, credentials = unlock_data_folder(data_dir)
    with open_app(data_dir, database_url=database_url_of(args), key=key) as ctx:
        yield ctx, sign_in(ctx, credentials)
