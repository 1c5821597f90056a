"""Admin › "Buat Kunci Pemulihan Baru…": replace the recovery key of the encrypted folder, or,
at a desk of an office database server, of the office data key.

The A4 recovery sheet sends the admin here when the sheet is lost or was seen by others. The
admin types their password again (a recovery key opens every person's data: a desk left signed
in must not hand one out), the service (accounts.recovery) rewrites the recovery slot off the
GUI thread, and the new key is shown once in :class:`~.recovery_key.RecoveryKeyDialog`.

The action is offered to every role holding the permission; where there is no key to replace
(a plain folder, an office without a data key, an office key not open for this admin) it says
why when chosen, with what to do, rather than vanishing without a word.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nonasn_desktop.accounts import recovery, users
from nonasn_desktop.accounts.users import UserInfo
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import UserError

from . import messages, theme, workers
from .recovery_key import RecoveryKeyDialog

TITLE = "Buat Kunci Pemulihan Baru"
NEW_KEY_SUBTITLE = "Kunci pemulihan baru untuk folder data ini"
OFFICE_NEW_KEY_SUBTITLE = "Kunci pemulihan baru untuk dokumen kantor di server"
# What the password dialog says first, for a folder of its own and for an office server.
FOLDER_HINTS = (
    "Kunci pemulihan membuka seluruh data pribadi folder ini tanpa kata sandi. Buat "
    "kunci baru bila lembar kunci pemulihan hilang atau pernah terlihat orang lain.",
    "Kunci lama langsung tidak berlaku untuk folder data ini; cadangan yang dibuat "
    "sebelumnya tetap terbuka dengan kunci lama.",
)
OFFICE_HINTS = (
    "Kunci pemulihan kantor membuka seluruh dokumen kantor di server tanpa kata sandi. Buat "
    "kunci baru bila lembar kunci pemulihan hilang atau pernah terlihat orang lain.",
    "Kunci lama langsung tidak berlaku untuk dokumen di server; cadangan basis data "
    "(pg_dump) yang dibuat sebelumnya tetap terbuka dengan kunci lama.",
)
HINT_WIDTH = 440


class NewRecoveryKeyDialog(QDialog):
    """Asks the signed-in admin's password again, then makes the new key (``recovery_key``
    once accepted)."""

    def __init__(self, ctx: AppContext, user: UserInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._user = user
        self.recovery_key: str | None = None
        self.setObjectName("new_recovery_key_dialog")
        self.setWindowTitle(TITLE)
        self.setModal(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 18)
        layout.setSpacing(12)
        heading = QLabel(TITLE)
        heading.setObjectName("page_title")
        layout.addWidget(heading)
        for text in OFFICE_HINTS if recovery.for_office(ctx) else FOLDER_HINTS:
            layout.addWidget(theme.hint_label(text))
        form = QFormLayout()
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMaxLength(users.PASSWORD_MAX)
        self.password.setMinimumWidth(280)
        self.password.setAccessibleName("Kata sandi Anda")
        self.password.returnPressed.connect(self.submit)
        label = QLabel("&Kata sandi Anda:")
        label.setBuddy(self.password)
        form.addRow(label, self.password)
        layout.addLayout(form)
        self.error = theme.error_label()
        layout.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QPushButton("Batal")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        self.ok_button = theme.primary_button("Buat Kunci Baru")
        self.ok_button.setObjectName("save")
        self.ok_button.clicked.connect(self.submit)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.ok_button)
        layout.addLayout(buttons)
        # Wide enough for the hints to wrap in a few lines; as tall as they and the error
        # line need (a word-wrapped label is cut in a dialog that does not grow with it).
        for label in self.findChildren(QLabel, "hint"):
            label.setMinimumWidth(HINT_WIDTH)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetFixedSize)
        self.task: workers.Task | None = None

    def submit(self) -> None:
        password = self.password.text()
        if not password:
            theme.show_error_text(self.error, "Ketik kata sandi Anda untuk melanjutkan.")
            self.password.setFocus()
            return
        self._set_working(True)
        theme.show_error_text(self.error, "")
        ctx, actor = self._ctx, self._user.actor
        # The password is checked with argon2id: a second of work, off the GUI thread.
        self.task = workers.run_in_background(
            lambda _task: recovery.new_recovery_key(ctx, actor=actor, password=password),
            on_success=self._made,
            on_failure=self._failed,
            on_crash=self._crashed,
        )

    def _set_working(self, working: bool) -> None:
        for widget in (self.password, self.ok_button, self.cancel_button):
            widget.setEnabled(not working)

    def _made(self, key: str) -> None:
        self.task = None
        self.recovery_key = key
        self.accept()

    def _failed(self, exc: UserError) -> None:
        self.task = None
        self._set_working(False)
        theme.show_error_text(self.error, str(exc))
        self.password.clear()
        self.password.setFocus()

    def _crashed(self, exc: BaseException) -> None:
        self.task = None
        self._set_working(False)
        messages.show_bug(self, exc)

    def reject(self) -> None:
        if self.task is None:  # not while the key is being made
            super().reject()


def new_recovery_key(window: QWidget, ctx: AppContext, user: UserInfo) -> RecoveryKeyDialog | None:
    """The whole operation from the menu: refused at once (with the reason) where there is no
    recovery key to replace; else the password, then the new key shown once (the dialog
    returned)."""
    try:
        recovery.renewable_slots(ctx)
    except UserError as exc:
        messages.show_user_error(window, exc, title=TITLE)
        return None
    dialog = NewRecoveryKeyDialog(ctx, user, window)
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.recovery_key is None:
        return None
    subtitle = OFFICE_NEW_KEY_SUBTITLE if recovery.for_office(ctx) else NEW_KEY_SUBTITLE
    shown = RecoveryKeyDialog(
        ctx, dialog.recovery_key, window, subtitle=subtitle, note=recovery.old_key_note(ctx)
    )
    shown.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    shown.open()
    return shown


def add_recovery_key_action(
    menu: QMenu, window: QWidget, ctx: AppContext, user: UserInfo
) -> QAction:
    """Add "Buat Kunci Pemulihan Baru…" to ``menu`` (for a role that may: see the caller)."""
    action = QAction("Buat Kunci &Pemulihan Baru\u2026", window)
    action.setObjectName("action_new_recovery_key")
    of_what = "dokumen kantor" if recovery.for_office(ctx) else "folder data"
    tip = f"Ganti kunci pemulihan {of_what}; kunci lama tidak berlaku lagi"
    action.setStatusTip(tip)
    action.setToolTip(tip)
    action.triggered.connect(lambda: new_recovery_key(window, ctx, user))
    menu.addAction(action)
    return action
