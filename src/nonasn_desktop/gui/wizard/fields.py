"""Input widgets made from the field definitions of forms/fields.toml.

Each :class:`FieldEditor` is one field: a label (with an Alt+letter mnemonic, buddy of the
input), the input itself, its help text, its error and, once the field is locked, the reason.
The input's ``objectName`` is the field key, so tests and IT scripts find it by name.

An editor knows nothing about the flow: it reports what is typed (:attr:`FieldEditor.edited`,
live) and when the clerk is done with it (:attr:`FieldEditor.committed`: focus leaves the
field, Enter, a choice made), and shows what it is told (:meth:`FieldEditor.set_error`,
:meth:`FieldEditor.set_locked`). The raw text it reports is what the flow stores.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QEvent, QLocale, QObject, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QCalendarWidget,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from nonasn_desktop.errors import FieldError
from nonasn_desktop.gui.wizard.inputs import (
    BLANK,
    DATE_MASK,
    DIGITS16_MASK,
    BoolInput,
    ChoiceBox,
    MaskedLineEdit,
    calendar_icon,
    text_width,
)
from nonasn_desktop.gui.wizard.look import Mnemonics, em, set_role
from nonasn_desktop.gui.wizard.values import only_digits
from nonasn_desktop.policy import FieldDef
from nonasn_desktop.rules.formatting import format_date, format_money, parse_date, parse_money

EMPTY_CHOICE = "— Pilih —"
ORIGIN_TOOLTIP = (
    "Diisi dari data yang didaftarkan Admin Instansi. Periksa dengan dokumen yang "
    "bersangkutan dan ubah bila berbeda."
)


class FieldEditor(QWidget):
    """One field of a page: build with a FieldDef, put ``label`` and the editor into a form."""

    # Raw text, while it is being typed (every keystroke, every choice).
    edited = Signal(str)
    # Raw text, when the clerk is done with the field (focus out, Enter, a choice made).
    committed = Signal(str)

    def __init__(
        self, field: FieldDef, parent: QWidget | None = None, *, mnemonics: Mnemonics | None = None
    ) -> None:
        super().__init__(parent)
        self.field = field
        self.key = field.key
        # Shown its error once the clerk has left the field (or chose something).
        self.touched = False
        self._last_committed: str | None = None
        self._locked_reason: str | None = None
        self._calendar_menu: QMenu | None = None
        self._calendar: QCalendarWidget | None = None
        self.label = self._make_label(parent, mnemonics)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(max(2, em(self, 0.2)))
        self.row = QHBoxLayout()
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.setSpacing(em(self, 0.4))
        layout.addLayout(self.row)
        self._build_row()
        self.extra = QVBoxLayout()
        self.extra.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.extra)
        self._build_notes(layout)

    # ----------------------------------------------------------------- building

    def _make_label(self, parent: QWidget | None, mnemonics: Mnemonics | None) -> QLabel:
        """The field's label for the form's label column (a required field's ends in *)."""
        field = self.field
        text = mnemonics.label(field.label) if mnemonics else field.label.replace("&", "&&")
        if field.required and field.type != "bool":
            text += "\u00a0*"
        label = QLabel(text, parent)
        label.setObjectName(f"{field.key}_label")
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        set_role(label, "field_label")
        return label

    def _build_row(self) -> None:
        """The input, the calendar button of a date, and the roster badge, side by side."""
        field = self.field
        self.input = self._make_input()
        self.input.setObjectName(field.key)
        self.input.setAccessibleName(field.label)
        if isinstance(self.input, BoolInput):
            # "Ya" alone tells a screen reader's user nothing: each answer names its question.
            for radio in (self.input.yes, self.input.no):
                radio.setAccessibleName(f"{field.label}: {radio.text()}")
                radio.setToolTip(f"{field.label}: {radio.text()}")
        if field.help:
            self.input.setAccessibleDescription(field.help)
            self.input.setToolTip(field.help)
        grows = isinstance(self.input, QLineEdit | QPlainTextEdit)
        self.row.addWidget(self.input, 10 if grows else 0)
        self._add_extras()
        # "dari data Admin Instansi": the value shown is the roster's (see set_origin).
        self.origin = QLabel(self)
        self.origin.setObjectName(f"{field.key}_asal")
        self.origin.setToolTip(ORIGIN_TOOLTIP)
        set_role(self.origin, "roster_badge")
        self.origin.hide()
        self.row.addWidget(self.origin, 0, Qt.AlignmentFlag.AlignVCenter)
        self.row.addStretch(1)
        self.label.setBuddy(self.input)

    def _build_notes(self, layout: QVBoxLayout) -> None:
        """Under the input: the whole of a shortened choice, how the value differs from the
        roster's, the help, the error and the lock's reason (each shown when it applies)."""
        field = self.field
        # The whole of a long choice whose box shows only its head (see ChoiceBox).
        self.choice_note = QLabel(self)
        self.choice_note.setObjectName(f"{field.key}_pilihan")
        self.choice_note.setWordWrap(True)
        self.choice_note.setTextFormat(Qt.TextFormat.PlainText)
        set_role(self.choice_note, "help")
        self.choice_note.hide()
        layout.addWidget(self.choice_note)
        if isinstance(self.input, ChoiceBox):
            self.input.face_changed.connect(self._show_whole_choice)
        self.help = QLabel(field.help, self)
        self.help.setObjectName(f"{field.key}_help")
        self.help.setWordWrap(True)
        set_role(self.help, "help")
        self.help.setVisible(bool(field.help) and field.type not in ("password",))
        # A value that differs from the roster's, the way step 3 shows a difference.
        self.differs = QLabel(self)
        self.differs.setObjectName(f"{field.key}_beda")
        self.differs.setWordWrap(True)
        self.differs.setTextFormat(Qt.TextFormat.PlainText)
        set_role(self.differs, "value_differs")
        self.differs.hide()
        layout.addWidget(self.differs)
        layout.addWidget(self.help)
        self.error = QLabel(self)
        self.error.setObjectName(f"{field.key}_error")
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        set_role(self.error, "error")
        self.error.hide()
        layout.addWidget(self.error)
        self.lock_note = QLabel(self)
        self.lock_note.setObjectName(f"{field.key}_lock")
        self.lock_note.setWordWrap(True)
        set_role(self.lock_note, "lock_note")
        self.lock_note.hide()
        layout.addWidget(self.lock_note)

    def _make_input(self) -> QWidget:
        field = self.field
        kind = field.type
        widget: QWidget
        if kind in ("nik", "kk"):
            digits = MaskedLineEdit(DIGITS16_MASK, self)
            digits.setFixedWidth(text_width(digits, "0000 0000 0000 0000"))
            widget = digits
        elif kind == "date":
            date = MaskedLineEdit(DATE_MASK, self)
            date.setFixedWidth(text_width(date, "00-00-0000"))
            date.open_popup.connect(self._open_calendar)
            widget = date
        elif kind == "choice":
            combo = ChoiceBox(self)
            combo.addItem(EMPTY_CHOICE, "")
            for choice in field.choices:
                combo.addItem(choice.label, choice.key)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setMinimumWidth(em(self, 12))
            combo.setMaximumWidth(em(self, 56))
            combo.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
            combo.currentIndexChanged.connect(self._choice_made)
            widget = combo
        elif kind == "bool":
            boolean = BoolInput(field.key, self)
            boolean.changed.connect(self._choice_made)
            widget = boolean
        elif kind == "textarea":
            area = QPlainTextEdit(self)
            area.setTabChangesFocus(True)
            area.setFixedHeight(area.fontMetrics().lineSpacing() * 3 + em(self, 1))
            area.setMinimumWidth(em(self, 24))
            area.setMaximumWidth(em(self, 36))
            area.textChanged.connect(lambda: self.edited.emit(self.raw()))
            widget = area
        else:
            line = QLineEdit(self)
            if kind == "password":
                line.setEchoMode(QLineEdit.EchoMode.Password)
            if field.max_length:
                line.setMaxLength(field.max_length)
            widths = {"money": (11, 13), "phone": (11, 13), "captcha": (9, 11)}
            low, high = widths.get(kind, (18, 30))
            line.setMinimumWidth(em(self, low))
            line.setMaximumWidth(em(self, high))
            if kind == "money":
                line.setPlaceholderText("Rp 1.500.000")
            elif kind == "phone":
                line.setPlaceholderText("0812-3456-7890")
            elif kind == "email":
                line.setPlaceholderText("nama@contoh.id")
            widget = line
        if isinstance(widget, QLineEdit):
            widget.textEdited.connect(lambda _text: self.edited.emit(self.raw()))
        if isinstance(widget, QLineEdit | QPlainTextEdit):
            widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        watched = widget.yes if isinstance(widget, BoolInput) else widget
        watched.installEventFilter(self)
        if isinstance(widget, BoolInput):
            widget.no.installEventFilter(self)
        return widget

    def _add_extras(self) -> None:
        if self.field.type != "date":
            return
        button = QToolButton(self)
        button.setObjectName(f"{self.key}_kalender")
        button.setIcon(calendar_icon(self))
        button.setToolTip("Pilih tanggal dari kalender (F4)")
        button.setAccessibleName(f"Kalender {self.field.label}")
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(button)
        calendar = QCalendarWidget(menu)
        calendar.setLocale(QLocale(QLocale.Language.Indonesian, QLocale.Country.Indonesia))
        calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        calendar.setGridVisible(True)
        calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        action = QWidgetAction(menu)
        action.setDefaultWidget(calendar)
        menu.addAction(action)
        menu.aboutToShow.connect(self._prepare_calendar)
        calendar.clicked.connect(self._date_picked)
        calendar.activated.connect(self._date_picked)
        button.setMenu(menu)
        self._calendar_menu = menu
        self._calendar = calendar
        self.calendar_button = button
        self.row.addWidget(button)

    # ----------------------------------------------------------------- calendar

    def _open_calendar(self) -> None:
        if self._locked_reason is None:
            self.calendar_button.showMenu()

    def _prepare_calendar(self) -> None:
        assert self._calendar is not None
        try:
            day = parse_date(self.raw(), self.key)
        except FieldError:
            # Empty or not a date yet: the calendar stays where it was (Qt starts it on the
            # current month); the application's own clock decides only what a date means.
            return
        self._calendar.setSelectedDate(QDate(day.year, day.month, day.day))

    def _date_picked(self, date: QDate) -> None:
        if self._locked_reason is not None:
            return
        assert self._calendar_menu is not None
        self._calendar_menu.close()
        self.set_raw(format_date(dt.date(date.year(), date.month(), date.day())))
        self.edited.emit(self.raw())
        self.commit()
        self.input.setFocus(Qt.FocusReason.OtherFocusReason)

    # ----------------------------------------------------------------- events

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if isinstance(event, QFocusEvent) and event.type() == QEvent.Type.FocusOut:
            if event.reason() != Qt.FocusReason.PopupFocusReason:
                self.commit()
        elif (
            isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not isinstance(self.input, QPlainTextEdit)
        ):
            self.commit()
        return super().eventFilter(watched, event)

    def _show_whole_choice(self) -> None:
        box = self.input
        if isinstance(box, ChoiceBox):
            self.choice_note.setText(box.currentText())
            self.choice_note.setVisible(box.shortened)

    def _choice_made(self, *_args: object) -> None:
        if isinstance(self.input, QComboBox):
            # Long choices (the appointing officials) may not fit: the tooltip shows it all.
            self.input.setToolTip(self.input.currentText())
        self.touched = True
        raw = self.raw()
        self.edited.emit(raw)
        self.commit()

    # ----------------------------------------------------------------- the value

    def raw(self) -> str:
        """What the flow stores for this field, as typed."""
        widget = self.input
        if isinstance(widget, QComboBox):
            return str(widget.currentData() or "")
        if isinstance(widget, BoolInput):
            return widget.raw()
        if isinstance(widget, QPlainTextEdit):
            return widget.toPlainText()
        assert isinstance(widget, QLineEdit)
        text = widget.text()
        if isinstance(widget, MaskedLineEdit):
            return text.strip() if only_digits(text) else ""
        return text

    def set_raw(self, raw: str) -> None:
        """Show a stored value, without emitting edited/committed."""
        widget = self.input
        widget.blockSignals(True)
        try:
            if isinstance(widget, QComboBox):
                index = widget.findData(raw)
                if index < 0:
                    index = widget.findText(raw)
                widget.setCurrentIndex(max(index, 0))
            elif isinstance(widget, BoolInput):
                widget.set_raw(raw)
            elif isinstance(widget, QPlainTextEdit):
                if widget.toPlainText() != raw:
                    widget.setPlainText(raw)
            elif isinstance(widget, MaskedLineEdit):
                widget.setText(self._masked(raw))
                blank = widget.displayText().find(BLANK)
                widget.setCursorPosition(blank if blank != -1 else len(widget.displayText()))
            else:
                assert isinstance(widget, QLineEdit)
                if widget.text() != raw:
                    widget.setText(raw)
        finally:
            widget.blockSignals(False)
        self._last_committed = self.raw()

    def _masked(self, raw: str) -> str:
        if self.field.type == "date":
            try:
                return format_date(parse_date(raw, self.key))
            except FieldError:
                digits = only_digits(raw)
                return digits if digits else ""
        return only_digits(raw)

    def commit(self) -> None:
        """The clerk is done with the field: tidy the text, mark touched, emit committed."""
        if self._locked_reason is not None:
            return
        self.touched = True
        self._tidy()
        self.committed.emit(self.raw())
        self._last_committed = self.raw()

    @property
    def dirty(self) -> bool:
        """Whether the text changed since it was last committed or set."""
        return self._last_committed != self.raw()

    def _tidy(self) -> None:
        """Money is shown as Rp 1.500.000 once the clerk leaves the field."""
        if self.field.type != "money":
            return
        widget = self.input
        assert isinstance(widget, QLineEdit)
        try:
            amount = parse_money(widget.text(), self.key)
        except FieldError:
            return
        formatted = format_money(amount)
        if widget.text() != formatted:
            widget.setText(formatted)

    # ----------------------------------------------------------------- feedback

    def set_error(self, message: str | None) -> None:
        if message:
            self.error.setText(message)
            self.error.show()
            self.input.setProperty("invalid", True)
        else:
            self.error.clear()
            self.error.hide()
            self.input.setProperty("invalid", False)
        style = self.input.style()
        style.unpolish(self.input)
        style.polish(self.input)

    def set_origin(self, text: str | None, *, same: bool) -> None:
        """Where the value stands against the Admin Instansi data (None: the roster is silent).

        ``same``: the value is the roster's (``text`` is the badge); otherwise ``text`` says how
        it differs.
        """
        self.origin.setText(text if text is not None and same else "")
        self.origin.setVisible(text is not None and same)
        self.differs.setText(f"≠ {text}" if text is not None and not same else "")
        self.differs.setVisible(text is not None and not same)
        notes = [self.field.help] if self.field.help else []
        if text is not None:
            notes.append(text)
        self.input.setAccessibleDescription(". ".join(notes))

    @property
    def origin_text(self) -> str:
        """What the clerk sees about the roster: the badge, the difference, or ""."""
        if self.origin.isVisibleTo(self):
            return self.origin.text()
        return self.differs.text() if self.differs.isVisibleTo(self) else ""

    @property
    def error_text(self) -> str:
        return self.error.text() if self.error.isVisibleTo(self) else ""

    def set_locked(self, reason: str | None) -> None:
        """Read-only with the reason as tooltip and note; None makes it editable again."""
        self._locked_reason = reason
        widget = self.input
        locked = reason is not None
        if isinstance(widget, QLineEdit | QPlainTextEdit):
            widget.setReadOnly(locked)
        elif isinstance(widget, BoolInput):
            widget.set_read_only(locked)
        else:
            widget.setEnabled(not locked)
        if self.field.type == "date":
            self.calendar_button.setEnabled(not locked)
        widget.setToolTip(reason or self.field.help)
        self.label.setToolTip(reason or "")
        self.lock_note.setText(f"Terkunci: {reason}" if reason else "")
        self.lock_note.setVisible(locked)
        if locked:
            self.set_error(None)

    @property
    def locked(self) -> bool:
        return self._locked_reason is not None

    def is_read_only(self) -> bool:
        widget = self.input
        if isinstance(widget, QLineEdit | QPlainTextEdit):
            return widget.isReadOnly()
        if isinstance(widget, BoolInput):
            return not widget.yes.isEnabled()
        return not widget.isEnabled()
