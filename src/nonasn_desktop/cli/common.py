"""Pieces shared by the subcommands: the data-folder option and opening the application."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any

from nonasn_desktop.cli.argparse_id import ArgumentParser
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import FolderLockedError
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


# -- unlocking an encrypted data folder ----------------------------------------------------------
# The command line's credentials are read in ONE place (read_credentials) and a folder is
# unlocked in ONE place (unlock_data_folder, called only by open_unlocked). Signing in for the
# role checks (issue 12) reads the same NONASN_USER / NONASN_PASSWORD: joined, one sign-in gives
# both the clerk's Actor and the folder's data key.

USER_ENV = "NONASN_USER"
PASSWORD_ENV = "NONASN_PASSWORD"  # noqa: S105 - the name of a variable, not a password


def read_credentials() -> tuple[str, str]:
    """The clerk's username and password: NONASN_USER and NONASN_PASSWORD, else asked on a
    terminal, else FolderLockedError saying which variables to set."""
    username = os.environ.get(USER_ENV, "").strip() or None
    password = os.environ.get(PASSWORD_ENV) or None
    if (username is None or password is None) and not sys.stdin.isatty():
        raise FolderLockedError(
            hint=f"Setel variabel lingkungan {USER_ENV} (nama pengguna) dan {PASSWORD_ENV} "
            "(kata sandinya), atau jalankan perintah di terminal untuk mengetiknya."
        )
    if username is None:
        username = input("Nama pengguna: ").strip()
    if password is None:
        password = getpass.getpass(f"Kata sandi {username}: ")
    return username, password


def unlock_data_folder(data_dir: Path | None) -> DataKey | None:
    """The data key of an encrypted folder, opened with the clerk's credentials (argon2id key
    slot, throttled after wrong passwords); None for a plain folder, which opens as before
    (only an admin's sign-in in the application converts it)."""
    if not is_encrypted(data_dir):
        return None
    username, password = read_credentials()
    return unlock(data_dir, username, password).key


def open_unlocked(data_dir: Path | None, **options: Any) -> AppContext:
    """``open_app`` for a command: an encrypted folder is unlocked first."""
    return open_app(data_dir, key=unlock_data_folder(data_dir), **options)
