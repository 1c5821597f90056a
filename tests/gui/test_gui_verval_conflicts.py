"""A record flagged "NIK ganda" is marked in the verval queue and in the record list, and the
verval window does not offer to approve it (the service refuses it too)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from helpers.accounts import FakeClock, actor_for, add_clerk, sign_in, signed_in
from helpers.conflicts import flag_nik_conflict
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.demo import generate as demo
from nonasn_desktop.gui.dashboard import Dashboard
from nonasn_desktop.gui.record_model import COL_NAMA, COL_NIK
from nonasn_desktop.gui.verval import VervalWindow
from nonasn_desktop.office import identity as office
from nonasn_desktop.rules.roles import Role
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.startup import open_app
from nonasn_desktop.storage.models import Registration
from nonasn_desktop.verval.conflicts import settle_nik_conflict

pytestmark = pytest.mark.gui


@pytest.fixture
def flagged(tmp_path: Path, clock: FakeClock) -> Iterator[tuple[AppContext, int, int, str]]:
    """An office with three finished records, the first two flagged as one NIK."""
    ctx = open_app(tmp_path / "data", create=True, clock=clock)
    try:
        office.initialise(
            ctx, office_code="3273", office_name="BKPSDM Kota Bandung",
            admin=("admin", "rahasia123"),
        )  # fmt: skip
        add_clerk(ctx, "veri", Role.VERIFIKATOR, full_name="Petugas Verval")
        demo.generate(ctx, 3, RecordStatus.PENDAFTARAN_SELESAI, seed=41, actor=actor_for(ctx))
        with ctx.db.session() as session:
            first, second, _ = session.scalars(select(Registration.id).order_by(Registration.id))
        nik = flag_nik_conflict(ctx, first, second)
        yield ctx, first, second, nik
    finally:
        ctx.close()


def _entry_text(window: VervalWindow, registration_id: int) -> tuple[str, str]:
    for row in range(window.queue_list.count()):
        item = window.queue_list.item(row)
        if item.data(Qt.ItemDataRole.UserRole) == registration_id:
            return item.text(), item.toolTip()
    raise AssertionError(f"record {registration_id} not in the queue")


def test_the_queue_marks_both_records_and_approval_is_not_offered(
    qtbot: QtBot, flagged: tuple[AppContext, int, int, str]
) -> None:
    ctx, first, second, nik = flagged
    window = VervalWindow(ctx, sign_in(ctx, "veri"))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    assert window.queue_list.count() == 3
    for registration_id, partner in ((first, second), (second, first)):
        text, tip = _entry_text(window, registration_id)
        assert "·  NIK GANDA" in text.splitlines()[0]
        # The second holder keeps the NIK aside; the queue shows it all the same.
        assert text.splitlines()[1] == f"NIK {nik}"
        assert f"pendaftaran nomor {partner}" in tip
        window.select_record(registration_id)
        assert window._review is not None
        assert window._review.id == registration_id
        assert window.conflict_warning.isVisible()
        assert window.conflict_warning.text().startswith("NIK ganda: NIK ")
        assert not window.decision_buttons[RecordStatus.DISETUJUI].isEnabled()
        assert window.decision_buttons[RecordStatus.DITOLAK].isEnabled()
    if os.environ.get("NONASN_GRAB_DIR"):  # for looking at it: NONASN_GRAB_DIR=/tmp/x pytest …
        qtbot.wait(50)  # the panes are balanced once the window is laid out
        window.grab().save(str(Path(os.environ["NONASN_GRAB_DIR"]) / "verval-nik-ganda.png"))
    other = next(
        window.queue_list.item(row).data(Qt.ItemDataRole.UserRole)
        for row in range(window.queue_list.count())
        if window.queue_list.item(row).data(Qt.ItemDataRole.UserRole) not in (first, second)
    )
    text, _ = _entry_text(window, other)
    assert "NIK GANDA" not in text
    window.select_record(other)
    assert not window.conflict_warning.isVisible()
    assert window.decision_buttons[RecordStatus.DISETUJUI].isEnabled()


def test_after_settling_only_the_duplicate_stays_marked(
    qtbot: QtBot, flagged: tuple[AppContext, int, int, str]
) -> None:
    ctx, first, second, _ = flagged
    settle_nik_conflict(
        ctx, first, actor=signed_in(ctx, "veri"), reason="Data kantor lebih lengkap"
    )
    window = VervalWindow(ctx, sign_in(ctx, "veri"))
    qtbot.addWidget(window)
    window.show()
    assert "NIK GANDA" not in _entry_text(window, first)[0]
    text, tip = _entry_text(window, second)
    assert "·  NIK GANDA (DUPLIKAT)" in text
    assert "Tolak data ini" in tip
    window.select_record(first)
    assert window.decision_buttons[RecordStatus.DISETUJUI].isEnabled()
    window.select_record(second)
    assert not window.decision_buttons[RecordStatus.DISETUJUI].isEnabled()


def test_the_record_list_marks_the_pair(
    qtbot: QtBot, flagged: tuple[AppContext, int, int, str]
) -> None:
    ctx, first, second, nik = flagged
    board = Dashboard(ctx, actor_for(ctx))
    qtbot.addWidget(board)
    board.resize(1300, 700)
    board.refresh()
    marked = {}
    for row in range(board.model.rowCount()):
        item = board.model.record(row)
        assert item is not None
        name = board.model.index(row, COL_NAMA)
        marked[item.id] = (
            name.data(),
            board.model.index(row, COL_NIK).data(),
            name.data(Qt.ItemDataRole.ToolTipRole),
        )
    assert set(marked) == {first, second, *(set(marked) - {first, second})}
    for registration_id in (first, second):
        shown_name, shown_nik, tip = marked[registration_id]
        assert shown_name.endswith("  · NIK ganda")
        assert shown_nik == nik
        assert "Data › NIK Ganda" in tip
    others = [values for key, values in marked.items() if key not in (first, second)]
    assert others
    assert all(not name.endswith("NIK ganda") and tip is None for name, _, tip in others)
