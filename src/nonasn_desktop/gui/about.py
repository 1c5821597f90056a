"""About: versions and where the data lives (what IT staff ask for first)."""

from __future__ import annotations

import platform
import sqlite3
import sys

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

import nonasn_desktop
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.office.protection import protection_facts

from . import theme

APP_TITLE = "Pendataan Tenaga Non-ASN"


def about_facts(ctx: AppContext) -> list[tuple[str, str]]:
    """(label, value) pairs shown in the dialog and copied by "Salin informasi"."""
    # The file of the data folder, or what $NONASN_DATABASE_URL names instead.
    database = ctx.db.location if ctx.db.location != "(db)" else ctx.db.url
    return [
        ("Versi aplikasi", nonasn_desktop.__version__),
        ("Python", platform.python_version()),
        ("Qt", f"{qVersion()} (PySide6 {PySide6.__version__})"),
        ("SQLite", sqlite3.sqlite_version),
        ("Sistem operasi", f"{platform.system()} {platform.release()}".strip()),
        ("Folder data", str(ctx.data_dir.path)),
        ("Berkas basis data", database),
        *protection_facts(ctx),
    ]


class AboutDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("about_dialog")
        self.setWindowTitle("Tentang Aplikasi")
        self._facts = about_facts(ctx)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(
            theme.header_banner(APP_TITLE, "Edisi luring untuk Badan Kepegawaian Daerah")
        )
        body = QVBoxLayout()
        body.setContentsMargins(24, 18, 24, 20)
        body.setSpacing(12)
        outer.addLayout(body)
        body.addWidget(
            theme.hint_label(
                "Aplikasi untuk mendata tenaga non-ASN di kantor BKD tanpa sambungan internet, "
                "mengikuti 24 langkah pendataan nasional tahun 2022."
            )
        )
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(6)
        self.values: dict[str, QLabel] = {}
        for label, value in self._facts:
            # A long folder path is one "word": it may break after each separator.
            text = QLabel(value.replace("/", "/\u200b").replace("\\", "\\\u200b"))
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            text.setMinimumWidth(360)
            self.values[label] = text
            name = QLabel(label + ":")
            name.setObjectName("muted")
            form.addRow(name, text)
        body.addLayout(form)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        copy = QPushButton("Salin informasi")
        copy.setObjectName("copy")
        copy.setAutoDefault(False)
        copy.clicked.connect(self.copy_facts)
        close = theme.primary_button("Tutup")
        close.setObjectName("close")
        close.clicked.connect(self.accept)
        buttons.addWidget(copy)
        buttons.addWidget(close)
        body.addLayout(buttons)
        outer.setSizeConstraint(QLayout.SizeConstraint.SetFixedSize)

    def copy_facts(self) -> None:
        text = "\n".join(f"{label}: {value}" for label, value in self._facts)
        QGuiApplication.clipboard().setText(f"{APP_TITLE}\n{text}\n(Python {sys.version})")
