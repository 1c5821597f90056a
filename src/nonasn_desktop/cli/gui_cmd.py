"""``nonasn [gui]``: open the desktop application."""

from __future__ import annotations

import argparse
from typing import Any

from nonasn_desktop.cli.argparse_id import ArgumentParser
from nonasn_desktop.cli.common import add_data_dir_option, data_dir_of

__all__ = ["add_data_dir_option", "register", "run"]


def register(commands: Any) -> None:
    parser: ArgumentParser = commands.add_parser("gui", help="buka aplikasi (bawaan)")
    add_data_dir_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # Qt is imported only here, so the command-line checks start fast and run on a server
    # without any display libraries.
    from nonasn_desktop.gui.app import run_app

    return run_app(data_dir=data_dir_of(args))
