from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from nonasn_desktop.accounts import users
from nonasn_desktop.accounts.throttle import WRONG_CREDENTIALS
from nonasn_desktop.accounts.users import UserInfo
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.gui.sign_in import EMPTY_FIELDS, PREPARING, SignInPage
from nonasn_desktop.office import identity as office
from nonasn_desktop.rules.roles import Role

if TYPE_CHECKING:
    from helpers.accounts import FakeClock

pytestmark = pytest.mark.gui


@pytest.fixture
def dialog(qtbot: QtBot, app_ctx: AppContext, admin_user: UserInfo) -> SignInPage:
    office.initialise(app_ctx, office_code="3273", office_name="BKD Kota Bandung")
    widget = SignInPage()
    qtbot.addWidget(widget)
    widget.set_context(app_ctx)
    return widget


def _type(qtbot: QtBot, dialog: SignInPage, username: str, password: str) -> None:
    dialog.username.setText(username)
    dialog.password.setText(password)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)


def test_the_right_password_signs_in(qtbot: QtBot, dialog: SignInPage) -> None:
    with qtbot.waitSignal(dialog.signed_in) as blocker:
        _type(qtbot, dialog, "  ADMIN ", "rahasia123")
    assert blocker.args == [dialog.user]
    assert dialog.user is not None
    assert dialog.user.username == "admin"
    assert dialog.user.role is Role.ADMIN
    assert dialog.password.text() == ""


def test_a_wrong_password_is_refused_in_the_dialog(qtbot: QtBot, dialog: SignInPage) -> None:
    _type(qtbot, dialog, "admin", "salah")
    assert dialog.user is None
    assert dialog.error.isVisibleTo(dialog)
    assert dialog.error.text().startswith(WRONG_CREDENTIALS)
    assert "Caps Lock" in dialog.error.text()
    assert dialog.password.text() == ""
    assert dialog.username.text() == "admin"


def test_an_unknown_user_gets_the_same_message(qtbot: QtBot, dialog: SignInPage) -> None:
    _type(qtbot, dialog, "tidakada", "rahasia123")
    assert dialog.error.text().startswith(WRONG_CREDENTIALS)


def test_the_lock_after_repeated_failures_names_the_wait(
    qtbot: QtBot, dialog: SignInPage, app_ctx: AppContext, clock: FakeClock
) -> None:
    for _ in range(5):
        _type(qtbot, dialog, "admin", "salah")
    assert "coba lagi dalam 30 detik" in dialog.error.text()
    # While locked even the right password is not checked.
    _type(qtbot, dialog, "admin", "rahasia123")
    assert dialog.user is None
    assert "dikunci sementara" in dialog.error.text()
    assert "30 detik" in dialog.error.text()
    clock.advance(seconds=31)
    with qtbot.waitSignal(dialog.signed_in):
        _type(qtbot, dialog, "admin", "rahasia123")
    assert dialog.user is not None


def test_a_deactivated_clerk_is_told_so(
    qtbot: QtBot, dialog: SignInPage, app_ctx: AppContext, admin_user: UserInfo
) -> None:
    users.create_user(
        app_ctx,
        username="budi",
        full_name="Budi",
        role=Role.OPERATOR,
        password="rahasia123",
        actor=admin_user.actor,
    )
    users.set_active(app_ctx, "budi", False, actor=admin_user.actor)
    _type(qtbot, dialog, "budi", "rahasia123")
    assert "dinonaktifkan" in dialog.error.text()


def test_empty_fields_are_asked_for_without_a_sign_in_attempt(
    qtbot: QtBot, dialog: SignInPage, app_ctx: AppContext
) -> None:
    _type(qtbot, dialog, "", "")
    assert dialog.error.text() == EMPTY_FIELDS
    _type(qtbot, dialog, "admin", "")
    assert dialog.error.text() == EMPTY_FIELDS
    # Nothing counted against the account.
    assert users.authenticate(app_ctx, "admin", "rahasia123").username == "admin"


def test_the_username_given_is_filled_in_and_the_office_named(
    qtbot: QtBot, app_ctx: AppContext
) -> None:
    office.initialise(app_ctx, office_code="3273", office_name="BKD Kota Bandung")
    widget = SignInPage(username="admin")
    qtbot.addWidget(widget)
    widget.set_context(app_ctx)
    assert widget.username.text() == "admin"
    assert widget.office_label is not None
    assert widget.office_label.text() == "BKD Kota Bandung (3273)"


def test_masuk_waits_for_the_data(qtbot: QtBot, app_ctx: AppContext, admin_user: UserInfo) -> None:
    widget = SignInPage()
    qtbot.addWidget(widget)
    widget.show()
    assert not widget.ready
    assert not widget.sign_in_button.isEnabled()
    assert widget.preparing.isVisible()
    assert widget.preparing.text() == PREPARING
    # Typing works already; Enter does nothing until the data is open.
    widget.username.setText("admin")
    widget.password.setText("rahasia123")
    qtbot.keyClick(widget.password, Qt.Key.Key_Return)
    assert widget.user is None
    assert not widget.error.isVisible()
    widget.set_context(app_ctx)
    assert widget.sign_in_button.isEnabled()
    assert not widget.preparing.isVisible()
    with qtbot.waitSignal(widget.signed_in):
        qtbot.keyClick(widget.password, Qt.Key.Key_Return)
    assert widget.user is not None


def test_reset_empties_the_page_for_the_next_clerk(qtbot: QtBot, dialog: SignInPage) -> None:
    _type(qtbot, dialog, "admin", "salah")
    dialog.password.setText("sisa")
    dialog.show_password.setChecked(True)
    dialog.reset("budi")
    assert dialog.username.text() == "budi"
    assert dialog.password.text() == ""
    assert dialog.password.echoMode() == QLineEdit.EchoMode.Password
    assert not dialog.error.isVisibleTo(dialog)
    assert dialog.user is None


def test_the_password_can_be_shown(qtbot: QtBot, dialog: SignInPage) -> None:
    assert dialog.password.echoMode() == QLineEdit.EchoMode.Password
    dialog.show_password.setChecked(True)
    assert dialog.password.echoMode() == QLineEdit.EchoMode.Normal
    dialog.show_password.setChecked(False)
    assert dialog.password.echoMode() == QLineEdit.EchoMode.Password


def test_keluar_asks_to_quit(qtbot: QtBot, dialog: SignInPage) -> None:
    with qtbot.waitSignal(dialog.quit_requested):
        qtbot.mouseClick(dialog.quit_button, Qt.MouseButton.LeftButton)
    assert dialog.user is None


def test_every_control_has_a_name_and_short_ones_a_tooltip(
    qtbot: QtBot, dialog: SignInPage
) -> None:
    from helpers.accessibility import focus_chain, unnamed

    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.username.setText("admin")  # "Masuk" is enabled once something is typed
    names = {w.objectName() for w in focus_chain(dialog)}
    assert {"username", "password", "show_password", "quit", "sign_in"} <= names
    assert unnamed(dialog) == []
