"""One finding of a document check, the collector the content analyses fill, and the
Indonesian wording of the numbers in their messages (thousands with a dot, a decimal comma).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """The outcome of one check; ``message`` (Indonesian) explains it whether ok or not."""

    code: str
    ok: bool
    message: str
    fixable: bool = False


class Analysis:
    """What the content analysis learnt, filled in step by step."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.width: int | None = None
        self.height: int | None = None
        self.page_count: int | None = None
        self.decoded = False
        self.cmyk = False

    def add(self, code: str, ok: bool, message: str, fixable: bool = False) -> None:
        self.findings.append(Finding(code, ok, message, fixable))


def thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def one_decimal(value: float) -> str:
    """Truncated to one decimal with a decimal comma; whole numbers without decimals."""
    tenths = math.floor(value * 10 + 1e-9)
    if tenths % 10 == 0 and math.isclose(value, tenths / 10):
        return thousands(tenths // 10)
    return f"{thousands(tenths // 10)},{tenths % 10}"


def percent(fraction: float) -> str:
    text = f"{fraction * 100:.1f}".removesuffix(".0")
    return text.replace(".", ",") + "%"


def megapixels(pixels: int) -> str:
    return f"{one_decimal(pixels / 1_000_000)} juta piksel"
