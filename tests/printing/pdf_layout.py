"""Where the text of a PDF page sits, to check that nothing printed overlaps.

pypdf reports every piece of text with its font, size and text matrix; its box is computed
from the bundled fonts' metrics (the PDFs embed subsets of exactly those fonts).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pypdf import PageObject
from reportlab.pdfbase.pdfmetrics import stringWidth

from nonasn_desktop.printing.fonts import BOLD, ITALIC, REGULAR, register_fonts

_FONTS = {
    "LiberationSans": REGULAR,
    "LiberationSans-Bold": BOLD,
    "LiberationSans-Italic": ITALIC,
}


@dataclass(frozen=True)
class TextBox:
    text: str
    font: str
    size: float
    left: float
    bottom: float
    right: float
    top: float
    # The baseline.
    start: float

    def overlaps(self, other: TextBox) -> bool:
        return (
            self.left < other.right
            and other.left < self.right
            and self.bottom < other.top
            and other.bottom < self.top
        )


def text_boxes(page: PageObject) -> list[TextBox]:
    """One box per piece of text: from the descender to the cap height, in page points."""
    register_fonts()
    boxes: list[TextBox] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        shown = text.strip("\n")
        if not shown.strip() or font is None:
            return
        base = str(font.get("/BaseFont", "")).split("+")[-1]
        name = _FONTS[base]
        scale = tm[0] * cm[0]
        effective = size * scale
        x = cm[0] * tm[4] + cm[4]
        y = cm[3] * tm[5] + cm[5]
        width = stringWidth(shown, name, effective)
        last = boxes[-1] if boxes else None
        if last is not None and (last.left, last.start) == (x, y):
            # pypdf reports the pieces of one line in mixed fonts (a paragraph with bold
            # words) at the line's start: they belong together, one after the other.
            boxes[-1] = TextBox(
                last.text + shown,
                last.font,
                max(last.size, effective),
                last.left,
                min(last.bottom, y - 0.21 * effective),
                last.right + width,
                max(last.top, y + 0.72 * effective),
                y,
            )
            return
        boxes.append(
            TextBox(
                shown, name, effective, x, y - 0.21 * effective, x + width, y + 0.72 * effective, y
            )
        )

    page.extract_text(visitor_text=visit)
    return boxes


def overlapping(boxes: list[TextBox]) -> list[tuple[str, str]]:
    """Every pair of pieces of text whose boxes intersect."""
    found = []
    for index, box in enumerate(boxes):
        for other in boxes[index + 1 :]:
            if box.overlaps(other):
                found.append((box.text, other.text))
    return found
