from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from helpers.accounts import actor_for
from nonasn_desktop.accounts.authz import Actor
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.demo import generate as demo
from nonasn_desktop.errors import StorageError
from nonasn_desktop.gui import dashboard as dashboard_module
from nonasn_desktop.gui import messages, record_model
from nonasn_desktop.gui.dashboard import NO_MATCH, NO_RECORDS, Dashboard
from nonasn_desktop.gui.record_model import (
    COL_ELIGIBLE,
    COL_NAMA,
    COL_NIK,
    COL_STATUS,
    COL_STEP,
    COL_UPDATED,
    RECORD_ROLE,
    format_count,
    format_timestamp,
)
from nonasn_desktop.office import identity as office
from nonasn_desktop.registration import records
from nonasn_desktop.registration.records import RecordOrder, RecordQuery
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.rules.timezones import office_zone
from nonasn_desktop.startup import open_app

pytestmark = pytest.mark.gui

MIX = ((RecordStatus.DRAF, 5), (RecordStatus.AKUN_DIBUAT, 5), (RecordStatus.DISETUJUI, 8))


@pytest.fixture(scope="module")
def demo_ctx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppContext]:
    """An office with 18 registrations made by the real flow (read-only for these tests)."""
    folder: Path = tmp_path_factory.mktemp("dashboard") / "data"
    ctx = open_app(folder, create=True)
    try:
        office.initialise(ctx, office_code="3273", office_name="BKD Kota Bandung")
        for seed, (status, count) in enumerate(MIX):
            demo.generate(ctx, count, status, seed=seed, actor=actor_for(ctx))
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def board(qtbot: QtBot, demo_ctx: AppContext) -> Dashboard:
    widget = Dashboard(demo_ctx, actor_for(demo_ctx))
    qtbot.addWidget(widget)
    widget.resize(1300, 700)
    widget.refresh()
    return widget


def _statuses(board: Dashboard) -> set[RecordStatus]:
    model = board.model
    return {model.record(row).status for row in range(model.rowCount())}  # type: ignore[union-attr]


def test_opens_with_every_record_and_counts_per_status(board: Dashboard) -> None:
    assert board.model.rowCount() == 18
    assert board.summary.text() == "18 data"
    assert board.chips[None].text() == "Semua  18"
    assert board.chips[RecordStatus.DRAF].text() == "Draf  5"
    assert board.chips[RecordStatus.AKUN_DIBUAT].text() == "Akun Dibuat  5"
    assert board.chips[RecordStatus.DISETUJUI].text() == "Disetujui  8"
    assert board.chips[RecordStatus.DIEKSPOR].text() == "Diekspor  0"
    assert board.stack.currentWidget() is board.view
    assert not board.clear_button.isEnabled()
    # Newest first, as the service orders them.
    expected = [
        r.id for r in records.search(board._ctx, RecordQuery(), 0, 18, actor=actor_for(board._ctx))
    ]
    shown = [board.model.record(row).id for row in range(18)]  # type: ignore[union-attr]
    assert shown == expected


def test_columns_show_the_record(board: Dashboard, demo_ctx: AppContext) -> None:
    model = board.model
    approved = next(
        row for row in range(model.rowCount()) if model.record(row).status is RecordStatus.DISETUJUI
    )
    item = model.record(approved)
    assert item is not None
    display = [model.index(approved, c).data() for c in range(model.columnCount())]
    assert display[COL_NIK] == item.nik
    assert display[COL_NAMA] == item.nama
    assert display[COL_STATUS] == "Disetujui"
    assert display[COL_STEP] == f"{item.current_step}/24"
    assert display[COL_ELIGIBLE] in (
        "MS",
        f"TMS ({(item.failed_criteria or '').replace(',', ', ')})",
    )
    assert display[6] == item.account_number
    # dd-mm-yyyy HH:MM
    assert len(display[COL_UPDATED]) == 16
    assert display[COL_UPDATED][2] == "-"
    assert display[COL_UPDATED][5] == "-"
    assert model.index(approved, 0).data(RECORD_ROLE) == item
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == [
        "NIK",
        "Nama",
        "Unit Kerja",
        "Status",
        "Langkah",
        "MS/TMS",
        "Nomor Akun",
        "Diperbarui",
    ]


def test_search_as_you_type_is_debounced(qtbot: QtBot, board: Dashboard) -> None:
    target = board.model.record(3)
    assert target is not None
    assert target.nik
    spaced = " ".join(target.nik[i : i + 4] for i in range(0, 16, 4))
    qtbot.keyClicks(board.search, spaced)
    # Typing only starts the timer; the list changes once typing pauses.
    assert board._search_timer.isActive()
    assert board.model.rowCount() == 18
    qtbot.waitUntil(lambda: board.model.rowCount() == 1, timeout=2000)
    assert board.model.record(0).id == target.id  # type: ignore[union-attr]
    assert board.summary.text() == "1 data ditampilkan"
    assert board.clear_button.isEnabled()


def test_search_by_name_word(qtbot: QtBot, board: Dashboard, demo_ctx: AppContext) -> None:
    named = next(
        board.model.record(r)
        for r in range(18)
        if board.model.record(r).nama  # type: ignore[union-attr]
    )
    assert named is not None
    assert named.nama
    word = named.nama.split()[-1].lower()
    board.search.setText(word)
    board.apply_filters()
    found = [board.model.record(r).id for r in range(board.model.rowCount())]  # type: ignore[union-attr]
    assert named.id in found
    expected = records.count(demo_ctx, RecordQuery(text=word), actor=actor_for(demo_ctx))
    assert len(found) == expected


def test_enter_in_the_search_box_searches_at_once_and_selects(
    qtbot: QtBot, board: Dashboard
) -> None:
    qtbot.keyClicks(board.search, "3")
    assert board._search_timer.isActive()
    qtbot.keyClick(board.search, Qt.Key.Key_Return)
    assert not board._search_timer.isActive()
    assert board.model.query.text == "3"
    assert board.current_record() == board.model.record(0)


def test_status_chip_filters_and_keeps_the_other_counts(qtbot: QtBot, board: Dashboard) -> None:
    qtbot.mouseClick(board.chips[RecordStatus.DRAF], Qt.MouseButton.LeftButton)
    assert board.model.rowCount() == 5
    assert _statuses(board) == {RecordStatus.DRAF}
    assert board.chips[RecordStatus.DISETUJUI].text() == "Disetujui  8"
    assert board.summary.text() == "5 data ditampilkan"
    qtbot.mouseClick(board.chips[None], Qt.MouseButton.LeftButton)
    assert board.model.rowCount() == 18


def test_unit_and_eligibility_filters(board: Dashboard, demo_ctx: AppContext) -> None:
    units = records.unit_names(demo_ctx, actor=actor_for(demo_ctx))
    assert [board.unit.itemText(i) for i in range(board.unit.count())] == [
        "Semua unit kerja",
        *units,
    ]
    board.unit.setCurrentIndex(1)
    board.apply_filters()
    expected = records.count(demo_ctx, RecordQuery(unit_kerja=units[0]), actor=actor_for(demo_ctx))
    assert board.model.rowCount() == expected
    assert {board.model.record(r).unit_kerja for r in range(expected)} == {units[0]}  # type: ignore[union-attr]
    board.unit.setCurrentIndex(0)
    board.eligibility.setCurrentIndex(board.eligibility.findData("MS"))
    board.apply_filters()
    ms = records.count(demo_ctx, RecordQuery(eligibility="MS"), actor=actor_for(demo_ctx))
    assert board.model.rowCount() == ms
    assert all(board.model.record(r).eligible for r in range(ms))  # type: ignore[union-attr]
    assert sum(int(board.chips[s].text().split()[-1]) for s in RecordStatus) == ms


def test_no_match_and_clearing_filters(qtbot: QtBot, board: Dashboard) -> None:
    board.search.setText("zzzz tidak ada")
    board.apply_filters()
    assert board.model.rowCount() == 0
    assert board.stack.currentWidget() is board.empty
    assert board.empty.text() == NO_MATCH
    assert board.chips[None].text() == "Semua  0"
    qtbot.mouseClick(board.clear_button, Qt.MouseButton.LeftButton)
    assert board.search.text() == ""
    assert board.model.rowCount() == 18
    assert board.stack.currentWidget() is board.view


def test_an_office_without_records(qtbot: QtBot, app_ctx: AppContext) -> None:
    widget = Dashboard(app_ctx, actor_for(app_ctx))
    qtbot.addWidget(widget)
    widget.set_empty_hint("Tekan Pendataan Baru.")
    widget.refresh()
    assert widget.model.rowCount() == 0
    assert widget.empty.text() == f"{NO_RECORDS}\nTekan Pendataan Baru."
    assert widget.unit.count() == 1


def test_header_click_sorts_by_name_then_reverses(qtbot: QtBot, board: Dashboard) -> None:
    header = board.view.horizontalHeader()
    header.sectionClicked.emit(COL_NAMA)
    assert board.model.query.order is RecordOrder.NAMA_AZ
    names = [board.model.record(r).nama for r in range(18)]  # type: ignore[union-attr]
    named = [n.casefold() for n in names if n]
    assert named == sorted(named)
    header.sectionClicked.emit(COL_NAMA)
    assert board.model.query.order is RecordOrder.NAMA_ZA
    # A column without an order keeps the current one.
    header.sectionClicked.emit(COL_STATUS)
    assert board.model.query.order is RecordOrder.NAMA_ZA
    assert header.sortIndicatorSection() == COL_NAMA
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder


def test_enter_and_double_click_activate_the_record(qtbot: QtBot, board: Dashboard) -> None:
    board.show()
    qtbot.waitExposed(board)
    board.view.setFocus()
    board.view.selectRow(2)
    wanted = board.model.record(2)
    with qtbot.waitSignal(board.activated) as blocker:
        qtbot.keyClick(board.view, Qt.Key.Key_Return)
    assert blocker.args == [wanted]
    assert board.current_record() == wanted


def test_selection_is_reported(qtbot: QtBot, board: Dashboard) -> None:
    with qtbot.waitSignal(board.current_changed) as blocker:
        board.view.selectRow(4)
    assert blocker.args == [board.model.record(4)]
    assert board.select_record(board.model.record(7).id)  # type: ignore[union-attr]
    assert board.current_record() == board.model.record(7)


def _pages_read(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """From now on, the (offset, limit) of every page of records the screen reads."""
    pages: list[tuple[int, int]] = []
    real = records.search

    def counting(ctx: AppContext, query: RecordQuery, offset: int, limit: int, *, actor: Actor):  # type: ignore[no-untyped-def]
        pages.append((offset, limit))
        return real(ctx, query, offset, limit, actor=actor)

    monkeypatch.setattr(records, "search", counting)
    return pages


def test_rows_are_read_page_by_page(
    qtbot: QtBot, demo_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(record_model, "PAGE_SIZE", 5)
    monkeypatch.setattr(record_model, "MAX_PAGES", 2)
    real = records.search
    calls = _pages_read(monkeypatch)
    model = record_model.RecordTableModel(demo_ctx, actor_for(demo_ctx))
    model.set_query(RecordQuery())
    assert model.rowCount() == 18
    assert calls == [(0, 5)]
    everything = [model.record(row).id for row in range(18)]  # type: ignore[union-attr]
    assert calls == [(0, 5), (5, 5), (10, 5), (15, 5)]
    assert everything == [
        r.id for r in real(demo_ctx, RecordQuery(), 0, 18, actor=actor_for(demo_ctx))
    ]
    # Only two pages are kept: going back reads the first again.
    model.record(0)
    assert calls[-1] == (0, 5)
    assert model.record(18) is None


def test_a_page_that_cannot_be_read_is_reported_once(
    qtbot: QtBot, demo_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[BaseException] = []
    monkeypatch.setattr(messages, "show_error", lambda _parent, exc: shown.append(exc))
    widget = Dashboard(demo_ctx, actor_for(demo_ctx))
    qtbot.addWidget(widget)
    widget.refresh()

    def broken(*_args: object, **_kwargs: object) -> list[records.RecordRow]:
        raise StorageError("Basis data sedang dipakai program lain.")

    monkeypatch.setattr(records, "search", broken)
    widget.model._pages.clear()
    assert widget.model.index(0, COL_NAMA).data() is None
    assert widget.model.index(1, COL_NAMA).data() is None
    qtbot.waitUntil(lambda: len(shown) == 1)
    assert isinstance(shown[0], StorageError)


def test_a_database_error_while_filtering_is_shown(
    qtbot: QtBot, board: Dashboard, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(
        messages, "show_user_error", lambda _parent, exc, title="": shown.append(str(exc))
    )

    def broken(*_args: object, **_kwargs: object) -> dict[RecordStatus, int]:
        raise StorageError("Basis data sedang dipakai program lain.")

    monkeypatch.setattr(records, "counts_by_status", broken)
    board.search.setText("budi")
    board.apply_filters()
    assert shown == ["Basis data sedang dipakai program lain."]
    assert board.model.rowCount() == 0


def test_counts_are_read_again_only_when_they_can_change(
    board: Dashboard, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[RecordQuery] = []
    real = records.counts_by_status

    def counting(ctx: AppContext, query: RecordQuery, *, actor: Actor) -> dict[RecordStatus, int]:
        calls.append(query)
        return real(ctx, query, actor=actor)

    monkeypatch.setattr(records, "counts_by_status", counting)
    # Another status or another order: the same counts.
    board.chips[RecordStatus.DRAF].click()
    board.view.horizontalHeader().sectionClicked.emit(COL_NAMA)
    assert calls == []
    assert board.model.rowCount() == 5
    # Another search, or a refresh (a record may have changed): read again.
    board.search.setText("a")
    board.apply_filters()
    board.refresh()
    assert len(calls) == 2


def test_context_menu_offers_the_given_actions(
    qtbot: QtBot, board: Dashboard, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QMenu

    action = QAction("Lanjutkan", board)
    board.set_context_actions([action, None])
    popped: list[list[str]] = []
    monkeypatch.setattr(
        QMenu,
        "popup",
        lambda menu, _pos, _at=None: popped.append([a.text() for a in menu.actions()]),
    )
    board.show()
    qtbot.waitExposed(board)
    rect = board.view.visualRect(board.model.index(1, COL_NAMA))
    board._context_menu(rect.center())
    assert popped == [["Lanjutkan", ""]]
    assert board.current_record() == board.model.record(1)


def test_counts_are_written_the_indonesian_way() -> None:
    assert format_count(100000) == "100.000"
    assert format_count(7) == "7"
    assert dashboard_module.SEARCH_DELAY_MS == 150


def test_every_control_has_a_name_and_short_ones_a_tooltip(qtbot: QtBot, board: Dashboard) -> None:
    from helpers.accessibility import focus_chain, spoken_name, unnamed

    board.show()
    qtbot.waitExposed(board)
    names = {w.objectName() for w in focus_chain(board)}
    assert {"search", "unit_filter", "eligibility_filter", "record_table"} <= names
    assert unnamed(board) == []
    assert spoken_name(board.chips[None]).startswith("Semua status: ")


def test_times_are_shown_on_the_office_clock_whatever_the_laptops_zone() -> None:
    # Office 3273 (Jawa Barat) keeps WIB, UTC+7; a laptop set to UTC or to New York changes
    # nothing of what the clerk reads.
    moment = dt.datetime(2026, 12, 5, 15, 6, tzinfo=dt.UTC)
    wib = office_zone("3273")
    assert format_timestamp(moment, wib) == "05-12-2026 22:06"
    assert format_timestamp(moment, office_zone("9171")) == "06-12-2026 00:06"


def test_a_filter_change_reads_only_the_pages_on_screen(
    qtbot: QtBot, demo_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Fitting the Nama column measured up to 1,000 rows (Qt's default), which read every page
    # of a large list from the database on each filter change.
    monkeypatch.setattr(record_model, "PAGE_SIZE", 2)
    widget = Dashboard(demo_ctx, actor_for(demo_ctx))
    qtbot.addWidget(widget)
    widget.resize(1300, 330)
    widget.show()
    qtbot.waitExposed(widget)
    pages = _pages_read(monkeypatch)
    widget.refresh()
    visible = widget.view.verticalHeader().visualIndexAt(widget.view.viewport().height() - 1)
    assert 0 < visible < 16
    assert widget.model.rowCount() == 18
    assert pages
    assert max(offset for offset, _ in pages) <= visible


def test_opening_before_the_board_is_shown_reads_only_the_first_rows(
    qtbot: QtBot, demo_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    # While the view is hidden Qt treats every row as "visible" when measuring: the list was
    # read to its end (100,000 rows) before the window appeared. Tall rows: a screenful is a
    # few of the 18.
    monkeypatch.setattr(record_model, "PAGE_SIZE", 1)
    monkeypatch.setattr(dashboard_module, "ROW_HEIGHT", 150)
    pages = _pages_read(monkeypatch)
    widget = Dashboard(demo_ctx, actor_for(demo_ctx))
    qtbot.addWidget(widget)
    widget.resize(1300, 330)
    widget.refresh()
    assert not widget.isVisible()
    assert widget.model.rowCount() == 18
    rows_measured = widget.view.horizontalHeader().resizeContentsPrecision()
    assert 0 < rows_measured < 10
    assert max(offset for offset, _ in pages) < rows_measured
