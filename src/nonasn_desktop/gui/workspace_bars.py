"""The bars around the record list of the main window's workspace: the header (office and
signed-in user), the menus, the action bar and the status bar.

They show the actions the window made for the clerk's role (``actions``: key -> QAction, with
no entry for what the role may not use). Like ``gui/main_window.py``, this module imports
neither the services nor SQLAlchemy at module level: the menus' dialogs are imported as they
are built, after sign-in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QStatusBar,
    QToolButton,
    QWidget,
)

from . import theme
from .responsive import ActionBar, CompactToolButton

if TYPE_CHECKING:
    from nonasn_desktop.accounts.users import UserInfo
    from nonasn_desktop.core.context import AppContext
    from nonasn_desktop.office.identity import OfficeInfo

# What the action bar shows when the full texts do not fit (the full text stays the
# button's accessible name and leads its tooltip).
SHORT_TOOL_TEXTS = {
    "new": "Pendataan Baru",
    "continue": "Lanjutkan",
    "print_info": "Cetak Info",
    "print_card": "Cetak Kartu",
    "export_recap": "Rekap Excel",
    "verval": "Verval",
    "refresh": "Muat Ulang",
}


def office_header(office: OfficeInfo | None, user: UserInfo) -> QWidget:
    """The banner over the workspace: the office (and its instansi), and who is signed in."""
    office_text = (
        f"{office.name} · Kode kantor {office.code}" if office else "Kantor belum disiapkan"
    )
    if office and office.instansi_name:
        office_text = f"{office.instansi_name} · {office_text}"
    header = theme.header_banner("Pendataan Tenaga Non-ASN", office_text, icon_size=34)
    header_layout = header.layout()
    assert header_layout is not None
    header_layout.setContentsMargins(18, 8, 18, 8)
    subtitle = header.findChild(QLabel, "header_subtitle")
    if subtitle is not None:
        # A long office name takes a second line on a narrow screen rather than being cut.
        subtitle.setWordWrap(True)
    who = QLabel(f"{user.full_name}\n{user.role.label}")
    who.setObjectName("header_user")
    who.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    header_layout.addWidget(who)
    return header


def _menu_items(actions: dict[str, QAction], menu: QMenu, keys: tuple[str | None, ...]) -> None:
    for key in keys:
        if key is None:
            menu.addSeparator()
        elif key in actions:
            menu.addAction(actions[key])


def build_menus(
    window: QMainWindow,
    actions: dict[str, QAction],
    allowed: Callable[[str], bool],
    ctx: AppContext,
    user: UserInfo,
    *,
    on_restored: Callable[[], object],
) -> None:
    """Data, Tampilan, Admin, Akun and Bantuan in ``window``'s menu bar, by role.

    The actions the Admin menu's dialogs make (backup, field laptops, NIK conflicts) join
    ``actions``; ``on_restored`` runs after a restore from a backup.
    """
    bar = window.menuBar()
    data = bar.addMenu("&Data")
    data.setObjectName("menu_data")
    _menu_items(
        actions,
        data,
        (
            "new",
            "continue",
            None,
            "print_info",
            "print_card",
            None,
            "export_recap",
            None,
            "verval",
            "batch_export",
        ),
    )
    # A NIK registered twice (field laptops): gui/conflict_dialogs.py.
    from . import conflict_dialogs

    if allowed("nik_conflicts"):
        actions["nik_conflicts"] = conflict_dialogs.add_conflict_action(data, window, ctx, user)
    view = bar.addMenu("&Tampilan")
    view.setObjectName("menu_view")
    _menu_items(actions, view, ("find", "refresh"))
    if any(key in actions for key in ("users", "settings", "roster_import")):
        admin = bar.addMenu("&Admin")
        admin.setObjectName("menu_admin")
        _menu_items(actions, admin, ("users", "settings", None, "roster_import", "roster_template"))
        # -- backup and restore (gui/backup_dialogs.py) --------------------------------
        if allowed("backup"):
            from . import backup_dialogs

            admin.addSeparator()
            for action in backup_dialogs.add_backup_actions(
                admin, window, ctx, user, on_restored=on_restored
            ):
                actions[action.objectName().removeprefix("action_")] = action
        # -- a new recovery key: the folder's or the office's (gui/new_recovery_key.py) -----
        if allowed("new_recovery_key"):
            from . import new_recovery_key

            actions["new_recovery_key"] = new_recovery_key.add_recovery_key_action(
                admin, window, ctx, user
            )
        # -- field laptops (gui/device_dialogs.py), at the office ------------------------
        from . import device_dialogs

        admin.addSeparator()
        for action in device_dialogs.add_device_actions(admin, window, ctx, user, allowed=allowed):
            actions[action.objectName().removeprefix("action_")] = action
    account = bar.addMenu("A&kun")
    account.setObjectName("menu_account")
    _menu_items(actions, account, ("change_password", None, "sign_out", "quit"))
    help_menu = bar.addMenu("Ba&ntuan")
    help_menu.setObjectName("menu_help")
    _menu_items(actions, help_menu, ("about",))
    for menu in (data, view, account, help_menu):
        menu.setToolTipsVisible(True)
    # Empty separators (from actions a role lacks) are hidden by Qt; a menu left empty
    # would not be: drop it.
    for menu in (data,):
        if not [a for a in menu.actions() if not a.isSeparator()]:
            bar.removeAction(menu.menuAction())


def build_action_bar(actions: dict[str, QAction]) -> tuple[ActionBar, dict[str, QToolButton]]:
    """The action bar under the header: the role's main actions as flat buttons (by key)."""
    bar = ActionBar()
    bar.setObjectName("action_bar")
    layout = QHBoxLayout(bar)
    layout.setContentsMargins(12, 6, 12, 6)
    layout.setSpacing(4)
    buttons: dict[str, QToolButton] = {}
    keys = ["new", "continue", None, "print_info", "print_card", None, "export_recap"]
    keys += [None, "verval"]
    previous_separator = True
    for key in keys:
        if key is None:
            if not previous_separator:
                layout.addWidget(_bar_separator())
            previous_separator = True
        elif key in actions:
            layout.addWidget(_tool_button(actions, buttons, key))
            previous_separator = False
    layout.addStretch(1)
    layout.addWidget(_tool_button(actions, buttons, "refresh"))
    if "new" in buttons:
        buttons["new"].setObjectName("primary_tool")
    elif "verval" in buttons:  # the verifikator's main work (gui/verval/)
        buttons["verval"].setObjectName("primary_tool")
    return bar, buttons


def _tool_button(
    actions: dict[str, QAction], buttons: dict[str, QToolButton], key: str
) -> QToolButton:
    # On a narrow screen (150 % scaling) the bar shows the short texts (gui/responsive.py).
    button = CompactToolButton(actions[key], SHORT_TOOL_TEXTS.get(key, ""))
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    button.setObjectName(f"tool_{key}")
    buttons[key] = button
    return button


def _bar_separator() -> QFrame:
    line = QFrame()
    line.setObjectName("bar_separator")
    line.setFrameShape(QFrame.Shape.VLine)
    line.setFixedWidth(9)
    return line


def fill_status_bar(
    bar: QStatusBar, ctx: AppContext, office: OfficeInfo | None, user: UserInfo
) -> tuple[QLabel, QLabel, QLabel]:
    """The office code, the user and the data folder, kept at the bar's right."""
    bar.setSizeGripEnabled(False)
    code = office.code if office else "—"
    office_label = QLabel(f"Kantor: {code}")
    user_label = QLabel(f"Pengguna: {user.full_name} ({user.username}) — {user.role.label}")
    folder_label = QLabel(f"Folder data: {ctx.data_dir.path}")
    folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    for label in (office_label, user_label):
        bar.addPermanentWidget(label)
        separator = QFrame()
        separator.setFrameShape(QFrame.Shape.VLine)
        separator.setObjectName("muted")
        bar.addPermanentWidget(separator)
    bar.addPermanentWidget(folder_label, 1)
    return office_label, user_label, folder_label
