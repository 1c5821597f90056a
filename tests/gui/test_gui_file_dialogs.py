"""One helper for every file dialog: Qt's own, in Indonesian, starting in a sensible folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QStandardPaths, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QLabel, QPushButton

from nonasn_desktop.gui import file_dialogs, translations
from nonasn_desktop.gui.file_dialogs import Kind

pytestmark = pytest.mark.gui


@pytest.fixture(autouse=True)
def fresh_session(
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Indonesian Qt texts, nothing remembered, and a home with Documents and Downloads."""
    home = tmp_path / "rumah"
    for name in ("Documents", "Downloads"):
        (home / name).mkdir(parents=True)
    locations = {
        QStandardPaths.StandardLocation.DocumentsLocation: home / "Documents",
        QStandardPaths.StandardLocation.DownloadLocation: home / "Downloads",
        QStandardPaths.StandardLocation.HomeLocation: home,
    }
    monkeypatch.setattr(
        file_dialogs.QStandardPaths,
        "writableLocation",
        lambda location: str(locations.get(location, home)),
    )
    file_dialogs.forget_all()
    translations.install(qapp)
    yield home
    translations.uninstall(qapp)
    file_dialogs.forget_all()


def _texts(dialog: QFileDialog) -> set[str]:
    labels = {label.text() for label in dialog.findChildren(QLabel) if label.isVisible()}
    buttons = {b.text() for b in dialog.findChildren(QPushButton) if b.isVisible()}
    return labels | buttons


def test_the_open_dialog_is_qt_own_and_speaks_indonesian(qtbot, fresh_session: Path) -> None:  # type: ignore[no-untyped-def]
    dialog = file_dialogs.build(None, Kind.ROSTER, "Pilih berkas daftar", filters="Excel (*.xlsx)")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.testOption(QFileDialog.Option.DontUseNativeDialog)
    assert {"&Cari di:", "Nama &berkas:", "&Jenis berkas:", "&Buka", "Batal"} <= _texts(dialog)
    assert not {"Look in:", "&Look in:", "File &name:", "&Open", "Cancel"} & _texts(dialog)
    assert Path(dialog.directory().absolutePath()) == fresh_session / "Documents"


def test_the_save_dialog_says_simpan(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = file_dialogs.build(
        None, Kind.PDF, "Simpan PDF", mode=QFileDialog.FileMode.AnyFile, save=True
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    assert {b.text() for b in box.buttons()} == {"&Simpan", "Batal"}


def test_start_folder_documents_then_downloads_never_the_program_folder(
    fresh_session: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(fresh_session)  # the program's folder is where it was started
    assert file_dialogs.start_folder(Kind.DOCUMENT) == fresh_session / "Documents"
    (fresh_session / "Documents").rmdir()
    assert file_dialogs.start_folder(Kind.DOCUMENT) == fresh_session / "Downloads"
    assert file_dialogs.start_folder(Kind.DOCUMENT, Path()) == fresh_session / "Downloads"


def test_each_kind_remembers_its_own_last_folder(
    qtbot, fresh_session: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    usb = tmp_path / "usb"
    usb.mkdir()
    roster = tmp_path / "surel" / "daftar.xlsx"
    roster.parent.mkdir()
    roster.write_bytes(b"x")

    def accept(path: Path) -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QFileDialog)
        assert Path(dialog.directory().absolutePath()) == fresh_session / "Documents"
        dialog.selectFile(str(path))
        dialog.accept()

    QTimer.singleShot(0, lambda: accept(roster))
    chosen = file_dialogs.open_file(None, Kind.ROSTER, "Pilih berkas daftar")
    assert chosen == roster
    assert file_dialogs.start_folder(Kind.ROSTER) == roster.parent
    # Another kind is not moved by it; a preferred folder counts until the kind was used.
    assert file_dialogs.start_folder(Kind.BACKUP) == fresh_session / "Documents"
    assert file_dialogs.start_folder(Kind.BACKUP, usb) == usb
    file_dialogs.remember(Kind.BACKUP, usb)
    assert file_dialogs.start_folder(Kind.BACKUP, fresh_session) == usb
    # A remembered folder that vanished (USB stick pulled out) is skipped.
    usb.rmdir()
    assert file_dialogs.start_folder(Kind.BACKUP) == fresh_session / "Documents"


def test_cancel_returns_none_and_remembers_nothing(qtbot) -> None:  # type: ignore[no-untyped-def]
    QTimer.singleShot(0, lambda: QApplication.activeModalWidget().reject())  # type: ignore[union-attr]
    assert file_dialogs.choose_folder(None, Kind.BATCH, "Pilih folder tujuan") is None
    assert Kind.BATCH not in file_dialogs._last


def test_save_suggests_a_whole_path_in_its_folder(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "cadangan" / "cadangan-2026.zip"
    target.parent.mkdir()
    dialog = file_dialogs.build(
        None,
        Kind.BACKUP,
        "Simpan Cadangan",
        mode=QFileDialog.FileMode.AnyFile,
        save=True,
        suggested_name=target.name,
        preferred=target.parent,
    )
    qtbot.addWidget(dialog)
    assert Path(dialog.directory().absolutePath()) == target.parent

    def accept() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QFileDialog)
        assert Path(dialog.directory().absolutePath()) == target.parent
        dialog.accept()

    QTimer.singleShot(0, accept)
    assert file_dialogs.save_file(None, Kind.BACKUP, "Simpan Cadangan", str(target)) == target
    assert file_dialogs.start_folder(Kind.BACKUP) == target.parent
