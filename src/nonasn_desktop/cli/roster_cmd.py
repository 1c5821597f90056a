"""``nonasn roster``: the Admin Instansi roster — template, import and lookup.

``roster import`` exits 0 when every person row was imported, 1 when some rows were refused
(the good ones are imported; each refused row is listed with its sheet row number and every
reason), 2 when the file cannot be read at all (not a spreadsheet, damaged, password-protected,
no header row).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from nonasn_desktop.cli.argparse_id import ArgumentParser
from nonasn_desktop.cli.common import add_data_dir_option, open_signed_in
from nonasn_desktop.cli.progress import progress_printer
from nonasn_desktop.policy import default_policy
from nonasn_desktop.roster import entries as roster
from nonasn_desktop.roster.importing import import_roster
from nonasn_desktop.roster.report import EXIT_UNREADABLE, ImportReport, write_report
from nonasn_desktop.roster.template import write_template
from nonasn_desktop.rules.formatting import format_date, format_money
from nonasn_desktop.sheets.reading import SpreadsheetError

NOT_LISTED = "Anda Belum Didaftarkan oleh Admin Instansi"
# Refused rows printed on the terminal; the --report workbook always lists every one.
PRINTED_REFUSALS = 50


def register(commands: Any) -> None:
    parser: ArgumentParser = commands.add_parser(
        "roster", help="daftar tenaga non-ASN dari Admin Instansi: templat, impor, cari"
    )
    sub = parser.add_subparsers(
        dest="roster_command", metavar="PERINTAH", parser_class=ArgumentParser
    )
    sub.required = True
    template = sub.add_parser("template", help="tulis templat Excel siap isi")
    template.add_argument("out", type=Path, metavar="OUT.xlsx", help="berkas templat")
    template.set_defaults(handler=run_template)

    importer = sub.add_parser(
        "import", help="impor daftar dari berkas Excel (.xlsx/.xls/.ods) atau CSV"
    )
    add_data_dir_option(importer)
    importer.add_argument("file", type=Path, metavar="BERKAS", help="berkas daftar")
    importer.add_argument(
        "--report",
        type=Path,
        metavar="OUT.xlsx",
        help="tulis laporan impor (setiap baris yang ditolak dan alasannya)",
    )
    importer.set_defaults(handler=run_import)

    lookup = sub.add_parser("lookup", help="cari NIK di daftar Admin Instansi")
    add_data_dir_option(lookup)
    lookup.add_argument("nik", metavar="NIK")
    lookup.set_defaults(handler=run_lookup)


def run_template(args: argparse.Namespace) -> int:
    path = write_template(args.out, default_policy())
    print(f"Templat daftar Admin Instansi ditulis ke {path}.")
    return 0


def print_report(report: ImportReport, limit: int | None = PRINTED_REFUSALS) -> None:
    print(f"Impor {report.file_name}: {report.summary()}")
    for sheet in report.sheets:
        print(f"Lembar '{sheet.name}': judul kolom di baris {sheet.header_row}.")
        if sheet.not_imported:
            print(f"  Kolom tidak diimpor: {', '.join(sheet.not_imported)}")
    for note in report.notes:
        print(f"Catatan: {note}")
    shown = report.refused if limit is None else report.refused[:limit]
    for row in shown:
        where = (
            f"Lembar '{row.sheet}' baris {row.row}"
            if len(report.sheets) > 1
            else (f"Baris {row.row}")
        )
        who = " ".join(part for part in (row.nik, row.nama) if part)
        print(f"{where}{f' ({who})' if who else ''} ditolak:", file=sys.stderr)
        for problem in row.problems:
            cell = f"[{problem.cell} {problem.column}] " if problem.cell else ""
            print(f"  - {cell}{problem.message}", file=sys.stderr)
    hidden = len(report.refused) - len(shown)
    if hidden > 0:
        print(
            f"... dan {hidden} baris lain ditolak; semuanya tercantum di laporan "
            "(--report LAPORAN.xlsx).",
            file=sys.stderr,
        )


def run_import(args: argparse.Namespace) -> int:
    progress = progress_printer()
    try:
        with open_signed_in(args) as (ctx, actor):
            report = import_roster(ctx, args.file, actor=actor, progress=progress)
    except SpreadsheetError as exc:
        if progress is not None:
            print(file=sys.stderr)
        print(str(exc), file=sys.stderr)
        return EXIT_UNREADABLE
    print_report(report, limit=None if args.report is None else PRINTED_REFUSALS)
    if args.report is not None:
        write_report(report, args.report)
        print(f"Laporan impor ditulis ke {args.report}.")
    return report.exit_code


def run_lookup(args: argparse.Namespace) -> int:
    with open_signed_in(args) as (ctx, actor):
        match = roster.find_entry(ctx, args.nik, actor=actor)
    if match is None:
        print(
            f"{NOT_LISTED}. Yang bersangkutan perlu melapor ke instansinya agar didaftarkan.",
            file=sys.stderr,
        )
        return 1
    lines = [
        ("NIK", match.nik),
        ("Nama", match.nama),
        ("Tempat/Tgl Lahir", ", ".join(
            part for part in (
                match.tempat_lahir,
                format_date(match.tanggal_lahir) if match.tanggal_lahir else None,
            ) if part
        )),
        ("Jenis Kelamin", match.jenis_kelamin),
        ("Nomor THK-II", match.nomor_thk2),
        ("Jabatan", match.jabatan),
        ("Unit Kerja", match.unit_kerja),
        ("TMT", format_date(match.tmt) if match.tmt else None),
        ("Gaji per Bulan", format_money(match.gaji_bulanan) if match.gaji_bulanan else None),
        ("Sumber data", match.source),
    ]  # fmt: skip
    for label, value in lines:
        if value:
            print(f"{label:<17}: {value}")
    return 0
