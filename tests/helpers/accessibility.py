"""What a screen reader's user meets on Tab: the focus chain and the names read aloud."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QAbstractButton, QRadioButton, QWidget

# A visible label this short says too little on its own: it needs a tooltip.
SHORT_LABEL = 16


def focus_chain(root: QWidget) -> list[QWidget]:
    """The widgets Tab visits inside ``root`` (visible, enabled, accepting Tab focus)."""
    chain: list[QWidget] = []
    widget = root.nextInFocusChain()
    while widget is not root and widget not in chain:
        tab = widget.focusPolicy() & Qt.FocusPolicy.TabFocus
        if tab and widget.isVisible() and widget.isEnabled() and root.isAncestorOf(widget):
            chain.append(widget)
        widget = widget.nextInFocusChain()
    return chain


def spoken_name(widget: QWidget) -> str:
    """The name assistive technology reads for the widget (own name, buddy label or text)."""
    interface = QAccessible.queryAccessibleInterface(widget)
    assert interface is not None, widget
    return interface.text(QAccessible.Text.Name).replace("&", "").strip()


def unnamed(root: QWidget) -> list[str]:
    """Controls of the focus chain without a name, or short-labelled without a tooltip."""
    found = []
    for widget in focus_chain(root):
        what = f"{type(widget).__name__} {widget.objectName()!r}"
        name = spoken_name(widget)
        if not name:
            found.append(f"{what}: no accessible name")
        if isinstance(widget, QAbstractButton):
            label = widget.text().replace("&", "").strip()
            if len(label) < SHORT_LABEL and not widget.toolTip():
                found.append(f"{what} ({label!r}): short label without a tooltip")
            if isinstance(widget, QRadioButton) and name == label:
                found.append(f"{what} ({label!r}): the answer does not name its question")
    return found
