from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from nonasn_desktop.accounts import users
from nonasn_desktop.accounts.users import UserInfo
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.gui.first_start import FirstStartDialog, needs_first_start, password_rule_text
from nonasn_desktop.office import identity as office
from nonasn_desktop.office import keys
from nonasn_desktop.rules.roles import Role

pytestmark = pytest.mark.gui


def _fill(dialog: FirstStartDialog, **values: str) -> None:
    defaults = {
        "office_code": "3273",
        "office_name": "BKD Kota Bandung",
        "instansi_name": "Pemerintah Kota Bandung",
        "username": "admin.bkd",
        "full_name": "Rina Kartika",
        "password": "rahasia123",
        "password_again": "rahasia123",
        "key_passphrase": "kopi pagi di BKD 2022",
        "key_passphrase_again": "kopi pagi di BKD 2022",
    }
    defaults.update(values)
    for name, value in defaults.items():
        widget = getattr(dialog, name)
        if not widget.isReadOnly():
            widget.setText(value)


@pytest.fixture
def dialog(qtbot: QtBot, app_ctx: AppContext) -> FirstStartDialog:
    widget = FirstStartDialog(app_ctx)
    qtbot.addWidget(widget)
    return widget


def test_a_new_folder_needs_the_first_start(app_ctx: AppContext) -> None:
    assert needs_first_start(app_ctx)


def test_first_start_creates_office_and_admin(
    qtbot: QtBot, dialog: FirstStartDialog, app_ctx: AppContext
) -> None:
    _fill(dialog)
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    info = office.get_office(app_ctx)
    assert info is not None
    assert (info.code, info.name, info.instansi_name) == (
        "3273",
        "BKD Kota Bandung",
        "Pemerintah Kota Bandung",
    )
    admin = users.authenticate(app_ctx, "admin.bkd", "rahasia123")
    assert admin.role is Role.ADMIN
    assert admin.full_name == "Rina Kartika"
    assert dialog.admin_username == "admin.bkd"
    assert dialog.password.text() == ""
    assert not needs_first_start(app_ctx)


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"office_code": "32 73"}, "office_code", "Kode kantor '32 73' tidak sah"),
        ({"office_name": "  "}, "office_name", "Nama kantor wajib diisi"),
        ({"username": "Admin BKD"}, "username", "Nama pengguna harus"),
        ({"full_name": ""}, "full_name", "Nama lengkap admin wajib diisi"),
        ({"password": "pendek", "password_again": "pendek"}, "password", "paling sedikit"),
        ({"password_again": "rahasia124"}, "password_again", "Kedua kata sandi tidak sama"),
        (
            {"key_passphrase": "pendek", "key_passphrase_again": "pendek"},
            "key_passphrase",
            f"paling sedikit {keys.MIN_PASSPHRASE_LENGTH} karakter",
        ),
        (
            {"key_passphrase_again": "kopi sore di BKD 2022"},
            "key_passphrase_again",
            "Kedua frasa sandi kunci kantor tidak sama",
        ),
    ],
)
def test_problems_are_shown_in_the_dialog_and_nothing_is_saved(
    qtbot: QtBot,
    dialog: FirstStartDialog,
    app_ctx: AppContext,
    values: dict[str, str],
    field: str,
    words: str,
) -> None:
    _fill(dialog, **values)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == 0
    assert dialog.error.isVisibleTo(dialog)
    assert words in dialog.error.text()
    assert getattr(dialog, field).property("invalid") is True
    others = [n for n in ("office_code", "username", "password") if n != field]
    assert all(not getattr(dialog, n).property("invalid") for n in others)
    assert office.get_office(app_ctx) is None
    assert not users.has_active_admin(app_ctx)
    assert keys.get_key_info(app_ctx) is None


def test_first_start_makes_the_office_key_with_the_passphrase(
    qtbot: QtBot, dialog: FirstStartDialog, app_ctx: AppContext
) -> None:
    assert dialog.findChild(QLineEdit, "frasa_sandi_kunci") is dialog.key_passphrase
    assert dialog.findChild(QLineEdit, "frasa_sandi_kunci_ulang") is dialog.key_passphrase_again
    assert dialog.key_passphrase.echoMode() is QLineEdit.EchoMode.Password
    _fill(dialog)
    with qtbot.waitSignal(dialog.accepted):
        dialog.submit()
    info = keys.get_key_info(app_ctx)
    assert info is not None
    assert info.office_code == "3273"
    keys.check_passphrase(app_ctx, "kopi pagi di BKD 2022")
    assert dialog.key_passphrase.text() == ""
    assert dialog.key_passphrase_again.text() == ""


def test_a_passphrase_mismatch_is_shown_at_the_repeat_field(
    dialog: FirstStartDialog, app_ctx: AppContext
) -> None:
    _fill(dialog, key_passphrase_again="kopi pagi di BKD 2023")
    dialog.submit()
    assert dialog.result() == 0
    assert "Kedua frasa sandi kunci kantor tidak sama." in dialog.error.text()
    assert dialog.key_passphrase_again.property("invalid") is True
    assert not dialog.key_passphrase.property("invalid")
    assert office.get_office(app_ctx) is None
    assert keys.get_key_info(app_ctx) is None


def test_an_existing_key_is_kept_and_not_asked_for(
    qtbot: QtBot, app_ctx: AppContext, admin_user: UserInfo
) -> None:
    office.initialise(app_ctx, office_code="3273", office_name="BKD Kota Bandung")
    before = keys.create_office_key(app_ctx, "frasa sandi lama kantor")
    with app_ctx.db.session() as session:
        from nonasn_desktop.storage.models import Clerk

        session.query(Clerk).update({"active": False})
    widget = FirstStartDialog(app_ctx)
    qtbot.addWidget(widget)
    assert not widget.key_passphrase.isVisibleTo(widget)
    _fill(widget, username="admin2", key_passphrase="", key_passphrase_again="")
    with qtbot.waitSignal(widget.accepted):
        widget.submit()
    assert keys.get_key_info(app_ctx) == before
    keys.check_passphrase(app_ctx, "frasa sandi lama kantor")


def test_a_corrected_form_is_accepted(
    qtbot: QtBot, dialog: FirstStartDialog, app_ctx: AppContext
) -> None:
    _fill(dialog, password_again="lain12345")
    dialog.submit()
    assert dialog.error.isVisibleTo(dialog)
    dialog.password_again.setText("rahasia123")
    with qtbot.waitSignal(dialog.accepted):
        dialog.submit()
    assert users.find_user(app_ctx, "admin.bkd") is not None


def test_an_office_without_an_active_admin_gets_one(
    qtbot: QtBot, app_ctx: AppContext, admin_user: UserInfo
) -> None:
    office.initialise(app_ctx, office_code="3273", office_name="BKD Kota Bandung")
    assert not needs_first_start(app_ctx)
    # The only admin is gone (e.g. deactivated directly in the database by IT staff).
    with app_ctx.db.session() as session:
        from nonasn_desktop.storage.models import Clerk

        session.query(Clerk).update({"active": False})
    assert needs_first_start(app_ctx)
    widget = FirstStartDialog(app_ctx)
    qtbot.addWidget(widget)
    assert widget.office_code.text() == "3273"
    assert widget.office_code.isReadOnly()
    assert widget.office_name.text() == "BKD Kota Bandung"
    _fill(widget, username="admin2")
    with qtbot.waitSignal(widget.accepted):
        widget.submit()
    assert users.authenticate(app_ctx, "admin2", "rahasia123").role is Role.ADMIN
    assert office.get_office(app_ctx).code == "3273"  # type: ignore[union-attr]
    assert not needs_first_start(app_ctx)


def test_a_taken_username_is_shown_at_the_username(
    qtbot: QtBot, app_ctx: AppContext, admin_user: UserInfo
) -> None:
    with app_ctx.db.session() as session:
        from nonasn_desktop.storage.models import Clerk

        session.query(Clerk).update({"active": False})
    widget = FirstStartDialog(app_ctx)
    qtbot.addWidget(widget)
    _fill(widget, username="admin")
    widget.submit()
    assert "sudah dipakai" in widget.error.text()
    assert widget.username.property("invalid") is True


def test_the_password_rule_comes_from_the_policy(app_ctx: AppContext) -> None:
    rule = app_ctx.policy.password
    text = password_rule_text(app_ctx)
    assert f"paling sedikit {rule.min_length} karakter" in text
    assert ("huruf" in text) is rule.require_letter
    assert ("angka" in text) is rule.require_digit


def test_batal_rejects(qtbot: QtBot, dialog: FirstStartDialog, app_ctx: AppContext) -> None:
    with qtbot.waitSignal(dialog.rejected):
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert office.get_office(app_ctx) is None
