"""Shared data and the clerk-like driver of the wizard tests (fixtures are in conftest.py).

Import as ``from wizard.wizard_support import ...`` (tests/gui is on sys.path: this
folder is a package).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit, QPushButton, QWidget

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from nonasn_desktop.flow.machine import RegistrationFlow
    from nonasn_desktop.gui.wizard.documents import DocumentPicker
    from nonasn_desktop.gui.wizard.window import WizardWindow

LEFT = Qt.MouseButton.LeftButton
PASSWORD = "Rahasia2022"
ANSWER = "Bandung"
# A person on the office's roster (Asep, born 12-03-1990 in Bandung, male).
PERSON = {
    "nik": "3273011203900001",
    "nomor_kk": "3273012005150003",
    "nama": "ASEP SAEPUDIN",
    "tempat_lahir": "Bandung",
    "tanggal_lahir": "12-03-1990",
    "jenis_kelamin": "L",
    "nomor_hp": "0812-3456-7890",
}
BIODATA = {
    "agama": "islam",
    "status_perkawinan": "kawin",
    "alamat": "Jl. Merdeka No. 10, Bandung",
    "pendidikan_jenjang": "s1",
    "nama_sekolah": "Universitas Terbuka",
    "jurusan": "Administrasi Negara",
    "nomor_ijazah": "UT-2012/004411",
    "tanggal_ijazah": "20-06-2012",
}
WORK = {
    "unit_kerja": "Puskesmas Sukasari",
    "jabatan": "Tenaga Administrasi",
    "nomor_sk": "800/123/SK/2015",
    "tanggal_sk": "20-12-2014",
    "tmt": "02-01-2015",
    "pejabat_penandatangan": "pimpinan_opd",
    "sumber_gaji": "apbd",
    "melalui_pengadaan": "tidak",
    "gaji_bulanan": "1500000",
}


class Driver:
    """Works a WizardWindow the way a clerk does."""

    def __init__(self, qtbot: QtBot, window: WizardWindow) -> None:
        self.qtbot = qtbot
        self.window = window

    @property
    def flow(self) -> RegistrationFlow:
        return self.window.flow

    def widget(self, name: str, kind: type[QWidget] = QWidget) -> QWidget:
        page = self.window.current_page
        found = page.findChild(kind, name)
        assert found is not None, f"no {kind.__name__} named {name!r} on page {page.step.number}"
        return found

    def type(self, key: str, text: str) -> None:
        widget = self.widget(key)
        if isinstance(widget, QComboBox):
            self.choose(key, text)
            return
        assert isinstance(widget, QLineEdit | QPlainTextEdit), type(widget)
        if isinstance(widget, QLineEdit):
            widget.selectAll()
            widget.del_()
            widget.home(False)
        self.qtbot.keyClicks(widget, text)

    def choose(self, key: str, data: str) -> None:
        combo = self.widget(key, QComboBox)
        assert isinstance(combo, QComboBox)
        index = combo.findData(data)
        assert index > 0, f"{data!r} is not a choice of {key}"
        combo.setCurrentIndex(index)

    def fill(self, values: dict[str, str]) -> None:
        for key, text in values.items():
            self.type(key, text)

    def click(self, name: str) -> None:
        button = self.widget(name, QPushButton)
        assert isinstance(button, QPushButton)
        assert button.isEnabled(), f"{name} is disabled"
        self.qtbot.mouseClick(button, LEFT)

    def press(self, word: str) -> None:
        self.click("button_" + word.lower().replace(" ", "_"))

    def wait_step(self, step: int, timeout: int = 15_000) -> None:
        self.qtbot.waitUntil(
            lambda: self.flow.current_step == step and not self.window.busy, timeout=timeout
        )

    def picker(self, kind: str) -> DocumentPicker:
        from nonasn_desktop.gui.wizard.documents import DocumentPicker

        found = self.window.current_page.findChild(DocumentPicker, f"dokumen_{kind}")
        assert found is not None, f"no picker for {kind}"
        return found

    def attach(self, kind: str, path: Path, *, expect: str = "ok") -> DocumentPicker:
        picker = self.picker(kind)
        with self.qtbot.waitSignal(picker.check_finished, timeout=20_000):
            picker.choose_file(path)
        self.qtbot.waitUntil(lambda: not picker.busy, timeout=5_000)
        assert picker.status == expect, picker.findings()
        return picker

    def answer_dialog(self, yes: bool) -> None:
        self.qtbot.waitUntil(lambda: self.window.confirm_dialog is not None, timeout=5_000)
        dialog = self.window.confirm_dialog
        assert dialog is not None
        button = dialog.findChild(QPushButton, "button_iya" if yes else "button_tidak")
        assert button is not None
        self.qtbot.mouseClick(button, LEFT)

    def fill_entry(self, number: int, values: dict[str, str]) -> None:
        """Type one work-history entry (card ``riwayat_<number>``) of page 17."""
        page = self.window.current_page
        card = page.findChild(QWidget, f"riwayat_{number}")
        assert card is not None, f"no work-history entry {number}"
        for key, text in values.items():
            widget = card.editors[key].input  # type: ignore[attr-defined]
            if isinstance(widget, QComboBox):
                widget.setCurrentIndex(widget.findData(text))
            elif isinstance(widget, QLineEdit):
                widget.clear()
                self.qtbot.keyClicks(widget, text)
            else:
                radio = widget.yes if text == "ya" else widget.no
                self.qtbot.mouseClick(radio, LEFT)

    def yes_no(self, key: str, yes: bool) -> None:
        radio = self.widget(f"{key}_{'ya' if yes else 'tidak'}")
        self.qtbot.mouseClick(radio, LEFT)

    def captcha(self) -> None:
        challenge = self.flow.captcha_challenge()
        assert challenge is not None
        self.type("captcha", challenge.text)

    # -- whole pages, for tests that need to get somewhere -----------------------------------

    def to_identity(self) -> None:
        self.press("Buat Akun")
        self.wait_step(2)

    def identity(self, values: dict[str, str] | None = None) -> None:
        self.fill(values or PERSON)
        self.press("Cek Data")
        self.wait_step(3)

    def password(self) -> None:
        self.type("kata_sandi", PASSWORD)
        self.type("kata_sandi_ulang", PASSWORD)
        self.choose("pertanyaan_pengaman", "kota_orang_tua")
        self.type("jawaban_pengaman", ANSWER)
        self.press("Lanjutkan")
        self.wait_step(6)

    def ktp_and_photo(self, samples: Callable[[str], Path]) -> None:
        self.attach("ktp", samples("ktp"))
        self.attach("pas_foto", samples("pas_foto"))
        self.press("Lanjutkan")

    def to_review(self, samples: Callable[[str], Path]) -> None:
        """From page 1 to page 9 (captcha typed when it is on)."""
        self.to_identity()
        self.identity()
        self.press("Lanjutkan")
        self.wait_step(5)
        self.password()
        self.ktp_and_photo(samples)
        if self.flow.captcha_enabled:
            self.wait_step(7)
            self.captcha()
            self.press("Lanjutkan")
        self.wait_step(9)
