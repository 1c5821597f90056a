"""The layout audit finds cut text, overlapping siblings and clipped content, and only those."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from nonasn_desktop.gui.layout_audit import audit

pytestmark = pytest.mark.gui

LONG = "Pendaftaran Selesai dan Disetujui oleh Verifikator"


def _window(qtbot: QtBot, width: int = 400, height: int = 300) -> QWidget:
    window = QWidget()
    window.setObjectName("jendela")
    qtbot.addWidget(window)
    window.resize(width, height)
    return window


def _shown(qtbot: QtBot, window: QWidget) -> QWidget:
    window.show()
    qtbot.waitExposed(window)
    return window


def test_a_laid_out_window_has_no_findings(qtbot: QtBot) -> None:
    window = _window(qtbot)
    layout = QVBoxLayout(window)
    layout.addWidget(QLabel(LONG))
    wrapped = QLabel(LONG * 3)
    wrapped.setWordWrap(True)
    layout.addWidget(wrapped)
    layout.addWidget(QPushButton("Simpan"))
    combo = QComboBox()
    combo.addItem("Pendaftaran Selesai")
    layout.addWidget(combo)
    _shown(qtbot, window)
    assert audit(window, QSize(1366, 768)) == []


def test_a_label_button_and_combo_narrower_than_their_text_are_cut(qtbot: QtBot) -> None:
    window = _window(qtbot)
    label = QLabel(LONG, window)
    label.setGeometry(0, 0, 80, 30)
    button = QPushButton(LONG, window)
    button.setObjectName("tombol")
    button.setGeometry(0, 40, 90, 30)
    combo = QComboBox(window)
    combo.addItem(LONG)
    combo.setGeometry(0, 80, 120, 30)
    _shown(qtbot, window)
    findings = audit(window)
    assert {f.kind for f in findings} == {"cut"}
    assert {f.where for f in findings} == {
        "QWidget#jendela > QLabel",
        "QWidget#jendela > QPushButton#tombol",
        "QWidget#jendela > QComboBox",
    }
    assert all(LONG in f.detail for f in findings)


def test_a_wrapped_label_too_low_for_its_lines_is_cut(qtbot: QtBot) -> None:
    window = _window(qtbot)
    label = QLabel(LONG, window)
    label.setWordWrap(True)
    label.setGeometry(0, 0, 120, label.fontMetrics().height())
    _shown(qtbot, window)
    (finding,) = audit(window)
    assert finding.kind == "cut"
    assert "of height" in finding.detail


def test_table_cells_and_header_sections_narrower_than_their_text(qtbot: QtBot) -> None:
    window = _window(qtbot)
    model = QStandardItemModel(2, 2, window)
    model.setHorizontalHeaderLabels(["Status pendaftaran", "B"])
    for row in range(2):
        model.setItem(row, 0, QStandardItem(LONG))
        model.setItem(row, 1, QStandardItem("x"))
    view = QTableView(window)
    view.setModel(model)
    view.setGeometry(0, 0, 380, 200)
    view.setColumnWidth(0, 60)
    _shown(qtbot, window)
    details = [f.detail for f in audit(window)]
    assert any(d.startswith(f"cell {LONG!r} (column 0)") for d in details)
    assert any(d.startswith("section 'Status pendaftaran'") for d in details)
    view.resizeColumnsToContents()
    assert audit(window) == []


def test_overlapping_siblings_and_a_window_larger_than_the_screen(qtbot: QtBot) -> None:
    window = _window(qtbot)
    first = QLabel("Yang diubah", window)
    first.setGeometry(0, 0, 200, 30)
    picture = QWidget(window)
    picture.setObjectName("gambar")
    picture.setGeometry(0, 20, 200, 100)
    _shown(qtbot, window)
    findings = audit(window, QSize(300, 200))
    assert [f.kind for f in findings] == ["outside", "overlap"]
    assert "larger than the screen 300×200" in findings[0].detail
    assert "QWidget#gambar" in findings[1].detail


def test_content_clipped_by_a_view_that_cannot_scroll_sideways(qtbot: QtBot) -> None:
    window = _window(qtbot)
    area = QScrollArea(window)
    area.setGeometry(0, 0, 200, 200)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    content = QWidget()
    content.setMinimumWidth(500)
    area.setWidget(content)
    area.setWidgetResizable(True)
    _shown(qtbot, window)
    (finding,) = audit(window)
    assert finding.kind == "outside"
    assert "cannot scroll" in finding.detail
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    assert audit(window) == []
