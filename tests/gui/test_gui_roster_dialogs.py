from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTableWidget
from pytestqt.qtbot import QtBot

from helpers.accounts import actor_for
from helpers.workbooks import header_of, not_a_spreadsheet, people, rows_of, write_xlsx
from nonasn_desktop.accounts import users
from nonasn_desktop.accounts.users import UserInfo
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.core.progress import ProgressStep
from nonasn_desktop.demo import generate as demo
from nonasn_desktop.gui import roster_dialogs
from nonasn_desktop.office import identity as office
from nonasn_desktop.roster import entries as roster
from nonasn_desktop.roster.importing import PHASE_READING, PHASE_SAVING
from nonasn_desktop.rules.roles import Role
from nonasn_desktop.rules.status import RecordStatus

pytestmark = pytest.mark.gui


def _choose(
    monkeypatch: pytest.MonkeyPatch, open_path: Path | None = None, save: Path | None = None
) -> None:
    monkeypatch.setattr(roster_dialogs, "choose_open_path", lambda parent: open_path)
    monkeypatch.setattr(roster_dialogs, "choose_save_path", lambda parent, title, name: save)


def _finish(qtbot: QtBot, dialog: Any) -> None:
    if dialog.task is not None:
        with qtbot.waitSignal(dialog.done_with, timeout=30_000):
            pass


def _text(dialog: Any, name: str) -> str:
    label = dialog.findChild(QLabel, name)
    assert label is not None, name
    return str(label.text())


def test_import_shows_the_outcome_and_saves_the_report(
    qtbot: QtBot,
    app_ctx: AppContext,
    admin_user: UserInfo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    staff = people(5)
    rows = rows_of(staff)
    rows[3][0] = float(staff[3]["nik"])
    path = write_xlsx(tmp_path / "daftar.xlsx", [["DAFTAR"], header_of(), *rows])
    _choose(monkeypatch, open_path=path, save=tmp_path / "laporan.xlsx")
    dialog = roster_dialogs.open_roster_import(None, app_ctx, admin_user)
    assert dialog is not None
    _finish(qtbot, dialog)
    assert _text(dialog, "count_added") == "4"
    assert _text(dialog, "count_refused") == "1"
    assert "1 baris ditolak" in dialog.status.text()
    table = dialog.findChild(QTableWidget, "refused_table")
    assert table is not None
    assert table.rowCount() == 1
    assert table.item(0, 0).text() == "6"
    assert table.item(0, 1).text() == "A6"
    assert "15 digit" in table.item(0, 4).text()
    assert dialog.close_button.isVisible()
    assert not dialog.cancel_button.isVisible()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert (tmp_path / "laporan.xlsx").exists()
    assert load_workbook(tmp_path / "laporan.xlsx").sheetnames[1] == "Baris Ditolak"
    assert dialog.save_button.text() == "Laporan disimpan"
    assert roster.count(app_ctx) == 4
    dialog.close()


def test_cancel_leaves_the_roster_unchanged(
    qtbot: QtBot,
    app_ctx: AppContext,
    admin_user: UserInfo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = write_xlsx(tmp_path / "besar.xlsx", [header_of(), *rows_of(people(1500))])
    _choose(monkeypatch, open_path=path)
    dialog = roster_dialogs.open_roster_import(None, app_ctx, admin_user)
    assert dialog is not None
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert not dialog.cancel_button.isEnabled()
    _finish(qtbot, dialog)
    assert dialog.status.text() == "Dibatalkan."
    assert "tidak berubah" in dialog.error.text()
    assert roster.count(app_ctx) == 0
    dialog.close()


def test_unreadable_file_is_explained_in_the_dialog(
    qtbot: QtBot,
    app_ctx: AppContext,
    admin_user: UserInfo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _choose(monkeypatch, open_path=not_a_spreadsheet(tmp_path / "foto.xlsx"))
    dialog = roster_dialogs.open_roster_import(None, app_ctx, admin_user)
    assert dialog is not None
    _finish(qtbot, dialog)
    assert dialog.error.isVisible()
    assert "bukan lembar kerja" in dialog.error.text()
    assert not dialog.save_button.isVisible()
    dialog.close()


def test_only_admins_import(
    qtbot: QtBot,
    app_ctx: AppContext,
    admin_user: UserInfo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    users.create_user(
        app_ctx, username="budi", full_name="Budi", role=Role.OPERATOR,
        password="kunci2026", actor=admin_user.actor,
    )  # fmt: skip
    clerk = users.authenticate(app_ctx, "budi", "kunci2026")
    path = write_xlsx(tmp_path / "d.xlsx", [header_of(), *rows_of(people(2))])
    _choose(monkeypatch, open_path=path)
    dialog = roster_dialogs.open_roster_import(None, app_ctx, clerk)
    assert dialog is not None
    _finish(qtbot, dialog)
    assert "Admin" in dialog.error.text()
    assert roster.count(app_ctx) == 0
    dialog.close()


def test_no_file_chosen_does_nothing(
    app_ctx: AppContext, admin_user: UserInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    _choose(monkeypatch)
    assert roster_dialogs.open_roster_import(None, app_ctx, admin_user) is None
    assert roster_dialogs.export_recap(None, app_ctx, admin_user) is None
    assert roster_dialogs.save_roster_template(None, app_ctx) is None


def test_template_is_saved(
    qtbot: QtBot, app_ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    told: list[str] = []
    _choose(monkeypatch, save=tmp_path / "templat.xlsx")
    monkeypatch.setattr(roster_dialogs, "inform", lambda parent, title, text: told.append(text))
    assert roster_dialogs.save_roster_template(None, app_ctx) == tmp_path / "templat.xlsx"
    assert load_workbook(tmp_path / "templat.xlsx").sheetnames[0] == "Daftar Tenaga Non-ASN"
    assert "Petunjuk" in told[0]


def test_recap_export(
    qtbot: QtBot,
    app_ctx: AppContext,
    admin_user: UserInfo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    office.initialise(app_ctx, office_code="3273", office_name="BKD Kota Bandung")
    demo.generate(app_ctx, 3, RecordStatus.PENDAFTARAN_SELESAI, seed=5, actor=actor_for(app_ctx))
    target = tmp_path / "rekap.xlsx"
    _choose(monkeypatch, save=target)
    dialog = roster_dialogs.export_recap(None, app_ctx, admin_user)
    assert dialog is not None
    _finish(qtbot, dialog)
    assert "3 data pendaftaran" in dialog.status.text()
    assert str(target) in _text(dialog, "recap_path")
    assert load_workbook(target).sheetnames == ["Per Unit Kerja", "Data"]
    dialog.close()


def test_progress_names_the_phase() -> None:
    reading = ProgressStep(PHASE_READING, 1200, 5000)
    saving = ProgressStep(PHASE_SAVING, 10, 50)
    assert roster_dialogs.RosterImportDialog.describe_step(reading) == (
        "Membaca dan memeriksa baris 1.200 dari 5.000…"
    )
    assert "menyimpan ke daftar" in roster_dialogs.RosterImportDialog.describe_step(saving)
