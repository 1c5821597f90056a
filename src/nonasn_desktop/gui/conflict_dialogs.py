"""Data › NIK Ganda…: records holding the same NIK (from a field laptop and the office, or two
laptops), shown side by side, and settled by keeping one (verval.conflicts).

Kept apart from the verval screen so that it stands on its own; the verval queue can open
the same dialog for a flagged record.
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nonasn_desktop.accounts.users import UserInfo
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import UserError
from nonasn_desktop.verval.conflicts import (
    ConflictPair,
    conflict_pair,
    open_conflicts,
    settle_nik_conflict,
)

from . import messages, theme

MIN_REASON = 10
_DIFFERENT = QColor("#fff4ce")


class NikConflictDialog(QDialog):
    """One pair at a time: choose it above, compare below, keep one with a reason."""

    def __init__(self, ctx: AppContext, actor: UserInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("nik_conflict_dialog")
        self.setWindowTitle("NIK Ganda")
        self._ctx = ctx
        self._actor = actor
        self.pair: ConflictPair | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 18)
        heading = QLabel("NIK Ganda")
        heading.setObjectName("page_title")
        layout.addWidget(heading)
        layout.addWidget(
            theme.hint_label(
                "NIK yang sama didaftarkan dua kali (di kantor dan di perangkat lapangan, atau "
                "di dua perangkat). Kedua data disimpan; pilih data yang dipakai. Data lainnya "
                "tetap ada, ditandai ganda, dan tidak ikut dikirim ke pusat."
            )
        )
        self.choice = QComboBox()
        self.choice.setObjectName("conflict_choice")
        self.choice.currentIndexChanged.connect(self._show)
        layout.addWidget(self.choice)
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("conflict_table")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.reason = QLineEdit()
        self.reason.setObjectName("alasan")
        self.reason.setPlaceholderText("Alasan memilih data (paling sedikit 10 karakter)")
        layout.addWidget(self.reason)
        self.error = theme.error_label()
        layout.addWidget(self.error)
        buttons = QHBoxLayout()
        self.keep_left = QPushButton("Pakai Data Kiri")
        self.keep_left.setObjectName("keep_left")
        self.keep_left.clicked.connect(lambda: self.keep(left=True))
        self.keep_right = QPushButton("Pakai Data Kanan")
        self.keep_right.setObjectName("keep_right")
        self.keep_right.clicked.connect(lambda: self.keep(left=False))
        close = QPushButton("Tutup")
        close.clicked.connect(self.accept)
        buttons.addWidget(self.keep_left)
        buttons.addWidget(self.keep_right)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.resize(860, 600)
        self.reload()

    def reload(self) -> None:
        self.choice.blockSignals(True)
        self.choice.clear()
        for registration_id in open_conflicts(self._ctx, actor=self._actor.actor):
            self.choice.addItem(f"Data nomor {registration_id}", registration_id)
        self.choice.blockSignals(False)
        self._show()

    def _show(self) -> None:
        registration_id = self.choice.currentData()
        self.pair = (
            None
            if registration_id is None
            else conflict_pair(self._ctx, registration_id, actor=self._actor.actor)
        )
        pair = self.pair
        for button in (self.keep_left, self.keep_right):
            button.setEnabled(pair is not None)
        if pair is None:
            self.table.setRowCount(0)
            return
        self.table.setHorizontalHeaderLabels(
            [
                f"NIK {pair.nik}",
                f"{pair.left_origin} · no. {pair.left.id}",
                f"{pair.right_origin} · no. {pair.right.id}",
            ]
        )
        rows: list[tuple[str, str, str]] = [
            ("Nomor akun", pair.left.account_number or "-", pair.right.account_number or "-"),
            ("Status", pair.left.status.label, pair.right.status.label),
        ]
        for left_section, right_section in zip(
            pair.left.sections, pair.right.sections, strict=True
        ):
            for lf, rf in zip(left_section.fields, right_section.fields, strict=True):
                rows.append((lf.label, lf.value, rf.value))
        self.table.setRowCount(len(rows))
        for index, (label, left, right) in enumerate(rows):
            for column, text in enumerate((label, left, right)):
                item = QTableWidgetItem(text)
                if left != right:
                    item.setBackground(QBrush(_DIFFERENT))
                self.table.setItem(index, column, item)

    def keep(self, *, left: bool) -> None:
        pair = self.pair
        if pair is None:
            return
        reason = " ".join(self.reason.text().split())
        if len(reason) < MIN_REASON:
            theme.show_error_text(self.error, "Tuliskan alasan memilih data itu.")
            return
        chosen = pair.left if left else pair.right
        try:
            settle_nik_conflict(self._ctx, chosen.id, actor=self._actor.actor, reason=reason)
        except UserError as exc:
            messages.show_user_error(self, exc)
            return
        self.reason.clear()
        self.error.hide()
        self.reload()


def add_conflict_action(menu: QMenu, window: QWidget, ctx: AppContext, actor: UserInfo) -> QAction:
    """Data › NIK Ganda… (the window adds it for a role holding verval_review)."""

    def show() -> None:
        NikConflictDialog(ctx, actor, window).exec()

    action = QAction("NIK &Ganda…", window)
    action.setObjectName("action_nik_conflicts")
    action.setStatusTip("Bandingkan dan selesaikan data dengan NIK yang sama")
    action.triggered.connect(show)
    menu.addAction(action)
    return action
