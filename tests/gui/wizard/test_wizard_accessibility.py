"""Every control a clerk can reach with Tab has a name a screen reader reads, and a tooltip
where its visible label is short (issue 13, item 7). The walk goes through every page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from helpers.accessibility import focus_chain, unnamed
from wizard.walk_support import register_dewi, walk_roster_person
from wizard.wizard_support import Driver

if TYPE_CHECKING:
    from nonasn_desktop.core.context import AppContext


@pytest.mark.slow
def test_every_wizard_page_names_every_control(
    open_wizard: Callable[..., Driver], samples: Callable[[str], Path], office_ready: AppContext
) -> None:
    register_dewi(office_ready)
    wizard = open_wizard()
    problems: dict[int, list[str]] = {}
    visited: list[int] = []

    def on_page(step: int) -> None:
        visited.append(step)
        found = unnamed(wizard.window)
        if found:
            problems[step] = found
        assert focus_chain(wizard.window), step

    walk_roster_person(wizard, samples, on_page)
    assert visited == [1, 2, 3, 5, 6, 7, 9, 12, 13, 15, 16, 17, 19, 21, 24]
    assert problems == {}
