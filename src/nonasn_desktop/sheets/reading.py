"""Reading rows out of the spreadsheets agencies really send: xlsx, xls, ods and csv.

The file's content decides how it is read, not its name: a CSV saved as ``.xls`` by a web
application is read as CSV, an ``.xlsx`` renamed ``.xls`` as xlsx. Excel, LibreOffice and ODS
workbooks are read with python-calamine (a Rust reader, many times faster than openpyxl);
CSV with the standard library, whatever its separator (``;`` from an Indonesian Excel, ``,``
or tab), in UTF-8 (with or without BOM), UTF-16 or Windows-1252.

Rows come with the row number the user sees in Excel (1-based, blank rows counted), cells
from column A (index 0). A vertically merged cell shows its value in every row it covers,
in the merged range's first column, as the user sees it on screen; horizontally merged cells
are left alone (the value belongs to the first column only).

A file that cannot be read at all (not a spreadsheet, damaged, password-protected) raises
:class:`SpreadsheetError` with a message in Bahasa Indonesia saying what to do.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, cast

import python_calamine

from nonasn_desktop.policy.model import RosterFileLimits
from nonasn_desktop.sheets import guard
from nonasn_desktop.sheets.errors import SpreadsheetError
from nonasn_desktop.sheets.guard_xls import check_xls
from nonasn_desktop.sheets.guard_zip import check_archive

__all__ = [
    "CellValue",
    "FileKind",
    "Merge",
    "Row",
    "Sheet",
    "SpreadsheetError",
    "Workbook",
    "open_spreadsheet",
]

CellValue = str | float | int | bool | dt.date | dt.datetime | dt.time | dt.timedelta | None
Row = list[CellValue]
FileKind = Literal["xlsx", "xls", "ods", "csv"]

_ZIP_MAGIC = b"PK\x03\x04"
_EMPTY_ZIP_MAGIC = b"PK\x05\x06"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_CSV_DELIMITERS = (";", ",", "\t", "|")
_SNIFF_LINES = 40
# Rows between two looks at the clock.
_DEADLINE_EVERY = 1024
_RESAVE = (
    "Buka berkas itu di Excel lalu simpan ulang sebagai Excel Workbook (.xlsx), lalu impor lagi."
)


@dataclass(frozen=True)
class Merge:
    """A merged range, 1-based and inclusive, as Excel numbers rows and columns."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int


@dataclass
class Sheet:
    """One worksheet, read row by row."""

    name: str
    # The last row number that holds anything (for progress); 0 for an empty sheet.
    last_row: int
    merges: tuple[Merge, ...] = ()
    _rows: Iterator[tuple[int, Row]] = field(default_factory=lambda: iter(()), repr=False)
    # For each column (0-based), the rows whose empty cell took the value of a merged cell above.
    filled_from_merges: dict[int, list[int]] = field(default_factory=dict)

    def rows(self) -> Iterator[tuple[int, Row]]:
        """(Excel row number, cells from column A), blank rows included."""
        vertical: dict[int, list[tuple[int, int]]] = {}
        for merge in self.merges:
            if merge.last_row > merge.first_row:
                vertical.setdefault(merge.first_row, []).append(
                    (merge.first_col - 1, merge.last_row)
                )
        if not vertical:
            return self._rows
        return self._filled(vertical)

    def _filled(self, vertical: dict[int, list[tuple[int, int]]]) -> Iterator[tuple[int, Row]]:
        # column -> (last row of the merge, value of its top-left cell)
        active: dict[int, tuple[int, CellValue]] = {}
        for number, cells in self._rows:
            if active:
                for column, (last, value) in list(active.items()):
                    if number > last:
                        del active[column]
                        continue
                    if column >= len(cells):
                        cells.extend([""] * (column + 1 - len(cells)))
                    if cells[column] in ("", None):
                        cells[column] = value
                        self.filled_from_merges.setdefault(column, []).append(number)
            for column, last in vertical.get(number, ()):
                value = cells[column] if column < len(cells) else ""
                if value not in ("", None):
                    active[column] = (last, value)
            yield number, cells


@dataclass
class Workbook:
    """An opened spreadsheet file; its worksheets are loaded one at a time."""

    path: Path
    kind: FileKind
    _calamine: python_calamine.CalamineWorkbook | None = None
    _csv_text: str | None = None
    hidden_sheets: tuple[str, ...] = ()
    limits: RosterFileLimits | None = None
    deadline: guard.Deadline | None = None

    def sheets(self) -> Iterator[Sheet]:
        """The visible worksheets in order (chart sheets and hidden sheets are left out)."""
        assert self.limits is not None
        assert self.deadline is not None
        if self._csv_text is not None:
            yield _csv_sheet(self.path.name, self._csv_text, self.limits, self.deadline)
            return
        book = self._calamine
        assert book is not None
        for meta in book.sheets_metadata:
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue
            if meta.visible != python_calamine.SheetVisibleEnum.Visible:
                continue
            sheet = _calamine_sheet(book, meta.name, self.path.name)
            sheet._rows = _timed(sheet._rows, self.deadline)
            yield sheet

    def close(self) -> None:
        if self._calamine is not None:
            self._calamine.close()
            self._calamine = None
        self._csv_text = None

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _calamine_sheet(book: python_calamine.CalamineWorkbook, name: str, file_name: str) -> Sheet:
    try:
        sheet = book.get_sheet_by_name(name)
        start = sheet.start
        end = sheet.end
        # merged_cell_ranges: python-calamine 0.4 and later.
        merged = sheet.merged_cell_ranges or []
    except python_calamine.CalamineError as exc:
        raise SpreadsheetError(
            f"Lembar '{name}' pada berkas {file_name} rusak dan tidak dapat dibaca ({exc}).",
            hint=_RESAVE,
        ) from None
    merges = tuple(
        Merge(first[0] + 1, first[1] + 1, last[0] + 1, last[1] + 1) for first, last in merged
    )
    if start is None or end is None:
        return Sheet(name=name, last_row=0, merges=merges)

    # python-calamine yields rows from row 1 (padding above the used area with empty rows) but
    # cells from the first used column: put column A back at index 0. Whether the rows are
    # padded is checked, not assumed: the first used row always holds something, so an empty
    # first row means padding.
    pad: Row = [""] * start[1]
    iterator = cast(Iterator[Row], iter(sheet.iter_rows()))
    first = next(iterator, None)
    if first is None:
        return Sheet(name=name, last_row=0, merges=merges)
    padded = start[0] > 0 and all(cell in ("", None) for cell in first)
    first_number = 1 if padded or start[0] == 0 else start[0] + 1
    rows: Iterator[tuple[int, Row]] = enumerate(
        itertools.chain([first], iterator), start=first_number
    )
    if pad:
        rows = ((number, pad + cells) for number, cells in rows)
    return Sheet(name=name, last_row=end[0] + 1, merges=merges, _rows=rows)


def _timed(rows: Iterator[tuple[int, Row]], deadline: guard.Deadline) -> Iterator[tuple[int, Row]]:
    """``rows``, stopped with SpreadsheetError once the reading time is up."""
    while block := list(itertools.islice(rows, _DEADLINE_EVERY)):
        deadline.check()
        yield from block


def _csv_sheet(name: str, text: str, limits: RosterFileLimits, deadline: guard.Deadline) -> Sheet:
    # Lines were measured when the file was opened: the sample read here is bounded.
    delimiter = _sniff_delimiter(text)

    def rows() -> Iterator[tuple[int, Row]]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        checks = guard.CsvChecks(name, limits)
        try:
            for number, cells in enumerate(reader, start=1):
                checks.row(cells)
                if not number % _DEADLINE_EVERY:
                    deadline.check()
                yield number, list[CellValue](cells)
        except csv.Error as exc:
            # A quoted cell running over many lines, longer than the csv module takes.
            raise SpreadsheetError(
                f"Berkas CSV {name} tidak dapat dibaca pada baris {reader.line_num} ({exc}).",
                hint='Periksa tanda kutip (") yang tidak ditutup pada baris itu, lalu simpan '
                "ulang berkasnya dari Excel sebagai CSV.",
            ) from None

    return Sheet(name=name, last_row=text.count("\n") + 1, _rows=rows())


def _sniff_delimiter(text: str) -> str:
    """The separator that splits the first lines into the most consistent number of fields."""
    sample = "\n".join(text.splitlines()[:_SNIFF_LINES])
    best, best_score = ";", (-1, -1)
    for delimiter in _CSV_DELIMITERS:
        counts = [len(row) for row in csv.reader(io.StringIO(sample), delimiter=delimiter) if row]
        wide = [count for count in counts if count > 1]
        if not wide:
            continue
        modal = max(set(wide), key=wide.count)
        score = (wide.count(modal), modal)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _decode_text(data: bytes, file_name: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\x00" in data[:8192]:
        raise SpreadsheetError(
            f"Berkas {file_name} bukan lembar kerja (Excel atau CSV).",
            hint="Pilih berkas daftar tenaga non-ASN berformat .xlsx, .xls, .ods atau .csv.",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves CSV in the ANSI code page.
        return data.decode("cp1252", errors="replace")


def _check_text_is_a_table(text: str, file_name: str) -> None:
    head = text[:4096].lstrip().lower()
    if head.startswith(("<!doctype html", "<html", "<table", "<meta")) or "<table" in head:
        raise SpreadsheetError(
            f"Berkas {file_name} sebenarnya halaman web (HTML) yang diberi nama lembar kerja, "
            "seperti hasil unduhan sebagian aplikasi kepegawaian.",
            hint=_RESAVE,
        )
    if head.startswith("<?xml") or head.startswith("<workbook"):
        raise SpreadsheetError(
            f"Berkas {file_name} berformat XML Spreadsheet 2003 yang tidak didukung.",
            hint=_RESAVE,
        )
    if not text.strip():
        raise SpreadsheetError(f"Berkas {file_name} kosong: tidak ada baris apa pun.")


def _open_zip(path: Path, data: bytes) -> FileKind:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype").strip() if "mimetype" in names else b""
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise SpreadsheetError(
            f"Berkas {path.name} rusak: isinya terpotong atau tidak utuh (bukan arsip Excel "
            "yang lengkap).",
            hint="Minta kiriman ulang berkas aslinya, atau buka di Excel dan simpan ulang.",
        ) from None
    if mimetype == b"application/vnd.oasis.opendocument.spreadsheet":
        return "ods"
    if any(name.startswith("xl/") for name in names):
        return "xlsx"
    if any(name.startswith("word/") for name in names) or mimetype.endswith(b".text"):
        what = "dokumen pengolah kata (Word/Writer)"
    else:
        what = "arsip ZIP"
    raise SpreadsheetError(
        f"Berkas {path.name} adalah {what}, bukan lembar kerja.",
        hint="Pilih berkas daftar tenaga non-ASN berformat .xlsx, .xls, .ods atau .csv.",
    )


def open_spreadsheet(path: Path, limits: RosterFileLimits) -> Workbook:
    """Open ``path`` for reading within ``limits``; SpreadsheetError when it cannot (or may
    not) be read. The file is checked completely (see :mod:`nonasn_desktop.sheets.guard`)
    before the spreadsheet reader sees it."""
    name = path.name
    data = guard.read_file(path, limits)
    if not data:
        raise SpreadsheetError(f"Berkas {name} kosong (0 byte).")
    deadline = guard.Deadline(name, limits.max_seconds)
    kind: FileKind
    if data.startswith((_ZIP_MAGIC, _EMPTY_ZIP_MAGIC)):
        _check_archive(data, name, limits, deadline)
        kind = _open_zip(path, data)
    elif data.startswith(_OLE_MAGIC):
        if _ENCRYPTED_STREAM in data:
            raise _password_error(name)
        check_xls(data, name, limits, deadline)
        kind = "xls"
    elif data.startswith((b"%PDF", b"\xff\xd8\xff", b"\x89PNG")):
        raise SpreadsheetError(
            f"Berkas {name} adalah PDF atau gambar, bukan lembar kerja.",
            hint="Impor memerlukan berkas Excel (.xlsx/.xls), .ods atau .csv yang dapat diolah.",
        )
    else:
        text = _decode_text(data, name)
        del data
        _check_text_is_a_table(text, name)
        guard.check_csv_lines(text, name, limits)
        return Workbook(path=path, kind="csv", _csv_text=text, limits=limits, deadline=deadline)
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        metadata = book.sheets_metadata
    except python_calamine.PasswordError:
        raise _password_error(name) from None
    except python_calamine.CalamineError as exc:
        raise SpreadsheetError(
            f"Berkas {name} rusak atau bukan lembar kerja yang dapat dibaca ({exc}).",
            hint=_RESAVE,
        ) from None
    hidden = tuple(
        meta.name for meta in metadata if meta.visible != python_calamine.SheetVisibleEnum.Visible
    )
    return Workbook(
        path=path,
        kind=kind,
        _calamine=book,
        hidden_sheets=hidden,
        limits=limits,
        deadline=deadline,
    )


def _check_archive(
    data: bytes, name: str, limits: RosterFileLimits, deadline: guard.Deadline
) -> None:
    try:
        check_archive(data, name, limits, deadline)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, zlib.error):
        raise SpreadsheetError(
            f"Berkas {name} rusak: isinya terpotong atau tidak utuh (bukan arsip Excel "
            "yang lengkap).",
            hint="Minta kiriman ulang berkas aslinya, atau buka di Excel dan simpan ulang.",
        ) from None


def _password_error(name: str) -> SpreadsheetError:
    return SpreadsheetError(
        f"Berkas {name} dilindungi kata sandi, sehingga isinya tidak dapat dibaca.",
        hint="Buka di Excel dengan kata sandinya, hapus kata sandi (File › Info › Protect "
        "Workbook › Encrypt with Password, kosongkan), simpan, lalu impor lagi.",
    )
