"""``nonasn demo-data``: synthetic registrations for trying the app, tests and benchmarks."""

from __future__ import annotations

import argparse
import time
from typing import Any

from nonasn_desktop.cli.argparse_id import ArgumentParser
from nonasn_desktop.cli.common import (
    add_data_dir_option,
    open_signed_in,
)
from nonasn_desktop.cli.progress import progress_printer
from nonasn_desktop.demo.generate import generate
from nonasn_desktop.rules.status import RecordStatus


def _count(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{raw}' bukan bilangan bulat") from None
    if value < 1:
        raise argparse.ArgumentTypeError("jumlah paling sedikit 1")
    return value


def register(commands: Any) -> None:
    parser: ArgumentParser = commands.add_parser(
        "demo-data", help="buat data pendaftaran contoh (sintetis)"
    )
    add_data_dir_option(parser)
    parser.add_argument("--count", type=_count, required=True, metavar="N", help="jumlah data")
    parser.add_argument(
        "--status",
        choices=[s.value for s in RecordStatus],
        default=RecordStatus.PENDAFTARAN_SELESAI.value,
        metavar="STATUS",
        help="status akhir: " + ", ".join(s.value for s in RecordStatus),
    )
    parser.add_argument("--seed", type=int, help="benih acak agar hasilnya dapat diulang")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    with open_signed_in(args) as (ctx, actor):
        result = generate(
            ctx,
            args.count,
            RecordStatus(args.status),
            actor=actor,
            seed=args.seed,
            progress=progress_printer(),
        )
    print(
        f"{result.created} data contoh berstatus {result.status.label} dibuat "
        f"dalam {time.monotonic() - started:.1f} detik."
    )
    return 0
