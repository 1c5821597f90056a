"""PDF pages to pictures with PDFium (pypdfium2): for previews, thumbnails and printing.

Qt-free; the GUI converts the PIL images with ``gui.images.pil_to_qimage``. PDFium is not
thread-safe, so every call into it holds one process-wide lock: a background thread may render
while the GUI thread counts pages, one after the other.
"""

from __future__ import annotations

import threading
from types import TracebackType

import pypdfium2 as pdfium
from PIL import Image

from nonasn_desktop.errors import DocumentError

POINTS_PER_INCH = 72
# A rendered page larger than this (pixels) is refused: A4 at 600 dpi is about 35 million.
MAX_PIXELS = 60_000_000
MIN_DPI = 10
MAX_DPI = 1200

_lock = threading.RLock()


def _unreadable(exc: Exception) -> DocumentError:
    return DocumentError(
        "Berkas PDF tidak dapat dibuka: isinya rusak atau bukan PDF.",
        hint=f"({exc}) Buat atau unggah ulang berkasnya.",
    )


class PdfPages:
    """An open PDF: page count, page sizes and rendering. Use as a context manager."""

    def __init__(self, data: bytes) -> None:
        if not data:
            raise DocumentError("Berkas PDF kosong.")
        with _lock:
            try:
                self._doc = pdfium.PdfDocument(data)
            except pdfium.PdfiumError as exc:
                raise _unreadable(exc) from None
            self._count = len(self._doc)
        self._closed = False

    def __enter__(self) -> PdfPages:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Free the document; later calls raise ValueError. Closing twice is harmless."""
        with _lock:
            if not self._closed:
                self._closed = True
                self._doc.close()

    def _check_open(self) -> None:
        if self._closed:
            raise ValueError("the PDF was closed")

    @property
    def count(self) -> int:
        return self._count

    def _check(self, index: int) -> None:
        if not 0 <= index < self._count:
            raise IndexError(f"page {index} of a {self._count}-page PDF")

    def size(self, index: int) -> tuple[float, float]:
        """Width and height of page ``index`` (from 0) in points."""
        self._check(index)
        with _lock:
            self._check_open()
            page = self._doc[index]
            try:
                width, height = page.get_size()
            finally:
                page.close()
        return float(width), float(height)

    def render(self, index: int, *, dpi: float) -> Image.Image:
        """Page ``index`` (from 0) as an RGB picture at ``dpi`` dots per inch, white paper."""
        self._check(index)
        if not MIN_DPI <= dpi <= MAX_DPI:
            raise ValueError(f"dpi {dpi} outside {MIN_DPI}..{MAX_DPI}")
        scale = dpi / POINTS_PER_INCH
        width, height = self.size(index)
        if width * scale * height * scale > MAX_PIXELS:
            raise DocumentError(
                "Halaman PDF ini terlalu besar untuk ditampilkan pada resolusi itu.",
                hint="Perkecil tampilan atau resolusi cetak.",
            )
        with _lock:
            self._check_open()
            page = self._doc[index]
            try:
                bitmap = page.render(scale=scale, may_draw_forms=False)
                try:
                    image: Image.Image = bitmap.to_pil().convert("RGB")
                finally:
                    bitmap.close()
            except pdfium.PdfiumError as exc:
                raise _unreadable(exc) from None
            finally:
                page.close()
        return image


def page_count(data: bytes) -> int:
    """How many pages the PDF ``data`` has; DocumentError if it cannot be read."""
    with PdfPages(data) as pages:
        return pages.count


def render_page(data: bytes, index: int, *, dpi: float) -> Image.Image:
    """Page ``index`` (from 0) of the PDF ``data`` as an RGB picture at ``dpi``."""
    with PdfPages(data) as pages:
        return pages.render(index, dpi=dpi)
