"""The import report: what happened to every row of a roster file, and its xlsx copy.

``ImportReport`` is what ``import_roster`` returns (counts, every refused row with every
reason, duplicates, notes); ``write_report`` saves it as a workbook for the clerk.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nonasn_desktop.sheets.spreadsheet import save_atomically

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

    Written to a temporary file beside ``path`` and renamed, so a half-written report never
    replaces a good one.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    path = Path(path)
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DCE6F1")
    wrap = Alignment(wrap_text=True, vertical="top")
    from openpyxl.cell import WriteOnlyCell

    def header_cells(sheet: Any, titles: Iterable[str]) -> list[Any]:
        cells = []
        for title in titles:
            cell = WriteOnlyCell(sheet, value=title)
            cell.font = bold
            cell.fill = fill
            cells.append(cell)
        return cells

    summary = book.create_sheet("Ringkasan")
    summary.column_dimensions["A"].width = 34
    summary.column_dimensions["B"].width = 90
    title = WriteOnlyCell(summary, value="Laporan Impor Daftar Admin Instansi")
    title.font = Font(bold=True, size=14)
    summary.append([title])
    summary.append([])
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
    for label, value in lines:
        summary.append([WriteOnlyCell(summary, value=label), value])
    summary.append([])
    for info in report.sheets:
        summary.append([header_cells(summary, [f"Lembar '{info.name}'"])[0]])
        summary.append(["Baris judul kolom", info.header_row])
        for key, written in info.columns.items():
            summary.append([f"Kolom {key}", written])
        if info.not_imported:
            summary.append(["Kolom tidak diimpor", ", ".join(info.not_imported)])
        summary.append([])
    if report.notes:
        summary.append([header_cells(summary, ["Catatan"])[0]])
        for note in report.notes:
            cell = WriteOnlyCell(summary, value=note)
            cell.alignment = wrap
            summary.append(["", cell])

    refused = book.create_sheet("Baris Ditolak")
    for letter, width in zip("ABCDEFG", (18, 8, 8, 24, 20, 28, 100), strict=True):
        refused.column_dimensions[letter].width = width
    refused.freeze_panes = "A2"
    refused.append(
        header_cells(
            refused,
            ["Lembar", "Baris", "Sel", "Kolom", "NIK (tertulis)", "Nama (tertulis)", "Masalah"],
        )
    )
    count = 1
    for row in report.refused:
        for problem in row.problems:
            refused.append(
                [
                    row.sheet,
                    row.row,
                    problem.cell,
                    problem.column,
                    row.nik,
                    row.nama,
                    problem.message,
                ]
            )
            count += 1
    refused.auto_filter.ref = f"A1:G{count}"

    if report.duplicates:
        twins = book.create_sheet("Baris Ganda")
        for letter, width in zip("ABCDE", (18, 8, 20, 18, 14), strict=True):
            twins.column_dimensions[letter].width = width
        twins.append(
            header_cells(
                twins, ["Lembar", "Baris", "NIK", "Sama dengan lembar", "Sama dengan baris"]
            )
        )
        for dup in report.duplicates:
            twins.append([dup.sheet, dup.row, dup.nik, dup.same_as_sheet, dup.same_as_row])
    save_atomically(book, path)
