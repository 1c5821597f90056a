"""The command line's progress printer."""

from __future__ import annotations

import io

from nonasn_desktop.cli.progress import progress_printer
from nonasn_desktop.core.progress import ProgressStep


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_printer_when_not_a_terminal() -> None:
    assert progress_printer(io.StringIO()) is None


def test_one_line_per_phase_each_percent_once() -> None:
    out = _Terminal()
    show = progress_printer(out)
    assert show is not None
    for done in (0, 1, 1, 2):
        show(ProgressStep("Membaca", done, 4))
    show(ProgressStep("Membaca", 4, 4))
    show(ProgressStep("Menyimpan", 1, 2))
    show(ProgressStep("Menyimpan", 2, 2))
    text = out.getvalue()
    assert text.count("Membaca:  25%") == 1
    assert text.count("Membaca: 100%\n") == 1
    assert "Menyimpan:  50%" in text
    # Each phase ends its line once, with no blank line between phases.
    assert "\n\n" not in text
    assert text.endswith("Menyimpan: 100%\n")


def test_a_phase_left_unfinished_is_closed_before_the_next() -> None:
    out = _Terminal()
    show = progress_printer(out)
    assert show is not None
    show(ProgressStep("Satu", 1, 3))
    show(ProgressStep("Dua", 0, 0))
    assert out.getvalue() == "\rSatu:  33%\n\rDua: 100%\n"
