"""The progress step every long operation reports."""

from __future__ import annotations

import pytest

from nonasn_desktop.core.progress import ProgressStep


@pytest.mark.parametrize(
    ("done", "total", "percent"),
    [(0, 10, 0), (5, 10, 50), (10, 10, 100), (11, 10, 100), (-1, 10, 0), (0, 0, 100)],
)
def test_percent_is_clamped(done: int, total: int, percent: int) -> None:
    assert ProgressStep("Membaca", done, total).percent == percent
