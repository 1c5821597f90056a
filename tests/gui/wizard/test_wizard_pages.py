"""The pages over the flow: refusals, the roster, fixing at step 10, locks, captcha, login."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPushButton

from nonasn_desktop.core.context import AppContext
from nonasn_desktop.flow.machine import NOT_REGISTERED
from nonasn_desktop.registration import store as registrations
from nonasn_desktop.rules.status import RecordStatus
from wizard.wizard_support import ANSWER, LEFT, PASSWORD, PERSON, WORK, Driver

pytestmark = pytest.mark.gui

# On no roster: Siti, born 17-08-1985 (day + 40 in the NIK: a woman).
STRANGER = {
    **PERSON,
    "nik": "3273015708850003",
    "nama": "SITI AMINAH",
    "tanggal_lahir": "17-08-1985",
    "jenis_kelamin": "P",
}


def test_an_empty_identity_page_is_refused_with_a_list_at_the_top(wizard: Driver) -> None:
    wizard.to_identity()
    wizard.press("Cek Data")
    assert wizard.flow.current_step == 2
    problems = wizard.widget("problems")
    assert problems.isVisible()
    texts = problems.texts()
    assert any("Nomor Induk Kependudukan (NIK) wajib diisi" in t for t in texts)
    assert len(texts) == len(wizard.flow.problems())
    # Every field says what is wrong under it, not in a message box.
    assert wizard.widget("nik_error").text() == "Nomor Induk Kependudukan (NIK) wajib diisi."
    assert wizard.window.rail.state_of(2) == "current"


def test_the_nik_says_region_birth_date_and_sex_and_warns_at_once(wizard: Driver) -> None:
    wizard.to_identity()
    wizard.type("nik", PERSON["nik"])
    info = wizard.widget("nik_info")
    assert info.isVisible()
    assert "KOTA BANDUNG, JAWA BARAT" in info.text()
    assert "12-03-1990" in info.text()
    assert "Laki-laki" in info.text()
    assert not wizard.widget("nik_warnings").isVisible()
    wizard.type("tanggal_lahir", "13-03-1990")
    wizard.choose("jenis_kelamin", "P")
    warnings = wizard.widget("nik_warnings").text()
    assert "tanggal lahir 12-03-1990" in warnings
    assert "jenis kelamin yang dipilih perempuan" in warnings


def test_a_field_shows_its_error_as_soon_as_the_clerk_leaves_it(wizard: Driver) -> None:
    wizard.to_identity()
    wizard.window.activateWindow()
    nama = wizard.widget("nama", QLineEdit)
    nama.setFocus()
    wizard.qtbot.keyClicks(nama, "Dr. Asep Saepudin, S.Kom.")
    assert not wizard.widget("nama_error").isVisible()  # not while typing
    wizard.qtbot.keyClick(nama, Qt.Key.Key_Tab)
    error = wizard.widget("nama_error")
    wizard.qtbot.waitUntil(error.isVisible)
    assert "gelar" in error.text()
    nama.clear()
    wizard.qtbot.keyClicks(nama, "Asep Saepudin")
    assert not error.isVisible()  # fixed: cleared at once


def test_a_nik_not_on_the_roster_stops_at_step_3_with_the_portals_message(
    wizard: Driver,
) -> None:
    wizard.to_identity()
    wizard.identity(STRANGER)
    banner = wizard.widget("not_registered")
    assert banner.isVisible()
    assert banner.text() == NOT_REGISTERED
    assert "Anda Belum Didaftarkan oleh Admin Instansi" in banner.text()
    assert not wizard.widget("roster_comparison").isVisible()
    wizard.press("Lanjutkan")
    assert wizard.flow.current_step == 3
    assert banner.isVisible()
    assert NOT_REGISTERED in wizard.flow.problems()


def test_the_roster_stands_beside_what_was_typed(wizard: Driver) -> None:
    wizard.to_identity()
    wizard.identity({**PERSON, "tempat_lahir": "Cimahi"})
    assert wizard.widget("roster_tempat_lahir").text() == "Bandung"
    assert wizard.widget("diisi_tempat_lahir").text().startswith("Cimahi")
    assert "Tempat lahir berbeda" in wizard.widget("roster_warnings").text()


def test_kembali_at_step_9_fixes_a_field_and_continues(
    wizard: Driver, samples: Callable[[str], Path]
) -> None:
    wizard.to_review(samples)
    assert wizard.widget("ringkasan_tempat_lahir").text() == "Bandung"
    wizard.press("Kembali")
    wizard.wait_step(2)
    assert 10 in wizard.flow.state.completed_steps
    assert wizard.widget("nik", QLineEdit).text() == "3273 0112 0390 0001"
    wizard.type("tempat_lahir", "Cimahi")
    wizard.press("Cek Data")
    wizard.wait_step(3)
    wizard.press("Lanjutkan")
    wizard.wait_step(5)
    assert wizard.widget("kata_sandi_tersimpan").isVisible()
    wizard.press("Lanjutkan")  # the password made earlier stands
    wizard.wait_step(6)
    assert wizard.picker("ktp").status == "ok"
    wizard.press("Lanjutkan")
    wizard.wait_step(7)
    wizard.captcha()
    wizard.press("Lanjutkan")
    wizard.wait_step(9)
    assert wizard.widget("ringkasan_tempat_lahir").text() == "Cimahi"


def test_tidak_is_the_default_answer_and_keeps_the_draft(
    wizard: Driver, samples: Callable[[str], Path], office_ready: AppContext
) -> None:
    wizard.to_review(samples)
    wizard.press("Proses Pembuatan Akun")
    wizard.qtbot.waitUntil(lambda: wizard.window.confirm_dialog is not None)
    dialog = wizard.window.confirm_dialog
    assert dialog is not None
    assert dialog.findChild(QPushButton, "button_tidak").isDefault()
    assert not dialog.findChild(QPushButton, "button_iya").isDefault()
    wizard.qtbot.keyClick(dialog, Qt.Key.Key_Return)
    wizard.wait_step(9)
    assert wizard.window.confirm_dialog is None
    assert wizard.flow.status is RecordStatus.DRAF
    record = registrations.get_record(office_ready, wizard.window.registration_id)
    assert record.account_number is None


def test_after_step_11_identity_fields_are_read_only_everywhere(
    wizard: Driver, samples: Callable[[str], Path]
) -> None:
    wizard.to_review(samples)
    wizard.press("Proses Pembuatan Akun")
    wizard.answer_dialog(yes=True)
    wizard.wait_step(12)
    flow = wizard.flow
    assert flow.is_locked("nama")
    identity = wizard.window.page(2)
    nama = identity.editors["nama"]
    assert nama.is_read_only()
    assert nama.input.toolTip() == flow.lock_reason("nama")
    assert nama.lock_note.text() == f"Terkunci: {flow.lock_reason('nama')}"
    assert identity.editors["tanggal_lahir"].is_read_only()
    assert not identity.editors["nomor_hp"].is_read_only()
    photo = wizard.window.page(6).pickers["pas_foto"]
    assert not photo.choose_button.isEnabled()
    assert not photo.acceptDrops()


def test_a_wrong_captcha_draws_a_new_picture_and_says_why(
    wizard: Driver, samples: Callable[[str], Path]
) -> None:
    wizard.to_identity()
    wizard.identity()
    wizard.press("Lanjutkan")
    wizard.wait_step(5)
    wizard.password()
    wizard.ktp_and_photo(samples)
    wizard.wait_step(7)
    first = wizard.flow.captcha_challenge()
    assert first is not None
    wizard.type("captcha", "77777" if first.text != "77777" else "33333")
    wizard.press("Lanjutkan")
    assert wizard.flow.current_step == 7
    assert any("captcha" in text for text in wizard.widget("problems").texts())
    second = wizard.flow.captcha_challenge()
    assert second is not None
    assert second.png != first.png
    assert wizard.widget("captcha", QLineEdit).text() == ""
    wizard.click("button_ganti_captcha")
    third = wizard.flow.captcha_challenge()
    assert third is not None
    assert third.png != second.png
    wizard.captcha()
    wizard.press("Lanjutkan")
    wizard.wait_step(9)


def test_login_refuses_a_wrong_password_and_lupa_kata_sandi_sets_a_new_one(
    open_wizard: Callable[..., Driver], record_at: Callable[[int], int]
) -> None:
    wizard = open_wizard(record_at(13))
    assert wizard.flow.current_step == 13
    wizard.type("login_nik", PERSON["nik"])
    wizard.type("login_kata_sandi", "SalahSekali1")
    wizard.press("Lanjutkan Login Pendaftaran")
    wizard.qtbot.waitUntil(lambda: not wizard.window.busy, timeout=10_000)
    assert wizard.flow.current_step == 13
    assert "Kata sandi salah" in wizard.widget("login_kata_sandi_error").text()

    wizard.press("Lupa Kata Sandi")
    page = wizard.window.current_page
    dialog = page.dialog
    assert dialog is not None
    assert dialog.question.text() == "Di kota mana orang tua Anda bertemu?"
    dialog.answer.setText("Surabaya")
    dialog.password.setText("SandiBaru2023")
    dialog.password_again.setText("SandiBaru2023")
    wizard.qtbot.mouseClick(dialog.save_button, LEFT)
    wizard.qtbot.waitUntil(lambda: not dialog.busy and dialog.problems.isVisible(), timeout=10_000)
    assert "Jawaban pengaman salah." in dialog.problems.text()
    dialog.answer.setText(ANSWER.lower())
    with wizard.qtbot.waitSignal(dialog.accepted, timeout=10_000):
        wizard.qtbot.mouseClick(dialog.save_button, LEFT)

    wizard.type("login_kata_sandi", PASSWORD)
    wizard.press("Lanjutkan Login Pendaftaran")
    wizard.qtbot.waitUntil(lambda: not wizard.window.busy, timeout=10_000)
    assert wizard.flow.current_step == 13  # the old password no longer opens the account
    wizard.type("login_kata_sandi", "SandiBaru2023")
    wizard.press("Lanjutkan Login Pendaftaran")
    wizard.wait_step(15)


def test_eligibility_follows_the_work_history_as_it_is_typed(
    open_wizard: Callable[..., Driver], record_at: Callable[[int], int]
) -> None:
    wizard = open_wizard(record_at(17))
    assert wizard.flow.current_step == 17
    panel = wizard.widget("eligibility_panel")
    wizard.fill_entry(1, WORK)
    wizard.yes_no("masih_aktif", yes=True)
    assert panel.marks() == dict.fromkeys(("E1", "E2", "E3", "E4", "E5"), "✓")

    wizard.fill_entry(1, {"tmt": "04-01-2021"})
    assert panel.marks()["E4"] == "✗"
    assert "TMS" in wizard.widget("eligibility_outcome").text()
    wizard.fill_entry(1, {"tmt": WORK["tmt"], "melalui_pengadaan": "ya"})
    assert panel.marks()["E4"] == "✓"
    assert panel.marks()["E2"] == "✗"
    wizard.fill_entry(1, {"melalui_pengadaan": "tidak", "pejabat_penandatangan": "bukan_pejabat"})
    assert panel.marks()["E3"] == "✗"
    wizard.yes_no("masih_aktif", yes=False)
    assert panel.marks()["E1"] == "✗"
    assert panel.reason("E1") == "Tidak lagi aktif bekerja di instansi pendaftar."


def test_work_history_entries_are_added_and_removed(
    open_wizard: Callable[..., Driver], record_at: Callable[[int], int]
) -> None:
    wizard = open_wizard(record_at(17))
    page = wizard.window.current_page
    wizard.fill_entry(1, WORK)
    wizard.click("button_tambah_riwayat")
    assert [card.objectName() for card in page.cards] == ["riwayat_1", "riwayat_2"]
    later = {**WORK, "nomor_sk": "800/77/SK/2019", "tanggal_sk": "20-12-2018", "tmt": "02-01-2019"}
    wizard.fill_entry(2, later)
    page.cards[1].editors["tmt"].commit()
    assert len(wizard.flow.state.work_history) == 2
    page.cards[0].editors["tanggal_selesai"].set_raw("01-01-2019")
    page.cards[0].editors["tanggal_selesai"].commit()
    assert wizard.flow.state.work_history[0]["tanggal_selesai"] == "01-01-2019"

    wizard.click("button_tambah_riwayat")
    assert len(page.cards) == 3
    empty = page.cards[2]
    wizard.qtbot.mouseClick(empty.remove_button, LEFT)  # an empty entry goes without asking
    wizard.qtbot.waitUntil(lambda: len(page.cards) == 2)
    assert len(wizard.flow.state.work_history) == 2


def test_a_refused_work_history_marks_the_entry_fields(
    open_wizard: Callable[..., Driver], record_at: Callable[[int], int]
) -> None:
    wizard = open_wizard(record_at(17))
    wizard.fill_entry(1, {"unit_kerja": "Puskesmas Sukasari"})
    wizard.press("Selanjutnya")
    assert wizard.flow.current_step == 17
    texts = wizard.widget("problems").texts()
    assert "Riwayat pekerjaan 1, Nomor SK wajib diisi." in texts
    card = wizard.window.current_page.cards[0]
    assert card.editors["nomor_sk"].error_text == "Nomor SK wajib diisi."
    # Jabatan came from the roster (pre-filled): no error, and marked as the roster's.
    assert card.editors["jabatan"].error_text == ""
    assert card.editors["jabatan"].origin_text == "dari data Admin Instansi"
    assert card.editors["unit_kerja"].error_text == ""
