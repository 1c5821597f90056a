"""``nonasn central``: the central office verifies and loads batch files from the offices.

No data folder is involved: the central database is named by ``--db`` (default
``central.sqlite3`` in the current folder) and the trusted office keys by ``--trust``.

What was accepted goes to standard output; every refusal ("DITOLAK …"), warning and notice
goes to standard error, so a script can keep the two apart.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import Any

from nonasn_desktop.central.conflicts import find_conflicts, write_conflicts_xlsx
from nonasn_desktop.central.db import open_central
from nonasn_desktop.central.files import read_bounded
from nonasn_desktop.central.ingest import ingest_files
from nonasn_desktop.central.trust import TrustStore
from nonasn_desktop.central.verify import verify_file
from nonasn_desktop.cli.argparse_id import ArgumentParser
from nonasn_desktop.crypto.age import Identity, read_identities
from nonasn_desktop.errors import UserError

EXIT_REFUSED = 1


def _add_common(parser: ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="berkas batch")
    parser.add_argument(
        "--trust",
        type=Path,
        required=True,
        metavar="DIR",
        help="folder kunci publik kantor yang dipercaya (*.pub)",
    )
    parser.add_argument(
        "--identity",
        type=Path,
        metavar="AGE_KEY_FILE",
        help="kunci identitas age kantor pusat untuk membuka batch terenkripsi",
    )


def register(commands: Any) -> None:
    parser: ArgumentParser = commands.add_parser(
        "central", help="kantor pusat: periksa dan muat batch dari kantor daerah"
    )
    sub = parser.add_subparsers(
        dest="central_command", metavar="PERINTAH", parser_class=ArgumentParser
    )
    sub.required = True
    verify = sub.add_parser("verify", help="periksa tanda tangan dan isi batch")
    _add_common(verify)
    verify.set_defaults(handler=run_verify)
    ingest = sub.add_parser("ingest", help="periksa lalu muat batch ke basis data pusat")
    _add_common(ingest)
    ingest.add_argument(
        "--db",
        metavar="URL",
        help="basis data pusat: berkas SQLite atau postgresql://… (bawaan: NONASN_CENTRAL_DB, "
        "atau central.sqlite3 di folder ini)",
    )
    ingest.add_argument(
        "--documents", type=Path, metavar="DIR", help="folder dokumen pusat (bawaan: di samping DB)"
    )
    ingest.add_argument(
        "--conflicts",
        type=Path,
        metavar="OUT.xlsx",
        help="tulis laporan NIK yang datang dari dua kantor atau batch",
    )
    ingest.set_defaults(handler=run_ingest)


def _trust(args: argparse.Namespace) -> TrustStore:
    trust = TrustStore.load(args.trust)
    for problem in trust.problems:
        print(f"Peringatan: {problem}", file=sys.stderr)
    for notice in trust.notices:
        print(f"Perhatian: {notice}", file=sys.stderr)
    return trust


# An age identity file holds a few lines of 74 characters; a larger one is not one.
MAX_IDENTITY_FILE = 64 * 1024


def _identities(args: argparse.Namespace) -> list[Identity]:
    if args.identity is None:
        return []
    # Refuse a device, FIFO or folder before the reader would block on it or read it forever.
    with contextlib.suppress(FileNotFoundError):  # read_identities words that one
        read_bounded(args.identity, MAX_IDENTITY_FILE, "Berkas kunci identitas")
    return read_identities(args.identity)


def run_verify(args: argparse.Namespace) -> int:
    trust = _trust(args)
    identities = _identities(args)
    refused = 0
    for path in args.files:
        try:
            report = verify_file(path, trust, identities)
        except UserError as exc:
            refused += 1
            print(f"DITOLAK  {path.name}: {exc}", file=sys.stderr)
            continue
        facts = report.check.facts
        print(f"SAH      {path.name}")
        print(
            f"         kantor {facts.office_code}, batch nomor urut {facts.sequence}, "
            f"ID {facts.batch_id}, {facts.record_count} data"
        )
        key = report.check.key
        print(f"         ditandatangani kunci {key.key_id} ({key.path.name})")
        if report.manifest is None:
            print(
                "         terenkripsi: isi belum diperiksa (berikan --identity untuk memeriksa isi)"
            )
        else:
            print(
                f"         isi utuh: {report.manifest.record_count} data dan "
                f"{report.document_count} dokumen cocok dengan manifest"
            )
    return EXIT_REFUSED if refused else 0


def run_ingest(args: argparse.Namespace) -> int:
    trust = _trust(args)
    identities = _identities(args)
    with open_central(args.db, documents=args.documents) as central:
        outcomes = ingest_files(central, args.files, trust, identities)
        for outcome in outcomes:
            label = {"loaded": "DIMUAT", "already_loaded": "SUDAH ADA", "refused": "DITOLAK"}
            stream = sys.stderr if outcome.status == "refused" else sys.stdout
            print(f"{label[outcome.status]:<9} {outcome.message}", file=stream)
        conflicts = sorted({nik for o in outcomes for nik in o.conflicts})
        if conflicts:
            print(f"{len(conflicts)} NIK konflik baru: {', '.join(conflicts[:10])}")
        if args.conflicts is not None:
            rows = write_conflicts_xlsx(find_conflicts(central), args.conflicts)
            print(f"Laporan konflik ({rows} baris) ditulis ke {args.conflicts}.")
    refused = sum(1 for o in outcomes if o.status == "refused")
    return EXIT_REFUSED if refused else 0
