"""The document picker: checks off the GUI thread, refusals, "Perbaiki otomatis", drops."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from helpers.accounts import actor_for
from helpers.files import exif_rotated_jpeg, grey_scan_rgb_jpeg, jpeg_of_size
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.demo.documents import make_sample_document
from nonasn_desktop.gui.wizard.dialogs import CompliantCopyDialog
from nonasn_desktop.gui.wizard.document_view import preview_image
from nonasn_desktop.registration import documents
from wizard.wizard_support import LEFT, Driver

pytestmark = pytest.mark.gui


@pytest.fixture
def at_step_6(open_wizard: Callable[..., Driver], record_at: Callable[[int], int]) -> Driver:
    wizard = open_wizard(record_at(6))
    assert wizard.flow.current_step == 6
    return wizard


def test_a_grey_ktp_scan_is_refused_with_its_reason(at_step_6: Driver, tmp_path: Path) -> None:
    grey = tmp_path / "ktp_fotokopi.jpg"
    grey.write_bytes(grey_scan_rgb_jpeg())
    picker = at_step_6.attach("ktp", grey, expect="fail")
    failures = [message for ok, message in picker.findings() if not ok]
    assert len(failures) == 1
    assert "hitam-putih" in failures[0]
    assert picker.fix_button.isHidden()
    assert "ktp" not in at_step_6.flow.state.documents
    assert "ditolak" in picker.note.text().casefold()
    at_step_6.press("Lanjutkan")
    assert at_step_6.flow.current_step == 6
    assert any("belum diunggah" in t for t in at_step_6.widget("problems").texts())


def test_a_230_kb_ktp_gets_a_compliant_copy_shown_before_it_is_used(
    at_step_6: Driver, tmp_path: Path, office_ready: AppContext
) -> None:
    wizard = at_step_6
    original_bytes = jpeg_of_size(230 * 1024, width=1000, height=630)
    scan = tmp_path / "ktp_230kb.jpg"
    scan.write_bytes(original_bytes)
    picker = wizard.attach("ktp", scan, expect="fixable")
    assert picker.fix_button.isVisible()
    assert "230 KB" in picker.file_label.text()
    assert "ktp" not in wizard.flow.state.documents

    with wizard.qtbot.waitSignal(picker.copy_dialog_opened, timeout=20_000) as opened:
        wizard.qtbot.mouseClick(picker.fix_button, LEFT)
    dialog = opened.args[0]
    assert isinstance(dialog, CompliantCopyDialog)
    assert dialog.isVisible()
    before = dialog.findChild(type(picker.preview), "preview_asli")
    after = dialog.findChild(type(picker.preview), "preview_salinan")
    assert before.image is not None
    assert after.image is not None
    assert "Dikompres ulang" in dialog.changes.text()
    assert "230 KB" in dialog.findChild(type(dialog.changes), "preview_asli_ukuran").text()
    assert "ktp" not in wizard.flow.state.documents  # nothing is used before the clerk says so

    with wizard.qtbot.waitSignal(picker.copy_used, timeout=20_000):
        wizard.qtbot.mouseClick(dialog.use_button, LEFT)
    wizard.qtbot.waitUntil(lambda: not picker.busy)
    ref = wizard.flow.state.documents["ktp"]
    assert ref.passed
    assert ref.original_name == "ktp_230kb_diperbaiki.jpg"
    assert picker.status == "ok"
    assert picker.fix_button.isHidden()

    kept = documents.documents_of(
        office_ready,
        wizard.window.registration_id,
        active_only=False,
        actor=actor_for(office_ready),
    )
    original = next(d for d in kept if d.original_name == "ktp_230kb.jpg")
    copy = next(d for d in kept if d.id == ref.document_id)
    assert not original.active
    assert copy.active
    assert copy.is_compliant_copy
    assert copy.source_document_id == original.id
    assert copy.size <= 200 * 1024
    assert (
        documents.document_bytes(office_ready, original.id, actor=actor_for(office_ready))
        == original_bytes
    )
    assert scan.read_bytes() == original_bytes


def test_batal_leaves_the_copy_unused(at_step_6: Driver, tmp_path: Path) -> None:
    wizard = at_step_6
    scan = tmp_path / "ktp_besar.jpg"
    scan.write_bytes(jpeg_of_size(230 * 1024, width=1000, height=630))
    picker = wizard.attach("ktp", scan, expect="fixable")
    with wizard.qtbot.waitSignal(picker.copy_dialog_opened, timeout=20_000) as opened:
        wizard.qtbot.mouseClick(picker.fix_button, LEFT)
    dialog = opened.args[0]
    wizard.qtbot.mouseClick(dialog.cancel_button, LEFT)
    wizard.qtbot.waitUntil(lambda: picker.copy_dialog is None)
    assert "ktp" not in wizard.flow.state.documents
    assert picker.status == "fixable"
    assert picker.fix_button.isVisible()


def test_a_file_dropped_on_the_picker_is_checked(at_step_6: Driver, tmp_path: Path) -> None:
    wizard = at_step_6
    data, name = make_sample_document("pas_foto", seed=4)
    photo = tmp_path / name
    photo.write_bytes(data)
    picker = wizard.picker("pas_foto")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(photo))])
    drop = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with wizard.qtbot.waitSignal(picker.check_finished, timeout=20_000) as finished:
        picker.dropEvent(drop)
    assert finished.args == [True]
    assert wizard.flow.state.documents["pas_foto"].original_name == name


def test_a_preview_is_upright_as_the_picture_is_displayed() -> None:
    sideways = exif_rotated_jpeg(640, 480, orientation=6)  # stored wide, displayed tall
    image = preview_image(sideways, "image/jpeg")
    assert image is not None
    assert image.height() > image.width()
    data, _name = make_sample_document("sk_jabatan", seed=1)
    page = preview_image(data, "application/pdf")
    assert page is not None
    assert page.height() > page.width()  # the first page of an A4 portrait PDF
    assert preview_image(b"not a picture", "image/jpeg") is None


def test_the_sk_records_the_form_chosen_in_bentuk_sk(
    open_wizard: Callable[..., Driver],
    record_at: Callable[[int], int],
    samples: Callable[[str], Path],
) -> None:
    wizard = open_wizard(record_at(17))
    wizard.choose("bentuk_sk", "fotokopi_legalisir")
    wizard.attach("sk_jabatan", samples("sk_jabatan"))
    assert wizard.flow.state.documents["sk_jabatan"].variant == "fotokopi_legalisir"
    picker = wizard.picker("sk_jabatan")
    assert "Bentuk: Fotokopi SK dilegalisir pimpinan unit kerja" in picker.file_label.text()
    wizard.choose("bentuk_sk", "surat_keterangan")
    assert wizard.flow.state.documents["sk_jabatan"].variant == "surat_keterangan"
    assert picker.file_label.text().endswith("Bentuk: Surat keterangan dari pimpinan unit kerja")
