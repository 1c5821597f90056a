"""A plain data folder of an older version is encrypted at its admin's sign-in in the GUI."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from helpers.accounts import ADMIN_PASSWORD, ADMIN_USERNAME
from helpers.folders import make_plain_folder
from helpers.screens import collect_user_errors, sign_in_on_screen
from nonasn_desktop.errors import UserError
from nonasn_desktop.gui.app import EXIT_OK, NOT_YET_NOTED, Shell
from nonasn_desktop.gui.layout_audit import audit
from nonasn_desktop.gui.main_window import MainWindow
from nonasn_desktop.gui.recovery_key import RecoveryKeyDialog
from nonasn_desktop.startup import (
    encrypt_new_folder,
    is_encrypted,
    unlock_with_recovery_key,
)
from nonasn_desktop.storage import cipher, convert, vault
from nonasn_desktop.storage.datadir import DataDir

pytestmark = pytest.mark.gui

SCAN = b"\xff\xd8\xff scan KTP"


@pytest.fixture
def plain_folder(tmp_path: Path) -> tuple[Path, str]:
    """A folder as an older version left it: plain database and documents; an admin and an
    operator; the SHA-256 of one stored scan."""
    folder = tmp_path / "data"
    sha = make_plain_folder(folder, scan=SCAN)
    assert sha is not None
    assert cipher.is_plain_sqlite(DataDir(folder).database_path)
    return folder, sha


@pytest.fixture
def shell(qtbot: QtBot) -> Iterator[Shell]:
    made = Shell()
    qtbot.addWidget(made.window)
    made.window.show()
    yield made
    if made.ctx is not None:
        made.ctx.close()


@pytest.fixture
def user_errors(monkeypatch: pytest.MonkeyPatch) -> list[UserError]:
    return collect_user_errors(monkeypatch)


def test_an_admin_signing_in_encrypts_the_folder_and_sees_the_key_once(
    qtbot: QtBot, shell: Shell, plain_folder: tuple[Path, str], tmp_path: Path
) -> None:
    folder, sha = plain_folder
    window = shell.window
    shell.load(folder)
    assert shell.ctx is not None
    # An operator of an office folder signs in as before; the folder stays plain.
    sign_in_on_screen(window, "operator1", "sandi12345")
    assert window.stack.currentWidget() is window.workspace
    assert not is_encrypted(folder)
    window.actions_by_key["sign_out"].trigger()

    sign_in_on_screen(window, ADMIN_USERNAME, ADMIN_PASSWORD)
    page = window.sign_in_page
    assert page.busy
    assert "dienkripsi" in page.busy_note.text()
    assert not page.sign_in_button.isEnabled()
    assert window.grab().save(str(tmp_path / "masuk-mengenkripsi.png"))
    assert audit(page) == []
    # The window does not close while the conversion runs.
    window.close()
    assert window.isVisible()
    qtbot.waitUntil(lambda: shell.recovery_dialog is not None, timeout=60_000)
    dialog = shell.recovery_dialog
    assert isinstance(dialog, RecoveryKeyDialog)
    assert dialog.isVisible()
    assert not page.busy
    # The workspace waits behind the key until the admin says it was written down.
    assert window.stack.currentWidget() is page
    assert dialog.grab().save(str(tmp_path / "kunci-pemulihan.png"))
    assert audit(dialog) == []
    recovery = dialog.key_label.text()
    dialog.done_button.click()
    # Seen: the copy kept for an admin who had not seen it yet is gone.
    assert not vault.pending_recovery_path(DataDir(folder)).exists()
    assert window.stack.currentWidget() is window.workspace
    assert window.user is not None
    assert window.user.username == ADMIN_USERNAME

    ctx = shell.ctx
    assert ctx is not None
    assert ctx.key is not None
    assert ctx.blobs.get(sha) == SCAN
    data = DataDir(folder)
    assert is_encrypted(folder)
    assert not cipher.is_plain_sqlite(data.database_path)
    assert not convert.needs_conversion(data)
    backups = [p.name for p in data.backups_dir.iterdir()]
    assert len(backups) == 1
    assert backups[0].startswith("sebelum-pembaruan-")
    assert unlock_with_recovery_key(folder, recovery) == ctx.key
    ended: list[int] = []
    shell.finished.connect(ended.append)
    window.close()
    assert ended == [EXIT_OK]


def test_a_failed_conversion_leaves_the_plain_folder_usable_and_says_why(
    qtbot: QtBot,
    shell: Shell,
    plain_folder: tuple[Path, str],
    user_errors: list[UserError],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder, sha = plain_folder
    real_prepare = convert._prepare

    def disk_full(*args: object) -> None:
        real_prepare(*args)  # type: ignore[arg-type]
        raise OSError(28, os.strerror(28))

    monkeypatch.setattr(convert, "_prepare", disk_full)
    shell.load(folder)
    sign_in_on_screen(shell.window, ADMIN_USERNAME, ADMIN_PASSWORD)
    window = shell.window
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.workspace, timeout=60_000)
    assert len(user_errors) == 1
    assert "Enkripsi folder data gagal" in user_errors[0].message
    assert user_errors[0].hint is not None
    assert "tetap seperti semula" in user_errors[0].hint
    assert shell.recovery_dialog is None
    ctx = shell.ctx
    assert ctx is not None
    assert ctx.key is None
    assert ctx.blobs.get(sha) == SCAN
    data = DataDir(folder)
    assert not is_encrypted(folder)
    assert cipher.is_plain_sqlite(data.database_path)
    # Nothing half-made is left beside the plain files.
    assert sorted(p.name for p in folder.iterdir() if ".enkripsi" in p.name) == []


def _signed_in_to_workspace(qtbot: QtBot, window: MainWindow, username: str, password: str) -> None:
    sign_in_on_screen(window, username, password)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.workspace, timeout=60_000)
    window.actions_by_key["sign_out"].trigger()


def test_a_recovery_key_nobody_confirmed_is_shown_at_each_admin_sign_in_until_confirmed(
    qtbot: QtBot, shell: Shell, plain_folder: tuple[Path, str]
) -> None:
    # The folder was encrypted, and the program stopped before the key reached the screen.
    folder, _sha = plain_folder
    made = encrypt_new_folder(folder, ADMIN_USERNAME, ADMIN_PASSWORD).recovery_text
    window = shell.window
    shell.load(folder)
    # An operator neither sees it nor waits for it.
    _signed_in_to_workspace(qtbot, window, "operator1", "sandi12345")
    assert shell.recovery_dialog is None
    page = window.sign_in_page
    for confirm in (False, True):
        sign_in_on_screen(window, ADMIN_USERNAME, ADMIN_PASSWORD)
        qtbot.waitUntil(lambda: shell.recovery_dialog is not None, timeout=60_000)
        dialog = shell.recovery_dialog
        assert isinstance(dialog, RecoveryKeyDialog)
        assert dialog.isVisible()
        assert dialog.key_label.text() == made
        assert dialog.note.isVisibleTo(dialog)
        assert NOT_YET_NOTED in [label.text() for label in dialog.findChildren(QLabel)]
        # The workspace waits behind the key.
        assert window.stack.currentWidget() is page
        if confirm:
            dialog.done_button.click()
        else:
            dialog.close()  # not confirmed: shown again next time
        assert window.stack.currentWidget() is window.workspace
        window.actions_by_key["sign_out"].trigger()
        shell.recovery_dialog = None
    assert not vault.pending_recovery_path(DataDir(folder)).exists()
    _signed_in_to_workspace(qtbot, window, ADMIN_USERNAME, ADMIN_PASSWORD)
    assert shell.recovery_dialog is None
    assert made is not None
    assert unlock_with_recovery_key(folder, made) is not None
