"""The verval window and the batch export dialog."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import delete, select

from helpers.accounts import actor_for, sign_in
from helpers.batches import PASSPHRASE, age_identity
from nonasn_desktop.accounts import users
from nonasn_desktop.accounts.users import UserInfo
from nonasn_desktop.batch import export as batch_export
from nonasn_desktop.batch import writing as batch_writing
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.demo import generate as demo
from nonasn_desktop.gui import messages
from nonasn_desktop.gui.main_window import MainWindow
from nonasn_desktop.gui.verval import BatchExportDialog, VervalWindow
from nonasn_desktop.office import identity as office
from nonasn_desktop.office import keys
from nonasn_desktop.registration.store import get_record
from nonasn_desktop.rules.roles import Role
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.startup import open_app
from nonasn_desktop.storage import jsontext
from nonasn_desktop.storage.models import OfficeKey, Registration

if TYPE_CHECKING:
    from helpers.accounts import FakeClock

pytestmark = pytest.mark.gui

FINISHED = 3


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("verval") / "data"
    with open_app(folder, create=True) as ctx:
        office.initialise(
            ctx,
            office_code="3273",
            office_name="BKPSDM Kota Bandung",
            instansi_name="Pemerintah Kota Bandung",
            admin=("admin", "rahasia123"),
        )
        for username, role in (("veri", Role.VERIFIKATOR), ("opr", Role.OPERATOR)):
            users.create_user(
                ctx,
                username=username,
                full_name=f"Petugas {role.label}",
                role=role,
                password="rahasia123",
                actor=actor_for(ctx),
            )
        keys.create_office_key(ctx, PASSPHRASE)
        demo.generate(
            ctx, FINISHED, RecordStatus.PENDAFTARAN_SELESAI, seed=41, actor=actor_for(ctx)
        )
        demo.generate(ctx, 2, RecordStatus.DISETUJUI, seed=42, actor=actor_for(ctx))
        # The last finished record did not meet E5: approving it needs a written reason.
        with ctx.db.session() as session:
            row = session.scalars(
                select(Registration)
                .where(Registration.status == RecordStatus.PENDAFTARAN_SELESAI)
                .order_by(Registration.id.desc())
            ).first()
            assert row is not None
            detail = jsontext.loads(row.eligibility_detail)
            detail["criteria"][4].update(met=False, reason="Usia 57 tahun pada 31-12-2021.")
            detail["outcome"] = "TMS"
            row.eligibility_detail = jsontext.dumps(detail)
            row.eligible = False
            row.failed_criteria = "E5"
    return folder


@pytest.fixture
def ctx(template: Path, tmp_path: Path, clock: FakeClock) -> Iterator[AppContext]:
    shutil.copytree(template, tmp_path / "data")
    opened = open_app(tmp_path / "data", clock=clock)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def verifier(ctx: AppContext) -> UserInfo:
    return users.authenticate(ctx, "veri", "rahasia123")


@pytest.fixture
def admin(ctx: AppContext) -> UserInfo:
    return users.authenticate(ctx, "admin", "rahasia123")


@pytest.fixture
def window(qtbot: QtBot, ctx: AppContext, verifier: UserInfo) -> VervalWindow:
    shown = VervalWindow(ctx, verifier)
    qtbot.addWidget(shown)
    shown.resize(1366, 768)
    shown.show()
    return shown


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every confirmation is answered "Iya"; the questions asked are collected."""
    asked: list[str] = []

    def confirm(_parent: QWidget | None, _title: str, text: str, *_args: str) -> bool:
        asked.append(text)
        return True

    monkeypatch.setattr(messages, "confirm", confirm)
    return asked


def _click(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def _status(ctx: AppContext, registration_id: int) -> RecordStatus:
    return get_record(ctx, registration_id).status


def test_queue_data_and_documents_side_by_side(window: VervalWindow) -> None:
    assert window.queue_list.count() == FINISHED
    assert window.queue_count.text() == f"{FINISHED} data menunggu verval."
    review = window._review
    assert review is not None
    title = window.findChild(QWidget, "eligibility_box")
    assert title is not None
    assert title.title().startswith("Hasil Kelayakan: Memenuhi Syarat (MS)")
    value = window.findChild(QWidget, "value_nomor_kk")
    assert value is not None
    assert value.text() == next(  # type: ignore[attr-defined]
        f.value for s in review.sections for f in s.fields if f.key == "nomor_kk"
    )
    viewer = window.viewer
    assert viewer.chooser.count() == 7
    assert viewer.current is not None
    assert viewer.current.kind == "ktp"
    assert not viewer.picture.pixmap().isNull()
    fitted = viewer.zoom
    viewer.step_zoom(1)
    assert viewer.zoom > fitted
    viewer.step_zoom(-1)
    viewer.step_zoom(-1)
    assert viewer.zoom < fitted
    viewer.fit_width()
    assert abs(viewer.zoom - fitted) < 0.01
    pdf = next(d for d in review.documents if d.is_pdf)
    viewer.show_document(pdf.id)
    assert viewer.current == pdf
    assert viewer.page_label.isVisible()
    assert viewer.page_label.text() == f"1 dari {viewer.page_count}"
    assert not viewer.picture.pixmap().isNull()


def test_approving_moves_on_to_the_next_record(
    qtbot: QtBot, window: VervalWindow, ctx: AppContext, answers: list[str]
) -> None:
    first = window._review
    assert first is not None
    assert not window.save_button.isEnabled()
    window.decision_buttons[RecordStatus.DISETUJUI].setChecked(True)
    assert window.save_button.isEnabled()
    assert not window.fields_list.isEnabled()
    with qtbot.waitSignal(window.decided) as decided:
        _click(qtbot, window.save_button)
    assert decided.args == [first.id, RecordStatus.DISETUJUI]
    assert f"\u201cDisetujui\u201d untuk {first.nama}" in answers[0]
    assert _status(ctx, first.id) is RecordStatus.DISETUJUI
    assert window.queue_list.count() == FINISHED - 1
    assert window._review is not None
    assert window._review.id != first.id
    assert window.selected_decision() is None


def test_perlu_perbaikan_needs_a_reason_and_the_fields(
    qtbot: QtBot, window: VervalWindow, ctx: AppContext, answers: list[str]
) -> None:
    review = window._review
    assert review is not None
    window.decision_buttons[RecordStatus.PERLU_PERBAIKAN].setChecked(True)
    assert window.fields_list.isEnabled()
    _click(qtbot, window.save_button)
    assert window.error.isVisible()
    assert "memerlukan alasan tertulis" in window.error.text()
    window.reason.setPlainText("Scan ijazah buram, nomor ijazah tidak terbaca.")
    _click(qtbot, window.save_button)
    assert "Pilih paling sedikit satu isian" in window.error.text()
    assert _status(ctx, review.id) is RecordStatus.PENDAFTARAN_SELESAI
    window.set_field_checked("dokumen_ijazah")
    window.set_field_checked("nomor_ijazah")
    assert window.checked_fields() == ["nomor_ijazah", "dokumen_ijazah"]
    with qtbot.waitSignal(window.decided):
        _click(qtbot, window.save_button)
    assert _status(ctx, review.id) is RecordStatus.PERLU_PERBAIKAN
    with ctx.db.session() as session:
        row = session.get(Registration, review.id)
        assert row is not None
        assert jsontext.loads(row.correction_fields) == ["nomor_ijazah", "dokumen_ijazah"]
        assert row.decision_reason == "Scan ijazah buram, nomor ijazah tidak terbaca."


def test_approving_a_tms_record_needs_a_written_reason(
    qtbot: QtBot, window: VervalWindow, ctx: AppContext, answers: list[str]
) -> None:
    tms = next(item for item in window._queue if item.eligible is False)
    window.select_record(tms.id)
    assert window._review is not None
    assert window._review.id == tms.id
    assert window.tms_warning.isVisible()
    assert "TMS: E5" in window.tms_warning.text()
    assert "\u2716" in {label.text() for label in window.findChildren(type(window.queue_count))}
    window.decision_buttons[RecordStatus.DISETUJUI].setChecked(True)
    _click(qtbot, window.save_button)
    assert "Tidak Memenuhi Syarat (TMS)" in window.error.text()
    assert _status(ctx, tms.id) is RecordStatus.PENDAFTARAN_SELESAI
    window.reason.setPlainText("Usia lewat batas, tetapi SK pengangkatan sah sejak 2005.")
    with qtbot.waitSignal(window.decided):
        _click(qtbot, window.save_button)
    assert _status(ctx, tms.id) is RecordStatus.DISETUJUI


def test_saying_tidak_changes_nothing(
    qtbot: QtBot, window: VervalWindow, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(messages, "confirm", lambda *_args: False)
    review = window._review
    assert review is not None
    window.decision_buttons[RecordStatus.DITOLAK].setChecked(True)
    window.reason.setPlainText("Data ganda dengan pendaftaran di instansi lain.")
    _click(qtbot, window.save_button)
    assert _status(ctx, review.id) is RecordStatus.PENDAFTARAN_SELESAI
    assert window.queue_list.count() == FINISHED


def test_a_record_decided_elsewhere_meanwhile(
    qtbot: QtBot, window: VervalWindow, ctx: AppContext, answers: list[str]
) -> None:
    from nonasn_desktop.verval.decisions import decide

    review = window._review
    assert review is not None
    decide(
        ctx, review.id, RecordStatus.DITOLAK, actor=sign_in(ctx).actor, reason="Ditolak oleh admin."
    )
    window.decision_buttons[RecordStatus.DISETUJUI].setChecked(True)
    _click(qtbot, window.save_button)
    assert "Ditolak tidak dapat diputuskan" in window.error.text()
    window.refresh()
    assert window.queue_list.count() == FINISHED - 1


def test_an_empty_queue(qtbot: QtBot, ctx: AppContext, verifier: UserInfo) -> None:
    from nonasn_desktop.verval.decisions import decide
    from nonasn_desktop.verval.review import review_queue

    for item in review_queue(ctx, actor=actor_for(ctx)):
        decide(
            ctx,
            item.id,
            RecordStatus.DITOLAK,
            actor=sign_in(ctx).actor,
            reason="Uji antrean kosong.",
        )
    shown = VervalWindow(ctx, verifier)
    qtbot.addWidget(shown)
    assert shown.queue_count.text() == "Tidak ada data yang menunggu verval."
    assert not shown.decision_box.isEnabled()
    assert shown.viewer.chooser.count() == 0


# -- batch export ----------------------------------------------------------------------------


@pytest.fixture
def dialog(qtbot: QtBot, ctx: AppContext, admin: UserInfo) -> BatchExportDialog:
    shown = BatchExportDialog(ctx, admin)
    qtbot.addWidget(shown)
    shown.show()
    return shown


def test_export_runs_in_the_background_and_reports(
    qtbot: QtBot, dialog: BatchExportDialog, ctx: AppContext, tmp_path: Path
) -> None:
    assert dialog.pending.text() == "2 data berstatus Disetujui akan masuk ke batch berikutnya."
    assert "Ditandatangani dengan kunci kantor" in dialog.key_line.text()
    _identity, recipient = age_identity(tmp_path)
    dialog.folder.setText(str(tmp_path / "usb"))
    dialog.recipients.setPlainText(f"{recipient}\n\n")
    dialog.passphrase.setText(PASSPHRASE)
    with qtbot.waitSignal(dialog.exported, timeout=60000) as done:
        _click(qtbot, dialog.export_button)
    qtbot.waitUntil(lambda: not dialog.working)
    result = done.args[0]
    assert result.record_count == 2
    assert result.encrypted
    assert sorted(p.name for p in (tmp_path / "usb").iterdir()) == [
        "nonasn-3273-000001.sptjm.pdf",
        "nonasn-3273-000001.zip.age",
        "nonasn-3273-000001.zip.age.minisig",
    ]
    assert dialog.summary.isVisible()
    assert "Batch nomor urut 1 dibuat: 2 data" in dialog.summary.text()
    assert dialog.passphrase.text() == ""
    assert not dialog.export_button.isEnabled()
    assert dialog.cancel_button.text() == "Tutup"
    assert batch_export.pending_count(ctx) == 0
    again = BatchExportDialog(ctx, users.authenticate(ctx, "admin", "rahasia123"))
    qtbot.addWidget(again)
    assert again.recipients.toPlainText() == recipient
    assert not again.export_button.isEnabled()


def test_export_wrong_passphrase_and_missing_input(
    qtbot: QtBot, dialog: BatchExportDialog, ctx: AppContext, tmp_path: Path
) -> None:
    dialog.folder.setText(str(tmp_path / "usb"))
    _click(qtbot, dialog.export_button)
    assert dialog.error.text() == "Ketik frasa sandi kunci kantor."
    dialog.passphrase.setText("bukan frasa sandinya")
    _click(qtbot, dialog.export_button)
    qtbot.waitUntil(lambda: not dialog.working and dialog.error.isVisible(), timeout=30000)
    assert "Frasa sandi kunci kantor salah" in dialog.error.text()
    assert dialog.export_button.isEnabled()
    assert batch_export.pending_count(ctx) == 2


def test_export_can_be_cancelled(
    qtbot: QtBot,
    dialog: BatchExportDialog,
    ctx: AppContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started, release = threading.Event(), threading.Event()
    real = batch_writing.copy_document

    def held_copy(*args: object, **kwargs: object) -> None:
        started.set()
        release.wait(30)
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(batch_writing, "copy_document", held_copy)
    dialog.folder.setText(str(tmp_path / "usb"))
    dialog.passphrase.setText(PASSPHRASE)
    _click(qtbot, dialog.export_button)
    qtbot.waitUntil(started.is_set, timeout=30000)
    assert dialog.working
    _click(qtbot, dialog.cancel_button)
    release.set()
    qtbot.waitUntil(lambda: not dialog.working, timeout=30000)
    assert "dibatalkan" in dialog.error.text()
    assert not any((tmp_path / "usb").iterdir())
    assert batch_export.pending_count(ctx) == 2


def test_without_an_office_key_the_export_says_how_to_make_one(
    qtbot: QtBot, ctx: AppContext, admin: UserInfo
) -> None:
    with ctx.db.session() as session:
        session.execute(delete(OfficeKey))
    shown = BatchExportDialog(ctx, admin)
    qtbot.addWidget(shown)
    assert "belum dibuat" in shown.key_line.text()
    assert not shown.export_button.isEnabled()


# -- the main window's actions ------------------------------------------------------------------


def test_main_window_opens_verval_and_export(
    qtbot: QtBot, ctx: AppContext, admin: UserInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    main = MainWindow(ctx, admin)
    qtbot.addWidget(main)
    main.actions_by_key["verval"].trigger()
    opened = main.verval_window
    assert isinstance(opened, VervalWindow)
    main.actions_by_key["verval"].trigger()
    assert main.verval_window is opened  # one window at a time
    shown: list[BatchExportDialog] = []
    monkeypatch.setattr(BatchExportDialog, "exec", lambda self: shown.append(self) or 0)
    main.actions_by_key["batch_export"].trigger()
    assert len(shown) == 1
    opened.close()
    qtbot.waitUntil(lambda: getattr(main, "verval_window", None) is None)
    operator = MainWindow(ctx, users.authenticate(ctx, "opr", "rahasia123"))
    qtbot.addWidget(operator)
    assert operator.action("verval") is None
    assert operator.action("batch_export") is None
