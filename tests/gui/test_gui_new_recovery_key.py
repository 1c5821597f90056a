"""Admin › "Buat Kunci Pemulihan Baru…": the password again, then the new key shown once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from helpers.accounts import ADMIN_PASSWORD, ADMIN_USERNAME, sign_in
from helpers.folders import make_plain_folder
from helpers.postgres import fresh_database
from helpers.screens import collect_user_errors
from nonasn_desktop.accounts import slots
from nonasn_desktop.accounts.recovery import OFFICE_OLD_KEY_NOTE
from nonasn_desktop.accounts.users import UserInfo
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.crypto import keyslots
from nonasn_desktop.crypto.errors import WrongPassphraseError
from nonasn_desktop.gui import new_recovery_key as screen
from nonasn_desktop.gui.layout_audit import audit
from nonasn_desktop.gui.main_window import MainWindow
from nonasn_desktop.gui.recovery_key import RecoveryKeyDialog
from nonasn_desktop.office import identity
from nonasn_desktop.startup import encrypt_new_folder, open_app, unlock_with_recovery_key
from nonasn_desktop.storage import officeslots

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


@pytest.fixture
def office_desk(tmp_path: Path) -> Iterator[tuple[AppContext, str]]:
    """A desk of an office database server whose office data key was made with the admin's
    slot (the admin signed in there opens it); the office's recovery key."""
    with (
        fresh_database() as url,
        open_app(tmp_path / "meja", create=True, database_url=url) as ctx,
    ):
        identity.initialise(
            ctx, office_code="3273", office_name="BKD", admin=(ADMIN_USERNAME, ADMIN_PASSWORD)
        )
        recovery = slots.create_office_key(ctx, actor=sign_in(ctx).actor, password=ADMIN_PASSWORD)
        yield ctx, recovery


def _office_key_opens_with(ctx: AppContext, recovery_text: str) -> bytes:
    with ctx.db.session() as session:
        stored = officeslots.read(session)
    assert stored is not None
    return keyslots.open_with_recovery_key(stored, keyslots.parse_recovery_key(recovery_text))


def test_an_admin_at_an_office_server_desk_replaces_the_office_key(
    qtbot: QtBot, office_desk: tuple[AppContext, str]
) -> None:
    ctx, old = office_desk
    window = _window(qtbot, ctx, sign_in(ctx))
    assert ctx.office_key is not None
    action = window.action("new_recovery_key")
    assert action is not None
    assert "dokumen kantor" in action.toolTip()
    hints: list[str] = []

    def type_password() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, screen.NewRecoveryKeyDialog):
            QTimer.singleShot(10, type_password)
            return
        hints.extend(label.text() for label in dialog.findChildren(QLabel, "hint"))
        dialog.password.setText(ADMIN_PASSWORD)
        dialog.ok_button.click()

    QTimer.singleShot(0, type_password)
    shown = screen.new_recovery_key(window, ctx, window.user)  # type: ignore[arg-type]
    assert hints == list(screen.OFFICE_HINTS)
    assert isinstance(shown, RecoveryKeyDialog)
    assert shown.note.text() == OFFICE_OLD_KEY_NOTE
    assert shown.windowTitle() == "Kunci Pemulihan Dokumen Kantor"
    texts = " ".join(label.text() for label in shown.findChildren(QLabel))
    assert "dokumen kantor di server basis data" in texts
    assert "folder data" not in texts.lower()
    assert audit(shown) == []
    new = shown.key_label.text()
    assert new != old
    assert _office_key_opens_with(ctx, new) == ctx.office_key.raw
    with pytest.raises(WrongPassphraseError):
        _office_key_opens_with(ctx, old)
    shown.done_button.click()
