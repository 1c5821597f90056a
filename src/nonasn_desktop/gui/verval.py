"""Verification and validation (verval), and the batch export for the central office.

:class:`VervalWindow` is the verifier's desk: the queue of finished registrations on the left,
the record's data and E1–E5 result in the middle, its documents (zoomable pictures, PDF pages)
on the right, and the decision underneath: "Disetujui", "Perlu Perbaikan" (a reason and the
fields or documents to correct) or "Ditolak" (a reason). Approving a record that does not meet
the criteria (TMS) needs a written reason too. Every decision goes through
``verval.decisions.decide``, which checks the rules and writes the audit log.

:class:`BatchExportDialog` is the admin's export: folder, age recipients, passphrase, then the
export runs on a worker thread with progress and a cancel button (``batch.export``).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices, QImage, QPixmap, QWheelEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from nonasn_desktop.accounts.users import UserInfo
from nonasn_desktop.batch import export as batch_export
from nonasn_desktop.batch.export import BatchResult, ExportProgress
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import UserError
from nonasn_desktop.gui import file_dialogs, messages, theme
from nonasn_desktop.gui.images import pil_to_qimage, qimage_from_bytes
from nonasn_desktop.gui.workers import Task, run_in_background
from nonasn_desktop.office import keys
from nonasn_desktop.printing.pages import PdfPages
from nonasn_desktop.registration.documents import document_bytes
from nonasn_desktop.rules.formatting import format_date
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.verval import decisions as verval
from nonasn_desktop.verval import review as verval_review
from nonasn_desktop.verval.review import QueueItem, Review, ReviewDocument

log = logging.getLogger(__name__)

ZOOM_STEPS = (0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0)
SCREEN_DPI = 96
POINTS_PER_INCH = 72
MAX_RENDER_DPI = 300
DECISIONS = (
    (RecordStatus.DISETUJUI, "Disetujui"),
    (RecordStatus.PERLU_PERBAIKAN, "Perlu Perbaikan"),
    (RecordStatus.DITOLAK, "Ditolak"),
)
LABEL_WIDTH = 170
_TICK = "\u2714"
_CROSS = "\u2716"


def _value_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    return label


def _clear(layout: QVBoxLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget() if item is not None else None
        if widget is not None:
            # Hidden at once: deleteLater() only acts when control returns to the event loop.
            widget.hide()
            widget.setParent(None)
            widget.deleteLater()


# -- documents -----------------------------------------------------------------------------


class _Canvas(QScrollArea):
    """The scrolling picture; Ctrl + wheel zooms."""

    zoom_wheel = Signal(int)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt's name
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_wheel.emit(1 if event.angleDelta().y() > 0 else -1)
            event.accept()
            return
        super().wheelEvent(event)


class DocumentViewer(QWidget):
    """One document at a time: a picture or the pages of a PDF, zoomable."""

    shown = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._documents: tuple[ReviewDocument, ...] = ()
        self._data: bytes | None = None
        self._pdf: PdfPages | None = None
        self._image: QImage | None = None
        self._page = 0
        self._zoom = 1.0
        self._fit = True

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        title = QLabel("Dokumen")
        title.setObjectName("section_title")
        layout.addWidget(title)
        self.chooser = QComboBox()
        self.chooser.setObjectName("document_chooser")
        self.chooser.currentIndexChanged.connect(self._chosen)
        layout.addWidget(self.chooser)
        self.details = QLabel()
        self.details.setObjectName("hint")
        self.details.setWordWrap(True)
        layout.addWidget(self.details)

        bar = QHBoxLayout()
        bar.setSpacing(4)
        self.previous_page = QPushButton("\u2039 Halaman")
        self.previous_page.clicked.connect(lambda: self.show_page(self._page - 1))
        self.page_label = QLabel()
        self.page_label.setObjectName("muted")
        self.next_page = QPushButton("Halaman \u203a")
        self.next_page.clicked.connect(lambda: self.show_page(self._page + 1))
        self.zoom_out = QPushButton("\u2212")
        self.zoom_out.setObjectName("zoom_out")
        self.zoom_out.setToolTip("Perkecil (Ctrl + roda tetikus)")
        self.zoom_out.clicked.connect(lambda: self.step_zoom(-1))
        self.zoom_label = QLabel()
        self.zoom_label.setMinimumWidth(44)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.zoom_in = QPushButton("+")
        self.zoom_in.setObjectName("zoom_in")
        self.zoom_in.setToolTip("Perbesar (Ctrl + roda tetikus)")
        self.zoom_in.clicked.connect(lambda: self.step_zoom(1))
        self.fit_button = QPushButton("Sesuaikan")
        self.fit_button.setToolTip("Tampilkan selebar panel")
        self.fit_button.clicked.connect(self.fit_width)
        for button in (self.zoom_out, self.zoom_in):
            button.setFixedWidth(34)
            button.setStyleSheet("font-size: 13pt; font-weight: 600; padding: 0;")
        bar.addWidget(self.previous_page)
        bar.addWidget(self.page_label)
        bar.addWidget(self.next_page)
        bar.addStretch(1)
        bar.addWidget(self.zoom_out)
        bar.addWidget(self.zoom_label)
        bar.addWidget(self.zoom_in)
        bar.addWidget(self.fit_button)
        layout.addLayout(bar)

        self.canvas = _Canvas()
        self.canvas.setObjectName("document_canvas")
        self.canvas.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.canvas.setStyleSheet("QScrollArea#document_canvas { background: #5B6776; }")
        self.picture = QLabel()
        self.picture.setObjectName("document_picture")
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setStyleSheet("color: #FFFFFF;")
        self.canvas.setWidget(self.picture)
        self.canvas.setWidgetResizable(False)
        self.canvas.zoom_wheel.connect(self.step_zoom)
        layout.addWidget(self.canvas, 1)
        self._update_controls()

    # -- public --------------------------------------------------------------------------

    def set_documents(self, documents: tuple[ReviewDocument, ...]) -> None:
        self._documents = documents
        self.chooser.blockSignals(True)
        self.chooser.clear()
        for document in documents:
            mark = "" if document.passed else "  (tidak lolos pemeriksaan)"
            self.chooser.addItem(f"{document.label}{mark}", document.id)
        self.chooser.blockSignals(False)
        if documents:
            self.chooser.setCurrentIndex(0)
            self._chosen(0)
        else:
            self._close_pdf()
            self._data = None
            self._image = None
            self.details.setText("")
            self.picture.setPixmap(QPixmap())
            self.picture.setText("Tidak ada dokumen.")
            self.picture.adjustSize()
            self._update_controls()

    def show_document(self, document_id: int) -> None:
        index = self.chooser.findData(document_id)
        if index >= 0:
            self.chooser.setCurrentIndex(index)

    @property
    def current(self) -> ReviewDocument | None:
        index = self.chooser.currentIndex()
        return self._documents[index] if 0 <= index < len(self._documents) else None

    @property
    def page_count(self) -> int:
        if self._pdf is not None:
            return self._pdf.count
        return 1 if self._image is not None else 0

    @property
    def zoom(self) -> float:
        return self._zoom

    def step_zoom(self, direction: int) -> None:
        if self.page_count == 0:
            return
        if direction > 0:
            bigger = [z for z in ZOOM_STEPS if z > self._zoom + 1e-6]
            target = bigger[0] if bigger else ZOOM_STEPS[-1]
        else:
            smaller = [z for z in ZOOM_STEPS if z < self._zoom - 1e-6]
            target = smaller[-1] if smaller else ZOOM_STEPS[0]
        self._fit = False
        self._zoom = target
        self._render()

    def fit_width(self) -> None:
        self._fit = True
        self._render()

    def show_page(self, index: int) -> None:
        if self._pdf is None or not 0 <= index < self._pdf.count:
            return
        self._page = index
        self._render()

    def close_document(self) -> None:
        self._close_pdf()

    # -- internals -----------------------------------------------------------------------

    def _close_pdf(self) -> None:
        if self._pdf is not None:
            self._pdf.close()
            self._pdf = None

    def _chosen(self, index: int) -> None:
        self._close_pdf()
        self._data = None
        self._image = None
        self._page = 0
        self._fit = True
        document = self.current
        if document is None:
            return
        size_kb = max(1, round(document.size / 1024))
        details = [document.original_name, f"{size_kb} KB"]
        if document.variant:
            details.insert(0, f"Bentuk: {document.variant}")
        if document.compliant_copy:
            details.append("salinan sesuai aturan yang dibuat aplikasi")
        self.details.setText(" · ".join(details))
        try:
            self._data = document_bytes(self._ctx, document.id)
            if document.is_pdf:
                self._pdf = PdfPages(self._data)
            else:
                self._image = qimage_from_bytes(self._data)
                if self._image is None:
                    raise UserError("Gambar ini tidak dapat dibaca.")
        except UserError as exc:
            self._close_pdf()
            self._image = None
            self.picture.setPixmap(QPixmap())
            self.picture.setText(f"Dokumen tidak dapat ditampilkan:\n{exc}")
            self.picture.setWordWrap(True)
            self.picture.setFixedWidth(max(200, self.canvas.viewport().width() - 20))
            self.picture.adjustSize()
            self._update_controls()
            return
        self._render()
        self.shown.emit(document.id)

    def _available_width(self) -> int:
        # Leave room for the vertical scroll bar a tall page brings, so that fitting the width
        # never adds a horizontal one.
        scroll_bar = self.canvas.verticalScrollBar().sizeHint().width()
        return max(120, self.canvas.width() - scroll_bar - 8)

    def _render(self) -> None:
        self.picture.setMinimumWidth(0)
        self.picture.setMaximumWidth(16777215)
        image: QImage | None = None
        if self._pdf is not None:
            width_pt, _height = self._pdf.size(self._page)
            if self._fit:
                self._zoom = self._available_width() / (width_pt / POINTS_PER_INCH * SCREEN_DPI)
            ratio = self.devicePixelRatioF()
            dpi = min(MAX_RENDER_DPI, max(24.0, SCREEN_DPI * self._zoom * ratio))
            try:
                image = pil_to_qimage(self._pdf.render(self._page, dpi=dpi))
            except UserError as exc:
                self.picture.setText(f"Halaman tidak dapat ditampilkan:\n{exc}")
                self.picture.adjustSize()
                self._update_controls()
                return
            image.setDevicePixelRatio(ratio)
            pixmap = QPixmap.fromImage(image)
        elif self._image is not None:
            if self._fit:
                self._zoom = min(1.0, self._available_width() / max(1, self._image.width()))
            width = max(1, round(self._image.width() * self._zoom))
            scaled = self._image.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
            pixmap = QPixmap.fromImage(scaled)
        else:
            self._update_controls()
            return
        self.picture.setText("")
        self.picture.setPixmap(pixmap)
        self.picture.adjustSize()
        self._update_controls()

    def _update_controls(self) -> None:
        pages = self.page_count
        is_pdf = self._pdf is not None
        self.previous_page.setVisible(is_pdf)
        self.next_page.setVisible(is_pdf)
        self.page_label.setVisible(is_pdf)
        if is_pdf:
            self.page_label.setText(f"{self._page + 1} dari {pages}")
            self.previous_page.setEnabled(self._page > 0)
            self.next_page.setEnabled(self._page < pages - 1)
        for widget in (self.zoom_in, self.zoom_out, self.fit_button):
            widget.setEnabled(pages > 0)
        self.zoom_label.setText(f"{round(self._zoom * 100)}%" if pages else "")

    def resizeEvent(self, event: object) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)  # type: ignore[arg-type]
        if self._fit and self.page_count:
            self._render()


# -- the verval window ---------------------------------------------------------------------


class VervalWindow(QWidget):
    """The verifier's desk (see the module docstring)."""

    decided = Signal(int, object)  # registration id, RecordStatus
    closed = Signal()

    def __init__(self, ctx: AppContext, user: UserInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self._ctx = ctx
        self._user = user
        self._review: Review | None = None
        self._queue: list[QueueItem] = []
        self._choices = verval_review.correction_choices(ctx)
        self.setObjectName("verval_window")
        self.setWindowTitle("Verifikasi dan Validasi (Verval) — Pendataan Non-ASN")
        self.setMinimumSize(1100, 640)
        self._build()
        self.refresh()

    # -- building ----------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        header = theme.header_banner(
            "Verifikasi dan Validasi (Verval)",
            f"{self._user.full_name} — {self._user.role.label}",
            icon_size=30,
        )
        header_layout = header.layout()
        assert header_layout is not None
        header_layout.setContentsMargins(18, 8, 18, 8)
        layout.addWidget(header)

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(10, 10, 10, 10)
        body_layout.setSpacing(10)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self._build_queue())
        self.splitter.addWidget(self._build_record())
        self.viewer = DocumentViewer(self._ctx)
        self.viewer.setMinimumWidth(320)
        self.splitter.addWidget(self.viewer)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 1)
        self.splitter.setSizes([270, 470, 560])
        body_layout.addWidget(self.splitter, 1)
        body_layout.addWidget(self._build_decision())
        layout.addWidget(body, 1)

    def _build_queue(self) -> QWidget:
        panel = QWidget()
        panel.setMinimumWidth(230)
        panel.setMaximumWidth(360)
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        title = QLabel("Antrean Pendaftaran Selesai")
        title.setObjectName("section_title")
        layout.addWidget(title)
        self.queue_count = QLabel()
        self.queue_count.setObjectName("hint")
        layout.addWidget(self.queue_count)
        self.queue_list = QListWidget()
        self.queue_list.setObjectName("verval_queue")
        self.queue_list.setAlternatingRowColors(True)
        self.queue_list.setWordWrap(True)
        self.queue_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.queue_list.setStyleSheet("QListWidget::item { padding: 6px 4px; }")
        self.queue_list.currentRowChanged.connect(self._queue_row_changed)
        layout.addWidget(self.queue_list, 1)
        refresh = QPushButton("Muat Ulang Antrean")
        refresh.clicked.connect(self.refresh)
        layout.addWidget(refresh)
        return panel

    def _build_record(self) -> QWidget:
        self.record_area = QScrollArea()
        self.record_area.setObjectName("verval_record")
        self.record_area.setWidgetResizable(True)
        self.record_area.setFrameShape(QFrame.Shape.NoFrame)
        self.record_area.setMinimumWidth(360)
        content = QWidget()
        self.record_layout = QVBoxLayout(content)
        self.record_layout.setContentsMargins(4, 0, 10, 4)
        self.record_layout.setSpacing(10)
        self.record_area.setWidget(content)
        return self.record_area

    def _build_decision(self) -> QWidget:
        box = QGroupBox("Keputusan Verval")
        box.setObjectName("decision_box")
        grid = QGridLayout(box)
        grid.setContentsMargins(12, 16, 12, 10)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(6)

        choices = QVBoxLayout()
        choices.setSpacing(4)
        self.decision_group = QButtonGroup(self)
        self.decision_buttons: dict[RecordStatus, QRadioButton] = {}
        for status, label in DECISIONS:
            button = QRadioButton(label)
            button.setObjectName(f"decision_{status.value}")
            self.decision_group.addButton(button)
            self.decision_buttons[status] = button
            button.toggled.connect(self._decision_changed)
            choices.addWidget(button)
        choices.addStretch(1)
        grid.addLayout(choices, 0, 0, 2, 1)

        reason_title = QLabel("Alasan")
        reason_title.setObjectName("section_title")
        grid.addWidget(reason_title, 0, 1)
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("decision_reason")
        self.reason.setPlaceholderText(
            "Tuliskan alasan keputusan (wajib untuk Perlu Perbaikan, Ditolak, dan untuk "
            "menyetujui data TMS)."
        )
        self.reason.setFixedHeight(72)
        grid.addWidget(self.reason, 1, 1)

        self.fields_title = QLabel("Isian dan dokumen yang harus diperbaiki")
        self.fields_title.setObjectName("section_title")
        grid.addWidget(self.fields_title, 0, 2)
        self.fields_list = QListWidget()
        self.fields_list.setObjectName("correction_fields")
        self.fields_list.setFixedHeight(72)
        self.fields_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.fields_list.setTextElideMode(Qt.TextElideMode.ElideRight)
        for choice in self._choices:
            item = QListWidgetItem(f"{choice.label}  ({choice.group})")
            item.setData(Qt.ItemDataRole.UserRole, choice.key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.fields_list.addItem(item)
        grid.addWidget(self.fields_list, 1, 2)

        self.tms_warning = QLabel()
        self.tms_warning.setObjectName("error")
        self.tms_warning.setWordWrap(True)
        self.tms_warning.setVisible(False)
        grid.addWidget(self.tms_warning, 2, 0, 1, 3)
        self.error = theme.error_label()
        grid.addWidget(self.error, 3, 0, 1, 3)

        buttons = QHBoxLayout()
        self.identity_hint = theme.hint_label(
            "NIK, nama, tempat dan tanggal lahir, jenis kelamin, serta pas foto sudah dikunci "
            "sejak akun dibuat: bila salah, tolak data ini."
        )
        buttons.addWidget(self.identity_hint, 1)
        self.save_button = theme.primary_button("Simpan Keputusan")
        self.save_button.setObjectName("save_decision")
        self.save_button.clicked.connect(self.submit)
        buttons.addWidget(self.save_button)
        grid.addLayout(buttons, 4, 0, 1, 3)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(2, 2)
        self.decision_box = box
        self._decision_changed()
        return box

    # -- queue -------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the queue again, keeping the selected record when it is still waiting."""
        current = self._review.id if self._review is not None else None
        self._queue = verval_review.review_queue(self._ctx)
        self.queue_list.blockSignals(True)
        self.queue_list.clear()
        for item in self._queue:
            flag = "  ·  TMS" if item.eligible is False else ""
            done = format_date(item.completed_at.date()) if item.completed_at else "-"
            text = (
                f"{item.nama or '(tanpa nama)'}{flag}\n"
                f"NIK {item.nik or '-'}\n{item.unit_kerja or '-'} · selesai {done}"
            )
            entry = QListWidgetItem(text)
            entry.setData(Qt.ItemDataRole.UserRole, item.id)
            if item.eligible is False:
                entry.setForeground(Qt.GlobalColor.darkRed)
                entry.setToolTip(f"Tidak Memenuhi Syarat: {item.failed_criteria or '-'}")
            self.queue_list.addItem(entry)
        self.queue_list.blockSignals(False)
        count = len(self._queue)
        self.queue_count.setText(
            f"{count} data menunggu verval." if count else "Tidak ada data yang menunggu verval."
        )
        ids = [item.id for item in self._queue]
        row = ids.index(current) if current in ids else (0 if ids else -1)
        self.queue_list.blockSignals(True)
        self.queue_list.setCurrentRow(row)
        self.queue_list.blockSignals(False)
        self._queue_row_changed(row)

    def select_record(self, registration_id: int) -> None:
        for row in range(self.queue_list.count()):
            item = self.queue_list.item(row)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == registration_id:
                self.queue_list.setCurrentRow(row)
                return

    def _queue_row_changed(self, row: int) -> None:
        if not 0 <= row < len(self._queue):
            self._show(None)
            return
        try:
            review = verval_review.load_review(self._ctx, self._queue[row].id)
        except UserError as exc:
            messages.show_user_error(self, exc, title="Data tidak dapat dibuka")
            self._show(None)
            return
        self._show(review)

    # -- the record ----------------------------------------------------------------------------

    def _show(self, review: Review | None) -> None:
        self._review = review
        _clear(self.record_layout)
        self._reset_decision()
        self.decision_box.setEnabled(review is not None)
        if review is None:
            empty = QLabel("Pilih data dari antrean di sebelah kiri.")
            empty.setObjectName("empty_state")
            empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.record_layout.addWidget(empty, 1)
            self.viewer.set_documents(())
            return
        heading = QLabel(review.nama or "(tanpa nama)")
        heading.setObjectName("page_title")
        heading.setWordWrap(True)
        self.record_layout.addWidget(heading)
        facts = [f"NIK {review.nik or '-'}", f"Nomor akun {review.account_number or '-'}"]
        if review.completed_at:
            facts.append(f"selesai {format_date(review.completed_at.date())}")
        line = QLabel(" · ".join(facts))
        line.setObjectName("muted")
        line.setWordWrap(True)
        self.record_layout.addWidget(line)
        self.record_layout.addWidget(self._eligibility_box(review))
        for section in review.sections:
            self.record_layout.addWidget(self._section_box(section.title, section.fields))
        for entry in review.work_history:
            self.record_layout.addWidget(
                self._section_box(f"Riwayat Pekerjaan — {entry.title}", entry.fields)
            )
        self.record_layout.addStretch(1)
        self.record_area.verticalScrollBar().setValue(0)
        self.viewer.set_documents(review.documents)
        self.tms_warning.setVisible(review.eligible is False)
        if review.eligible is False:
            failed = ", ".join(c.code for c in review.failed) or "-"
            self.tms_warning.setText(
                f"Data ini Tidak Memenuhi Syarat (TMS: {failed}). Menyetujuinya memerlukan "
                "alasan tertulis."
            )

    def _eligibility_box(self, review: Review) -> QGroupBox:
        box = QGroupBox(f"Hasil Kelayakan: {review.outcome}")
        box.setObjectName("eligibility_box")
        layout = QGridLayout(box)
        layout.setContentsMargins(10, 14, 10, 8)
        layout.setHorizontalSpacing(8)
        layout.setVerticalSpacing(4)
        for row, criterion in enumerate(review.criteria):
            mark = QLabel(_TICK if criterion.met else _CROSS)
            mark.setStyleSheet(f"color: {theme.OK if criterion.met else theme.ERROR};")
            mark.setAlignment(Qt.AlignmentFlag.AlignTop)
            code = QLabel(criterion.code)
            code.setAlignment(Qt.AlignmentFlag.AlignTop)
            code.setStyleSheet("font-weight: 600;")
            text = _value_label(f"{criterion.title}\n{criterion.reason}")
            layout.addWidget(mark, row, 0)
            layout.addWidget(code, row, 1)
            layout.addWidget(text, row, 2)
        if not review.criteria:
            layout.addWidget(_value_label("Kelayakan belum dinilai."), 0, 0)
        layout.setColumnStretch(2, 1)
        return box

    @staticmethod
    def _section_box(title: str, fields: tuple[verval_review.ReviewField, ...]) -> QGroupBox:
        box = QGroupBox(title)
        grid = QGridLayout(box)
        grid.setContentsMargins(10, 14, 10, 8)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(5)
        for row, field in enumerate(fields):
            label = QLabel(field.label)
            label.setObjectName("muted")
            label.setWordWrap(True)
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            value = _value_label(field.value)
            value.setObjectName(f"value_{field.key}")
            value.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            grid.addWidget(label, row, 0)
            grid.addWidget(value, row, 1)
        grid.setColumnMinimumWidth(0, LABEL_WIDTH)
        grid.setColumnStretch(0, 0)
        grid.setColumnStretch(1, 1)
        return box

    # -- deciding ------------------------------------------------------------------------------

    def _reset_decision(self) -> None:
        self.decision_group.setExclusive(False)
        for button in self.decision_buttons.values():
            button.setChecked(False)
        self.decision_group.setExclusive(True)
        self.reason.clear()
        for row in range(self.fields_list.count()):
            item = self.fields_list.item(row)
            if item is not None:
                item.setCheckState(Qt.CheckState.Unchecked)
        theme.show_error_text(self.error, "")
        self._decision_changed()

    def selected_decision(self) -> RecordStatus | None:
        for status, button in self.decision_buttons.items():
            if button.isChecked():
                return status
        return None

    def checked_fields(self) -> list[str]:
        keys = []
        for row in range(self.fields_list.count()):
            item = self.fields_list.item(row)
            if item is not None and item.checkState() == Qt.CheckState.Checked:
                keys.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return keys

    def set_field_checked(self, key: str, checked: bool = True) -> None:
        for row in range(self.fields_list.count()):
            item = self.fields_list.item(row)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == key:
                state = Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
                item.setCheckState(state)

    def _decision_changed(self, *_args: object) -> None:
        correcting = self.selected_decision() is RecordStatus.PERLU_PERBAIKAN
        self.fields_list.setEnabled(correcting)
        self.fields_title.setEnabled(correcting)
        self.save_button.setEnabled(self.selected_decision() is not None)

    def submit(self) -> None:
        review = self._review
        decision = self.selected_decision()
        if review is None or decision is None:
            return
        fields = self.checked_fields() if decision is RecordStatus.PERLU_PERBAIKAN else []
        reason = self.reason.toPlainText()
        label = dict(DECISIONS)[decision]
        question = (
            f"Simpan keputusan \u201c{label}\u201d untuk {review.nama or '-'} "
            f"(NIK {review.nik or '-'})?"
        )
        if not messages.confirm(self, "Simpan keputusan verval", question):
            return
        try:
            verval.decide(
                self._ctx,
                review.id,
                decision,
                actor=self._user.username,
                reason=reason,
                fields=fields,
            )
        except UserError as exc:
            theme.show_error_text(self.error, str(exc))
            return
        self.decided.emit(review.id, decision)
        position = self.queue_list.currentRow()
        self._review = None
        self.refresh()
        if self.queue_list.count():
            self.queue_list.setCurrentRow(min(position, self.queue_list.count() - 1))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.viewer.close_document()
        event.accept()
        self.closed.emit()


# -- batch export --------------------------------------------------------------------------------


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
        body_layout.addLayout(form)
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
        body_layout.addLayout(buttons)
        layout.addWidget(body)

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
        ctx, actor = self._ctx, self._user.username
        latest: dict[str, ExportProgress] = {}

        def work(task: Task) -> BatchResult:
            def progress(step: ExportProgress) -> None:
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
