"""Layouts that give way on a narrow screen instead of cutting text.

A 1366×768 laptop at 150 % display scaling offers 911×512 logical pixels (gui/laptop_screen.py).
What is laid out in one row at 100 % does not fit there; these pieces rearrange themselves by
the width they get, never by the screen they guess they are on:

- :class:`ActionBar` and :class:`CompactToolButton`: a row of action buttons that show a short
  text ("Cetak Info") when the full texts do not fit; the full text stays the button's
  accessible name and leads its tooltip.
- :class:`FlowLayout`: items left to right, wrapped onto further lines (the status chips).
- :class:`BreakingRow`: one row of widgets, or the same widgets on several rows chosen by the
  caller (the dashboard's search and filters), whichever the width allows.
- :class:`FittingScrollArea` and :func:`fit_to_screen`: a dialog whose content scrolls when the
  screen is lower than the content, and that is never made larger than the screen.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QAction, QGuiApplication, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLayout,
    QLayoutItem,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)


class CompactToolButton(QToolButton):
    """A text-only tool button for ``action`` that can show ``short`` instead of its text.

    The layout may shrink it to the short text's width (its minimum size hint); the bar it
    sits in (:class:`ActionBar`) decides which text shows.
    """

    def __init__(self, action: QAction, short: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._short = short or action.iconText()
        self._compact = False
        self.setDefaultAction(action)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        # QToolButton takes text and tooltip from the action on every change of it (enabled,
        # shortcut…); changed is emitted after that, so the chosen face is put back here.
        action.changed.connect(self._apply)
        self._apply()

    @property
    def full_text(self) -> str:
        """The action's text as a button shows it ("&Ekspor Rekap Excel…" → without & and …)."""
        return self.defaultAction().iconText()

    @property
    def compact(self) -> bool:
        return self._compact

    def set_compact(self, compact: bool) -> None:
        if compact != self._compact:
            self._compact = compact
            self._apply()

    def full_width(self) -> int:
        """The width the button wants with its full text, whichever text it shows now."""
        return self._width_with(self.full_text)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        hint = super().sizeHint()
        return QSize(self._width_with(self._short), hint.height())

    def _width_with(self, text: str) -> int:
        metrics = self.fontMetrics()
        shown = self.text().replace("&&", "&")
        return (
            super().sizeHint().width()
            - metrics.horizontalAdvance(shown)
            + (metrics.horizontalAdvance(text))
        )

    def _apply(self) -> None:
        action = self.defaultAction()
        full = self.full_text
        self.setAccessibleName(full)
        if self._compact and self._short != full:
            self.setText(self._short.replace("&", "&&"))
            tip = action.toolTip()
            self.setToolTip(full if tip in ("", full) else f"{full}: {tip}")
        else:
            self.setText(full.replace("&", "&&"))
            self.setToolTip(action.toolTip())
        self.updateGeometry()


class ActionBar(QFrame):
    """A row of :class:`CompactToolButton` (and other widgets) in a :class:`QHBoxLayout`.

    When the bar is narrower than the buttons with their full texts, every compact button
    shows its short text; the decision depends only on the bar's width, so it cannot swing
    back and forth as the texts change.
    """

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self.fit()

    def full_width(self) -> int:
        """The width the bar needs with every button's full text."""
        layout = self.layout()
        if layout is None:
            return 0
        margins = layout.contentsMargins()
        width = margins.left() + margins.right()
        shown = 0
        for index in range(layout.count()):
            item = layout.itemAt(index)
            widget = item.widget() if item is not None else None
            if widget is None or widget.isHidden():
                continue
            shown += 1
            if isinstance(widget, CompactToolButton):
                width += widget.full_width()
            else:
                width += max(widget.sizeHint().width(), widget.minimumWidth())
        return width + max(0, shown - 1) * max(0, layout.spacing())

    def fit(self) -> None:
        compact = self.width() < self.full_width()
        for button in self.findChildren(CompactToolButton):
            button.set_compact(compact)


class FlowLayout(QLayout):
    """Items left to right at their size hints, wrapped onto a new line when one is full."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt override
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt override
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt override
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def spacing(self) -> int:
        return self._spacing

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt override
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt override
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt override
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """All items on one line."""
        width = sum(item.sizeHint().width() for item in self._visible())
        width += self._spacing * max(0, len(self._visible()) - 1)
        height = max((item.sizeHint().height() for item in self._visible()), default=0)
        return QSize(width, height) + self._margin_size()

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt override
        """As wide as the widest item: everything else may wrap."""
        size = QSize()
        for item in self._visible():
            size = size.expandedTo(item.minimumSize().expandedTo(item.sizeHint()))
        return size + self._margin_size()

    def _visible(self) -> list[QLayoutItem]:
        return [item for item in self._items if not item.isEmpty()]

    def _margin_size(self) -> QSize:
        margins: QMargins = self.contentsMargins()
        return QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, line_height = area.x(), area.y(), 0
        for item in self._visible():
            hint = item.sizeHint()
            if x > area.x() and x + hint.width() > area.right() + 1:
                x = area.x()
                y += line_height + self._spacing
                line_height = 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            line_height = max(line_height, hint.height())
        return y + line_height - rect.y() + margins.bottom()


# One entry of a row: a widget with its stretch factor, or fixed spacing in pixels.
RowEntry = tuple[QWidget, int] | int


class BreakingRow(QWidget):
    """``entries`` on one line when they fit at their minimum widths, else on ``lines``.

    ``lines`` lists, per line, how many entries of ``entries`` it takes (in order; spacing
    entries at a line's ends are dropped there). The choice depends only on the width this
    widget gets and on the entries' own minimums.
    """

    def __init__(
        self,
        entries: Sequence[RowEntry],
        lines: Sequence[int],
        *,
        spacing: int = 8,
        line_spacing: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        if sum(lines) != len(entries):
            raise ValueError("the lines must take every entry")
        self._entries = list(entries)
        self._lines = list(lines)
        self._spacing = spacing
        self._broken: bool | None = None
        self._outer = QVBoxLayout(self)
        self._outer.setContentsMargins(0, 0, 0, 0)
        self._outer.setSpacing(spacing if line_spacing is None else line_spacing)
        for entry in self._entries:
            if not isinstance(entry, int):
                entry[0].setParent(self)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._arrange(broken=False)

    @property
    def broken(self) -> bool:
        """True while the entries are on several lines."""
        return bool(self._broken)

    def one_line_width(self) -> int:
        """The narrowest one line the entries allow."""
        return self._line_width(self._entries)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """As narrow as the broken lines allow (a single line is only chosen when it fits)."""
        hint = super().minimumSizeHint()
        return QSize(max(self._line_width(group) for group in self._groups()), hint.height())

    def _line_width(self, entries: Sequence[RowEntry]) -> int:
        width = 0
        for entry in entries:
            if isinstance(entry, int):
                width += entry
                continue
            widget = entry[0]
            if widget.isHidden():
                continue
            width += max(widget.minimumSizeHint().width(), widget.minimumWidth())
            width += self._spacing
        return max(0, width - self._spacing)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._arrange(broken=self.width() < self.one_line_width())

    def event(self, event: QEvent) -> bool:
        # An entry's text changed (its size hint with it): the lines may have to change too.
        if event.type() == QEvent.Type.LayoutRequest:
            self._arrange(broken=self.width() < self.one_line_width())
        return super().event(event)

    def _arrange(self, *, broken: bool) -> None:
        if broken == self._broken:
            return
        self._broken = broken
        while self._outer.count():
            item = self._outer.takeAt(0)
            row = item.layout() if item is not None else None
            if row is not None:
                while row.count():
                    row.takeAt(0)
                row.deleteLater()
        groups = self._groups() if broken else [self._entries]
        for group in groups:
            row = QHBoxLayout()
            row.setContentsMargins(0, 0, 0, 0)
            row.setSpacing(self._spacing)
            for entry in group:
                if isinstance(entry, int):
                    row.addSpacing(entry)
                else:
                    row.addWidget(entry[0], entry[1])
            self._outer.addLayout(row)

    def _groups(self) -> list[list[RowEntry]]:
        groups = []
        start = 0
        for size in self._lines:
            group = self._entries[start : start + size]
            start += size
            while group and isinstance(group[-1], int):
                group = group[:-1]
            while group and isinstance(group[0], int):
                group = group[1:]
            groups.append(group)
        return groups


class FittingScrollArea(QScrollArea):
    """``content`` scrolled up and down, never sideways (it is as wide as the view).

    Qt caps a scroll area's size hint at 36×24 lines; this one asks for the content's whole
    size, so a window is only as small as its screen makes it, and for the content's
    minimum width, so nothing is clipped sideways.
    """

    # Lines of text the view keeps at its smallest.
    MINIMUM_LINES = 6

    def __init__(self, content: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(content)

    def _bar_width(self) -> int:
        return self.verticalScrollBar().sizeHint().width()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        content = self.widget()
        if content is None:
            return super().sizeHint()
        hint = content.sizeHint().expandedTo(content.minimumSizeHint())
        return QSize(hint.width() + self._bar_width(), hint.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        content = self.widget()
        if content is None:
            return super().minimumSizeHint()
        least = content.minimumSizeHint()
        lines = self.fontMetrics().lineSpacing() * self.MINIMUM_LINES
        return QSize(least.width() + self._bar_width(), min(least.height(), lines))


def frame_size(window: QWidget) -> QSize:
    """What a window manager's frame and title bar add to the window's own size (known only
    once the window is on screen; before that, nothing)."""
    if not window.isVisible():
        return QSize(0, 0)
    extra = window.frameGeometry().size() - window.geometry().size()
    return extra.expandedTo(QSize(0, 0))


def fit_to_screen(window: QWidget) -> None:
    """Give ``window`` the size it asks for (with its wrapped texts' height), but no more
    than its screen's free area."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    size = window.sizeHint().expandedTo(window.minimumSizeHint())
    layout = window.layout()
    if layout is not None and layout.hasHeightForWidth():
        # Wrapped texts: the height they need at that width (a size hint does not know it).
        size.setHeight(max(size.height(), layout.totalHeightForWidth(size.width())))
    if screen is not None:
        area = screen.availableGeometry().size()
        room = area - frame_size(window)
        size = size.boundedTo(room)
        # Nothing (placing a dialog over its window, a wrapped text) may make it larger.
        window.setMaximumSize(room.expandedTo(window.minimumSizeHint()))
    window.resize(size)


__all__ = [
    "ActionBar",
    "BreakingRow",
    "CompactToolButton",
    "FittingScrollArea",
    "FlowLayout",
    "fit_to_screen",
    "frame_size",
]
