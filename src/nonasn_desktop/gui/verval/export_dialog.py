"""The admin's batch export for the central office (:class:`BatchExportDialog`).

Folder, age recipients, passphrase; then the export (``batch.export``) runs on a worker thread
with progress and a cancel button.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nonasn_desktop.accounts.users import UserInfo
from nonasn_desktop.batch import export as batch_export
from nonasn_desktop.batch.export import BatchResult
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.core.progress import ProgressStep
from nonasn_desktop.errors import UserError
from nonasn_desktop.gui import file_dialogs, messages, theme
from nonasn_desktop.gui.workers import Task, run_in_background
from nonasn_desktop.office import keys


def _default_export_folder() -> str:
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return str(Path(documents or Path.home()) / "Batch Pendataan Non-ASN")


class BatchExportDialog(QDialog):
    """The admin's batch export (see the module docstring)."""

    exported = Signal(object)  # BatchResult

    def __init__(self, ctx: AppContext, user: UserInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._user = user
        self._task: Task | None = None
        self.result_batch: BatchResult | None = None
        self.setObjectName("batch_export_dialog")
        self.setWindowTitle("Ekspor Batch untuk Kantor Pusat")
        self.setModal(True)
        self.setMinimumWidth(620)
        self._build()
        self._load()

    @property
    def working(self) -> bool:
        return self._task is not None

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(
            theme.header_banner(
                "Ekspor Batch",
                "Berkas bertanda tangan kantor, terenkripsi untuk kantor pusat",
                icon_size=30,
            )
        )
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(20, 16, 20, 16)
        body_layout.setSpacing(10)
        self.pending = QLabel()
        self.pending.setObjectName("section_title")
        self.pending.setWordWrap(True)
        body_layout.addWidget(self.pending)
        self.key_line = theme.hint_label("")
        body_layout.addWidget(self.key_line)

        body_layout.addLayout(self._build_form())
        body_layout.addWidget(
            theme.hint_label(
                "Tanpa penerima, berkas tidak terenkripsi: kirim hanya lewat jalur yang aman. "
                "Data yang diekspor tidak dapat diubah lagi. Batch yang hilang dapat ditulis "
                "ulang dengan isi yang sama oleh petugas TI (nonasn batch export --rewrite)."
            )
        )
        self.phase = QLabel()
        self.phase.setObjectName("muted")
        self.progress = QProgressBar()
        self.progress.setObjectName("export_progress")
        self.progress.setTextVisible(True)
        self.phase.setVisible(False)
        self.progress.setVisible(False)
        body_layout.addWidget(self.phase)
        body_layout.addWidget(self.progress)
        self.error = theme.error_label()
        body_layout.addWidget(self.error)
        self.summary = QLabel()
        self.summary.setObjectName("export_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setVisible(False)
        body_layout.addWidget(self.summary)

        body_layout.addLayout(self._build_buttons())
        layout.addWidget(body)

    def _build_form(self) -> QFormLayout:
        """The destination folder, the central office's age recipients and the passphrase."""
        form = QFormLayout()
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(8)
        folder_row = QHBoxLayout()
        self.folder = QLineEdit()
        self.folder.setObjectName("export_folder")
        choose = QPushButton("Pilih…")
        choose.clicked.connect(self._choose_folder)
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(choose)
        form.addRow("Folder tujuan", folder_row)
        self.recipients = QPlainTextEdit()
        self.recipients.setObjectName("export_recipients")
        self.recipients.setFixedHeight(64)
        self.recipients.setPlaceholderText("age1… (satu per baris)")
        form.addRow("Penerima (kunci age\nkantor pusat)", self.recipients)
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("export_passphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("Frasa sandi kunci kantor", self.passphrase)
        return form

    def _build_buttons(self) -> QHBoxLayout:
        """ "Buka Folder" (once written), "Batal" and "Ekspor"."""
        buttons = QHBoxLayout()
        self.open_folder_button = QPushButton("Buka Folder")
        self.open_folder_button.setVisible(False)
        self.open_folder_button.clicked.connect(self._open_folder)
        buttons.addWidget(self.open_folder_button)
        buttons.addStretch(1)
        self.cancel_button = QPushButton("Batal")
        self.cancel_button.clicked.connect(self._cancel_or_close)
        self.export_button = theme.primary_button("Ekspor")
        self.export_button.setObjectName("export_button")
        self.export_button.clicked.connect(self.start)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.export_button)
        return buttons

    def _load(self) -> None:
        waiting = batch_export.pending_count(self._ctx)
        self.pending.setText(
            f"{waiting} data berstatus Disetujui akan masuk ke batch berikutnya."
            if waiting
            else "Tidak ada data berstatus Disetujui yang menunggu ekspor."
        )
        info = keys.get_key_info(self._ctx)
        if info is None:
            self.key_line.setText(
                "Kunci tanda tangan kantor belum dibuat. Buat dulu dengan: nonasn init "
                "--office-code KODE --office-name NAMA (frasa sandi dari admin)."
            )
        else:
            self.key_line.setText(
                f"Ditandatangani dengan kunci kantor {info.key_id} ({info.office_code})."
            )
        batches = batch_export.list_batches(self._ctx)
        if batches:
            self.recipients.setPlainText("\n".join(batches[0].recipients))
        self.folder.setText(_default_export_folder())
        ready = waiting > 0 and info is not None
        self.export_button.setEnabled(ready)
        self.passphrase.setEnabled(ready)

    def _choose_folder(self) -> None:
        text = self.folder.text().strip()
        folder = file_dialogs.choose_folder(
            self,
            file_dialogs.Kind.BATCH,
            "Pilih folder tujuan",
            preferred=Path(text) if text else None,
        )
        if folder is not None:
            self.folder.setText(str(folder))

    def _open_folder(self) -> None:
        if self.result_batch is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.result_batch.file.parent)))

    def start(self) -> None:
        if self.working:
            return
        folder = self.folder.text().strip()
        if not folder:
            theme.show_error_text(self.error, "Pilih folder tujuan berkas batch.")
            return
        passphrase = self.passphrase.text()
        if not passphrase:
            theme.show_error_text(self.error, "Ketik frasa sandi kunci kantor.")
            self.passphrase.setFocus()
            return
        recipients = [line.strip() for line in self.recipients.toPlainText().splitlines()]
        recipients = [line for line in recipients if line]
        theme.show_error_text(self.error, "")
        self.summary.setVisible(False)
        self.phase.setText("Menyiapkan…")
        self.phase.setVisible(True)
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        for widget in (self.folder, self.recipients, self.passphrase, self.export_button):
            widget.setEnabled(False)
        self.cancel_button.setText("Batal")
        ctx, actor = self._ctx, self._user.actor
        latest: dict[str, ProgressStep] = {}

        def work(task: Task) -> BatchResult:
            def progress(step: ProgressStep) -> None:
                latest["step"] = step
                task.report(step.done, step.total)

            return batch_export.export_batch(
                ctx,
                Path(folder),
                passphrase=passphrase,
                recipients=recipients,
                actor=actor,
                progress=progress,
                cancelled=lambda: task.cancelled,
            )

        def on_progress(done: int, total: int) -> None:
            step = latest.get("step")
            if step is not None:
                self.phase.setText(step.phase + "…")
            self.progress.setRange(0, 1000)
            self.progress.setValue(round(1000 * done / total) if total else 0)

        self._task = run_in_background(
            work,
            on_success=self._succeeded,
            on_failure=self._failed,
            on_crash=self._crashed,
            on_progress=on_progress,
            on_finished=self._finished,
        )

    def _succeeded(self, result: BatchResult) -> None:
        self.result_batch = result
        self.passphrase.clear()
        locked = (
            f"terenkripsi untuk {len(result.recipients)} penerima"
            if result.encrypted
            else "TIDAK terenkripsi"
        )
        self.summary.setText(
            f"Batch nomor urut {result.sequence} dibuat: {result.record_count} data, "
            f"{result.document_count} dokumen, {locked}.\n"
            f"Berkas: {result.file}\nTanda tangan: {result.signature}\nSPTJM: {result.sptjm}\n"
            "Cetak SPTJM, mintakan tanda tangan PPK di atas materai, lalu kirim bersama "
            "berkas batch dan tanda tangannya."
        )
        self.summary.setVisible(True)
        self.pending.setText(f"Batch nomor urut {result.sequence} selesai dibuat.")
        self.phase.setText("Selesai.")
        self.open_folder_button.setVisible(True)
        self.exported.emit(result)

    def _failed(self, exc: UserError) -> None:
        theme.show_error_text(self.error, str(exc))
        self.phase.setVisible(False)

    def _crashed(self, exc: BaseException) -> None:
        self.phase.setVisible(False)
        messages.show_bug(self, exc)

    def _finished(self) -> None:
        self._task = None
        self.progress.setVisible(False)
        self.cancel_button.setText("Tutup")
        done = self.result_batch is not None
        for widget in (self.folder, self.recipients, self.passphrase, self.export_button):
            widget.setEnabled(not done)

    def cancel_export(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self.phase.setText("Membatalkan…")

    def _cancel_or_close(self) -> None:
        if self.working:
            self.cancel_export()
        else:
            self.reject()

    def reject(self) -> None:
        if self.working:
            self.cancel_export()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if self.working:
            self.cancel_export()
            event.ignore()
            return
        super().closeEvent(event)
