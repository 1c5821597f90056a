from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from nonasn_desktop.accounts import users
from nonasn_desktop.accounts.users import UserInfo
from nonasn_desktop.core import audit
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.gui import admin_dialogs, messages
from nonasn_desktop.gui.admin_dialogs import (
    NewUserDialog,
    ResetPasswordDialog,
    SettingsDialog,
    UsersDialog,
)
from nonasn_desktop.office import settings
from nonasn_desktop.rules.roles import Role

pytestmark = pytest.mark.gui


def _operator(ctx: AppContext, admin: UserInfo, username: str = "siti") -> UserInfo:
    """An operator made by the admin, signed in."""
    users.create_user(
        ctx,
        username=username,
        full_name="Siti Rahma",
        role=Role.OPERATOR,
        password="rahasia123",
        actor=admin.actor,
    )
    return users.authenticate(ctx, username, "rahasia123")


def _fill_new_user(dialog: NewUserDialog, role: Role, **values: str) -> None:
    fields = {
        "username": "bambang",
        "full_name": "Bambang Wijaya",
        "password": "sandi12345",
        "password_again": "sandi12345",
    }
    fields.update(values)
    for name, value in fields.items():
        getattr(dialog, name).setText(value)
    dialog.role.setCurrentIndex(dialog.role.findData(role.value))


def test_a_new_user_gets_the_role_chosen(
    qtbot: QtBot, app_ctx: AppContext, admin_user: UserInfo
) -> None:
    dialog = NewUserDialog(app_ctx, admin_user)
    qtbot.addWidget(dialog)
    assert [dialog.role.itemText(i) for i in range(dialog.role.count())] == [
        "Operator",
        "Verifikator",
        "Admin",
    ]
    _fill_new_user(dialog, Role.VERIFIKATOR)
    assert "Verifikator:" in dialog.role_hint.text()
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.created is not None
    created = users.authenticate(app_ctx, "bambang", "sandi12345")
    assert created.role is Role.VERIFIKATOR
    assert created.full_name == "Bambang Wijaya"
    [entry] = [e for e in audit.history(app_ctx, "clerk", created.id) if e.action == "user.create"]
    assert entry.actor == "admin"


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"password_again": "lain12345"}, "kata_sandi_ulang", "tidak sama"),
        ({"username": "admin"}, "username", "sudah dipakai"),
        ({"username": "a b"}, "username", "Nama pengguna harus"),
        ({"password": "pendek", "password_again": "pendek"}, "kata_sandi", "paling sedikit"),
        ({"full_name": " "}, "full_name", "wajib diisi"),
    ],
)
def test_new_user_problems_are_shown_in_the_dialog(
    qtbot: QtBot,
    app_ctx: AppContext,
    admin_user: UserInfo,
    values: dict[str, str],
    field: str,
    words: str,
) -> None:
    dialog = NewUserDialog(app_ctx, admin_user)
    qtbot.addWidget(dialog)
    _fill_new_user(dialog, Role.OPERATOR, **values)
    dialog.submit()
    assert dialog.result() == 0
    assert words in dialog.error.text()
    assert dialog._fields[field].property("invalid") is True
    assert [u.username for u in users.list_users(app_ctx, actor=admin_user.actor)] == ["admin"]


def test_only_an_admin_may_add_users(
    qtbot: QtBot, app_ctx: AppContext, admin_user: UserInfo
) -> None:
    operator = _operator(app_ctx, admin_user)
    dialog = NewUserDialog(app_ctx, operator)
    qtbot.addWidget(dialog)
    _fill_new_user(dialog, Role.ADMIN)
    dialog.submit()
    assert "hanya untuk pengguna dengan peran Admin" in dialog.error.text()
    assert users.find_user(app_ctx, "bambang") is None


def test_the_users_list(qtbot: QtBot, app_ctx: AppContext, admin_user: UserInfo) -> None:
    _operator(app_ctx, admin_user)
    dialog = UsersDialog(app_ctx, admin_user)
    qtbot.addWidget(dialog)
    rows = [
        [dialog.table.item(r, c).text() for c in range(4)] for r in range(dialog.table.rowCount())
    ]
    assert rows == [
        ["admin", "Admin Kantor", "Admin", "Aktif"],
        ["siti", "Siti Rahma", "Operator", "Aktif"],
    ]
    # Nothing selected: nothing to act on.
    assert not dialog.reset_button.isEnabled()
    assert not dialog.active_button.isEnabled()
    # One's own account cannot be deactivated here.
    dialog.table.selectRow(0)
    assert not dialog.active_button.isEnabled()
    assert dialog.reset_button.text() == "Ganti Kata Sandi…"
    dialog.table.selectRow(1)
    assert dialog.active_button.isEnabled()
    assert dialog.active_button.text() == "Nonaktifkan"
    assert dialog.reset_button.text() == "Atur Ulang Kata Sandi…"


def test_deactivate_after_confirmation_then_activate(
    qtbot: QtBot, app_ctx: AppContext, admin_user: UserInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    _operator(app_ctx, admin_user)
    answers = [False, True]
    questions: list[str] = []

    def confirm(_parent: object, _title: str, text: str, **_kw: str) -> bool:
        questions.append(text)
        return answers.pop(0)

    monkeypatch.setattr(messages, "confirm", confirm)
    dialog = UsersDialog(app_ctx, admin_user)
    qtbot.addWidget(dialog)
    dialog.table.selectRow(1)
    qtbot.mouseClick(dialog.active_button, Qt.MouseButton.LeftButton)
    assert users.get_user(app_ctx, "siti").active  # "Tidak": nothing changed
    qtbot.mouseClick(dialog.active_button, Qt.MouseButton.LeftButton)
    assert not users.get_user(app_ctx, "siti").active
    assert "Siti Rahma (siti)" in questions[0]
    assert dialog.table.item(1, 3).text() == "Nonaktif"
    assert dialog.active_button.text() == "Aktifkan"
    # Activating asks nothing.
    qtbot.mouseClick(dialog.active_button, Qt.MouseButton.LeftButton)
    assert users.get_user(app_ctx, "siti").active
    assert len(questions) == 2


def test_adding_a_user_from_the_list(
    qtbot: QtBot, app_ctx: AppContext, admin_user: UserInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    def run(dialog: NewUserDialog) -> int:
        _fill_new_user(dialog, Role.OPERATOR)
        dialog.submit()
        return dialog.result()

    monkeypatch.setattr(admin_dialogs.NewUserDialog, "exec", run)
    dialog = UsersDialog(app_ctx, admin_user)
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.table.rowCount() == 2
    selected = dialog.selected()
    assert selected is not None
    assert selected.username == "bambang"


def test_an_admin_resets_another_clerks_password(
    qtbot: QtBot, app_ctx: AppContext, admin_user: UserInfo
) -> None:
    operator = _operator(app_ctx, admin_user)
    dialog = ResetPasswordDialog(app_ctx, admin_user, operator)
    qtbot.addWidget(dialog)
    assert dialog.current is None
    assert dialog.windowTitle() == "Atur Ulang Kata Sandi"
    dialog.password.setText("baru12345")
    dialog.password_again.setText("baru12345")
    with qtbot.waitSignal(dialog.accepted):
        dialog.submit()
    assert users.authenticate(app_ctx, "siti", "baru12345").username == "siti"


def test_ones_own_password_needs_the_current_one(
    qtbot: QtBot, app_ctx: AppContext, admin_user: UserInfo
) -> None:
    dialog = ResetPasswordDialog(app_ctx, admin_user, admin_user)
    qtbot.addWidget(dialog)
    assert dialog.current is not None
    assert dialog.windowTitle() == "Ganti Kata Sandi"
    dialog.current.setText("salah")
    dialog.password.setText("baru12345")
    dialog.password_again.setText("baru12345")
    dialog.submit()
    assert "Kata sandi saat ini salah" in dialog.error.text()
    dialog.current.setText("rahasia123")
    dialog.password_again.setText("baru12346")
    dialog.submit()
    assert "tidak sama" in dialog.error.text()
    dialog.password_again.setText("baru12345")
    with qtbot.waitSignal(dialog.accepted):
        dialog.submit()
    assert users.authenticate(app_ctx, "admin", "baru12345").username == "admin"


def test_settings_are_shown_and_saved(
    qtbot: QtBot, app_ctx: AppContext, admin_user: UserInfo
) -> None:
    dialog = SettingsDialog(app_ctx, admin_user)
    qtbot.addWidget(dialog)
    assert dialog.captcha.isChecked() is settings.CAPTCHA_ENABLED.default
    assert dialog.edit_lock.value() == settings.EDIT_LOCK_MINUTES.default
    assert dialog.edit_lock.minimum() == settings.EDIT_LOCK_MINUTES.minimum
    assert dialog.edit_lock.maximum() == settings.EDIT_LOCK_MINUTES.maximum
    assert dialog.captcha.text() == settings.CAPTCHA_ENABLED.label
    dialog.captcha.setChecked(False)
    dialog.edit_lock.setValue(45)
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert settings.get_setting(app_ctx, settings.CAPTCHA_ENABLED) is False
    assert settings.get_setting(app_ctx, settings.EDIT_LOCK_MINUTES) == 45
    again = SettingsDialog(app_ctx, admin_user)
    qtbot.addWidget(again)
    assert not again.captcha.isChecked()
    assert again.edit_lock.value() == 45


def test_settings_refused_to_a_non_admin(
    qtbot: QtBot, app_ctx: AppContext, admin_user: UserInfo
) -> None:
    operator = _operator(app_ctx, admin_user)
    dialog = SettingsDialog(app_ctx, operator)
    qtbot.addWidget(dialog)
    dialog.captcha.setChecked(False)
    dialog.submit()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "hanya untuk pengguna dengan peran Admin" in dialog.error.text()
    assert settings.get_setting(app_ctx, settings.CAPTCHA_ENABLED) is True
