"""``nonasn transfer``: a field laptop's work back to the office, and corrections back to it.

On the laptop: ``export`` (signed with the device key: the enrolment passphrase, from
``--passphrase-file``, ``NONASN_KEY_PASSPHRASE`` or a prompt) and ``apply`` (records the office
sent back). At the office: ``import`` and ``return`` (the office key's passphrase, the same
way).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from nonasn_desktop.cli.argparse_id import ArgumentParser
from nonasn_desktop.cli.common import add_data_dir_option, open_signed_in
from nonasn_desktop.cli.keys_cmd import add_passphrase_option, read_passphrase
from nonasn_desktop.transfer.export import export_transfer
from nonasn_desktop.transfer.merge import describe_import, import_transfer
from nonasn_desktop.transfer.returns import apply_return, write_return


def register(commands: Any) -> None:
    parser: ArgumentParser = commands.add_parser(
        "transfer", help="berkas transfer perangkat lapangan ke kantor"
    )
    sub = parser.add_subparsers(
        dest="transfer_command", metavar="PERINTAH", parser_class=ArgumentParser
    )
    sub.required = True
    export = sub.add_parser("export", help="di laptop: tulis data yang berubah ke berkas transfer")
    add_data_dir_option(export)
    export.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder tujuan")
    export.add_argument(
        "--all", action="store_true", help="semua data perangkat (mis. diska sebelumnya hilang)"
    )
    add_passphrase_option(export)
    export.set_defaults(handler=run_export)

    imp = sub.add_parser("import", help="di kantor: impor berkas transfer perangkat")
    add_data_dir_option(imp)
    imp.add_argument("file", type=Path, metavar="FILE", help="berkas transfer-….zip.age")
    add_passphrase_option(imp)
    imp.set_defaults(handler=run_import)

    back = sub.add_parser("return", help="di kantor: data Perlu Perbaikan kembali ke perangkat")
    add_data_dir_option(back)
    back.add_argument("--device", required=True, metavar="KODE", help="kode perangkat, mis. L01")
    back.add_argument("--out", type=Path, required=True, metavar="FILE", help="berkas tujuan")
    add_passphrase_option(back)
    back.set_defaults(handler=run_return)

    apply = sub.add_parser("apply", help="di laptop: pakai data yang dikembalikan kantor")
    add_data_dir_option(apply)
    apply.add_argument("file", type=Path, metavar="FILE", help="berkas pengembalian")
    add_passphrase_option(apply)
    apply.set_defaults(handler=run_apply)


def run_export(args: argparse.Namespace) -> int:
    with open_signed_in(args) as (ctx, actor):
        result = export_transfer(
            ctx, args.out, passphrase=read_passphrase(args), actor=actor, all_records=args.all
        )
    print(
        f"Berkas transfer nomor {result.sequence} ditulis: {result.file} "
        f"({result.record_count} data, {result.document_count} dokumen, "
        f"{result.audit_count} catatan audit)."
    )
    print(f"Bawa juga tanda tangannya: {result.signature.name}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    with open_signed_in(args) as (ctx, actor):
        result = import_transfer(ctx, args.file, passphrase=read_passphrase(args), actor=actor)
    for line in describe_import(result):
        print(line)
    return 0


def run_return(args: argparse.Namespace) -> int:
    with open_signed_in(args) as (ctx, actor):
        written = write_return(
            ctx,
            args.device,
            out=args.out,
            office_passphrase=read_passphrase(args),
            actor=actor,
        )
    print(
        f"{written.records} data Perlu Perbaikan untuk perangkat {written.device_code} ditulis "
        f"ke {written.file}. Di laptop: nonasn transfer apply BERKAS"
    )
    return 0


def run_apply(args: argparse.Namespace) -> int:
    with open_signed_in(args) as (ctx, actor):
        applied = apply_return(ctx, args.file, read_passphrase(args), actor=actor)
    print(
        f"{applied.applied} data kini berstatus Perlu Perbaikan; {applied.already} sudah "
        f"diterima sebelumnya; {applied.unknown} tidak ada di perangkat ini."
    )
    return 0
