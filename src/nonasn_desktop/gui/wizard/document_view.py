"""What a document looks like in its picker: a small preview picture and the findings as HTML.

Plain functions, no widgets: :func:`preview_image` runs on a worker thread.
"""

from __future__ import annotations

import html
import io

from PIL import Image, ImageOps
from PySide6.QtGui import QImage

# Long edge of a preview, in pixels: enough for a sharp thumbnail on a 2× screen.
PREVIEW_PIXELS = 480
PDF_PREVIEW_DPI = 40


def preview_image(data: bytes, media_type: str | None) -> QImage | None:
    """A small upright picture of a document (runs on a worker thread: no widgets here).

    Pictures are turned as they are displayed (EXIF orientation); a PDF shows its first page.
    Returns None when no preview can be drawn; a preview is never worth an error message.
    """
    try:
        if media_type == "application/pdf":
            from nonasn_desktop.printing.pages import render_page

            picture = render_page(data, 0, dpi=PDF_PREVIEW_DPI)
        else:
            with Image.open(io.BytesIO(data)) as opened:
                opened.draft("RGB", (PREVIEW_PIXELS, PREVIEW_PIXELS))
                picture = ImageOps.exif_transpose(opened)
                picture = picture.convert("RGB")
        picture.thumbnail((PREVIEW_PIXELS, PREVIEW_PIXELS))
        from nonasn_desktop.gui.images import pil_to_qimage

        return pil_to_qimage(picture)
    except Exception:
        return None


_OK_MARK = '<span style="color:#1D6B43">✓</span>'
_FAIL_MARK = '<span style="color:#B42318">✗</span>'


def compact_html(findings: tuple[tuple[bool, str], ...]) -> str:
    """Failures in full, passes counted: the short form under a document."""
    failed = [message for ok, message in findings if not ok]
    passed = len(findings) - len(failed)
    lines = [f"{_FAIL_MARK}&nbsp;{html.escape(message)}" for message in failed]
    if passed and not failed:
        lines.append(f"{_OK_MARK}&nbsp;Semua pemeriksaan lulus ({passed}).")
    elif passed:
        lines.append(f"{_OK_MARK}&nbsp;{passed} pemeriksaan lain lulus.")
    return "<br>".join(lines)


def findings_html(findings: tuple[tuple[bool, str], ...]) -> str:
    """Every finding with its mark: the full form, under "Lihat rincian pemeriksaan"."""
    lines = []
    for ok, message in findings:
        mark = _OK_MARK if ok else _FAIL_MARK
        lines.append(f"{mark}&nbsp;{html.escape(message)}")
    return "<br>".join(lines)
