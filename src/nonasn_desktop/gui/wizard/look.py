"""The wizard's shared look: sizes that follow the font, style roles, boxed notices, the
objectNames of buttons and the Alt+letter of each label.

Every part of the wizard (field editors, pages, dialogs, the rail) sizes and styles itself
through these, so a larger font or a 150 % scaling moves everything together.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget


def button_name(word: str) -> str:
    """The objectName of a page button: ``button_`` + the word, lower case, spaces → ``_``."""
    return "button_" + word.lower().replace(" ", "_")


def em(widget: QWidget, count: float) -> int:
    """``count`` widths of the letter M in the widget's font: sizes that follow the font."""
    return round(widget.fontMetrics().horizontalAdvance("M") * count)


def size_label(label: QLabel) -> None:
    """The width of the label column of a form: wide enough that most labels fit one line."""
    label.setFixedWidth(em(label, 15))


def set_role(widget: QWidget, role: str) -> None:
    """Style hook: the window's style sheet styles widgets by their ``role`` property."""
    widget.setProperty("role", role)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)


class Notice(QFrame):
    """A boxed message (info, warning, error) whose text wraps without being clipped.

    A word-wrapped QLabel with style-sheet padding miscounts its height; the box is a frame
    with margins around a plain label instead.
    """

    def __init__(self, role: str, parent: QWidget | None = None, *, rich: bool = False) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(em(self, 0.8), em(self, 0.5), em(self, 0.8), em(self, 0.5))
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label)
        self.set_role(role)

    def set_role(self, role: str) -> None:
        set_role(self, role)
        set_role(self.label, f"{role}_text")

    def setText(self, text: str) -> None:  # noqa: N802 - mirrors QLabel
        self.label.setText(text)
        self.setAccessibleDescription(text)
        self._hold_height()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._hold_height()

    def _hold_height(self) -> None:
        """The wrapped text's height as the label's minimum: the layouts around a field do
        not all ask for a height for their width, and on a narrow page (150 % scaling) a text
        that wraps was squeezed to a sliver."""
        width = self.label.width()
        if width <= 0:
            return
        held = self.label.minimumHeight()
        self.label.setMinimumHeight(0)  # a height for a width, not the one held before
        need = self.label.heightForWidth(width)
        self.label.setMinimumHeight(max(0, need) if need != held else held)

    def text(self) -> str:
        return self.label.text()


class Mnemonics:
    """Gives each label of one page its own Alt+letter."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def label(self, text: str) -> str:
        escaped = text.replace("&", "&&")
        for index, char in enumerate(escaped):
            letter = char.casefold()
            if char.isalpha() and letter.isascii() and letter not in self._used:
                if index > 0 and escaped[index - 1] == "&":
                    continue
                self._used.add(letter)
                return escaped[:index] + "&" + escaped[index:]
        return escaped
