"""The fonts of every printed paper, shipped with the application so all machines print alike.

Liberation Sans (SIL Open Font License 1.1, see ``resources/fonts/LICENSE-LiberationSans.txt``)
has the metrics of Arial, the face Indonesian government offices use for their letters. The
files are read through :mod:`importlib.resources`, so this works from a checkout, a wheel and a
frozen build alike, and are registered with reportlab once per process.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from importlib import resources

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_PACKAGE = "nonasn_desktop.resources"
FONT_FOLDER = "fonts"
LICENCE_FILE = "LICENSE-LiberationSans.txt"

FAMILY = "NonAsnSans"
REGULAR = "NonAsnSans"
BOLD = "NonAsnSans-Bold"
ITALIC = "NonAsnSans-Italic"

_FILES = {
    REGULAR: "LiberationSans-Regular.ttf",
    BOLD: "LiberationSans-Bold.ttf",
    ITALIC: "LiberationSans-Italic.ttf",
}

_lock = threading.Lock()
# Names of the families registered so far in this process.
_registered: set[str] = set()


@dataclass(frozen=True)
class FontFile:
    """One bundled font: the name it is registered under and its file name."""

    name: str
    file_name: str


def bundled_fonts() -> tuple[FontFile, ...]:
    return tuple(FontFile(name, file_name) for name, file_name in _FILES.items())


def font_bytes(file_name: str) -> bytes:
    """The content of a bundled font file (or its licence text)."""
    return (resources.files(FONT_PACKAGE) / FONT_FOLDER / file_name).read_bytes()


def register_fonts() -> None:
    """Register the bundled family with reportlab; cheap after the first call, thread-safe.

    Paragraph markup (``<b>``, ``<i>``) maps to the bold and italic faces.
    """
    with _lock:
        if FAMILY in _registered:
            return
        for font in bundled_fonts():
            pdfmetrics.registerFont(TTFont(font.name, io.BytesIO(font_bytes(font.file_name))))
        addMapping(FAMILY, 0, 0, REGULAR)
        addMapping(FAMILY, 1, 0, BOLD)
        addMapping(FAMILY, 0, 1, ITALIC)
        # No bold italic face is shipped: bold wins, which reads better than a fake slant.
        addMapping(FAMILY, 1, 1, BOLD)
        _registered.add(FAMILY)
