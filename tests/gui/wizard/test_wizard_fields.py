"""Field widgets made from forms/fields.toml, and the keyboard on a page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QPlainTextEdit, QWidget
from pytestqt.qtbot import QtBot

from nonasn_desktop.gui.wizard.fields import FieldEditor
from nonasn_desktop.gui.wizard.inputs import BoolInput
from nonasn_desktop.gui.wizard.look import Mnemonics, button_name
from nonasn_desktop.gui.wizard.values import display_value
from nonasn_desktop.policy import Policy, default_policy
from wizard.wizard_support import PERSON, Driver

pytestmark = pytest.mark.gui


@pytest.fixture
def policy() -> Policy:
    return default_policy()


_HOLDERS: list[QWidget] = []


@pytest.fixture(autouse=True)
def _forget_holders() -> Iterator[None]:
    yield
    _HOLDERS.clear()


def _editor(qtbot: QtBot, policy: Policy, key: str) -> FieldEditor:
    """An editor in a parent widget kept alive for the test (and closed by qtbot after it)."""
    holder = QWidget()
    qtbot.addWidget(holder)
    _HOLDERS.append(holder)
    return FieldEditor(policy.fields[key], holder)


def test_the_nik_is_typed_as_16_digits_shown_in_groups(qtbot: QtBot, policy: Policy) -> None:
    editor = _editor(qtbot, policy, "nik")
    line = editor.input
    assert isinstance(line, QLineEdit)
    assert line.objectName() == "nik"
    assert editor.raw() == ""
    edited: list[str] = []
    editor.edited.connect(edited.append)
    qtbot.keyClicks(line, "32730112039000019999")  # four digits too many: the mask stops
    assert line.text() == "3273 0112 0390 0001"
    assert edited[-1] == "3273 0112 0390 0001"
    editor.set_raw("3273-0112-0390-0001")
    assert line.text() == "3273 0112 0390 0001"


def test_a_date_is_typed_without_separators_and_read_back_as_dd_mm_yyyy(
    qtbot: QtBot, policy: Policy
) -> None:
    editor = _editor(qtbot, policy, "tanggal_lahir")
    assert editor.raw() == ""  # the empty mask is no date
    qtbot.keyClicks(editor.input, "17081985")
    assert editor.raw() == "17-08-1985"
    editor.set_raw("1985-08-17")  # an ISO date from elsewhere is shown the clerk's way
    assert editor.raw() == "17-08-1985"
    assert editor.calendar_button.focusPolicy() == Qt.FocusPolicy.NoFocus


def test_the_calendar_fills_the_date(qtbot: QtBot, policy: Policy) -> None:
    from PySide6.QtCore import QDate

    editor = _editor(qtbot, policy, "tanggal_ijazah")
    committed: list[str] = []
    editor.committed.connect(committed.append)
    editor._calendar.clicked.emit(QDate(2012, 6, 20))
    assert committed == ["20-06-2012"]


def test_money_is_shown_as_rupiah_when_the_clerk_leaves_it(qtbot: QtBot, policy: Policy) -> None:
    editor = _editor(qtbot, policy, "gaji_bulanan")
    qtbot.keyClicks(editor.input, "1500000")
    editor.commit()
    assert editor.input.text() == "Rp 1.500.000"
    editor.set_raw("")
    qtbot.keyClicks(editor.input, "satu juta")
    editor.commit()
    assert editor.input.text() == "satu juta"  # left as typed: the flow says what is wrong


def test_a_choice_starts_empty_and_reports_its_key(qtbot: QtBot, policy: Policy) -> None:
    editor = _editor(qtbot, policy, "jenis_kelamin")
    combo = editor.input
    assert isinstance(combo, QComboBox)
    assert combo.currentIndex() == 0
    assert editor.raw() == ""
    assert [combo.itemData(i) for i in range(combo.count())] == ["", "L", "P"]
    with qtbot.waitSignal(editor.committed) as committed:
        combo.setCurrentIndex(2)
    assert committed.args == ["P"]
    assert editor.touched


def test_yes_or_no_is_unanswered_until_chosen(qtbot: QtBot, policy: Policy) -> None:
    editor = _editor(qtbot, policy, "masih_aktif")
    answer = editor.input
    assert isinstance(answer, BoolInput)
    assert editor.raw() == ""
    with qtbot.waitSignal(editor.committed) as committed:
        qtbot.mouseClick(answer.no, Qt.MouseButton.LeftButton)
    assert committed.args == ["tidak"]
    editor.set_raw("ya")
    assert answer.yes.isChecked()
    editor.set_raw("")
    assert editor.raw() == ""


def test_passwords_are_hidden_and_an_address_has_several_lines(
    qtbot: QtBot, policy: Policy
) -> None:
    password = _editor(qtbot, policy, "kata_sandi")
    assert password.input.echoMode() == QLineEdit.EchoMode.Password
    address = _editor(qtbot, policy, "alamat")
    area = address.input
    assert isinstance(area, QPlainTextEdit)
    assert area.tabChangesFocus()
    address.set_raw("Jl. Merdeka No. 1\nBandung")
    assert address.raw() == "Jl. Merdeka No. 1\nBandung"


def test_a_locked_field_is_read_only_and_says_why(qtbot: QtBot, policy: Policy) -> None:
    editor = _editor(qtbot, policy, "nama")
    editor.set_error("Nama Lengkap wajib diisi.")
    reason = "Nama Lengkap tidak dapat diubah lagi karena akun sudah dibuat."
    editor.set_locked(reason)
    assert editor.is_read_only()
    assert editor.input.toolTip() == reason
    assert editor.lock_note.text() == f"Terkunci: {reason}"
    assert editor.error_text == ""
    committed: list[str] = []
    editor.committed.connect(committed.append)
    editor.commit()
    assert committed == []
    editor.set_locked(None)
    assert not editor.is_read_only()


def test_labels_are_buddies_with_their_own_letter(qtbot: QtBot, policy: Policy) -> None:
    mnemonics = Mnemonics()
    holder = QWidget()
    qtbot.addWidget(holder)
    editors = [
        FieldEditor(policy.fields[key], holder, mnemonics=mnemonics)
        for key in ("nama", "nomor_kk", "nik")
    ]
    letters = []
    for editor in editors:
        text = editor.label.text()
        assert editor.label.buddy() is editor.input
        letters.append(text[text.index("&") + 1].casefold())
        assert editor.input.accessibleName() == editor.field.label
    assert len(set(letters)) == 3


def test_shown_values_read_as_a_clerk_writes_them(policy: Policy) -> None:
    fields = policy.fields
    assert display_value(fields["gaji_bulanan"], "1500000") == "Rp 1.500.000"
    assert display_value(fields["tanggal_lahir"], "1990-03-12") == "12-03-1990"
    assert display_value(fields["jenis_kelamin"], "P") == "Perempuan"
    assert display_value(fields["masih_aktif"], "ya") == "Ya"
    assert display_value(fields["nik"], "3273011203900001") == "3273 0112 0390 0001"
    assert display_value(fields["nomor_hp"], "+6281234567890") == "0812-3456-7890"
    assert display_value(fields["email"], "") == "—"
    assert button_name("Proses Pembuatan Akun") == "button_proses_pembuatan_akun"


# -- the keyboard on a page ------------------------------------------------------------------


def _activate(wizard: Driver) -> None:
    wizard.window.activateWindow()
    wizard.qtbot.waitUntil(lambda: QApplication.activeWindow() is wizard.window)


def test_enter_on_the_identity_page_presses_cek_data(wizard: Driver) -> None:
    wizard.to_identity()
    wizard.fill(PERSON)
    nomor_hp = wizard.widget("nomor_hp", QLineEdit)
    wizard.qtbot.keyClick(nomor_hp, Qt.Key.Key_Return)
    wizard.wait_step(3)


def test_enter_on_a_refused_page_shows_the_problems(wizard: Driver) -> None:
    wizard.to_identity()
    wizard.qtbot.keyClick(
        wizard.widget("nik"), Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier
    )
    assert wizard.flow.current_step == 2
    assert wizard.widget("problems").isVisible()


def test_tab_visits_the_fields_in_the_order_of_the_page(wizard: Driver) -> None:
    wizard.to_identity()
    _activate(wizard)
    first = wizard.widget("nik")
    first.setFocus(Qt.FocusReason.OtherFocusReason)
    wizard.qtbot.waitUntil(first.hasFocus)
    visited = [first.objectName()]
    for _ in range(len(wizard.flow.step.fields) + 1):
        focused = QApplication.focusWidget()
        assert focused is not None
        wizard.qtbot.keyClick(focused, Qt.Key.Key_Tab)
        now = QApplication.focusWidget()
        assert now is not None
        visited.append(now.objectName())
    assert visited == [*wizard.flow.step.fields, "button_kembali", "button_cek_data"]


def test_every_input_of_every_page_has_an_accessible_name(wizard: Driver) -> None:
    for number, page in wizard.window.pages.items():
        for key, editor in page.editors.items():
            assert editor.input.objectName() == key, (number, key)
            assert editor.input.accessibleName(), (number, key)
            assert editor.label.buddy() is editor.input
        for kind, picker in page.pickers.items():
            assert picker.objectName() == f"dokumen_{kind}"
            assert picker.accessibleName()
            assert picker.choose_button.accessibleName()
        for word, button in page.buttons.items():
            assert button.objectName() == button_name(word)
