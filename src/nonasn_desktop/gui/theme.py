"""The application's look: a calm, official palette, one small stylesheet, the icon.

Fusion style everywhere (the same on Windows and Linux), dark navy for headings and the main
action, a thin gold line as the only accent, white fields on a light grey window. Widgets opt
into special looks through object names (``header``, ``page_title``, ``error``) or the
properties ``role="primary"`` and ``chip``, never through inline styles scattered over the code.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nonasn_desktop.rules.status import RecordStatus

NAVY = "#1B3A5C"
NAVY_HOVER = "#24507D"
NAVY_PRESSED = "#152E49"
GOLD = "#C8A23C"
WINDOW = "#F3F5F8"
BASE = "#FFFFFF"
ALTERNATE = "#F7F9FB"
TEXT = "#1F2933"
MUTED = "#5B6776"
BORDER = "#C9D1DB"
SELECTION = "#D6E4F3"
ERROR = "#B42318"
ERROR_BACKGROUND = "#FDF0EF"
# Something the signed-in clerk cannot do until someone else acts (amber, not an error).
NOTICE = "#7A4B00"
NOTICE_BACKGROUND = "#FFF6E0"
NOTICE_BORDER = "#F0D38A"
OK = "#1D6B43"

BASE_POINT_SIZE = 10

STATUS_COLOURS: dict[RecordStatus, str] = {
    RecordStatus.DRAF: "#5B6776",
    RecordStatus.AKUN_DIBUAT: "#1F5FA8",
    RecordStatus.PENDAFTARAN_SELESAI: "#0F6E74",
    RecordStatus.DISETUJUI: "#1D6B43",
    RecordStatus.PERLU_PERBAIKAN: "#9A5B00",
    RecordStatus.DITOLAK: "#B42318",
    RecordStatus.DIEKSPOR: "#5B3E8C",
}

STYLESHEET = f"""
QMainWindow, QDialog {{ background: {WINDOW}; }}
QToolTip {{ color: {TEXT}; background: {BASE}; border: 1px solid {BORDER}; padding: 4px; }}

QFrame#header {{
    background: {NAVY};
    border-bottom: 3px solid {GOLD};
}}
QFrame#header QLabel {{ color: #FFFFFF; }}
QLabel#header_title {{ font-size: 15pt; font-weight: 600; }}
QLabel#header_subtitle {{ color: #D5DEEA; }}

QLabel#page_title {{ font-size: 14pt; font-weight: 600; color: {NAVY}; }}
QLabel#section_title {{ font-weight: 600; color: {NAVY}; padding-top: 6px; }}
QLabel#muted, QLabel#hint {{ color: {MUTED}; }}
QLabel#error {{
    color: {ERROR};
    background: {ERROR_BACKGROUND};
    border: 1px solid #F4C7C3;
    border-radius: 4px;
    padding: 8px 10px;
}}
QLabel#notice {{
    color: {NOTICE};
    background: {NOTICE_BACKGROUND};
    border-bottom: 1px solid {NOTICE_BORDER};
    padding: 8px 14px;
}}
QLabel#empty_state {{ color: {MUTED}; font-size: 11pt; }}
QFrame#sign_in_card {{
    background: {BASE};
    border: 1px solid {BORDER};
    border-radius: 6px;
}}

QComboBox::drop-down {{
    subcontrol-origin: padding;
    subcontrol-position: center right;
    width: 22px;
    border: none;
}}
QLineEdit, QComboBox {{
    min-height: 26px;
    padding: 2px 6px;
    border: 1px solid {BORDER};
    border-radius: 4px;
    background: {BASE};
    selection-background-color: {SELECTION};
    selection-color: {TEXT};
}}
QLineEdit:focus, QComboBox:focus {{ border: 1px solid {NAVY}; }}
QLineEdit:read-only {{ background: {ALTERNATE}; color: {MUTED}; }}
QLineEdit[invalid="true"] {{ border: 1px solid {ERROR}; background: {ERROR_BACKGROUND}; }}

QPushButton {{
    min-height: 28px;
    padding: 2px 14px;
    border: 1px solid {BORDER};
    border-radius: 4px;
    background: {BASE};
    color: {TEXT};
}}
QPushButton:hover {{ border-color: {NAVY}; }}
QPushButton:pressed {{ background: {SELECTION}; }}
QPushButton:disabled {{ color: #9AA5B1; background: {ALTERNATE}; }}
QPushButton[role="primary"] {{
    background: {NAVY};
    border: 1px solid {NAVY};
    color: #FFFFFF;
    font-weight: 600;
}}
QPushButton[role="primary"]:hover {{ background: {NAVY_HOVER}; }}
QPushButton[role="primary"]:pressed {{ background: {NAVY_PRESSED}; }}
QPushButton[role="primary"]:disabled {{ background: #8A99AD; border-color: #8A99AD; }}

QPushButton[chip="true"] {{
    min-height: 24px;
    padding: 1px 12px;
    border-radius: 13px;
    background: {BASE};
}}
QPushButton[chip="true"]:checked {{
    background: {NAVY};
    border-color: {NAVY};
    color: #FFFFFF;
}}

QFrame#action_bar {{
    background: {BASE};
    border-bottom: 1px solid {BORDER};
}}
QFrame#action_bar QToolButton {{
    padding: 5px 12px;
    border: 1px solid transparent;
    border-radius: 4px;
    color: {TEXT};
}}
QFrame#action_bar QToolButton:hover {{ border-color: {BORDER}; background: {ALTERNATE}; }}
QFrame#action_bar QToolButton:pressed {{ background: {SELECTION}; }}
QFrame#action_bar QToolButton:disabled {{ color: #9AA5B1; }}
QFrame#action_bar QToolButton#primary_tool {{
    background: {NAVY};
    color: #FFFFFF;
    font-weight: 600;
}}
QFrame#action_bar QToolButton#primary_tool:hover {{ background: {NAVY_HOVER}; }}
QFrame#bar_separator {{ color: {BORDER}; }}

QTableView {{
    background: {BASE};
    alternate-background-color: {ALTERNATE};
    border: 1px solid {BORDER};
    gridline-color: #E4E8EE;
    selection-background-color: {SELECTION};
    selection-color: {TEXT};
}}
QHeaderView::section {{
    background: #E9EEF4;
    color: {NAVY};
    font-weight: 600;
    padding: 5px 6px;
    border: none;
    border-right: 1px solid {BORDER};
    border-bottom: 1px solid {BORDER};
}}

QStatusBar {{ background: {BASE}; border-top: 1px solid {BORDER}; color: {MUTED}; }}
QStatusBar QLabel {{ color: {MUTED}; padding: 0 8px; }}
QMenuBar {{ background: {BASE}; }}
QGroupBox {{
    border: 1px solid {BORDER};
    border-radius: 6px;
    margin-top: 12px;
    background: {BASE};
    font-weight: 600;
}}
QGroupBox > QWidget, QGroupBox QLabel {{ font-weight: normal; }}
QGroupBox::title {{
    subcontrol-origin: margin;
    left: 10px;
    padding: 0 4px;
    color: {NAVY};
    font-weight: 600;
}}
"""


def icon_path(name: str) -> str:
    """The file of an icon in resources/icons, with forward slashes (for stylesheets too)."""
    resource = importlib.resources.files("nonasn_desktop.resources") / "icons" / name
    return Path(str(resource)).as_posix()


def app_icon() -> QIcon:
    """The application icon (resources/icons/app.svg)."""
    return QIcon(icon_path("app.svg"))


def arrow_stylesheet() -> str:
    """The arrow of drop-down lists (its image is a file, so it is not in STYLESHEET, which
    stays a constant other windows can reuse)."""
    down = icon_path("chevron-down.svg")
    return f"QComboBox::down-arrow {{ image: url({down}); width: 12px; height: 12px; }}\n"


def palette() -> QPalette:
    pal = QPalette()
    colours = {
        QPalette.ColorRole.Window: WINDOW,
        QPalette.ColorRole.WindowText: TEXT,
        QPalette.ColorRole.Base: BASE,
        QPalette.ColorRole.AlternateBase: ALTERNATE,
        QPalette.ColorRole.Text: TEXT,
        QPalette.ColorRole.Button: BASE,
        QPalette.ColorRole.ButtonText: TEXT,
        QPalette.ColorRole.Highlight: SELECTION,
        QPalette.ColorRole.HighlightedText: TEXT,
        QPalette.ColorRole.ToolTipBase: BASE,
        QPalette.ColorRole.ToolTipText: TEXT,
        QPalette.ColorRole.PlaceholderText: "#8A94A3",
        QPalette.ColorRole.Link: NAVY_HOVER,
    }
    for role, colour in colours.items():
        pal.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor("#9AA5B1"))
    return pal


def apply_theme(app: QApplication) -> None:
    """Style, palette, stylesheet and a readable base font for the whole application."""
    app.setStyle("Fusion")
    app.setPalette(palette())
    font = QFont(app.font())
    if font.pointSize() < BASE_POINT_SIZE:
        font.setPointSize(BASE_POINT_SIZE)
    app.setFont(font)
    app.setStyleSheet(STYLESHEET + arrow_stylesheet())
    app.setWindowIcon(app_icon())


# -- small building blocks shared by the dialogs --------------------------------------------


def header_banner(title: str, subtitle: str = "", *, icon_size: int = 40) -> QFrame:
    """The navy band with the icon, a title and a subtitle at the top of a window."""
    frame = QFrame()
    frame.setObjectName("header")
    layout = QHBoxLayout(frame)
    layout.setContentsMargins(20, 14, 20, 14)
    layout.setSpacing(14)
    icon = QLabel()
    icon.setPixmap(app_icon().pixmap(icon_size, icon_size))
    icon.setFixedSize(icon_size, icon_size)
    layout.addWidget(icon, 0, Qt.AlignmentFlag.AlignVCenter)
    texts = QVBoxLayout()
    texts.setSpacing(2)
    title_label = QLabel(title)
    title_label.setObjectName("header_title")
    texts.addWidget(title_label)
    subtitle_label = QLabel(subtitle)
    subtitle_label.setObjectName("header_subtitle")
    subtitle_label.setVisible(bool(subtitle))
    texts.addWidget(subtitle_label)
    layout.addLayout(texts, 1)
    return frame


def notice_label(text: str) -> QLabel:
    """A strip across the workspace saying what the clerk cannot do yet, and who can help."""
    label = QLabel(text)
    label.setObjectName("notice")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def error_label() -> QLabel:
    """A hidden label for inline error messages (shown with :func:`show_error_text`)."""
    label = QLabel()
    label.setObjectName("error")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setVisible(False)
    return label


def show_error_text(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


def mark_invalid(widget: QWidget, invalid: bool) -> None:
    """Red border on a field whose value was refused (stylesheet property ``invalid``)."""
    if bool(widget.property("invalid")) == invalid:
        return
    widget.setProperty("invalid", invalid)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def primary_button(text: str) -> QPushButton:
    """The dialog's main button (navy; stylesheet property ``role="primary"``)."""
    button = QPushButton(text)
    button.setProperty("role", "primary")
    button.setDefault(True)
    button.setAutoDefault(True)
    return button


def cancel_button(text: str = "Batal") -> QPushButton:
    """A dialog's "Batal": never the default, so Enter in a field never cancels."""
    button = QPushButton(text)
    button.setObjectName("cancel")
    button.setAutoDefault(False)
    return button


def folder_label(text: str) -> QLabel:
    """A muted line naming a folder, selectable so it can be copied into a file manager."""
    label = QLabel(text)
    label.setObjectName("muted")
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def hint_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("hint")
    label.setWordWrap(True)
    return label
