"""Pages of a PDF painted onto a printer, as pictures, on a worker thread.

The print preview (``gui.print_preview``) asks which printer and which pages; this paints them:
each page rendered by PDFium at up to ``PRINT_DPI``, scaled into the printable area and
centred, the paper turned or changed wherever the PDF's page size changes.
"""

from __future__ import annotations

from PySide6.QtCore import QMarginsF, QRectF, QSizeF
from PySide6.QtGui import QColor, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter

from nonasn_desktop.errors import UserError
from nonasn_desktop.gui.images import pil_to_qimage
from nonasn_desktop.gui.workers import Task
from nonasn_desktop.printing.pages import PdfPages

PRINT_DPI = 300


def page_layout(width_pt: float, height_pt: float) -> QPageLayout:
    """A page layout of the PDF page's exact size, without margins.

    Paper sizes are described upright (portrait); a wider page is that paper turned.
    """
    short, long = sorted((width_pt, height_pt))
    size = QPageSize(
        QSizeF(short, long), QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch
    )
    landscape = width_pt > height_pt
    orientation = (
        QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
    )
    return QPageLayout(size, orientation, QMarginsF(0, 0, 0, 0))


def paint_pages(
    printer: QPrinter,
    document: PdfPages,
    sizes: list[tuple[float, float]],
    indexes: list[int],
    task: Task,
) -> int:
    """Paint the pages on the printer as pictures; the number painted (0 when cancelled)."""
    dpi = min(PRINT_DPI, max(72, printer.resolution()))
    painter = QPainter()
    if not painter.begin(printer):
        raise UserError(
            "Pencetak tidak dapat dipakai.",
            hint="Periksa apakah pencetak menyala dan terhubung, lalu coba lagi.",
        )
    done = 0
    try:
        for number, index in enumerate(indexes):
            if task.cancelled:
                printer.abort()
                return 0
            if number:
                if sizes[index] != sizes[indexes[number - 1]]:
                    printer.setPageLayout(page_layout(*sizes[index]))
                printer.newPage()
            image = pil_to_qimage(document.render(index, dpi=dpi))
            target = painter.viewport()
            scale = min(target.width() / image.width(), target.height() / image.height())
            width, height = image.width() * scale, image.height() * scale
            x = target.x() + (target.width() - width) / 2
            y = target.y() + (target.height() - height) / 2
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            painter.fillRect(target, QColor("white"))
            painter.drawImage(QRectF(x, y, width, height), image)
            done += 1
            task.report(done, len(indexes))
    finally:
        painter.end()
    return done
