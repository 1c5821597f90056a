"""Admin › Pengguna › Beri Akses Dokumen: at an office server whose documents are encrypted, a
clerk without a slot of the office data key types their own password at the admin's desk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from helpers.accounts import CLERK_PASSWORD, sign_in
from helpers.officekey import (
    JPEG,
    SLOTLESS,
    failed_attempts,
    office_with_a_slotless_clerk,
    slot_holders,
)
from nonasn_desktop.accounts import slots
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.gui import admin_dialogs
from nonasn_desktop.gui.admin_dialogs import GrantDocumentsDialog, UsersDialog
from nonasn_desktop.gui.main_window import MainWindow
from nonasn_desktop.startup import open_app

pytestmark = pytest.mark.gui


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[AppContext, str]]:
    with (
        office_with_a_slotless_clerk(tmp_path / "meja", monkeypatch) as (folder, sha),
        open_app(folder) as ctx,
    ):
        yield ctx, sha


def _status(dialog: UsersDialog) -> dict[str, str]:
    table = dialog.table
    return {table.item(r, 0).text(): table.item(r, 3).text() for r in range(table.rowCount())}


def test_the_clerk_types_their_own_password_at_the_admins_desk(
    qtbot: QtBot, desk: tuple[AppContext, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx, sha = desk
    admin = sign_in(ctx)
    errors: list[str] = []

    def run(dialog: GrantDocumentsDialog) -> int:
        dialog.password.setText("bukan-sandinya-1")
        dialog.submit()
        errors.append(dialog.error.text())
        assert dialog.password.text() == ""  # a refused password is not left in the field
        dialog.password.setText(CLERK_PASSWORD)
        dialog.submit()
        return dialog.result()

    monkeypatch.setattr(admin_dialogs.GrantDocumentsDialog, "exec", run)
    dialog = UsersDialog(ctx, admin)
    qtbot.addWidget(dialog)
    assert _status(dialog) == {"admin": "Aktif", SLOTLESS: "Aktif, tanpa akses dokumen"}
    assert not dialog.grant_button.isHidden()
    dialog.table.selectRow(0)  # the admin holds the key already
    assert not dialog.grant_button.isEnabled()
    dialog.table.selectRow(1)
    assert dialog.grant_button.isEnabled()
    qtbot.mouseClick(dialog.grant_button, Qt.MouseButton.LeftButton)
    assert len(errors) == 1
    assert errors[0].startswith("Kata sandi siti salah; akses dokumen tidak diberikan.")
    assert "Akses dokumen kantor untuk siti diberikan" in dialog.notice.text()
    assert _status(dialog) == {"admin": "Aktif", SLOTLESS: "Aktif"}
    assert dialog.grant_button.isHidden()  # nobody is left without access
    assert slot_holders(ctx) == ["admin", SLOTLESS]
    assert failed_attempts(ctx, SLOTLESS) == 0
    slots.close_office_key(ctx)
    sign_in(ctx, SLOTLESS)
    assert ctx.blobs.get(sha) == JPEG


def test_the_workspace_tells_a_slotless_clerk_at_sign_in(
    qtbot: QtBot, desk: tuple[AppContext, str]
) -> None:
    ctx, _ = desk
    clerk = MainWindow(ctx, sign_in(ctx, SLOTLESS))
    qtbot.addWidget(clerk)
    clerk.show()
    assert clerk.documents_notice is not None
    assert clerk.documents_notice.isVisible()
    assert "Beri Akses Dokumen" in clerk.documents_notice.text()
    slots.close_office_key(ctx)
    admin = MainWindow(ctx, sign_in(ctx))  # the admin's sign-in opened the key
    qtbot.addWidget(admin)
    assert admin.documents_notice is None
