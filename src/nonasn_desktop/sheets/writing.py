"""The one way the product writes a workbook: XlsxWriter, text never a formula, saved atomically.

Every workbook the product makes (the recap, the roster template, the roster import report,
the centre's conflict report) goes through :class:`SafeWorkbook`. It holds three promises:

- **Text is text.** A ``str`` is always written as a string cell, never as a formula, a link
  or a number; XlsxWriter's own guesses (``strings_to_formulas``, ``strings_to_urls``) are off.
  Text that a spreadsheet would read as a formula or a DDE call once the cell is edited (it
  begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return; OWASP's "CSV injection"
  list) gets Excel's *quote prefix* (the cell style ``quotePrefix``, what typing a leading
  apostrophe does), so it stays text even when a clerk presses F2 and Enter. The value itself
  is unchanged: a NIK or a name reads back exactly as it was stored, so the recap still
  imports through the roster importer.
- **All or nothing.** The workbook is assembled in memory and handed to
  :func:`nonasn_desktop.atomicfile.write_bytes_atomically` (temporary file, fsync, rename,
  fsync of the folder): the destination is either the complete new workbook or as it was.
- **Faults are the user's, in Indonesian.** A missing or read-only folder, a full disk, a file
  held open by Excel or a USB stick pulled out mid-write ends in :class:`WorkbookWriteError`
  (a :class:`~nonasn_desktop.errors.UserError`) that says what to do, never a traceback.

Large workbooks use XlsxWriter's ``constant_memory`` mode: rows go to a temporary file as
they are written (rows in order, one at a time), in a private temporary folder that is
removed whatever happens.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import io
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException

from nonasn_desktop.atomicfile import write_bytes_atomically
from nonasn_desktop.errors import UserError

# The folder of a workbook's row files, made beside it while it is written.
TEMPORARY_PREFIX = ".nonasn-xlsx-"
# OWASP, "CSV Injection": cells beginning with these are read as formulas (or DDE) by Excel,
# LibreOffice and Google Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

_OPTIONS = {
    # Text is never guessed into something else.
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def _codes(*names: str) -> frozenset[int]:
    # Not every platform knows every name (Windows has no ENOMEDIUM).
    return frozenset(getattr(errno, name) for name in names if hasattr(errno, name))


_FULL = _codes("ENOSPC", "EDQUOT", "EFBIG")
_MISSING = _codes("ENOENT", "ENOTDIR")
_DENIED = _codes("EACCES", "EPERM")
_GONE = _codes("EIO", "ENODEV", "ENXIO", "ESTALE", "ENOMEDIUM")


class WorkbookWriteError(UserError):
    """A workbook could not be written where the user asked; nothing was left half-written."""


def needs_quote_prefix(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as a formula or a DDE call."""
    return text.startswith(FORMULA_TRIGGERS)


def write_error(path: Path, exc: OSError) -> WorkbookWriteError:
    """The user's message for ``exc``, raised while writing the workbook ``path``."""
    folder = path.parent if str(path.parent) else Path()
    code = exc.errno
    if code in _FULL:
        return WorkbookWriteError(
            f"Berkas {path} tidak dapat ditulis: ruang disk tujuan penuh.",
            hint="Kosongkan sebagian ruang disk atau pilih tempat lain, lalu simpan lagi. "
            "Tidak ada berkas setengah jadi yang tertinggal.",
        )
    if code in _MISSING or isinstance(exc, FileNotFoundError):
        return WorkbookWriteError(
            f"Berkas {path} tidak dapat ditulis: folder {folder} tidak ada (atau diska USB-nya "
            "sudah dilepas).",
            hint="Pilih folder yang ada, atau pasang kembali diska USB-nya, lalu simpan lagi.",
        )
    if code == errno.EROFS:
        return WorkbookWriteError(
            f"Berkas {path} tidak dapat ditulis: folder {folder} hanya dapat dibaca (read-only).",
            hint="Pilih folder lain, atau buka kunci tulis diska USB-nya, lalu simpan lagi.",
        )
    if code == errno.EISDIR or isinstance(exc, IsADirectoryError) or path.is_dir():
        return WorkbookWriteError(
            f"Berkas {path} tidak dapat ditulis: {path.name} adalah folder, bukan nama berkas.",
            hint="Tulis nama berkas .xlsx di dalam folder itu, lalu simpan lagi.",
        )
    if code in _DENIED:
        if path.exists():
            return WorkbookWriteError(
                f"Berkas {path} tidak dapat ditimpa; mungkin sedang terbuka di Excel.",
                hint="Tutup berkas itu di Excel (atau pilih nama lain), lalu simpan lagi.",
            )
        return WorkbookWriteError(
            f"Berkas {path} tidak dapat ditulis: tidak ada izin menulis di folder {folder}.",
            hint="Pilih folder lain yang dapat ditulisi, lalu simpan lagi.",
        )
    if code in _GONE:
        return WorkbookWriteError(
            f"Berkas {path} tidak dapat ditulis: perangkat penyimpanannya tidak menjawab "
            "(mungkin diska USB dilepas saat menulis).",
            hint="Pasang kembali diska itu dan simpan lagi; tidak ada berkas setengah jadi "
            "yang tertinggal.",
        )
    reason = exc.strerror or str(exc)
    return WorkbookWriteError(
        f"Berkas {path} tidak dapat ditulis ({reason}).",
        hint="Periksa ruang disk dan izin folder tujuan, lalu simpan lagi.",
    )


def check_destination(path: Path) -> None:
    """Refuse a destination that cannot work before any long job starts: a missing or
    read-only folder, a folder given as the file. The save checks everything again."""
    folder = path.parent if str(path.parent) else Path()
    if not folder.is_dir():
        raise write_error(path, FileNotFoundError(errno.ENOENT, "No such folder"))
    if path.is_dir():
        raise write_error(path, IsADirectoryError(errno.EISDIR, "Is a folder"))
    if not os.access(folder, os.W_OK):
        try:
            read_only = os.statvfs(folder).f_flag & os.ST_RDONLY
        except (AttributeError, OSError):  # statvfs: POSIX only
            read_only = False
        code = errno.EROFS if read_only else errno.EACCES
        raise write_error(path, OSError(code, os.strerror(code)))


class Style:
    """A cell style, with its quote-prefixed twin for text that looks like a formula."""

    def __init__(self, book: Any, properties: dict[str, Any]) -> None:
        self.properties = dict(properties)
        self.plain: Any = book.add_format(self.properties)
        self._book = book
        self._quoted: Any = None

    @property
    def quoted(self) -> Any:
        # Made on first use: most styles never meet hostile text.
        if self._quoted is None:
            self._quoted = self._book.add_format({**self.properties, "quote_prefix": True})
        return self._quoted


class SafeSheet:
    """One worksheet. Cell content goes only through :meth:`write` and :meth:`write_row`."""

    def __init__(self, book: SafeWorkbook, sheet: Any) -> None:
        self._book = book
        self._sheet = sheet
        self.name: str = sheet.name
        self._columns: dict[int, Style] = {}

    # -- cells ----------------------------------------------------------------------------

    def write(self, row: int, col: int, value: object, style: Style | None = None) -> None:
        """One cell at (row, col), 0-based; ``None`` or ``""`` writes nothing."""
        self.write_row(row, (value,), (style,), first_col=col)

    def write_row(
        self,
        row: int,
        values: Sequence[object],
        styles: Sequence[Style | None] = (),
        *,
        first_col: int = 0,
    ) -> None:
        """``values`` from column ``first_col`` of ``row``, each with the style at its
        position in ``styles`` (missing or None: the column's own style, from
        :meth:`set_column`).

        Types: ``str`` as text (quote-prefixed when it looks like a formula), ``bool``,
        ``int``/``float`` as numbers, ``date``/``datetime`` as Excel dates (give them, or
        their column, a style with a ``num_format``); ``None`` and ``""`` write nothing (the
        column's style still shows when someone types there).
        """
        try:
            if styles:
                self._write_styled(row, values, styles, first_col)
            else:
                self._write_plain(row, values, first_col)
        except OSError as exc:
            # Rows of a constant_memory sheet go to a file beside the workbook as they are
            # written: a full or pulled disk there is the destination's.
            raise write_error(self._book.path, exc) from None

    def _write_plain(self, row: int, values: Sequence[object], first_col: int) -> None:
        # The hot loop of a 100,000-row recap: cells take their column's style, so one type
        # test per cell and the library's public writers, nothing else.
        sheet = self._sheet
        write_string, write_number = sheet.write_string, sheet.write_number
        for col, value in enumerate(values, first_col):
            kind = value.__class__
            if kind is str:
                if not value:
                    continue
                if value.startswith(FORMULA_TRIGGERS):  # type: ignore[attr-defined]
                    write_string(row, col, value, self._quoted(col, None))
                else:
                    write_string(row, col, value)
            elif value is None:
                continue
            elif kind is int or kind is float:
                write_number(row, col, value)
            else:
                self._write_other(row, col, value, None)

    def _write_styled(
        self,
        row: int,
        values: Sequence[object],
        styles: Sequence[Style | None],
        first_col: int,
    ) -> None:
        sheet = self._sheet
        count = len(styles)
        for offset, value in enumerate(values):
            col = first_col + offset
            style = styles[offset] if offset < count else None
            kind = value.__class__
            if kind is str:
                if not value:
                    continue
                if value.startswith(FORMULA_TRIGGERS):  # type: ignore[attr-defined]
                    sheet.write_string(row, col, value, self._quoted(col, style))
                else:
                    sheet.write_string(row, col, value, style.plain if style else None)
            elif value is not None:
                self._write_other(row, col, value, style)

    def _quoted(self, col: int, style: Style | None) -> Any:
        """The quote-prefixed format for text at ``col``: of its own style, else of its
        column's, else plain text's."""
        return (style or self._columns.get(col) or self._book.default_text).quoted

    def _write_other(self, row: int, col: int, value: object, style: Style | None) -> None:
        sheet = self._sheet
        cell_format = style.plain if style else None
        if isinstance(value, bool):
            sheet.write_boolean(row, col, value, cell_format)
        elif isinstance(value, int | float):
            sheet.write_number(row, col, value, cell_format)
        elif isinstance(value, dt.date):
            sheet.write_datetime(row, col, value, cell_format)
        elif isinstance(value, str):
            # A str subclass (an enum's value): text all the same.
            self._write_styled(row, (str(value),), (style,), col)
        else:
            raise TypeError(f"cannot write {type(value).__name__} to a cell")

    def format_blank(self, row: int, col: int, style: Style) -> None:
        """An empty cell that carries ``style`` (a prepared row of a form to fill in)."""
        try:
            self._sheet.write_blank(row, col, None, style.plain)
        except OSError as exc:
            raise write_error(self._book.path, exc) from None

    def merge(
        self, first_row: int, first_col: int, last_row: int, last_col: int, value: object,
        style: Style,
    ) -> None:  # fmt: skip
        """Merge a range and write ``value`` into it (as :meth:`write` would)."""
        self._sheet.merge_range(first_row, first_col, last_row, last_col, "", style.plain)
        self.write(first_row, first_col, value, style)

    # -- layout (no cell content) ---------------------------------------------------------

    def set_column(self, first: int, last: int, width: float, style: Style | None = None) -> None:
        """Width and style of columns ``first`` to ``last``; cells written without a style
        of their own take it."""
        self._sheet.set_column(first, last, width, style.plain if style else None)
        for col in range(first, last + 1):
            if style is None:
                self._columns.pop(col, None)
            else:
                self._columns[col] = style

    def set_row(self, row: int, height: float | None, style: Style | None = None) -> None:
        self._sheet.set_row(row, height, style.plain if style else None)

    def freeze_panes(self, row: int, col: int) -> None:
        self._sheet.freeze_panes(row, col)

    def autofilter(self, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        self._sheet.autofilter(first_row, first_col, last_row, last_col)

    def list_validation(
        self,
        first_row: int,
        col: int,
        last_row: int,
        source: str,
        *,
        title: str,
        message: str,
        error_title: str,
        error: str,
    ) -> None:
        """A drop-down list on ``col`` whose choices are the range ``source`` (an A1
        reference such as ``=Pilihan!$A$2:$A$5``: a reference, never cell content)."""
        self._sheet.data_validation(
            first_row,
            col,
            last_row,
            col,
            {
                "validate": "list",
                "source": source,
                "ignore_blank": True,
                "input_title": title[:32],
                "input_message": message[:255],
                "error_title": error_title[:32],
                "error_message": error[:255],
                "show_input": True,
                "show_error": True,
            },
        )

    def comment(
        self, row: int, col: int, text: str, *, author: str, width: int, height: int
    ) -> None:
        """A note on a cell, ``width`` × ``height`` pixels. Comments are plain text to every
        spreadsheet, never evaluated."""
        self._sheet.write_comment(
            row, col, text, {"author": author, "x_scale": width / 128, "y_scale": height / 74}
        )

    def insert_chart(self, row: int, col: int, chart: Any) -> None:
        self._sheet.insert_chart(row, col, chart)

    def hide(self) -> None:
        self._sheet.hide()

    def activate(self) -> None:
        self._sheet.activate()


class SafeWorkbook:
    """A workbook being written. Use as a context manager and call :meth:`save` inside it::

        with SafeWorkbook(path) as book:
            sheet = book.add_sheet("Data")
            sheet.write_row(0, ["NIK", "Nama"], [header, header])
            book.save()

    Leaving the block without :meth:`save` (an error, a cancel) discards everything: no file
    at ``path``, no temporary file anywhere.
    """

    def __init__(self, path: Path, *, constant_memory: bool = False) -> None:
        self.path = Path(path)
        check_destination(self.path)
        self._buffer = io.BytesIO()
        # A workbook's parts hold names and NIKs. An ordinary workbook is assembled in memory
        # (in_memory). The rows of a constant_memory sheet (100,000 rows would not fit) wait
        # in files until the save: beside the workbook, where the plain data is going in a
        # folder the clerk chose, not in the system's temporary folder, where a crash or a
        # pulled plug would leave them unseen (issue 11). The atomic save's own temporary
        # file is made there too, so a failure of either is told as the destination's.
        self._tmpdir: Path | None = None
        options: dict[str, object] = {**_OPTIONS, "in_memory": True}
        if constant_memory:
            try:
                self._tmpdir = Path(tempfile.mkdtemp(prefix=TEMPORARY_PREFIX, dir=self.path.parent))
            except OSError as exc:
                raise write_error(self.path, exc) from None
            options = {**_OPTIONS, "constant_memory": True, "tmpdir": str(self._tmpdir)}
        self._book: Any = xlsxwriter.Workbook(self._buffer, options)
        self._closed = False
        self._styles: dict[tuple[tuple[str, Any], ...], Style] = {}
        # Style of unstyled text that needs the quote prefix.
        self.default_text = self.style()

    def style(self, **properties: Any) -> Style:
        """A cell style from XlsxWriter format properties (``bold=True``,
        ``num_format="@"``, ``bg_color="#1F4E79"``…); equal properties share one style."""
        key = tuple(sorted(properties.items()))
        style = self._styles.get(key)
        if style is None:
            style = self._styles[key] = Style(self._book, properties)
        return style

    def add_sheet(self, name: str) -> SafeSheet:
        return SafeSheet(self, self._book.add_worksheet(name))

    def add_chart(self, options: dict[str, Any]) -> Any:
        """An XlsxWriter chart; its series refer to cells, it holds no cell content."""
        return self._book.add_chart(options)

    def save(self) -> Path:
        """Assemble the workbook and put it at ``path`` atomically; returns ``path``."""
        try:
            self._closed = True
            self._book.close()
        except XlsxWriterException as exc:
            cause = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else None
            if cause is None:
                raise
            raise write_error(self.path, cause) from None
        except OSError as exc:
            raise write_error(self.path, exc) from None
        finally:
            self._remove_temporary()
        data = self._buffer.getvalue()
        self._buffer = io.BytesIO()
        try:
            write_bytes_atomically(self.path, data)
        except OSError as exc:
            raise write_error(self.path, exc) from None
        return self.path

    def discard(self) -> None:
        """Drop everything written so far (safe to call twice, or after :meth:`save`)."""
        if not self._closed:
            self._closed = True
            # Closing is the library's only public way to close its row files; the result
            # goes to the in-memory buffer and is thrown away.
            with contextlib.suppress(XlsxWriterException, OSError):
                self._book.close()
        self._remove_temporary()
        self._buffer = io.BytesIO()

    def _remove_temporary(self) -> None:
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)

    def __enter__(self) -> SafeWorkbook:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is not None or not self._closed:
            self.discard()
