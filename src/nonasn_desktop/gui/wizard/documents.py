"""The document picker: choose or drop a file, check it off the GUI thread, fix it if it can be.

A :class:`DocumentPicker` (objectName ``dokumen_<kind>``) shows the rule of its kind (label,
hint, formats, size limits from the policy), takes a file from "Pilih berkas…" or a drop, and
hands it to :func:`nonasn_desktop.registration.documents.offer_file` on a worker thread. It then
shows a preview (pictures upright as displayed, PDFs by their first page), every finding with
✓/✗ and, when every failure can be repaired, "Perbaiki otomatis": the compliant copy is made
in the background, shown before/after in a dialog, and only used when the clerk accepts it.
The original file is never changed. A passed document is attached to the flow.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDropEvent, QImage
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nonasn_desktop.accounts.users import UserInfo
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import UserError
from nonasn_desktop.flow.machine import RegistrationFlow
from nonasn_desktop.flow.state import DocumentRef
from nonasn_desktop.gui import file_dialogs
from nonasn_desktop.gui.messages import show_bug, show_error
from nonasn_desktop.gui.wizard.dialogs import CompliantCopyDialog, ImageBox
from nonasn_desktop.gui.wizard.document_view import compact_html, findings_html, preview_image
from nonasn_desktop.gui.wizard.look import em, set_role
from nonasn_desktop.gui.wizard.owner import FlowOwner
from nonasn_desktop.gui.workers import Task, run_in_background
from nonasn_desktop.registration import documents
from nonasn_desktop.rules.compliant_copy import CompliantCopy
from nonasn_desktop.rules.documents import format_limit, format_size, formats_label

FILE_FILTERS = {
    "jpeg": "Gambar JPG/JPEG (*.jpg *.jpeg *.JPG *.JPEG)",
    "pdf": "Dokumen PDF (*.pdf *.PDF)",
}

# Status of a picker, for the chip at its top right and for tests.
NONE, BUSY, OK, FIXABLE, FAILED, LOCKED = "none", "busy", "ok", "fixable", "fail", "locked"
_STATUS_TEXT = {
    NONE: "Belum diunggah",
    BUSY: "Memeriksa berkas…",
    OK: "✓ Memenuhi syarat",
    FIXABLE: "Perlu diperbaiki",
    FAILED: "✗ Belum memenuhi syarat",
    LOCKED: "✓ Terkunci",
}


class DocumentHost(Protocol):
    """What a picker needs from the window that holds it."""

    ctx: AppContext
    user: UserInfo

    @property
    def flow(self) -> RegistrationFlow: ...

    @property
    def owner(self) -> FlowOwner: ...

    def ensure_registration_id(self) -> int: ...

    def document_changed(self, kind: str) -> None: ...


class DocumentPicker(QFrame):
    """One document kind of a page: rule, file choice or drop, check, preview, fix."""

    # True when a passed document of this kind is attached to the flow after a check.
    check_finished = Signal(bool)
    # A compliant copy was accepted and attached.
    copy_used = Signal()
    # The before/after dialog of "Perbaiki otomatis" is open (the dialog).
    copy_dialog_opened = Signal(object)

    def __init__(self, kind: str, host: DocumentHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self._host = host
        self.rule = host.flow.policy.document(kind)
        self.setObjectName(f"dokumen_{kind}")
        self.setAccessibleName(self.rule.label)
        self.setAcceptDrops(True)
        set_role(self, "card")
        self.status = NONE
        self.busy = False
        self.copy_dialog: CompliantCopyDialog | None = None
        self._task: Task | None = None
        self._status_before = NONE
        self._fixable_id: int | None = None
        self._original_image: QImage | None = None
        self._original_size = 0
        self._shown_document: int | None = None
        self._findings: tuple[tuple[bool, str], ...] = ()
        self._locked_reason: str | None = None
        # The name of a file just offered and not (yet) usable: refused, or waiting for a fix.
        self._refused_name: str | None = None
        self._offering: str | None = None
        self._build()

    # ----------------------------------------------------------------- building

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(em(self, 1), em(self, 0.8), em(self, 1), em(self, 0.8))
        layout.setSpacing(em(self, 0.5))
        layout.addLayout(self._build_title())
        layout.addWidget(self._build_rule_text())
        layout.addLayout(self._build_body())
        layout.addLayout(self._build_buttons())
        self._set_status(NONE)

    def _build_title(self) -> QHBoxLayout:
        """The document's name and, at the right, the status chip."""
        top = QHBoxLayout()
        title = QLabel(self.rule.label, self)
        title.setWordWrap(True)
        set_role(title, "card_title")
        top.addWidget(title, 1)
        self.chip = QLabel(self)
        self.chip.setObjectName(f"dokumen_{self.kind}_status")
        top.addWidget(self.chip, 0, Qt.AlignmentFlag.AlignTop)
        return top

    def _build_rule_text(self) -> QLabel:
        """The rule of the kind: its hint, formats and size limits from the policy."""
        rule = self.rule
        limits = f"Format {formats_label(rule)} · paling besar {format_limit(rule.max_bytes)}"
        if rule.min_bytes:
            limits += f" · paling kecil {format_size(rule.min_bytes)}"
        details = [rule.hint, limits] if rule.hint else [limits]
        if not rule.hint and rule.blue_background:
            details.append("Latar belakang biru, foto tegak (potret).")
        elif not rule.hint and rule.colour:
            details.append("Harus berwarna (bukan hitam-putih).")
        hint = QLabel("\n".join(details), self)
        hint.setWordWrap(True)
        set_role(hint, "help")
        return hint

    def _build_body(self) -> QGridLayout:
        """The preview at the left; the file's name, the findings and a note beside it."""
        body = QGridLayout()
        body.setHorizontalSpacing(em(self, 1))
        self.preview = ImageBox(10, 7.5, self)
        self.preview.setObjectName(f"dokumen_{self.kind}_pratinjau")
        self.preview.set_placeholder("Seret berkas ke sini")
        body.addWidget(self.preview, 0, 0, 3, 1, Qt.AlignmentFlag.AlignTop)
        self.file_label = QLabel("Belum ada berkas yang dipilih.", self)
        self.file_label.setObjectName(f"dokumen_{self.kind}_berkas")
        self.file_label.setWordWrap(True)
        self.file_label.setTextFormat(Qt.TextFormat.PlainText)
        body.addWidget(self.file_label, 0, 1)
        self.findings_label = QLabel(self)
        self.findings_label.setObjectName(f"dokumen_{self.kind}_hasil")
        self.findings_label.setWordWrap(True)
        self.findings_label.setTextFormat(Qt.TextFormat.RichText)
        findings_box = QVBoxLayout()
        findings_box.setSpacing(0)
        findings_box.addWidget(self.findings_label)
        self.details_button = QToolButton(self)
        self.details_button.setObjectName(f"dokumen_{self.kind}_rincian")
        self.details_button.setText("Lihat rincian pemeriksaan")
        self.details_button.setCheckable(True)
        self.details_button.setAutoRaise(True)
        self.details_button.setCursor(Qt.CursorShape.PointingHandCursor)
        set_role(self.details_button, "link")
        self.details_button.toggled.connect(self._details_toggled)
        self.details_button.hide()
        findings_box.addWidget(self.details_button, 0, Qt.AlignmentFlag.AlignLeft)
        body.addLayout(findings_box, 1, 1)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        set_role(self.note, "help")
        self.note.hide()
        body.addWidget(self.note, 2, 1)
        body.setColumnStretch(1, 1)
        body.setRowStretch(2, 1)
        return body

    def _build_buttons(self) -> QHBoxLayout:
        """The buttons "Pilih berkas…" and "Perbaiki otomatis" (when it can help), a busy bar."""
        rule = self.rule
        buttons = QHBoxLayout()
        self.choose_button = QPushButton("Pilih berkas…", self)
        self.choose_button.setObjectName("button_pilih_berkas")
        self.choose_button.setAccessibleName(f"Pilih berkas {rule.label}")
        self.choose_button.setToolTip(
            f"Pilih berkas {rule.label} dari komputer ini, atau seret berkasnya ke kotak ini."
        )
        self.choose_button.setAutoDefault(True)
        self.choose_button.clicked.connect(self.browse)
        buttons.addWidget(self.choose_button)
        self.fix_button = QPushButton("Perbaiki otomatis", self)
        self.fix_button.setObjectName("button_perbaiki_otomatis")
        self.fix_button.setAccessibleName(f"Perbaiki otomatis {rule.label}")
        self.fix_button.setToolTip(
            "Buat salinan yang memenuhi ketentuan (ukuran, format, arah); berkas asli tidak diubah."
        )
        self.fix_button.setAutoDefault(True)
        self.fix_button.clicked.connect(self.fix)
        self.fix_button.hide()
        buttons.addWidget(self.fix_button)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setMaximumWidth(em(self, 8))
        self.progress.setMaximumHeight(max(6, em(self, 0.6)))
        self.progress.hide()
        buttons.addWidget(self.progress)
        buttons.addStretch(1)
        return buttons

    # ----------------------------------------------------------------- state

    @property
    def flow(self) -> RegistrationFlow:
        return self._host.flow

    def _set_status(self, status: str) -> None:
        self.status = status
        self.chip.setText(_STATUS_TEXT[status])
        set_role(self.chip, f"chip_{status}")

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self.busy = busy
        self.progress.setVisible(busy)
        self.choose_button.setEnabled(not busy and self._locked_reason is None)
        self.fix_button.setEnabled(not busy)
        if busy:
            self._set_status(BUSY)
            if text:
                self.file_label.setText(text)

    def refused_problem(self) -> str | None:
        """Why the file shown cannot be used, for the page's problem list; None otherwise.

        Only while the flow holds no passed document of this kind (a passed one stands).
        """
        name = self._refused_name
        kept = self.flow.state.documents.get(self.kind)
        if name is None or self.busy or (kept is not None and kept.passed):
            return None
        if self.status == FIXABLE:
            return (
                f"{self.rule.label}: berkas {name} belum memenuhi ketentuan; tekan "
                "\u201cPerbaiki otomatis\u201d atau pilih berkas lain."
            )
        return f"{self.rule.label}: berkas {name} ditolak; pilih berkas lain."

    def findings(self) -> tuple[tuple[bool, str], ...]:
        """(ok, message) of every check of the file shown."""
        return self._findings

    def _show_findings(self, findings: tuple[tuple[bool, str], ...]) -> None:
        self._findings = findings
        self.details_button.setVisible(bool(findings))
        self._details_toggled(self.details_button.isChecked())

    def _details_toggled(self, full: bool) -> None:
        findings = self._findings
        self.findings_label.setText(findings_html(findings) if full else compact_html(findings))
        self.details_button.setText("Sembunyikan rincian" if full else "Lihat rincian pemeriksaan")

    def _show_note(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def set_locked(self, reason: str | None) -> None:
        self._locked_reason = reason
        self.choose_button.setEnabled(reason is None and not self.busy)
        self.setAcceptDrops(reason is None)
        if reason is not None:
            self.fix_button.hide()
            self.setToolTip(reason)
            self._show_note(f"Terkunci: {reason}")
            if self.kind in self.flow.state.documents:
                self._set_status(LOCKED)
        else:
            self.setToolTip("")

    def _start(
        self, work: Callable[[Task], Any], on_success: Callable[[Any], None], text: str
    ) -> None:
        self._status_before = self.status
        self._set_busy(True, text)

        def succeeded(result: Any) -> None:
            self._finished()  # the work is over: what follows is showing its result
            on_success(result)

        # The task is kept until the next one: its queued signals must always arrive.
        self._task = run_in_background(
            work,
            on_success=succeeded,
            on_failure=self._failed,
            on_crash=self._crashed,
            on_finished=self._finished,
        )

    def _finished(self) -> None:
        if not self.busy:
            return
        self._set_busy(False)
        if self.status == BUSY:
            # Nothing new to show (a copy was made, then the dialog closed): as it was.
            self._set_status(self._status_before)

    def _failed(self, exc: UserError) -> None:
        self._finished()
        self._set_status(FAILED)
        self._refused_name = self._offering
        self._show_findings(((False, str(exc)),))
        self.check_finished.emit(False)

    def _crashed(self, exc: BaseException) -> None:
        self._finished()
        self._set_status(FAILED)
        self.check_finished.emit(False)
        show_bug(self, exc)

    # ----------------------------------------------------------------- choosing a file

    def browse(self) -> None:
        """ "Pilih berkas…": the file dialog, filtered to the kind's formats."""
        filters = ";;".join(FILE_FILTERS[fmt] for fmt in self.rule.formats)
        path = file_dialogs.open_file(
            self,
            file_dialogs.Kind.DOCUMENT,
            f"Pilih berkas: {self.rule.label}",
            f"{filters};;{file_dialogs.ALL_FILES}",
        )
        if path is not None:
            self.choose_file(path)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        if self._locked_reason is None and not self.busy and self._dropped_path(event):
            event.acceptProposedAction()
            set_role(self, "card_drop")
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:  # noqa: N802 - Qt override
        set_role(self, "card")
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        set_role(self, "card")
        path = self._dropped_path(event)
        if path is None:
            event.ignore()
            return
        event.acceptProposedAction()
        self.choose_file(path)

    @staticmethod
    def _dropped_path(event: QDropEvent | QDragEnterEvent) -> Path | None:
        mime = event.mimeData()
        if not mime.hasUrls():
            return None
        urls = [url for url in mime.urls() if url.isLocalFile()]
        return Path(urls[0].toLocalFile()) if len(urls) == 1 else None

    def _variant(self) -> str | None:
        if not self.rule.variants:
            return None
        raw = self.flow.value("bentuk_sk")
        keys = {choice.key for choice in self.rule.variants}
        return raw if raw in keys else None

    def choose_file(self, path: Path | str) -> None:
        """Check ``path`` as this kind of document (the file dialog and a drop come here)."""
        if self.busy or self._locked_reason is not None:
            return
        path = Path(path)
        try:
            registration_id = self._host.ensure_registration_id()
        except UserError as exc:
            show_error(self, exc)
            return
        ctx, user, kind, variant = self._host.ctx, self._host.user, self.kind, self._variant()
        self._fixable_id = None
        self.fix_button.hide()
        self._show_note("")
        self._offering = path.name

        def work(_task: Task) -> tuple[documents.Upload, QImage | None]:
            upload = documents.offer_file(
                ctx,
                registration_id,
                kind,
                path,
                actor=user.actor,
                variant=variant,
            )
            image = None
            if upload.document_id is not None:
                data = documents.document_bytes(ctx, upload.document_id, actor=user.actor)
                image = preview_image(data, upload.check.media_type)
            return upload, image

        self._start(work, lambda result: self._offered(path, *result), f"{path.name} — memeriksa…")

    def _offered(self, path: Path, upload: documents.Upload, image: QImage | None) -> None:
        check = upload.check
        self._original_image = image
        self._original_size = check.size
        self.file_label.setText(f"{path.name} · {format_size(check.size)}")
        self._show_findings(tuple((f.ok, f.message) for f in check.findings))
        if image is not None:
            self.preview.set_image(image)
        else:
            self.preview.set_placeholder("Pratinjau tidak tersedia")
        if upload.ref is not None:
            self._refused_name = None
            self._set_status(OK)
            self._attach(upload.ref)
            self.check_finished.emit(True)
            return
        self._refused_name = path.name
        kept = self.flow.state.documents.get(self.kind)
        if upload.fixable:
            self._fixable_id = upload.document_id
            self.fix_button.show()
            set_role(self.fix_button, "primary")
            self._set_status(FIXABLE)
            note = (
                "Berkas ini hanya gagal pada ukuran, format atau arah gambar: tekan "
                "\u201cPerbaiki otomatis\u201d untuk membuat salinan yang memenuhi ketentuan."
            )
        else:
            self._set_status(FAILED)
            note = "Berkas ditolak. Minta berkas lain, atau scan ulang sesuai ketentuan."
        if kept is not None and kept.passed:
            note += f" Berkas sebelumnya ({kept.original_name}) tetap dipakai sampai diganti."
        self._show_note(note)
        self.check_finished.emit(False)

    def _attach(self, ref: DocumentRef) -> None:
        try:
            self._host.owner.attach_document(ref)
        except UserError as exc:
            show_error(self, exc)
            return
        self._shown_document = ref.document_id
        self._host.document_changed(self.kind)
        self.show_variant()

    def show_variant(self) -> None:
        """For the SK: which of its forms was handed in (the "Bentuk SK" field decides)."""
        ref = self.flow.state.documents.get(self.kind)
        lines = [ln for ln in self.file_label.text().splitlines() if not ln.startswith("Bentuk:")]
        if ref is not None and ref.variant:
            variants = self.rule.variants
            label = next((c.label for c in variants if c.key == ref.variant), ref.variant)
            lines.append(f"Bentuk: {label}")
        self.file_label.setText("\n".join(lines))

    # ----------------------------------------------------------------- the compliant copy

    def fix(self) -> None:
        """ "Perbaiki otomatis": make the copy in the background, then show it for approval."""
        document_id = self._fixable_id
        if document_id is None or self.busy:
            return
        ctx, actor = self._host.ctx, self._host.user.actor

        def work(_task: Task) -> tuple[CompliantCopy, QImage | None]:
            copy = documents.preview_compliant_copy(ctx, document_id, actor=actor)
            return copy, preview_image(copy.data, "image/jpeg")

        self._start(
            work,
            lambda result: self._show_copy(document_id, *result),
            "Membuat salinan yang memenuhi ketentuan…",
        )

    def _show_copy(self, document_id: int, copy: CompliantCopy, image: QImage | None) -> None:
        dialog = CompliantCopyDialog(
            label=self.rule.label,
            before=self._original_image,
            after=image,
            original_size=self._original_size,
            new_size=len(copy.data),
            changes=copy.changes,
            findings=tuple((f.ok, f.message) for f in copy.check.findings),
            parent=self,
        )
        self.copy_dialog = dialog
        dialog.accepted.connect(lambda: self._use_copy(document_id, copy, image))
        dialog.finished.connect(lambda _result: self._dialog_closed(dialog))
        dialog.open()
        self.copy_dialog_opened.emit(dialog)

    def _dialog_closed(self, dialog: CompliantCopyDialog) -> None:
        if self.copy_dialog is dialog:
            self.copy_dialog = None
        dialog.deleteLater()

    def _use_copy(self, document_id: int, copy: CompliantCopy, image: QImage | None) -> None:
        ctx, user = self._host.ctx, self._host.user

        def work(_task: Task) -> documents.Upload:
            return documents.accept_compliant_copy(ctx, document_id, copy, actor=user.actor)

        def done(upload: documents.Upload) -> None:
            assert upload.ref is not None
            self._fixable_id = None
            self.fix_button.hide()
            self.preview.set_image(image)
            self.file_label.setText(
                f"{upload.ref.original_name} · {format_size(len(copy.data))} "
                "(salinan; berkas asli tetap tersimpan)"
            )
            self._show_findings(tuple((f.ok, f.message) for f in copy.check.findings))
            self._show_note("Perubahan: " + "; ".join(copy.changes) if copy.changes else "")
            self._refused_name = None
            self._set_status(OK)
            self._attach(upload.ref)
            self.copy_used.emit()
            self.check_finished.emit(True)

        self._start(work, done, "Menyimpan salinan…")

    # ----------------------------------------------------------------- showing what is attached

    def show_attached(self) -> None:
        """Show the document the flow holds for this kind (when the page is entered)."""
        ref = self.flow.state.documents.get(self.kind)
        if ref is None:
            if self._shown_document is not None:
                self._shown_document = None
                self.preview.set_placeholder("Seret berkas ke sini")
                self.file_label.setText("Belum ada berkas yang dipilih.")
                self._show_findings(())
                self._set_status(NONE)
            return
        if ref.document_id == self._shown_document or self.busy:
            return
        ctx, registration_id = self._host.ctx, self.flow.state.registration_id
        actor = self._host.user.actor

        def work(_task: Task) -> tuple[documents.DocumentInfo | None, QImage | None]:
            info = None
            if registration_id is not None:
                info = next(
                    (
                        d
                        for d in documents.documents_of(
                            ctx, registration_id, actor=actor, active_only=False
                        )
                        if d.id == ref.document_id
                    ),
                    None,
                )
            data = documents.document_bytes(ctx, ref.document_id, actor=actor)
            return info, preview_image(data, info.media_type if info else None)

        def done(result: tuple[documents.DocumentInfo | None, QImage | None]) -> None:
            info, image = result
            self._shown_document = ref.document_id
            self.preview.set_image(image)
            size = f" · {format_size(info.size)}" if info else ""
            self.file_label.setText(f"{ref.original_name}{size}")
            self._show_findings(info.findings if info else ())
            locked = self._locked_reason is not None
            self._set_status(LOCKED if locked else OK if ref.passed else FAILED)
            self.show_variant()

        self._start(work, done, f"{ref.original_name} — memuat…")
