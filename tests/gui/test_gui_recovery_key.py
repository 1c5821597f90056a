"""The recovery key shown once, with its A4 sheet on offer."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from nonasn_desktop.core.context import AppContext
from nonasn_desktop.crypto import keyslots
from nonasn_desktop.gui.recovery_key import RecoveryKeyDialog

pytestmark = pytest.mark.gui


def test_the_key_is_shown_and_its_sheet_saved(
    qtbot: QtBot, app_ctx: AppContext, tmp_path: Path
) -> None:
    key = keyslots.format_recovery_key(keyslots.new_recovery_key())
    dialog = RecoveryKeyDialog(app_ctx, key)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.key_label.text() == key
    assert dialog.grab().save(str(tmp_path / "kunci.png"))
    assert (tmp_path / "kunci.png").stat().st_size > 0
    dialog.save_sheet_to(tmp_path / "kunci.pdf")
    assert (tmp_path / "kunci.pdf").read_bytes().startswith(b"%PDF")
    assert "Cetak, lalu hapus" in dialog.status.text()
    dialog.done_button.click()
    assert dialog.result() == RecoveryKeyDialog.DialogCode.Accepted
