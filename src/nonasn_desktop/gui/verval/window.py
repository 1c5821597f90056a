"""The verifier's desk (:class:`VervalWindow`).

The queue of finished registrations on the left, the record's data and E1–E5 result in the
middle, its documents (zoomable pictures, PDF pages) on the right, and the decision underneath:
"Disetujui", "Perlu Perbaikan" (a reason and the fields or documents to correct) or "Ditolak"
(a reason). Approving a record that does not meet the criteria (TMS) needs a written reason
too. Every decision goes through ``verval.decisions.decide``, which checks the rules and writes
the audit log. A record flagged "NIK ganda" (its NIK also on another record, from a field
laptop's transfer) is marked in the queue and cannot be approved until the pair is settled
(Data › NIK Ganda…); the duplicate of a settled pair never can.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from nonasn_desktop.accounts.users import UserInfo
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import UserError
from nonasn_desktop.gui import messages, theme
from nonasn_desktop.gui.verval.common import CROSS, LABEL_WIDTH, TICK, clear_layout, value_label
from nonasn_desktop.gui.verval.viewer import DocumentViewer
from nonasn_desktop.rules.formatting import format_date
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.verval import conflicts as verval_conflicts
from nonasn_desktop.verval import decisions as verval
from nonasn_desktop.verval import review as verval_review
from nonasn_desktop.verval.review import QueueItem, Review

# Narrower than this (a 1366×768 laptop at 150 % offers 911 pixels) the panes are rebalanced.
NARROW_WIDTH = 1100
# The queue's least width: its title on one line.
QUEUE_WIDTH = 215
DECISIONS = (
    (RecordStatus.DISETUJUI, "Disetujui"),
    (RecordStatus.PERLU_PERBAIKAN, "Perlu Perbaikan"),
    (RecordStatus.DITOLAK, "Ditolak"),
)


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
        self._marks: dict[int, verval_conflicts.ConflictMark] = {}
        self._choices = verval_review.correction_choices(ctx)
        self.setObjectName("verval_window")
        self.setWindowTitle("Verifikasi dan Validasi (Verval) — Pendataan Non-ASN")
        # Fits a 1366×768 laptop at 150 % scaling (911×512 logical pixels).
        self.setMinimumSize(880, 480)
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
        self.viewer = DocumentViewer(self._ctx, self._user.actor)
        self.viewer.setMinimumWidth(260)
        self.splitter.addWidget(self.viewer)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 1)
        self.splitter.setSizes([270, 470, 560])
        self._narrow: bool | None = None
        body_layout.addWidget(self.splitter, 1)
        body_layout.addWidget(self._build_decision())
        layout.addWidget(body, 1)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        """Below 1100 pixels (150 % scaling) the record gets the room its values need and
        the document the rest; the clerk may move the dividers, until the width class
        changes again."""
        super().resizeEvent(event)
        narrow = self.width() < NARROW_WIDTH
        if narrow != self._narrow:
            self._narrow = narrow
            # After the layout pass that gives the splitter its new width.
            QTimer.singleShot(0, self, self._balance_panes)

    def _balance_panes(self) -> None:
        if self._narrow:
            queue, record = QUEUE_WIDTH, 380
            room = self.splitter.width() - 2 * self.splitter.handleWidth()
            self.splitter.setSizes([queue, record, max(1, room - queue - record)])
        else:
            self.splitter.setSizes([270, 470, 560])

    def _build_queue(self) -> QWidget:
        panel = QWidget()
        panel.setMinimumWidth(QUEUE_WIDTH)
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
        self.record_area.setMinimumWidth(320)
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
        self.conflict_warning = QLabel()
        self.conflict_warning.setObjectName("error")
        self.conflict_warning.setWordWrap(True)
        self.conflict_warning.setVisible(False)
        grid.addWidget(self.conflict_warning, 3, 0, 1, 3)
        self.error = theme.error_label()
        grid.addWidget(self.error, 4, 0, 1, 3)

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
        grid.addLayout(buttons, 5, 0, 1, 3)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(2, 2)
        self.decision_box = box
        self._decision_changed()
        return box

    # -- queue -------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the queue again, keeping the selected record when it is still waiting."""
        current = self._review.id if self._review is not None else None
        self._queue = verval_review.review_queue(self._ctx, actor=self._user.actor)
        self._marks = verval_conflicts.conflict_marks(
            self._ctx, (i.id for i in self._queue), actor=self._user.actor
        )
        self.queue_list.blockSignals(True)
        self.queue_list.clear()
        for item in self._queue:
            self.queue_list.addItem(self._queue_entry(item, self._marks.get(item.id)))
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

    @staticmethod
    def _queue_entry(
        item: QueueItem, mark: verval_conflicts.ConflictMark | None
    ) -> QListWidgetItem:
        flags = []
        if mark is not None:
            flags.append(mark.label.upper())
        if item.eligible is False:
            flags.append("TMS")
        done = format_date(item.completed_at.date()) if item.completed_at else "-"
        # The second holder of a NIK keeps it aside (conflict_nik): the mark knows it.
        nik = item.nik or (mark.nik if mark is not None else None)
        text = (
            f"{item.nama or '(tanpa nama)'}{''.join(f'  ·  {flag}' for flag in flags)}\n"
            f"NIK {nik or '-'}\n{item.unit_kerja or '-'} · selesai {done}"
        )
        entry = QListWidgetItem(text)
        entry.setData(Qt.ItemDataRole.UserRole, item.id)
        tips = []
        if mark is not None:
            tips.append(mark.explanation)
        if item.eligible is False:
            tips.append(f"Tidak Memenuhi Syarat: {item.failed_criteria or '-'}")
        if tips:
            entry.setForeground(Qt.GlobalColor.darkRed)
            entry.setToolTip("\n".join(tips))
        return entry

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
            review = verval_review.load_review(
                self._ctx, self._queue[row].id, actor=self._user.actor
            )
        except UserError as exc:
            messages.show_user_error(self, exc, title="Data tidak dapat dibuka")
            self._show(None)
            return
        self._show(review)

    # -- the record ----------------------------------------------------------------------------

    def _show(self, review: Review | None) -> None:
        self._review = review
        clear_layout(self.record_layout)
        self._reset_decision()
        self.decision_box.setEnabled(review is not None)
        mark = self._marks.get(review.id) if review is not None else None
        self.conflict_warning.setVisible(mark is not None)
        self.conflict_warning.setText(f"{mark.label}: {mark.explanation}" if mark else "")
        approve = self.decision_buttons[RecordStatus.DISETUJUI]
        approve.setEnabled(mark is None)
        approve.setToolTip("Data ber-NIK ganda tidak dapat disetujui." if mark else "")
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
        nik = review.nik or (mark.nik if mark is not None else None)
        facts = [f"NIK {nik or '-'}", f"Nomor akun {review.account_number or '-'}"]
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
            mark = QLabel(TICK if criterion.met else CROSS)
            mark.setStyleSheet(f"color: {theme.OK if criterion.met else theme.ERROR};")
            mark.setAlignment(Qt.AlignmentFlag.AlignTop)
            code = QLabel(criterion.code)
            code.setAlignment(Qt.AlignmentFlag.AlignTop)
            code.setStyleSheet("font-weight: 600;")
            text = value_label(f"{criterion.title}\n{criterion.reason}")
            layout.addWidget(mark, row, 0)
            layout.addWidget(code, row, 1)
            layout.addWidget(text, row, 2)
        if not review.criteria:
            layout.addWidget(value_label("Kelayakan belum dinilai."), 0, 0)
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
            # Long labels wrap within the column: the value keeps its room on a narrow pane.
            label.setMaximumWidth(LABEL_WIDTH)
            value = value_label(field.value)
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
                actor=self._user.actor,
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
