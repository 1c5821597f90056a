"""``nonasn cards``: print runs of account cards or registration sheets into one PDF."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from nonasn_desktop.cli.argparse_id import ArgumentParser, UsageError
from nonasn_desktop.cli.common import (
    add_data_dir_option,
    open_signed_in,
)
from nonasn_desktop.cli.progress import progress_printer
from nonasn_desktop.printing.printouts import KINDS, LAYOUTS, write_printouts


def register(commands: Any) -> None:
    parser: ArgumentParser = commands.add_parser(
        "cards",
        help="cetak Kartu Informasi Akun atau Informasi Pendaftaran ke satu berkas PDF",
        description="Mencetak satu halaman per orang ke satu berkas PDF. Pilih nomor akun "
        "tertentu (--account, boleh diulang) atau semua data yang dapat dicetak (--all).",
    )
    add_data_dir_option(parser)
    parser.add_argument("--out", type=Path, required=True, metavar="FILE.pdf", help="berkas PDF")
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--account",
        action="append",
        default=[],
        metavar="NO",
        help="nomor akun yang dicetak; boleh diulang",
    )
    which.add_argument(
        "--all", action="store_true", help="semua data yang dapat dicetak, urut nomor akun"
    )
    parser.add_argument(
        "--kind",
        choices=KINDS,
        default="kartu",
        help="kartu: Kartu Informasi Akun (bawaan); informasi: Informasi Pendaftaran",
    )
    parser.add_argument(
        "--layout",
        choices=LAYOUTS,
        default="a4",
        help="a4: kartu pada kertas A4 (bawaan); id1: 85,6 × 54 mm untuk printer kartu",
    )
    parser.add_argument("--printed-by", metavar="NAMA", help="nama petugas untuk kaki halaman")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if not args.account and not args.all:
        raise UsageError("pilih nomor akun dengan --account NO, atau semua data dengan --all")
    out: Path = args.out
    if out.suffix.lower() != ".pdf":
        raise UsageError(f"berkas keluaran harus berakhiran .pdf, bukan '{out.name}'")
    with open_signed_in(args) as (ctx, actor):
        pages = write_printouts(
            ctx,
            out,
            actor=actor,
            kind=args.kind,
            layout=args.layout,
            account_numbers=args.account,
            all_records=args.all,
            progress=progress_printer(),
            printed_by=args.printed_by,
        )
    print(f"{pages} halaman ditulis ke {out}")
    return 0
