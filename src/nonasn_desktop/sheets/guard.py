"""Checking a spreadsheet against its bounds before any reader sees it.

Every file a clerk hands the program is hostile until checked. The spreadsheet reader
(python-calamine, in Rust) trusts what a workbook says: two cells far apart make it allocate
the whole grid between them (A1 and XFD1048576: half a terabyte), a shared-strings table that
declares two billion entries makes it reserve them all, and a failed allocation aborts the whole
process, not just the import. So the bytes are checked here first, with bounds from
``forms/roster_file.toml`` (:class:`RosterFileLimits`), and refused with a message naming the
bound:

- **The path** must be a regular file (or a link to one): a folder, a device such as
  ``/dev/zero``, a FIFO or a socket is refused from its metadata, before it is opened for
  reading (a FIFO would block, a device never end). At most ``max_file_bytes`` are read.
- **ZIP archives** (xlsx, ods): at most ``max_members`` members, no name twice, only stored
  or deflated members, and each member is unpacked here, counting the bytes it *really*
  produces (the archive's size fields can lie) against ``max_unpacked_bytes``, and checking
  that it ends where the archive says, at the size it declares. Parts other than worksheets
  and shared strings (styles, pictures), which the reader keeps whole, share
  ``max_other_bytes``. Nothing is kept here: the bytes are scanned as they come.
- **Worksheets** (every XML member is scanned, whatever its name): the rows and columns the
  cells reach (explicit ``r="XFD1048576"`` references and cells without one), the number of
  cells and the cells' area, summed over the sheets, against ``max_sheet_rows``,
  ``max_sheet_columns`` and ``max_cells``; shared strings (the declared ``count`` and
  ``uniqueCount`` and the entries really present) against ``max_shared_strings``; merged
  ranges against ``max_merged_ranges``. ODS rows and cells repeated with
  ``number-rows-repeated``/``number-columns-repeated`` count as often as they are repeated.
- **CSV**: every line and every cell against ``max_csv_line_chars`` and ``max_csv_cell_chars``.
- **Time**: reading stops after ``max_seconds``.

The checks are conservative: where a count cannot be known cheaply it is over-estimated, never
under-estimated, so a file that passes cannot make the reader exceed the bounds.
"""

from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from nonasn_desktop.policy.model import RosterFileLimits
from nonasn_desktop.sheets.errors import SpreadsheetError

LIMITS_FILE = "forms/roster_file.toml"
_SPLIT_HINT = (
    "Periksa berkasnya. Bila memang daftar yang sah, bagi menjadi beberapa berkas yang lebih "
    "kecil (mis. satu berkas per unit kerja), lalu impor satu per satu."
)
_BROKEN_HINT = "Minta kiriman ulang berkas aslinya, atau buka di Excel dan simpan ulang."


def too_much(file_name: str, what: str, found: int | str, limit: int | str, key: str) -> None:
    """Raise the refusal for one exceeded bound, naming it."""
    raise SpreadsheetError(
        f"Berkas {file_name} ditolak: {what} ({found}) melebihi batas {limit} "
        f"({key} di {LIMITS_FILE}).",
        hint=_SPLIT_HINT,
    )


def broken(file_name: str, why: str) -> SpreadsheetError:
    return SpreadsheetError(
        f"Berkas {file_name} rusak atau tidak wajar: {why}.",
        hint=_BROKEN_HINT,
    )


@dataclass
class Deadline:
    """The moment reading must stop (``max_seconds`` after it started)."""

    file_name: str
    seconds: int
    at: float = 0.0

    def __post_init__(self) -> None:
        self.at = time.monotonic() + self.seconds

    def check(self) -> None:
        if time.monotonic() > self.at:
            raise SpreadsheetError(
                f"Pembacaan berkas {self.file_name} dihentikan: melebihi batas waktu "
                f"{self.seconds} detik (time.max_seconds di {LIMITS_FILE}).",
                hint=_SPLIT_HINT,
            )


# --- the file -----------------------------------------------------------------------------------


def read_file(path: Path, limits: RosterFileLimits) -> bytes:
    """The bytes of ``path``, which must be a regular file of at most ``max_file_bytes``.

    The kind of file is checked from its metadata before it is opened (a FIFO would block the
    open, ``/dev/zero`` would never end), and again on the open handle, so that a file swapped
    for a device in between is refused too.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        raise SpreadsheetError(f"Berkas {path} tidak ditemukan.") from None
    except OSError as exc:
        raise SpreadsheetError(
            f"Berkas {path} tidak dapat dibaca ({exc.strerror}).",
            hint="Tutup berkas itu di Excel bila sedang terbuka, lalu coba lagi.",
        ) from None
    _check_kind(path, info.st_mode)
    _check_size(path.name, info.st_size, limits)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        handle = os.open(path, flags)
    except OSError as exc:
        raise SpreadsheetError(
            f"Berkas {path} tidak dapat dibuka ({exc.strerror}).",
            hint="Tutup berkas itu di Excel bila sedang terbuka, lalu coba lagi.",
        ) from None
    try:
        opened = os.fstat(handle)
        _check_kind(path, opened.st_mode)
        _check_size(path.name, opened.st_size, limits)
        # One buffer of the announced size (and a byte more, to notice growth): no copies.
        expected = opened.st_size + 1
        buffer = bytearray(expected)
        view = memoryview(buffer)
        size = 0
        with open(handle, "rb", buffering=0, closefd=False) as stream:
            while size < expected and (count := stream.readinto(view[size:])):
                size += count
        view.release()
    except OSError as exc:
        raise SpreadsheetError(
            f"Berkas {path} tidak dapat dibaca ({exc.strerror}).",
            hint="Salin berkas itu ke folder lokal (bukan dari flashdisk yang dicabut), lalu "
            "coba lagi.",
        ) from None
    finally:
        os.close(handle)
    if size == expected:
        raise SpreadsheetError(
            f"Berkas {path} berubah ketika sedang dibaca.",
            hint="Tunggu sampai berkas itu selesai disalin atau disimpan, lalu coba lagi.",
        )
    del buffer[size:]
    # A bytearray reads like bytes everywhere it goes (zipfile, the reader, decoding).
    return buffer  # type: ignore[return-value]


def _check_kind(path: Path, mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise SpreadsheetError(f"{path} adalah folder, bukan berkas lembar kerja.")
    raise SpreadsheetError(
        f"{path} bukan berkas biasa (melainkan perangkat, pipa/FIFO atau soket), sehingga "
        "tidak dibaca.",
        hint="Pilih berkas daftar tenaga non-ASN berformat .xlsx, .xls, .ods atau .csv.",
    )


def _check_size(file_name: str, size: int, limits: RosterFileLimits) -> None:
    if size > limits.max_file_bytes:
        too_much(
            file_name,
            "ukuran berkas",
            megabytes(size),
            megabytes(limits.max_file_bytes),
            "file.max_bytes",
        )


def megabytes(size: int) -> str:
    return f"{size / (1 << 20):.1f} MB".replace(".", ",")


# --- what the worksheets reach ------------------------------------------------------------------


@dataclass
class Area:
    """The running totals of a workbook's sheets against the sheet bounds."""

    file_name: str
    limits: RosterFileLimits
    cells: int = 0  # the cells the reader would hold, summed over the sheets
    merges: int = 0  # merged ranges, summed over the sheets
    other: int = 0  # unpacked bytes of parts other than worksheets and shared strings

    def sheet(self, rows: int, columns: int, cells: int) -> None:
        limits = self.limits
        if rows > limits.max_sheet_rows:
            too_much(
                self.file_name, "baris lembar kerja", rows, limits.max_sheet_rows, "sheet.max_rows"
            )
        if columns > limits.max_sheet_columns:
            too_much(
                self.file_name,
                "kolom lembar kerja",
                columns,
                limits.max_sheet_columns,
                "sheet.max_columns",
            )
        self.cells += max(rows * columns, cells)
        if self.cells > limits.max_cells:
            too_much(self.file_name, "jumlah sel", self.cells, limits.max_cells, "sheet.max_cells")

    def merged(self, count: int) -> None:
        self.merges += count
        if self.merges > self.limits.max_merged_ranges:
            too_much(
                self.file_name,
                "jumlah sel gabungan (merge)",
                self.merges,
                self.limits.max_merged_ranges,
                "sheet.max_merged_ranges",
            )

    def other_part(self, size: int) -> None:
        self.other += size
        if self.other > self.limits.max_other_bytes:
            too_much(
                self.file_name,
                "bagian arsip selain lembar kerja dan teks bersama",
                megabytes(self.other),
                megabytes(self.limits.max_other_bytes),
                "archive.max_other_bytes",
            )

    def shared_strings(self, count: int) -> None:
        if count > self.limits.max_shared_strings:
            too_much(
                self.file_name,
                "jumlah teks bersama (sharedStrings)",
                count,
                self.limits.max_shared_strings,
                "sheet.max_shared_strings",
            )


def column_number(letters: bytes) -> int:
    """1 for A, 26 for Z, 27 for AA, 16384 for XFD."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


# --- CSV ----------------------------------------------------------------------------------------


def check_csv_lines(text: str, file_name: str, limits: RosterFileLimits) -> None:
    """Every physical line of ``text`` within ``max_csv_line_chars`` (before the csv module,
    which would take a 40 MB line whole, ever sees it)."""
    longest = limits.max_csv_line_chars
    start = 0
    number = 1
    size = len(text)
    while start < size:
        end = text.find("\n", start)
        if end < 0:
            end = size
        if end - start > longest:
            too_much(
                file_name,
                f"panjang baris {number} (karakter)",
                end - start,
                longest,
                "csv.max_line_chars",
            )
        start = end + 1
        number += 1


class CsvChecks:
    """Cells, columns and rows of a CSV file checked as its rows are read."""

    def __init__(self, file_name: str, limits: RosterFileLimits) -> None:
        self.file_name = file_name
        self.limits = limits
        self.rows = 0
        self.cells = 0

    def row(self, cells: list[str]) -> None:
        limits = self.limits
        self.rows += 1
        self.cells += len(cells)
        if cells and max(map(len, cells)) > limits.max_csv_cell_chars:
            too_much(
                self.file_name,
                f"panjang isian baris {self.rows} (karakter)",
                max(map(len, cells)),
                limits.max_csv_cell_chars,
                "csv.max_cell_chars",
            )
        if len(cells) > limits.max_sheet_columns:
            too_much(
                self.file_name, "kolom", len(cells), limits.max_sheet_columns, "sheet.max_columns"
            )
        if self.rows > limits.max_sheet_rows:
            too_much(self.file_name, "baris", self.rows, limits.max_sheet_rows, "sheet.max_rows")
        if self.cells > limits.max_cells:
            too_much(self.file_name, "jumlah sel", self.cells, limits.max_cells, "sheet.max_cells")
