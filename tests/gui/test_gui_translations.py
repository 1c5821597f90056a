"""Qt's own texts in Indonesian: the .qm is current with its .ts and the app loads it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox

from nonasn_desktop.gui import translations

pytestmark = pytest.mark.gui

FOLDER = translations.catalogue_folder()


def _lrelease() -> str:
    found = shutil.which("pyside6-lrelease", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail("pyside6-lrelease is missing (it comes with PySide6-Essentials)")
    return found


def test_the_compiled_catalogue_is_current_with_its_source(tmp_path: Path) -> None:
    fresh = tmp_path / translations.QM_NAME
    subprocess.run(
        [_lrelease(), "-silent", str(FOLDER / translations.TS_NAME), "-qm", str(fresh)],
        check=True,
    )
    shipped = (FOLDER / translations.QM_NAME).read_bytes()
    assert fresh.read_bytes() == shipped, "run `make translations` and commit qt_id.qm"


def test_every_message_is_translated() -> None:
    root = ET.parse(FOLDER / translations.TS_NAME).getroot()  # noqa: S314 - our own file
    assert root.get("language") == "id_ID"
    messages = root.findall("./context/message")
    assert len(messages) > 250
    for message in messages:
        translation = message.find("translation")
        assert translation is not None
        assert translation.text, message.findtext("source")
        assert translation.get("type") is None, message.findtext("source")


@pytest.fixture
def indonesian(qapp: QApplication):  # type: ignore[no-untyped-def]
    assert translations.install(qapp) is not None
    yield qapp
    translations.uninstall(qapp)


def test_standard_buttons_and_context_menus_speak_indonesian(qtbot: object, indonesian) -> None:  # type: ignore[no-untyped-def]
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Judul",
        "Teks",
        QMessageBox.StandardButton.Yes
        | QMessageBox.StandardButton.No
        | QMessageBox.StandardButton.Cancel,
    )
    texts = {button.text() for button in box.buttons()}
    assert texts == {"&Ya", "&Tidak", "Batal"}
    box.deleteLater()
    field = QLineEdit()
    menu = field.createStandardContextMenu()
    words = [action.text().split("\t")[0] for action in menu.actions() if action.text()]
    assert words == ["&Urungkan", "&Ulangi", "&Potong", "&Salin", "&Tempel", "Hapus", "Pilih Semua"]
    menu.deleteLater()
    field.deleteLater()


def test_uninstall_brings_english_back(qapp: QApplication) -> None:
    translations.install(qapp)
    assert translations.installed(qapp)
    assert QCoreApplication.translate("QFileDialog", "&Open") == "&Buka"
    translations.uninstall(qapp)
    assert not translations.installed(qapp)
    assert QCoreApplication.translate("QFileDialog", "&Open") == "&Open"
