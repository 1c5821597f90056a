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


# Who unlocks an encrypted data folder from the command line (README, "Command line").
USER_ENV = "NONASN_USER"
PASSWORD_ENV = "NONASN_PASSWORD"  # noqa: S105 - a variable name, not a password


def credentials() -> tuple[str, str]:
    """The clerk's username and password: NONASN_USER and NONASN_PASSWORD, else asked on a
    terminal, else FolderLockedError saying how to give them."""
    username = os.environ.get(USER_ENV, "").strip()
    password = os.environ.get(PASSWORD_ENV, "")
    if username and password:
        return username, password
    if not sys.stdin.isatty():
        raise FolderLockedError(
            hint=f"Setel variabel lingkungan {USER_ENV} dan {PASSWORD_ENV} (akun petugas "
            "kantor ini), atau jalankan perintah di terminal agar ditanyakan."
        )
    username = username or input("Nama pengguna: ").strip()
    return username, password or getpass.getpass("Kata sandi: ")


def open_unlocked(data_dir: Path | None, **options: Any) -> AppContext:
    """``open_app`` for a command: an encrypted folder is unlocked first with the clerk's
    credentials (:func:`credentials`); a plain folder opens as it always did."""
    if not is_encrypted(data_dir):
        return open_app(data_dir, **options)
    username, password = credentials()
    unlocked = unlock(data_dir, username, password)
    return open_app(data_dir, key=unlocked.key, **options)
