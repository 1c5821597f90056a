"""Admin › "Buat Kunci Pemulihan Baru…": the password again, then the new key shown once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from helpers.accounts import ADMIN_PASSWORD, ADMIN_USERNAME, sign_in
from helpers.folders import make_plain_folder
from helpers.screens import collect_user_errors
from nonasn_desktop.accounts.users import UserInfo
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.crypto.errors import WrongPassphraseError
from nonasn_desktop.gui import new_recovery_key as screen
from nonasn_desktop.gui.layout_audit import audit
from nonasn_desktop.gui.main_window import MainWindow
from nonasn_desktop.gui.recovery_key import RecoveryKeyDialog
from nonasn_desktop.startup import encrypt_new_folder, open_app, unlock_with_recovery_key

pytestmark = pytest.mark.gui


@pytest.fixture
def encrypted(tmp_path: Path) -> Iterator[tuple[AppContext, str]]:
    path = tmp_path / "data"
    make_plain_folder(path)
    unlocked = encrypt_new_folder(path, ADMIN_USERNAME, ADMIN_PASSWORD)
    assert unlocked.recovery_text is not None
    with open_app(path, key=unlocked.key) as ctx:
        yield ctx, unlocked.recovery_text


def _window(qtbot: QtBot, ctx: AppContext, user: UserInfo) -> MainWindow:
    window = MainWindow(ctx, user)
    qtbot.addWidget(window)
    window.show()
    return window


def test_only_the_admin_menu_has_it(qtbot: QtBot, encrypted: tuple[AppContext, str]) -> None:
    ctx, _old = encrypted
    admin = _window(qtbot, ctx, sign_in(ctx))
    action = admin.action("new_recovery_key")
    assert action is not None
    assert action.text().replace("&", "") == "Buat Kunci Pemulihan Baru\u2026"
    operator = _window(qtbot, ctx, sign_in(ctx, "operator1"))
    assert operator.action("new_recovery_key") is None


def test_the_password_is_asked_then_the_new_key_shown_once(
    qtbot: QtBot, encrypted: tuple[AppContext, str], tmp_path: Path
) -> None:
    ctx, old = encrypted
    window = _window(qtbot, ctx, sign_in(ctx))
    steps: list[str] = []

    def type_password() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, screen.NewRecoveryKeyDialog):
            QTimer.singleShot(10, type_password)
            return
        assert dialog.grab().save(str(tmp_path / f"kunci-baru-sandi-{len(steps)}.png"))
        assert audit(dialog) == []
        if not steps:
            dialog.password.setText("bukan-sandinya")
            dialog.submit()
            assert not dialog.ok_button.isEnabled()  # at work off the GUI thread
            steps.append("wrong")
            QTimer.singleShot(10, wait_for_refusal)
            return
        dialog.password.setText(ADMIN_PASSWORD)
        dialog.ok_button.click()
        steps.append("right")

    def wait_for_refusal() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, screen.NewRecoveryKeyDialog)
        if not dialog.error.text():
            QTimer.singleShot(10, wait_for_refusal)
            return
        steps.append(dialog.error.text())
        assert dialog.password.text() == ""
        type_password()

    QTimer.singleShot(0, type_password)
    shown = screen.new_recovery_key(window, ctx, window.user)  # type: ignore[arg-type]
    assert steps[0] == "wrong"
    assert "salah" in steps[1]
    assert steps[2] == "right"
    assert isinstance(shown, RecoveryKeyDialog)
    assert shown.isVisible()
    assert shown.note.isVisible()
    assert "tidak berlaku lagi" in shown.note.text()
    assert shown.grab().save(str(tmp_path / "kunci-baru.png"))
    assert audit(shown) == []
    new = shown.key_label.text()
    assert new != old
    assert unlock_with_recovery_key(ctx.data_dir.path, new) == ctx.key
    with pytest.raises(WrongPassphraseError):
        unlock_with_recovery_key(ctx.data_dir.path, old)
    shown.done_button.click()


def test_a_plain_folder_is_told_why(
    qtbot: QtBot, app_ctx: AppContext, admin_user: UserInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = collect_user_errors(monkeypatch)
    window = _window(qtbot, app_ctx, admin_user)
    action = window.action("new_recovery_key")
    assert action is not None
    action.trigger()
    assert len(seen) == 1
    assert "tidak terenkripsi" in seen[0].message
