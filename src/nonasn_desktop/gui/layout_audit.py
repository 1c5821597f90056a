"""Find text a clerk cannot read whole and widgets drawn over each other, in a shown window.

:func:`audit` walks every visible widget of a window (and of a dialog over it) and reports:

- ``cut``: a label, button, check box, drop-down list, table header section or table cell
  whose text needs more room than its widget (or column) gives it, measured with the font it
  is drawn in (``QFontMetrics.horizontalAdvance`` for one line; the wrapped height for a
  word-wrapped label); table cells and header sections are measured as Qt would size them
  to their contents (what does not fit is drawn elided, "Pendaftaran Sele…");
- ``overlap``: two visible sibling widgets whose rectangles intersect;
- ``outside``: a widget that sticks out of its parent (clipped), or a window larger than the
  screen it is meant for.

Inside a scroll area the content may be larger than the view (the clerk scrolls), so only
what is clipped *within* the scrolled content counts. ``make screenshots`` runs this over every
picture it takes, at 100 % and 150 %; tests/gui/test_gui_screenshots.py fails on a finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtGui import Qt as QtGuiNamespace
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QApplication,
    QCheckBox,
    QComboBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QStyle,
    QStyleOptionButton,
    QStyleOptionComboBox,
    QTableView,
    QToolButton,
    QTreeView,
    QWidget,
)

# Rounding of fractional font metrics (scaled displays) may cost a pixel.
TOLERANCE = 1
# Table rows inspected per view: those on screen, never more than this.
MAX_ROWS = 60
_MNEMONIC = re.compile(r"&(.)")
# Where a word-wrapped label may break a line: spaces and zero-width spaces.
_BREAKS = re.compile(r"[\s\u200b]+")


@dataclass(frozen=True)
class Finding:
    kind: str  # "cut", "overlap" or "outside"
    where: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.where}: {self.detail}"


def audit(root: QWidget, screen: QSize | None = None) -> list[Finding]:
    """Every finding in ``root`` and its visible children; ``screen``: the logical screen.

    Layout requests still queued (a note shown a moment ago) are carried out first: the
    audit judges the window as it settles, not a frame in between.
    """
    for _ in range(4):
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        QApplication.processEvents()
    findings: list[Finding] = []
    if screen is not None and (root.width() > screen.width() or root.height() > screen.height()):
        findings.append(
            Finding(
                "outside",
                _name(root, root),
                f"window {root.width()}×{root.height()} larger than the screen "
                f"{screen.width()}×{screen.height()}",
            )
        )
    for widget in _visible_widgets(root):
        findings.extend(_text_findings(root, widget))
        findings.extend(_placement_findings(root, widget))
    return findings


def _visible_widgets(root: QWidget) -> Iterator[QWidget]:
    yield root
    for child in root.findChildren(QWidget):
        if child.isWindow() or not child.isVisible() or child.window() is not root:
            continue
        yield child


def _name(root: QWidget, widget: QWidget) -> str:
    """A readable path from the window to ``widget`` (object names where given)."""
    parts = []
    current: QWidget | None = widget
    while current is not None:
        name = current.objectName()
        if name and not name.startswith("qt_"):
            parts.append(f"{type(current).__name__}#{name}")
        elif current is widget or current is root:
            parts.append(type(current).__name__)
        if current is root:
            break
        current = current.parentWidget()
    return " > ".join(reversed(parts))


def _plain(text: str) -> str:
    """Button and buddy-label text as drawn: "&Simpan" shows "Simpan", "&&" shows "&"."""
    return _MNEMONIC.sub(r"\1", text)


# -- text ---------------------------------------------------------------------------------


def _text_findings(root: QWidget, widget: QWidget) -> list[Finding]:
    problem: str | None = None
    text = ""
    if isinstance(widget, QLabel):
        text = widget.text()
        problem = _label_problem(widget)
    elif isinstance(widget, QPushButton):
        text = _plain(widget.text())
        problem = _push_button_problem(widget)
    elif isinstance(widget, (QToolButton, QCheckBox, QRadioButton)):
        text = _plain(widget.text())
        problem = _hint_problem(widget, text)
    elif isinstance(widget, QComboBox):
        text = widget.currentText()
        problem = _combo_problem(widget)
    elif isinstance(widget, QHeaderView):
        return [Finding("cut", _name(root, widget), p) for p in _header_problems(widget)]
    elif isinstance(widget, (QTableView, QTreeView)):
        return [Finding("cut", _name(root, widget), p) for p in _cell_problems(widget)]
    if problem is None:
        return []
    return [Finding("cut", _name(root, widget), f"{text!r}: {problem}")]


def _label_problem(label: QLabel) -> str | None:
    text = label.text()
    if not text.strip() or not label.pixmap().isNull():
        return None
    room = label.contentsRect().adjusted(
        label.margin(), label.margin(), -label.margin(), -label.margin()
    )
    rich = label.textFormat() == Qt.TextFormat.RichText or (
        label.textFormat() == Qt.TextFormat.AutoText and QtGuiNamespace.mightBeRichText(text)
    )
    if rich:
        # Qt lays out rich text itself; its size for this width is what the label needs.
        if label.wordWrap():
            need = label.heightForWidth(label.width())
            if need > label.height() + TOLERANCE:
                return f"needs {need} px of height, has {label.height()}"
            return None
        hint = label.minimumSizeHint()
        if hint.width() > label.width() + TOLERANCE:
            return f"needs {hint.width()} px, has {label.width()}"
        return None
    if label.buddy() is not None:
        text = _plain(text)
    metrics = QFontMetrics(label.font())
    lines = text.split("\n")
    if label.wordWrap():
        words = _BREAKS.split(text)
        longest = max(metrics.horizontalAdvance(word) for word in words)
        if longest > room.width() + TOLERANCE:
            return f"a word needs {longest} px, the label has {room.width()}"
        bounds = metrics.boundingRect(
            QRect(0, 0, max(1, room.width()), 1_000_000),
            int(Qt.TextFlag.TextWordWrap | label.alignment()),
            text,
        )
        height = bounds.height()
    else:
        width = max(metrics.horizontalAdvance(line) for line in lines)
        if width > room.width() + TOLERANCE:
            return f"needs {width} px, has {room.width()}"
        height = metrics.lineSpacing() * (len(lines) - 1) + metrics.height()
    if height > room.height() + TOLERANCE:
        return f"needs {height} px of height, has {room.height()}"
    return None


def _push_button_problem(button: QPushButton) -> str | None:
    text = _plain(button.text())
    if not text:
        return None
    option = QStyleOptionButton()
    option.initFrom(button)
    option.text = button.text()
    option.icon = button.icon()
    option.iconSize = button.iconSize()
    room = button.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, button)
    metrics = QFontMetrics(button.font())
    need = max(metrics.horizontalAdvance(line) for line in text.split("\n"))
    if not button.icon().isNull():
        need += button.iconSize().width() + 4
    if need > room.width() + TOLERANCE:
        return f"needs {need} px, has {room.width()}"
    if metrics.height() > room.height() + TOLERANCE:
        return f"needs {metrics.height()} px of height, has {room.height()}"
    return None


def _hint_problem(widget: QWidget, text: str) -> str | None:
    """Tool buttons, check boxes and radio buttons: their size hint is text plus decoration."""
    if not text:
        return None
    hint = widget.sizeHint()
    if hint.width() > widget.width() + TOLERANCE:
        return f"needs {hint.width()} px, has {widget.width()}"
    return None


def _combo_problem(combo: QComboBox) -> str | None:
    # A box may draw a shorter face of its choice (wizard.inputs.ChoiceBox): that is measured.
    face = getattr(combo, "display_text", None)
    text = face() if callable(face) else combo.currentText()
    if not text or combo.isEditable():
        return None  # an editable list scrolls its text like a field
    option = QStyleOptionComboBox()
    option.initFrom(combo)
    option.currentText = text
    option.editable = False
    option.frame = combo.hasFrame()
    room = combo.style().subControlRect(
        QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, combo
    )
    need = QFontMetrics(combo.font()).horizontalAdvance(text)
    if not combo.itemIcon(combo.currentIndex()).isNull():
        need += combo.iconSize().width() + 4
    if need > room.width() + TOLERANCE:
        return f"choice {text!r} needs {need} px, has {room.width()}"
    return None


def _header_problems(header: QHeaderView) -> list[str]:
    if header.count() == 0:  # no model (yet), or an empty one
        return []
    model = header.model()
    problems = []
    horizontal = header.orientation() == Qt.Orientation.Horizontal
    count = model.columnCount() if horizontal else model.rowCount()
    for section in range(min(count, MAX_ROWS)):
        if header.isSectionHidden(section):
            continue
        text = model.headerData(section, header.orientation(), Qt.ItemDataRole.DisplayRole)
        if text in (None, ""):
            continue
        need_size = header.sectionSizeFromContents(section)
        need = need_size.width() if horizontal else need_size.height()
        has = header.sectionSize(section)
        if need > has + TOLERANCE:
            problems.append(f"section {str(text)!r} needs {need} px, has {has}")
    return problems


def _cell_problems(view: QAbstractItemView) -> list[str]:
    """Cells of the rows on screen whose text is wider than the column."""
    model = view.model()
    if model is None or not isinstance(view, (QTableView, QTreeView)):
        return []
    problems = []
    rows = _rows_on_screen(view, model.rowCount())
    for column in range(model.columnCount()):
        if view.isColumnHidden(column):
            continue
        has = view.columnWidth(column)
        for row in rows:
            index = model.index(row, column, QModelIndex())
            text = index.data(Qt.ItemDataRole.DisplayRole)
            if text in (None, ""):
                continue
            need = view.sizeHintForIndex(index).width()
            if isinstance(view, QTreeView) and column == 0:
                need += view.indentation() * _depth(index)
            if need > has + TOLERANCE:
                problems.append(f"cell {str(text)!r} (column {column}) needs {need} px, has {has}")
                break  # one example per column is enough
    return problems


def _rows_on_screen(view: QAbstractItemView, count: int) -> range:
    viewport = view.viewport()
    first = view.indexAt(viewport.rect().topLeft()).row()
    last = view.indexAt(viewport.rect().bottomLeft()).row()
    first = max(first, 0)
    last = count - 1 if last < 0 else last
    return range(first, min(last + 1, first + MAX_ROWS, count))


def _depth(index: QModelIndex) -> int:
    depth = 0
    parent = index.parent()
    while parent.isValid():
        depth += 1
        parent = parent.parent()
    return depth


# -- placement ------------------------------------------------------------------------------


def _placement_findings(root: QWidget, widget: QWidget) -> list[Finding]:
    findings = []
    parent = widget.parentWidget()
    area = _scroll_area_of_content(widget)
    if area is not None:
        overflow = _unscrollable_overflow(area, widget)
        if overflow:
            findings.append(Finding("outside", _name(root, widget), overflow))
    elif widget is not root and parent is not None:
        inside = parent.rect()
        if not inside.contains(widget.geometry()):
            clipped = widget.geometry().intersected(inside)
            if clipped.size() != widget.size():
                findings.append(
                    Finding(
                        "outside",
                        _name(root, widget),
                        f"{_rect(widget.geometry())} sticks out of its parent {_rect(inside)}",
                    )
                )
    siblings = [
        child
        for child in widget.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
        if child.isVisible() and not child.isWindow()
    ]
    for index, first in enumerate(siblings):
        for second in siblings[index + 1 :]:
            if first.geometry().intersects(second.geometry()):
                findings.append(
                    Finding(
                        "overlap",
                        _name(root, first),
                        f"{_rect(first.geometry())} covers {_name(root, second)} "
                        f"{_rect(second.geometry())}",
                    )
                )
    return findings


def _scroll_area_of_content(widget: QWidget) -> QAbstractScrollArea | None:
    """The scroll area whose view shows ``widget`` (larger than the view on purpose)."""
    viewport = widget.parentWidget()
    area = viewport.parentWidget() if viewport is not None else None
    if isinstance(area, QAbstractScrollArea) and area.viewport() is viewport:
        return area
    return None


def _unscrollable_overflow(area: QAbstractScrollArea, content: QWidget) -> str | None:
    """Content larger than its view in a direction the clerk cannot scroll: clipped."""
    if isinstance(area, QAbstractItemView):
        return None  # an item view's own viewport children are editors, not content
    view = area.viewport().size()
    off = Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    if area.horizontalScrollBarPolicy() == off and content.width() > view.width() + TOLERANCE:
        return f"content {content.width()} px wide in a view of {view.width()} that cannot scroll"
    if area.verticalScrollBarPolicy() == off and content.height() > view.height() + TOLERANCE:
        return f"content {content.height()} px high in a view of {view.height()} that cannot scroll"
    return None


def _rect(rect: QRect) -> str:
    return f"({rect.x()},{rect.y()} {rect.width()}×{rect.height()})"


__all__ = ["Finding", "audit"]
