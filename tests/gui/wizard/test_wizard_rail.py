"""The step rail: 24 steps by phase, done / current / to do, and the step counter."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel

from wizard.wizard_support import Driver

pytestmark = pytest.mark.gui


def test_a_new_registration_starts_at_step_1_of_24(wizard: Driver) -> None:
    window = wizard.window
    rail = window.findChild(type(window.rail), "step_rail")
    assert rail is window.rail
    assert rail.current_step == 1
    assert rail.property("current_step") == 1
    assert window.counter.text() == "Langkah 1 dari 24"
    assert rail.findChild(QLabel, "rail_fase_A").text() == "A. Buat Akun"
    assert rail.findChild(QLabel, "rail_fase_B").text() == "B. Pendaftaran"
    assert rail.state_of(1) == "current"
    assert {rail.state_of(n) for n in range(2, 25)} == {"todo"}
    assert rail.row_text(17) == "Riwayat Pekerjaan"


def test_the_rail_follows_the_flow(wizard: Driver, samples: Callable[[str], Path]) -> None:
    rail = wizard.window.rail
    wizard.to_identity()
    assert rail.current_step == 2
    assert rail.state_of(1) == "done"
    assert rail.state_of(2) == "current"
    wizard.identity()
    wizard.press("Lanjutkan")
    wizard.wait_step(5)
    assert rail.state_of(3) == "done"
    assert rail.state_of(4) == "done"  # the button step passed on the way
    assert rail.row(5).accessibleName() == "Langkah 5: Buat Kata Sandi — langkah saat ini"


def test_a_dialog_step_is_current_over_its_page(
    wizard: Driver, samples: Callable[[str], Path]
) -> None:
    wizard.to_review(samples)
    wizard.press("Proses Pembuatan Akun")
    wizard.qtbot.waitUntil(lambda: wizard.window.confirm_dialog is not None)
    rail = wizard.window.rail
    assert rail.current_step == 11
    assert rail.state_of(11) == "current"
    assert rail.state_of(9) == "current"
    assert wizard.window.counter.text() == "Langkah 11 dari 24"
    wizard.answer_dialog(yes=False)
    wizard.wait_step(9)
    assert rail.state_of(11) == "todo"
