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
from nonasn_desktop.accounts.users import UserInfo, authenticate
from nonasn_desktop.cli.argparse_id import ArgumentParser
from nonasn_desktop.cli.recovery_output import show_pending
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import ConflictError, FolderLockedError, UserError
from nonasn_desktop.office.identity import get_office
from nonasn_desktop.startup import encryption_due, is_encrypted, open_app, unlock
from nonasn_desktop.storage.vault import DataKey

DATA_DIR_HELP = "folder data (bawaan: NONASN_DATA_DIR, atau folder data pengguna)"
# One line on standard error when a command works on a plain folder of an older version.
PLAIN_FOLDER_NOTE = (
    "Catatan: folder data ini belum terenkripsi; admin dapat mengenkripsinya dengan: "
    "nonasn keys encrypt-folder"
)


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


def sign_in(
    ctx: AppContext, credentials: Credentials | None = None, *, show_recovery: bool = True
) -> Actor:
    """The clerk a command acts for: ``credentials`` when the folder was just unlocked with them,
    else NONASN_USER and NONASN_PASSWORD, or a prompt (see :func:`sign_in_user`)."""
    return sign_in_user(ctx, credentials, show_recovery=show_recovery).actor


def sign_in_user(
    ctx: AppContext, credentials: Credentials | None = None, *, show_recovery: bool = True
) -> UserInfo:
    """The clerk a command acts for, with their role.

    An admin signing in to a folder whose recovery key nobody has seen yet is shown it once on
    standard error (cli.recovery_output.show_pending); ``show_recovery=False`` for a command
    that replaces that key anyway.

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
    user = authenticate(ctx, username, password)
    if show_recovery:
        show_pending(ctx, user.role)
    return user


def unlock_data_folder(
    data_dir: Path | None,
    credentials: Credentials | None = None,
    *,
    database_url: str | None = None,
) -> tuple[DataKey | None, Credentials | None]:
    """The data key of an encrypted folder, opened with the clerk's credentials (argon2id key
    slot, throttled after wrong passwords), and the credentials used; (None, None) for a plain
    folder, which opens as before (the command line converts only with ``nonasn keys
    encrypt-folder``; one line on standard error says so when it is due)."""
    if not is_encrypted(data_dir):
        if encryption_due(data_dir, database_url):
            print(PLAIN_FOLDER_NOTE, file=sys.stderr)
        return None, credentials
    credentials = credentials or read_credentials(locked=True)
    return unlock(data_dir, *credentials).key, credentials


def open_unlocked(data_dir: Path | None, **options: Any) -> AppContext:
    """``open_app`` for a command that does not sign in (a field laptop's roster refresh): an
    encrypted folder is unlocked first."""
    key, _ = unlock_data_folder(data_dir, database_url=options.get("database_url"))
    return open_app(data_dir, key=key, **options)


@contextlib.contextmanager
def open_signed_in(args: argparse.Namespace) -> Iterator[tuple[AppContext, Actor]]:
    """The data folder of ``args`` opened (unlocked first when it is encrypted), and the clerk
    signed in to it, with one reading of the credentials."""
    data_dir, database_url = data_dir_of(args), database_url_of(args)
    key, credentials = unlock_data_folder(data_dir, database_url=database_url)
    with open_app(data_dir, database_url=database_url, key=key) as ctx:
        yield ctx, sign_in(ctx, credentials)
