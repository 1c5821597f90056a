"""The wizard window end to end: all 24 steps as a clerk works them, drafts, locks, captcha off."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pypdf
import pytest
from PySide6.QtWidgets import QLineEdit

from helpers.accounts import actor_for
from nonasn_desktop.accounts.users import UserInfo, authenticate, create_user
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import ConflictError
from nonasn_desktop.office.settings import CAPTCHA_ENABLED, set_setting
from nonasn_desktop.registration import documents
from nonasn_desktop.registration import store as registrations
from nonasn_desktop.rules.roles import Role
from nonasn_desktop.rules.status import RecordStatus
from wizard.wizard_support import BIODATA, LEFT, PASSWORD, PERSON, WORK, Driver

pytestmark = pytest.mark.gui


def _pdf_text(data: bytes) -> tuple[pypdf.PdfReader, str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


@pytest.mark.slow
def test_a_clerk_registers_an_honorer_through_all_24_steps(
    wizard: Driver,
    samples: Callable[[str], Path],
    office_ready: AppContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from nonasn_desktop.gui import print_preview

    window = wizard.window
    printed: list[tuple[str, bytes]] = []

    def fake_exec(dialog: print_preview.PrintPreviewDialog) -> int:
        assert window.last_printout is not None
        printed.append((dialog.windowTitle(), window.last_printout))
        return 0

    monkeypatch.setattr(print_preview.PrintPreviewDialog, "exec", fake_exec)
    assert window.rail.current_step == 1
    assert window.windowTitle() == "Pendataan Non-ASN — Pendaftaran baru"

    # Phase A: the account.
    wizard.to_identity()
    wizard.identity()
    assert window.windowTitle() == f"Pendataan Non-ASN — {PERSON['nama']}"
    assert wizard.widget("not_registered").isHidden()
    wizard.type("email", "asep.saepudin@contoh.id")
    wizard.press("Lanjutkan")
    wizard.wait_step(5)
    wizard.password()
    wizard.attach("ktp", samples("ktp"))
    wizard.attach("pas_foto", samples("pas_foto"))
    wizard.press("Lanjutkan")
    wizard.wait_step(7)
    wizard.captcha()
    wizard.press("Lanjutkan")
    wizard.wait_step(9)
    assert wizard.widget("ringkasan_nama").text() == PERSON["nama"]
    wizard.press("Proses Pembuatan Akun")
    wizard.answer_dialog(yes=True)
    wizard.wait_step(12)
    account = window.flow.state.account_number
    assert account is not None
    assert wizard.widget("account_number").text() == account

    wizard.press("Cetak Informasi Pendaftaran")
    wizard.qtbot.waitUntil(lambda: len(printed) == 1, timeout=20_000)
    reader, text = _pdf_text(printed[0][1])
    assert len(reader.pages) == 1
    assert PERSON["nama"] in text
    assert account in text

    # Phase B: the registration.
    wizard.press("Lanjutkan Pendaftaran")
    wizard.wait_step(13)
    wizard.type("login_nik", PERSON["nik"])
    wizard.type("login_kata_sandi", PASSWORD)
    wizard.press("Lanjutkan Login Pendaftaran")
    wizard.wait_step(15)
    wizard.fill(BIODATA)
    wizard.attach("ijazah", samples("ijazah"))
    wizard.attach("kk", samples("kk"))
    wizard.attach("swafoto", samples("swafoto"))
    wizard.press("Lanjutkan")
    wizard.wait_step(16)
    wizard.captcha()
    wizard.press("Selanjutnya")
    wizard.wait_step(17)
    assert window.rail.current_step == 17
    assert window.counter.text() == "Langkah 17 dari 24"
    wizard.fill_entry(1, WORK)
    wizard.yes_no("masih_aktif", yes=True)
    wizard.choose("bentuk_sk", "asli")
    wizard.attach("sk_jabatan", samples("sk_jabatan"))
    wizard.attach("bukti_gaji", samples("bukti_gaji"))
    panel = wizard.widget("eligibility_panel")
    assert panel.marks() == dict.fromkeys(("E1", "E2", "E3", "E4", "E5"), "✓")
    assert wizard.widget("eligibility_outcome").text().startswith("MS")
    wizard.press("Selanjutnya")
    wizard.wait_step(19)
    assert wizard.widget("eligibility_panel").marks()["E4"] == "✓"
    assert "ijazah_contoh_1.pdf" in wizard.widget("ringkasan_dokumen_ijazah").text()
    wizard.press("Periksa Kembali")
    wizard.wait_step(21)
    wizard.qtbot.mouseClick(wizard.widget("pernyataan"), LEFT)
    wizard.press("Akhiri Proses Pendaftaran")
    wizard.answer_dialog(yes=True)
    wizard.wait_step(24)
    assert window.rail.current_step == 24

    record = registrations.get_record(office_ready, window.flow.state.registration_id)
    assert record.status is RecordStatus.PENDAFTARAN_SELESAI
    assert record.account_number == account
    assert record.eligible is True

    wizard.press("Cetak Kartu Informasi Akun")
    wizard.qtbot.waitUntil(lambda: len(printed) == 2, timeout=20_000)
    reader, text = _pdf_text(printed[1][1])
    assert PERSON["nama"] in text
    assert account in text
    assert any(page.images for page in reader.pages), "the card carries the pas foto"

    with wizard.qtbot.waitSignal(window.closed, timeout=5_000) as closed:
        wizard.press("Selesai")
    assert closed.args == [record.id]


def test_a_draft_closed_at_step_6_resumes_there_with_what_was_typed(
    open_wizard: Callable[..., Driver], samples: Callable[[str], Path], office_ready: AppContext
) -> None:
    first = open_wizard()
    first.to_identity()
    first.identity()
    first.press("Lanjutkan")
    first.wait_step(5)
    first.password()
    first.attach("ktp", samples("ktp"))
    registration_id = first.window.registration_id
    assert registration_id is not None
    with first.qtbot.waitSignal(first.window.closed, timeout=5_000) as closed:
        first.window.close()
    assert closed.args == [registration_id]

    again = open_wizard(registration_id)
    assert again.flow.current_step == 6
    assert again.window.rail.current_step == 6
    ktp = again.picker("ktp")
    again.qtbot.waitUntil(lambda: ktp.status == "ok", timeout=10_000)
    assert "ktp_contoh_1.jpg" in ktp.file_label.text()
    assert again.picker("pas_foto").status == "none"
    for step in (5, 3, 2):
        again.press("Kembali")
        again.wait_step(step)
    assert again.widget("nik", QLineEdit).text() == "3273 0112 0390 0001"
    assert again.widget("nama", QLineEdit).text() == PERSON["nama"]
    assert again.widget("tanggal_lahir", QLineEdit).text() == PERSON["tanggal_lahir"]
    assert again.widget("jenis_kelamin").currentData() == "L"


def test_closing_keeps_the_field_being_typed(
    open_wizard: Callable[..., Driver], office_ready: AppContext
) -> None:
    first = open_wizard()
    first.to_identity()
    first.type("nik", PERSON["nik"])
    first.type("nama", "SITI AMINAH")  # typed, focus never left the field
    with first.qtbot.waitSignal(first.window.closed, timeout=5_000) as closed:
        first.window.close()
    registration_id = closed.args[0]
    assert registration_id > 0
    again = open_wizard(registration_id)
    assert again.flow.current_step == 2
    assert again.widget("nama", QLineEdit).text() == "SITI AMINAH"
    assert "menutup jendela tidak menghapus" in again.window.autosave.text()


def test_closing_a_new_wizard_untouched_saves_nothing(
    wizard: Driver, office_ready: AppContext
) -> None:
    with wizard.qtbot.waitSignal(wizard.window.closed, timeout=5_000) as closed:
        wizard.window.close()
    assert closed.args == [0]
    assert sum(registrations.count_by_status(office_ready).values()) == 0


def test_a_record_open_by_another_clerk_cannot_be_opened(
    open_wizard: Callable[..., Driver],
    record_at: Callable[[int], int],
    office_ready: AppContext,
) -> None:
    from nonasn_desktop.gui.wizard.window import WizardWindow

    registration_id = record_at(3)
    other = create_user(
        office_ready,
        username="budi",
        full_name="Budi Santoso",
        role=Role.OPERATOR,
        password="rahasia123",
        actor=actor_for(office_ready),
    )
    other = authenticate(office_ready, "budi", "rahasia123")
    holder = open_wizard(registration_id)
    with pytest.raises(ConflictError, match="sedang dibuka oleh Rina Operator"):
        WizardWindow(office_ready, other, registration_id)
    holder.window.close()
    freed = open_wizard(registration_id, user=other)
    assert freed.flow.current_step == 3


def test_a_finished_record_cannot_be_edited(
    record_at: Callable[[int], int],
    office_ready: AppContext,
    operator: UserInfo,
) -> None:
    from nonasn_desktop.errors import FlowError
    from nonasn_desktop.gui.wizard.window import WizardWindow

    registration_id = record_at(24)
    with pytest.raises(FlowError, match="sudah diakhiri"):
        WizardWindow(office_ready, operator, registration_id)
    # The refusal left no lock behind: another clerk may take the record (to print, say).
    other = create_user(
        office_ready,
        username="budi",
        full_name="Budi Santoso",
        role=Role.OPERATOR,
        password="rahasia123",
        actor=actor_for(office_ready),
    )
    other = authenticate(office_ready, "budi", "rahasia123")
    registrations.acquire_edit_lock(office_ready, registration_id, clerk_id=other.id)


def test_with_the_captcha_off_pages_7_and_16_are_skipped_and_marked(
    open_wizard: Callable[..., Driver],
    samples: Callable[[str], Path],
    office_ready: AppContext,
    admin_user: UserInfo,
) -> None:
    set_setting(office_ready, CAPTCHA_ENABLED, False, actor=admin_user.actor)
    wizard = open_wizard()
    rail = wizard.window.rail
    assert rail.state_of(7) == "skipped"
    assert rail.state_of(16) == "skipped"
    assert "dilewati (captcha dinonaktifkan)" in rail.row_text(16)
    wizard.to_review(samples)  # from page 6 straight to page 9
    assert 7 in wizard.flow.state.captcha_skipped
    assert rail.state_of(7) == "skipped"
    assert rail.state_of(8) == "skipped"
    assert rail.state_of(6) == "done"


def test_documents_are_checked_against_the_record_being_saved(
    wizard: Driver, samples: Callable[[str], Path], office_ready: AppContext
) -> None:
    """A picker saves the draft first when the record has no id yet (documents need one)."""
    wizard.to_identity()
    wizard.identity()
    wizard.press("Lanjutkan")
    wizard.wait_step(5)
    wizard.password()
    wizard.attach("pas_foto", samples("pas_foto"))
    registration_id = wizard.window.registration_id
    assert registration_id is not None
    kept = documents.documents_of(office_ready, registration_id, actor=actor_for(office_ready))
    assert [d.kind for d in kept] == ["pas_foto"]
    assert wizard.flow.state.documents["pas_foto"].document_id == kept[0].id


def test_an_open_wizard_keeps_its_record_locked(
    open_wizard: Callable[..., Driver],
    record_at: Callable[[int], int],
    office_ready: AppContext,
    clock: Any,
) -> None:
    registration_id = record_at(3)
    other = create_user(
        office_ready,
        username="budi",
        full_name="Budi Santoso",
        role=Role.OPERATOR,
        password="rahasia123",
        actor=actor_for(office_ready),
    )
    other = authenticate(office_ready, "budi", "rahasia123")
    wizard = open_wizard(registration_id)
    timer = wizard.window._lock_timer
    assert timer.isActive()
    assert timer.interval() == 5 * 60_000
    clock.advance(minutes=20)
    timer.timeout.emit()  # the refresh the timer makes every few minutes
    clock.advance(minutes=20)
    # 40 minutes after opening, 20 after the refresh: still held (the limit is 30).
    with pytest.raises(ConflictError):
        registrations.acquire_edit_lock(office_ready, registration_id, clerk_id=other.id)


@pytest.mark.skipif(not hasattr(time, "tzset"), reason="needs time.tzset (POSIX)")
def test_the_save_time_is_the_offices_whatever_the_laptops_clock(
    open_wizard: Callable[..., Driver], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The office is 3273 (Kota Bandung): WIB. The fake clock says 08.00 UTC.
    for laptop in ("UTC", "Asia/Jayapura"):
        monkeypatch.setenv("TZ", laptop)
        time.tzset()
        wizard = open_wizard()
        wizard.to_identity()
        wizard.type("nama", "SITI")
        wizard.window.commit_field("nama", "SITI")  # what leaving the field does
        assert wizard.window.autosave.text().startswith("Tersimpan otomatis pukul 15.00 WIB")
        wizard.window.close()
    monkeypatch.undo()
    time.tzset()
