"""The building blocks of a wizard page's content: cards, forms, the problem list.

Shared by every page (``pages.base``) and the pages that build their content themselves
(``pages.account``, ``pages.registration``, ``pages.summary``).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QFrame, QLabel, QLayout, QVBoxLayout, QWidget

from nonasn_desktop.flow.prefill import RosterMark
from nonasn_desktop.gui.wizard.fields import FieldEditor
from nonasn_desktop.gui.wizard.look import em, set_role


def bullets(items: Sequence[str]) -> str:
    return "\n".join(f"• {item}" for item in items)


class ProblemsPanel(QFrame):
    """Why the step was refused, as a list at the top of the page (objectName ``problems``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("problems")
        set_role(self, "problems_box")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(em(self, 1), em(self, 0.6), em(self, 1), em(self, 0.6))
        layout.setSpacing(em(self, 0.3))
        self.title = QLabel("Langkah ini belum dapat dilanjutkan. Periksa:", self)
        set_role(self.title, "problems_title")
        layout.addWidget(self.title)
        self.list = QLabel(self)
        self.list.setObjectName("problems_list")
        self.list.setWordWrap(True)
        self.list.setTextFormat(Qt.TextFormat.PlainText)
        self.list.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.list)
        self._items: list[str] = []
        self.hide()

    def show_problems(self, problems: Sequence[str]) -> None:
        self._items = list(problems)
        self.list.setText(bullets(self._items))
        self.setVisible(bool(self._items))
        self.setAccessibleDescription(" ".join(self._items))

    def clear(self) -> None:
        self.show_problems([])

    def texts(self) -> list[str]:
        return list(self._items)


def show_mark(editor: FieldEditor, mark: RosterMark | None) -> None:
    """Show a field's standing against the roster on its editor (None: nothing to say)."""
    editor.set_origin(mark.text if mark is not None else None, same=mark is None or mark.same)


def clear_layout(layout: QLayout) -> None:
    """Remove and delete everything in a layout (for content rebuilt on each visit)."""
    while layout.count():
        item = layout.takeAt(0)
        if item is None:
            continue
        widget = item.widget()
        if widget is not None:
            # Out of the widget tree at once (findChild must not see it), deleted later.
            widget.hide()
            widget.setParent(None)
            widget.deleteLater()
            continue
        inner = item.layout()
        if inner is not None:
            clear_layout(inner)


def card(parent: QWidget, title: str | None = None) -> tuple[QFrame, QVBoxLayout]:
    """A white framed section with an optional title."""
    frame = QFrame(parent)
    set_role(frame, "card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(em(frame, 1.2), em(frame, 0.9), em(frame, 1.2), em(frame, 1))
    layout.setSpacing(em(frame, 0.6))
    if title:
        heading = QLabel(title, frame)
        set_role(heading, "card_title")
        layout.addWidget(heading)
    return frame, layout


def form_layout(parent: QWidget) -> QFormLayout:
    form = QFormLayout()
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
    form.setFormAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
    form.setHorizontalSpacing(em(parent, 1.2))
    form.setVerticalSpacing(em(parent, 0.7))
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
    return form
