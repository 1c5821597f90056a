"""Writing workbooks safely, and pausing the garbage collector for bulk spreadsheet jobs.

Reading the spreadsheets agencies send is in :mod:`nonasn_desktop.sheets.reading`.
"""

from __future__ import annotations

import contextlib
import gc
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from nonasn_desktop.errors import UserError


def save_atomically(book: Any, path: Path) -> None:
    """Save an openpyxl workbook to a temporary file beside ``path``, then rename it."""
    folder = path.parent if str(path.parent) else Path()
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{path.stem}-", suffix=".xlsx.tmp", dir=folder
        )
    except OSError as exc:
        raise UserError(
            f"Berkas {path} tidak dapat ditulis ({exc.strerror}).",
            hint="Pilih folder lain yang dapat ditulisi.",
        ) from None
    os.close(handle)
    try:
        book.save(temporary)
        Path(temporary).replace(path)
    except PermissionError:
        Path(temporary).unlink(missing_ok=True)
        raise UserError(
            f"Berkas {path} tidak dapat ditimpa; mungkin sedang terbuka di Excel.",
            hint="Tutup berkas itu di Excel, lalu simpan lagi.",
        ) from None
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise UserError(
            f"Berkas {path} tidak dapat ditulis ({exc.strerror}).",
            hint="Periksa ruang disk dan izin folder, lalu simpan lagi.",
        ) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def discard_write_only(book: Any) -> None:
    """Abandon a write-only openpyxl workbook: close its sheets' streams, delete their
    temporary files. Without this an interrupted export leaves open generators (reported as
    errors at garbage collection) and temporary files until the process ends."""
    for sheet in book.worksheets:
        writer = getattr(sheet, "_writer", None)
        if writer is None:
            continue
        # Best effort while already failing: the original error is what propagates.
        with contextlib.suppress(Exception):
            sheet.close()
        with contextlib.suppress(OSError, ValueError):
            writer.cleanup()


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a bulk job.

    A roster import keeps 100,000 rows alive: every automatic collection would walk all of
    them again, a third of the import's time for nothing (the rows hold no reference cycles);
    an export allocates millions of short-lived cells. Reference counting still frees
    everything as usual; the collector is back afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
