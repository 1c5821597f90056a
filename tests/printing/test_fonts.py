"""The bundled fonts: shipped with their licence, registered once, embedded in every PDF."""

# ruff: noqa: F811 - the fixtures imported from printing_samples are parameters here

from __future__ import annotations

import io
from importlib import resources

from printing_samples import job, person, photo  # noqa: F401 - fixtures
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics

from nonasn_desktop.printing.common import PrintJob, write_pdf
from nonasn_desktop.printing.fonts import (
    BOLD,
    FONT_FOLDER,
    FONT_PACKAGE,
    ITALIC,
    LICENCE_FILE,
    REGULAR,
    bundled_fonts,
    font_bytes,
    register_fonts,
)
from nonasn_desktop.printing.model import PrintableRegistration
from nonasn_desktop.printing.registration_info import InformationSheet

MAX_TOTAL_BYTES = 2 * 1024 * 1024


def test_every_font_file_is_a_truetype_font_and_small_enough() -> None:
    total = 0
    for font in bundled_fonts():
        data = font_bytes(font.file_name)
        assert data[:4] == b"\x00\x01\x00\x00", font.file_name
        total += len(data)
    assert total <= MAX_TOTAL_BYTES


def test_the_licence_travels_with_the_fonts() -> None:
    folder = resources.files(FONT_PACKAGE) / FONT_FOLDER
    licence = (folder / LICENCE_FILE).read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence
    assert "Reserved Font Name Liberation" in licence


def test_registering_twice_is_harmless() -> None:
    register_fonts()
    register_fonts()
    names = pdfmetrics.getRegisteredFontNames()
    assert {REGULAR, BOLD, ITALIC} <= set(names)
    assert pdfmetrics.getFont(BOLD).face.name == b"LiberationSans-Bold"


def test_the_fonts_are_embedded_in_the_pdf(job: PrintJob, person: PrintableRegistration) -> None:
    buffer = io.BytesIO()
    write_pdf(InformationSheet(job, ()), [person], buffer, total=1, author="x")
    page = PdfReader(io.BytesIO(buffer.getvalue())).pages[0]
    fonts = page["/Resources"]["/Font"]
    embedded = set()
    for ref in fonts.values():
        font = ref.get_object()
        descriptor = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor
        embedded.add(str(font["/BaseFont"]).split("+")[-1])
    assert embedded == {"LiberationSans", "LiberationSans-Bold"}
