"""``nonasn report``: reports for the office's superiors (the recap workbook)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from nonasn_desktop.cli.argparse_id import ArgumentParser
from nonasn_desktop.cli.common import add_data_dir_option, open_signed_in
from nonasn_desktop.cli.progress import progress_printer
from nonasn_desktop.reports.recap import write_recap


def register(commands: Any) -> None:
    parser: ArgumentParser = commands.add_parser("report", help="laporan dalam bentuk Excel")
    sub = parser.add_subparsers(
        dest="report_command", metavar="PERINTAH", parser_class=ArgumentParser
    )
    sub.required = True
    recap = sub.add_parser(
        "recap", help="rekap semua pendaftaran: per orang dan per unit kerja (dengan grafik)"
    )
    add_data_dir_option(recap)
    recap.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx", help="berkas rekap")
    recap.set_defaults(handler=run_recap)


def run_recap(args: argparse.Namespace) -> int:
    with open_signed_in(args) as (ctx, actor):
        result = write_recap(ctx, args.out, actor=actor, progress=progress_printer())
    print(
        f"Rekap ditulis ke {result.path}: {result.rows} data pendaftaran, "
        f"{result.units} unit kerja."
    )
    return 0
