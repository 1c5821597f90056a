"""The backup screens of the Admin menu and the daily backup runner."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu, QWidget
from pytestqt.qtbot import QtBot

from helpers.accounts import ADMIN_PASSWORD, ADMIN_USERNAME, actor_for
from helpers.folders import make_office_folder, opened_copy
from nonasn_desktop.accounts import users
from nonasn_desktop.accounts.users import UserInfo
from nonasn_desktop.backup import archive as backup
from nonasn_desktop.backup import automatic as backup_auto
from nonasn_desktop.backup import verify as backup_verify
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.demo import generate as demo
from nonasn_desktop.gui import backup_dialogs, messages
from nonasn_desktop.gui.backup_dialogs import AutoBackupDialog, BackupDialog, RestoreDialog
from nonasn_desktop.gui.daily_backup import DailyBackupRunner
from nonasn_desktop.office import identity as office
from nonasn_desktop.registration import store as registrations
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.startup import open_app

pytestmark = pytest.mark.gui


if TYPE_CHECKING:
    from helpers.accounts import FakeClock


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_office_folder(tmp_path_factory.mktemp("template") / "data", records=2, seed=5)


@pytest.fixture
def ctx(template: Path, tmp_path: Path, clock: FakeClock) -> Iterator[AppContext]:
    with opened_copy(template, tmp_path / "data", clock) as opened:
        yield opened


@pytest.fixture
def admin(ctx: AppContext) -> UserInfo:
    return users.authenticate(ctx, ADMIN_USERNAME, ADMIN_PASSWORD)


def _count(ctx: AppContext) -> int:
    return sum(registrations.count_by_status(ctx).values())


def _click(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def test_backup_dialog_makes_the_archive_and_says_where(
    qtbot: QtBot, ctx: AppContext, admin: UserInfo, tmp_path: Path
) -> None:
    dialog = BackupDialog(ctx, admin)
    qtbot.addWidget(dialog)
    assert dialog.path.text().endswith(".zip")
    assert Path(dialog.path.text()).name.startswith("nonasn-cadangan-3273-")
    target = tmp_path / "usb" / "cadangan.zip"
    target.parent.mkdir()
    dialog.path.setText(str(target))
    with qtbot.waitSignal(dialog.backed_up, timeout=20000):
        _click(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: not dialog.working)
    assert target.is_file()
    assert f"Cadangan dibuat: {target}" in dialog.summary.text()
    assert "2 pendaftaran" in dialog.summary.text()
    assert not dialog.ok_button.isVisible()
    assert backup_verify.verify_backup(target).registrations == 2


def test_backup_dialog_shows_why_it_could_not(
    qtbot: QtBot, ctx: AppContext, admin: UserInfo, tmp_path: Path
) -> None:
    dialog = BackupDialog(ctx, admin)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.path.setText(str(tmp_path / "tidak-ada" / "cadangan.zip"))
    _click(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=20000)
    qtbot.waitUntil(lambda: not dialog.working)
    assert "tidak ada" in dialog.error.text()
    assert dialog.ok_button.isEnabled()
    dialog.path.clear()
    _click(qtbot, dialog.ok_button)
    assert dialog.error.text() == "Pilih tempat menyimpan berkas cadangan."


def test_restore_dialog_checks_shows_confirms_and_restores(
    qtbot: QtBot,
    ctx: AppContext,
    admin: UserInfo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    archive = backup.create_backup(ctx, tmp_path / "cadangan.zip", actor=actor_for(ctx)).path
    demo.generate(ctx, 1, RecordStatus.DRAF, seed=6, actor=actor_for(ctx))
    assert _count(ctx) == 3
    questions: list[str] = []

    def confirm(_parent: object, _title: str, text: str) -> bool:
        questions.append(text)
        return True

    monkeypatch.setattr(messages, "confirm", confirm)
    dialog = RestoreDialog(ctx, admin)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.ok_button.isEnabled()
    dialog.path.setText(str(archive))
    dialog.check()
    qtbot.waitUntil(lambda: dialog.checked is not None and not dialog.working, timeout=20000)
    assert dialog.facts["Isi"].text().startswith("2 pendaftaran")
    assert dialog.facts["Kantor"].text() == "3273 — BKD Kota Bandung"
    assert not dialog.warning.isVisible()
    assert dialog.ok_button.isEnabled()
    with qtbot.waitSignal(dialog.restored, timeout=30000):
        _click(qtbot, dialog.ok_button)
    assert "cadangan.zip" in questions[0]
    assert dialog.outcome is not None
    assert dialog.outcome.safety_copy is not None
    assert _count(ctx) == 2


def test_restore_dialog_refuses_a_damaged_file_and_no_changes_nothing(
    qtbot: QtBot,
    ctx: AppContext,
    admin: UserInfo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    damaged = tmp_path / "rusak.zip"
    damaged.write_bytes(b"bukan cadangan")
    dialog = RestoreDialog(ctx, admin)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.path.setText(str(damaged))
    dialog.check()
    qtbot.waitUntil(lambda: dialog.error.isVisible() and not dialog.working, timeout=20000)
    assert "tidak dapat dipakai" in dialog.error.text()
    assert not dialog.ok_button.isEnabled()

    good = backup.create_backup(ctx, tmp_path / "baik.zip", actor=actor_for(ctx)).path
    dialog.path.setText(str(good))
    dialog.check()
    qtbot.waitUntil(lambda: dialog.checked is not None and not dialog.working, timeout=20000)
    assert not dialog.error.isVisible()
    monkeypatch.setattr(messages, "confirm", lambda *_args: False)
    _click(qtbot, dialog.ok_button)
    assert not dialog.working
    assert dialog.outcome is None
    assert list(ctx.data_dir.backups_dir.iterdir()) == []


def test_restore_dialog_warns_about_another_office(
    qtbot: QtBot, ctx: AppContext, admin: UserInfo, tmp_path: Path
) -> None:
    other = tmp_path / "lain"
    with open_app(other, create=True) as other_ctx:
        office.initialise(other_ctx, office_code="3204", office_name="BKPSDM Kab. Bandung")
        archive = backup.create_backup(
            other_ctx, tmp_path / "lain.zip", actor=actor_for(other_ctx)
        ).path
    dialog = RestoreDialog(ctx, admin)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.path.setText(str(archive))
    dialog.check()
    qtbot.waitUntil(lambda: dialog.checked is not None and not dialog.working, timeout=20000)
    assert dialog.warning.isVisible()
    assert "milik kantor 3204, bukan kantor 3273" in dialog.warning.text()


def test_auto_backup_dialog_turns_it_on_and_off(
    qtbot: QtBot, ctx: AppContext, admin: UserInfo, tmp_path: Path
) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    dialog = AutoBackupDialog(ctx, admin)
    qtbot.addWidget(dialog)
    assert not dialog.daily.isChecked()
    assert not dialog.folder.isEnabled()
    assert dialog.latest.text() == "Cadangan otomatis harian tidak aktif."
    dialog.daily.setChecked(True)
    assert dialog.folder.isEnabled()
    _click(qtbot, dialog.ok_button)
    assert dialog.error.text() == "Pilih folder untuk cadangan otomatis."
    dialog.folder.setText(str(tmp_path / "tidak-ada"))
    _click(qtbot, dialog.ok_button)
    assert "tidak ditemukan" in dialog.error.text()
    assert dialog.folder.property("invalid") is True
    dialog.folder.setText(str(usb))
    dialog.keep.setValue(3)
    with qtbot.waitSignal(dialog.accepted):
        _click(qtbot, dialog.ok_button)
    status = backup_auto.automatic_backup_status(ctx)
    assert (status.folder, status.keep) == (usb, 3)

    again = AutoBackupDialog(ctx, admin)
    qtbot.addWidget(again)
    assert again.daily.isChecked()
    assert again.folder.text() == str(usb)
    again.daily.setChecked(False)
    with qtbot.waitSignal(again.accepted):
        _click(qtbot, again.ok_button)
    assert not backup_auto.automatic_backup_status(ctx).enabled


def test_daily_runner_makes_one_backup_a_day_and_reports_a_missing_drive_once(
    qtbot: QtBot, ctx: AppContext, admin: UserInfo, tmp_path: Path
) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    backup_auto.set_automatic_backup(ctx, usb, 7, actor=admin.actor)
    runner = DailyBackupRunner(ctx, interval_ms=60_000)
    messages_seen: list[str] = []
    runner.message.connect(messages_seen.append)
    with qtbot.waitSignal(runner.created, timeout=20000):
        runner.start()
    qtbot.waitUntil(lambda: not runner.running)
    assert runner.timer.isActive()
    assert messages_seen[-1].startswith("Cadangan otomatis hari ini dibuat: ")
    assert len(backup_auto.automatic_backups(usb, "3273")) == 1
    runner.check_now()  # not due again today
    qtbot.waitUntil(lambda: not runner.running)
    assert len(backup_auto.automatic_backups(usb, "3273")) == 1

    shutil.rmtree(usb)
    for _ in range(2):
        runner.check_now()
        qtbot.waitUntil(lambda: not runner.running, timeout=20000)
    missing = [m for m in messages_seen if "tidak ditemukan" in m]
    assert len(missing) == 1
    assert missing[0].startswith("Cadangan otomatis belum dibuat: Folder cadangan otomatis")
    runner.stop()
    assert not runner.timer.isActive()


def test_the_admin_menu_gets_the_three_actions(
    qtbot: QtBot, ctx: AppContext, admin: UserInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    menu = QMenu(window)
    opened: list[str] = []
    monkeypatch.setattr(BackupDialog, "exec", lambda self: opened.append("backup") or 0)
    monkeypatch.setattr(AutoBackupDialog, "exec", lambda self: opened.append("auto") or 0)
    actions = backup_dialogs.add_backup_actions(menu, window, ctx, admin)
    assert [a.text() for a in menu.actions()] == [
        "&Cadangkan Data…",
        "&Pulihkan dari Cadangan…",
        "Cadangan &Otomatis Harian…",
    ]
    actions[0].trigger()
    actions[2].trigger()
    assert opened == ["backup", "auto"]
