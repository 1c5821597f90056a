"""The import report: what happened to every row of a roster file, and its xlsx copy.

``ImportReport`` is what ``import_roster`` returns (counts, every refused row with every
reason, duplicates, notes); ``write_report`` saves it as a workbook for the clerk.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nonasn_desktop.sheets.writing import SafeWorkbook

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_UNREADABLE = 2


@dataclass(frozen=True)
class RowProblem:
    column: str  # the header as written in the file ("" for the whole row)
    cell: str  # e.g. "D12" ("" for the whole row)
    message: str


@dataclass(frozen=True)
class RefusedRow:
    sheet: str
    row: int  # as Excel numbers it (1-based)
    nik: str  # as written in the file
    nama: str  # as written in the file
    problems: tuple[RowProblem, ...]


@dataclass(frozen=True)
class DuplicateRow:
    sheet: str
    row: int
    nik: str
    same_as_sheet: str
    same_as_row: int


@dataclass(frozen=True)
class SheetInfo:
    name: str
    header_row: int  # the (first) header row, 1-based
    # roster field key -> "header as written (column letter)"
    columns: Mapping[str, str]
    not_imported: tuple[str, ...]


@dataclass(frozen=True)
class ImportReport:
    file_name: str
    file_kind: str
    sha256: str
    sheets: tuple[SheetInfo, ...]
    added: int
    updated: int
    unchanged: int
    refused: tuple[RefusedRow, ...]
    duplicates: tuple[DuplicateRow, ...]
    skipped_rows: int
    notes: tuple[str, ...]

    @property
    def refused_count(self) -> int:
        return len(self.refused)

    @property
    def imported(self) -> int:
        """Rows on the roster after the import: added, updated or unchanged."""
        return self.added + self.updated + self.unchanged

    @property
    def exit_code(self) -> int:
        """0 when every person row was imported, 1 when some were refused."""
        return EXIT_REFUSED if self.refused else EXIT_OK

    def summary(self) -> str:
        """One Indonesian sentence with the counts."""
        return (
            f"{self.added} baru, {self.updated} diperbarui, {self.unchanged} tidak berubah, "
            f"{self.refused_count} ditolak."
        )


# --- the report file ----------------------------------------------------------------------------


def write_report(report: ImportReport, path: Path) -> None:
    """The import report as an xlsx: a summary sheet and every refused row with every reason.

    The report echoes what the refused cells held, so it goes through the safe writer: a cell
    that held ``=HYPERLINK(...)`` is shown as that text, never as a live formula. Written
    atomically: a half-written report never replaces a good one, and a missing, read-only or
    full destination is a WorkbookWriteError with the reason.
    """
    with SafeWorkbook(Path(path), constant_memory=True) as book:
        bold = book.style(bold=True, bg_color="#DCE6F1", pattern=1)
        _write_summary(book, report, bold)
        _write_refused(book, report, bold)
        if report.duplicates:
            _write_duplicates(book, report, bold)
        book.save()


def _write_summary(book: SafeWorkbook, report: ImportReport, bold: Any) -> None:
    wrap = book.style(text_wrap=True, valign="top")
    label = book.style()
    summary = book.add_sheet("Ringkasan")
    summary.set_column(0, 0, 34)
    summary.set_column(1, 1, 90)
    summary.write(0, 0, "Laporan Impor Daftar Admin Instansi", book.style(bold=True, font_size=14))
    lines: list[tuple[str, Any]] = [
        ("Berkas", report.file_name),
        ("SHA-256 berkas", report.sha256),
        ("Jenis berkas", report.file_kind.upper()),
        ("Baru ditambahkan", report.added),
        ("Diperbarui", report.updated),
        ("Tidak berubah", report.unchanged),
        ("Ditolak", report.refused_count),
        ("Baris ganda (dicatat sekali)", len(report.duplicates)),
        ("Baris kosong/keterangan dilewati", report.skipped_rows),
    ]
    row = 2
    for name, value in lines:
        summary.write_row(row, (name, value), (label,))
        row += 1
    row += 1
    for info in report.sheets:
        summary.write(row, 0, f"Lembar '{info.name}'", bold)
        summary.write_row(row + 1, ("Baris judul kolom", info.header_row))
        row += 2
        for key, written in info.columns.items():
            summary.write_row(row, (f"Kolom {key}", written))
            row += 1
        if info.not_imported:
            summary.write_row(row, ("Kolom tidak diimpor", ", ".join(info.not_imported)))
            row += 1
        row += 1
    if report.notes:
        summary.write(row, 0, "Catatan", bold)
        for note in report.notes:
            row += 1
            summary.write(row, 1, note, wrap)


def _write_refused(book: SafeWorkbook, report: ImportReport, bold: Any) -> None:
    refused = book.add_sheet("Baris Ditolak")
    for column, width in enumerate((18, 8, 8, 24, 20, 28, 100)):
        refused.set_column(column, column, width)
    refused.freeze_panes(1, 0)
    titles = ("Lembar", "Baris", "Sel", "Kolom", "NIK (tertulis)", "Nama (tertulis)", "Masalah")
    refused.write_row(0, titles, [bold] * len(titles))
    count = 0
    for entry in report.refused:
        for problem in entry.problems:
            count += 1
            refused.write_row(
                count,
                (
                    entry.sheet,
                    entry.row,
                    problem.cell,
                    problem.column,
                    entry.nik,
                    entry.nama,
                    problem.message,
                ),
            )
    refused.autofilter(0, 0, count, len(titles) - 1)


def _write_duplicates(book: SafeWorkbook, report: ImportReport, bold: Any) -> None:
    twins = book.add_sheet("Baris Ganda")
    for column, width in enumerate((18, 8, 20, 18, 14)):
        twins.set_column(column, column, width)
    twin_titles = ("Lembar", "Baris", "NIK", "Sama dengan lembar", "Sama dengan baris")
    twins.write_row(0, twin_titles, [bold] * len(twin_titles))
    for number, dup in enumerate(report.duplicates, start=1):
        twins.write_row(number, (dup.sheet, dup.row, dup.nik, dup.same_as_sheet, dup.same_as_row))
