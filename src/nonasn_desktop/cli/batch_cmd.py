"""``nonasn batch``: export approved records as a signed (and encrypted) batch file."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from nonasn_desktop.batch.export import (
    BatchResult,
    export_batch,
    list_batches,
    pending_count,
    rewrite_batch,
)
from nonasn_desktop.cli.argparse_id import ArgumentParser
from nonasn_desktop.cli.common import (
    add_data_dir_option,
    open_signed_in,
)
from nonasn_desktop.cli.keys_cmd import add_passphrase_option, read_passphrase
from nonasn_desktop.cli.progress import progress_printer
from nonasn_desktop.rules.formatting import format_date


def register(commands: Any) -> None:
    parser: ArgumentParser = commands.add_parser(
        "batch", help="ekspor batch bertanda tangan untuk kantor pusat"
    )
    sub = parser.add_subparsers(
        dest="batch_command", metavar="PERINTAH", parser_class=ArgumentParser
    )
    sub.required = True
    export = sub.add_parser(
        "export", help="tulis batch berisi semua data Disetujui yang belum diekspor"
    )
    add_data_dir_option(export)
    export.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder tujuan")
    export.add_argument(
        "--recipient",
        action="append",
        default=None,
        metavar="AGE_RECIPIENT",
        help="enkripsikan untuk penerima age ini (age1…); boleh berulang",
    )
    export.add_argument(
        "--rewrite",
        metavar="BATCH_ID",
        help="tulis ulang batch yang hilang (ID batch atau nomor urutnya), isinya sama",
    )
    add_passphrase_option(export)
    export.set_defaults(handler=run_export)
    listing = sub.add_parser("list", help="daftar batch yang sudah diekspor")
    add_data_dir_option(listing)
    listing.set_defaults(handler=run_list)


def _report(result: BatchResult) -> None:
    action = "ditulis ulang" if result.rewritten else "dibuat"
    print(
        f"Batch nomor urut {result.sequence} {action}: {result.record_count} data, "
        f"{result.document_count} dokumen."
    )
    print(f"ID batch      : {result.batch_id}")
    print(f"Berkas        : {result.file}")
    print(f"Tanda tangan  : {result.signature}")
    print(f"SPTJM         : {result.sptjm}")
    print(f"Kunci kantor  : {result.key_id}")
    if result.encrypted:
        print(f"Terenkripsi untuk: {', '.join(result.recipients)}")
    else:
        print("Tidak terenkripsi: simpan dan kirim berkas ini hanya lewat jalur yang aman.")


def run_export(args: argparse.Namespace) -> int:
    with open_signed_in(args) as (ctx, actor):
        passphrase = read_passphrase(args)
        if args.rewrite:
            result = rewrite_batch(
                ctx,
                args.rewrite,
                args.out,
                passphrase=passphrase,
                recipients=args.recipient,
                actor=actor,
                progress=progress_printer(),
            )
        else:
            result = export_batch(
                ctx,
                args.out,
                passphrase=passphrase,
                recipients=args.recipient or (),
                actor=actor,
                progress=progress_printer(),
            )
    _report(result)
    return 0


def run_list(args: argparse.Namespace) -> int:
    with open_signed_in(args) as (ctx, _actor):
        batches = list_batches(ctx)
        waiting = pending_count(ctx)
    if not batches:
        print("Belum ada batch yang diekspor.")
    for batch in batches:
        locked = "terenkripsi" if batch.encrypted else "tidak terenkripsi"
        print(
            f"{batch.sequence:>4}  {format_date(batch.created_at.date())}  {batch.batch_id}  "
            f"{batch.record_count} data  {locked}  {batch.file_name or '-'}"
        )
    print(f"{waiting} data Disetujui menunggu batch berikutnya.")
    return 0
