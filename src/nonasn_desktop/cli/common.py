"""Pieces shared by the subcommands: the data-folder option and opening the application."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from nonasn_desktop.cli.argparse_id import ArgumentParser

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
