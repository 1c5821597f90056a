"""The input widgets a field editor is made of, beyond Qt's own: a drop-down that shortens a
long choice, a masked line that starts typing at its first blank, Ya / Tidak as two radio
buttons, and the calendar button's icon."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QFocusEvent,
    QIcon,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QRadioButton,
    QStyle,
    QStyleOptionComboBox,
    QStylePainter,
    QWidget,
)

from nonasn_desktop.gui.wizard.look import em
from nonasn_desktop.gui.wizard.values import NO, YES

# Input masks: 16 digits shown in groups of four; dates as dd-mm-yyyy.
DIGITS16_MASK = "9999 9999 9999 9999;_"
DATE_MASK = "99-99-9999;_"
BLANK = "_"


def short_label(label: str) -> str:
    """The head of a long choice: "Pimpinan Unit Kerja (Kepala Sekolah, …)" → its part
    before the parenthesis (or the colon, or a slash between alternatives: "Scan KTP
    berwarna / Surat Keterangan Kependudukan")."""
    for mark in (" (", ": ", " / "):
        head, found, _rest = label.partition(mark)
        if found and head:
            return head
    return label


class ChoiceBox(QComboBox):
    """A drop-down whose closed face shows :func:`short_label` of the choice when the whole
    label does not fit (the list shows whole labels; the field shows it below the box).

    Drawn cut, "Pimpinan Unit Kerja (Kepala Sekolah, Kepala Pusk" hid the end of the choice.
    """

    face_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._shortened = False
        self.currentIndexChanged.connect(self._update_face)

    def _room(self) -> int:
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        return (
            self.style()
            .subControlRect(
                QStyle.ComplexControl.CC_ComboBox,
                option,
                QStyle.SubControl.SC_ComboBoxEditField,
                self,
            )
            .width()
        )

    def display_text(self) -> str:
        """What the closed box shows."""
        text = self.currentText()
        if self.fontMetrics().horizontalAdvance(text) <= self._room():
            return text
        return short_label(text)

    @property
    def shortened(self) -> bool:
        return self._shortened

    def _update_face(self, *_args: object) -> None:
        shortened = self.display_text() != self.currentText()
        if shortened != self._shortened:
            self._shortened = shortened
            self.face_changed.emit()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        # After the layout pass that resized the box: the note it shows changes the layout.
        QTimer.singleShot(0, self, self._update_face)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QStylePainter(self)
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        option.currentText = self.display_text()
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)


def calendar_icon(widget: QWidget) -> QIcon:
    """A small calendar drawn at the screen's pixel ratio (no image files, sharp on HiDPI)."""
    side = max(16, widget.fontMetrics().height())
    ratio = widget.devicePixelRatioF() or 1.0
    pixmap = QPixmap(round(side * ratio), round(side * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = widget.palette().text().color()
    pen = QPen(colour)
    pen.setWidthF(max(1.0, side / 14))
    painter.setPen(pen)
    body = QRectF(side * 0.12, side * 0.2, side * 0.76, side * 0.68)
    painter.drawRoundedRect(body, side * 0.08, side * 0.08)
    painter.fillRect(QRectF(body.left(), body.top(), body.width(), side * 0.16), colour)
    for column in range(3):
        for row in range(2):
            centre = QPointF(
                body.left() + body.width() * (0.25 + 0.25 * column),
                body.top() + side * 0.32 + row * side * 0.18,
            )
            painter.drawPoint(centre)
    painter.end()
    return QIcon(pixmap)


def text_width(line: QLineEdit, sample: str) -> int:
    """Width that shows ``sample`` in ``line`` with its frame and padding (follows the font)."""
    return line.fontMetrics().horizontalAdvance(sample) + em(line, 2.2)


class MaskedLineEdit(QLineEdit):
    """A line edit with an input mask whose cursor starts at the first blank on focus.

    Without this, a click into an empty masked field leaves the cursor where the mouse was,
    in the middle of the blanks, and the first digits land in the wrong place.
    """

    open_popup = Signal()

    def __init__(self, mask: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setInputMask(mask)

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt override
        super().focusInEvent(event)
        QTimer.singleShot(0, self, self._to_first_blank)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        super().mousePressEvent(event)
        self._to_first_blank()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        opens = event.key() == Qt.Key.Key_F4 or (
            event.key() == Qt.Key.Key_Down and event.modifiers() & Qt.KeyboardModifier.AltModifier
        )
        if opens:
            self.open_popup.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def _to_first_blank(self) -> None:
        if self.hasSelectedText():
            return
        blank = self.displayText().find(BLANK)
        if blank != -1 and self.cursorPosition() > blank:
            self.setCursorPosition(blank)


class BoolInput(QWidget):
    """Ya / Tidak as two radio buttons; nothing chosen until the clerk answers."""

    changed = Signal()

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(key)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.yes = QRadioButton("Ya", self)
        self.yes.setObjectName(f"{key}_ya")
        self.no = QRadioButton("Tidak", self)
        self.no.setObjectName(f"{key}_tidak")
        layout.addWidget(self.yes)
        layout.addSpacing(em(self, 1.5))
        layout.addWidget(self.no)
        layout.addStretch(1)
        self.group = QButtonGroup(self)
        self.group.addButton(self.yes)
        self.group.addButton(self.no)
        self.group.buttonClicked.connect(lambda _button: self.changed.emit())
        self.setFocusProxy(self.yes)

    def raw(self) -> str:
        if self.yes.isChecked():
            return YES
        if self.no.isChecked():
            return NO
        return ""

    def set_raw(self, raw: str) -> None:
        word = raw.strip().casefold()
        truthy = word in {"1", "true", "ya", "y"}
        falsy = word in {"0", "false", "tidak", "t"}
        self.group.setExclusive(False)
        self.yes.setChecked(truthy)
        self.no.setChecked(falsy)
        self.group.setExclusive(True)

    def set_read_only(self, read_only: bool) -> None:
        self.yes.setEnabled(not read_only)
        self.no.setEnabled(not read_only)
