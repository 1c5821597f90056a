"""The recovery key of a data folder, shown once (issue 11).

Shown to the admin whose first start (or sign-in to a folder of an older version) encrypted the
folder, and to an admin who made a new one (gui/new_recovery_key.py). It is not shown again
once the admin says it was written down ("Sudah Saya Catat"), so the dialog offers the A4 sheet
for the office safe (printing.recovery_sheet). Until then a copy sealed with the folder's key
waits in the folder and the next admin sign-in shows it again (gui/app.py, startup).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nonasn_desktop.accounts.recovery import for_office
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import UserError
from nonasn_desktop.printing.recovery_sheet import save_recovery_sheet, title_for, warnings_for

from . import file_dialogs, theme

ENCRYPTED_NOW = "Data pribadi di folder ini sekarang terenkripsi"
OFFICE_ENCRYPTED_NOW = "Dokumen kantor di server sekarang terenkripsi"
# Wide enough for the key in its large face; the paragraphs wrap within it.
TEXT_WIDTH = 560


class RecoveryKeyDialog(QDialog):
    """``subtitle`` under the title; ``note``: one more paragraph under the key (what became of
    the old key, for a new one made from the Admin menu)."""

    def __init__(
        self,
        ctx: AppContext,
        recovery_key: str,
        parent: QWidget | None = None,
        *,
        subtitle: str | None = None,
        note: str | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._key = recovery_key
        self.setObjectName("recovery_key_dialog")
        office = for_office(ctx)
        title = title_for(office)
        self.setWindowTitle(title)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        if subtitle is None:
            subtitle = OFFICE_ENCRYPTED_NOW if office else ENCRYPTED_NOW
        outer.addWidget(theme.header_banner(title, subtitle))
        body = QVBoxLayout()
        body.setContentsMargins(24, 18, 24, 20)
        body.setSpacing(12)
        outer.addLayout(body)
        opens = "dokumen kantor di server" if office else "folder data"
        body.addWidget(
            theme.hint_label(
                f"Kunci ini hanya ditampilkan SEKALI INI. Dengan kunci ini {opens} dapat "
                "dibuka bila semua kata sandi admin hilang (nonasn recover)."
            )
        )
        self.key_label = QLabel(recovery_key)
        self.key_label.setObjectName("recovery_key")
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(16)
        font.setBold(True)
        self.key_label.setFont(font)
        self.key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        body.addWidget(self.key_label)
        self.note = theme.hint_label(note or "")
        self.note.setObjectName("recovery_key_note")
        self.note.setVisible(note is not None)
        body.addWidget(self.note)
        for warning in warnings_for(office):
            body.addWidget(theme.hint_label(warning))
        self.status = theme.hint_label("")
        self.status.setVisible(False)
        body.addWidget(self.status)
        self.error = theme.error_label()
        body.addWidget(self.error)
        buttons = QHBoxLayout()
        self.sheet_button = QPushButton("Simpan Lembar A4 (PDF)…")
        self.sheet_button.clicked.connect(self._save_sheet)
        self.done_button = theme.primary_button("Sudah Saya Catat")
        self.done_button.clicked.connect(self.accept)
        buttons.addWidget(self.sheet_button)
        buttons.addStretch(1)
        buttons.addWidget(self.done_button)
        body.addLayout(buttons)
        # A word-wrapped label is cut short in a dialog that does not grow with it: the
        # paragraphs get a width, and the dialog the height they then need.
        for label in self.findChildren(QLabel, "hint"):
            label.setMinimumWidth(TEXT_WIDTH)
        self.note.setMinimumWidth(TEXT_WIDTH)
        outer.setSizeConstraint(QLayout.SizeConstraint.SetFixedSize)

    def _save_sheet(self) -> None:
        target = file_dialogs.save_file(
            self,
            file_dialogs.Kind.PDF,
            "Simpan lembar kunci pemulihan",
            "kunci-pemulihan.pdf",
            "Berkas PDF (*.pdf)",
        )
        if target is not None:
            self.save_sheet_to(target)

    def save_sheet_to(self, path: Path) -> None:
        """Write the A4 sheet (to print, then delete: the file holds the key)."""
        try:
            save_recovery_sheet(self._ctx, self._key, path)
        except UserError as exc:
            theme.show_error_text(self.error, str(exc))
            return
        self.status.setText(f"Lembar ditulis ke {path}. Cetak, lalu hapus berkasnya.")
        self.status.setVisible(True)
