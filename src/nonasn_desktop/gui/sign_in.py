"""Sign-in: the first page of the main window, checked (and throttled) by ``accounts.users``.

The page is on screen before the data is open: this module imports only PySide6 and the
theme (the services, and SQLAlchemy behind them, load after the window is shown). Until
:meth:`SignInPage.set_context` hands it the open data, "Masuk" is disabled and a quiet
"Menyiapkan data…" note says why; the clerk can already type.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

import nonasn_desktop
from nonasn_desktop.errors import UserError

from . import theme

if TYPE_CHECKING:
    from nonasn_desktop.accounts.users import UserInfo
    from nonasn_desktop.core.context import AppContext

# Called with the clerk and the password just typed; True when it took the sign-in over (it
# calls SignInPage.complete later), False to go on to the workspace at once.
AfterSignIn = Callable[["UserInfo", str], bool]

EMPTY_FIELDS = "Isi nama pengguna dan kata sandi."
PREPARING = "Menyiapkan data\u2026"
UNLOCKING = "Membuka folder data terenkripsi\u2026"
TITLE = "Pendataan Tenaga Non-ASN"
CARD_WIDTH = 460


class SignInPage(QWidget):
    """``signed_in(user)`` when the password was right (the service's message else);
    ``quit_requested`` on "Keluar"."""

    signed_in = Signal(object)
    quit_requested = Signal()
    # An encrypted data folder was unlocked with the typed credentials: the open data.
    unlocked = Signal(object)

    def __init__(self, parent: QWidget | None = None, username: str = "") -> None:
        super().__init__(parent)
        self._ctx: AppContext | None = None
        # Set while the data folder is encrypted and not yet unlocked: opens it with the
        # clerk's username and password (the key slot), or raises a UserError.
        self._unlock: Callable[[str, str], AppContext] | None = None
        # Runs after a right password, before the workspace (see set_after_sign_in).
        self._after_sign_in: AfterSignIn | None = None
        self.user: UserInfo | None = None
        self.setObjectName("sign_in_page")
        self._build(username)

    # -- building -----------------------------------------------------------------------

    def _build(self, username: str) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.header = theme.header_banner(TITLE, "")
        outer.addWidget(self.header)
        self.office_label = self.header.findChild(QLabel, "header_subtitle")
        if self.office_label is not None:
            # Kept visible (empty until the office is known): the header does not jump.
            self.office_label.setText("\u00a0")
            self.office_label.setVisible(True)

        middle = QHBoxLayout()
        middle.addStretch(1)
        middle.addWidget(self._card(username))
        middle.addStretch(1)
        outer.addStretch(2)
        outer.addLayout(middle)
        outer.addStretch(3)

        footer = QLabel(f"Versi {nonasn_desktop.__version__} \u00b7 bekerja tanpa internet")
        footer.setObjectName("muted")
        footer.setAlignment(Qt.AlignmentFlag.AlignCenter)
        footer.setContentsMargins(0, 0, 0, 14)
        outer.addWidget(footer)
        self.version = footer

    def _card(self, username: str) -> QFrame:
        card = QFrame()
        card.setObjectName("sign_in_card")
        card.setFixedWidth(CARD_WIDTH)
        body = QVBoxLayout(card)
        body.setContentsMargins(32, 26, 32, 24)
        body.setSpacing(14)
        heading = QLabel("Masuk ke aplikasi")
        heading.setObjectName("page_title")
        body.addWidget(heading)
        body.addWidget(
            theme.hint_label("Gunakan akun petugas yang diberikan oleh admin kantor Anda.")
        )

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(10)
        self.username = QLineEdit(username)
        self.username.setObjectName("username")
        self.username.setMaxLength(64)
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.username.setAccessibleName("Nama pengguna")
        self.username.setToolTip("Nama pengguna akun petugas dari admin kantor.")
        self.password.setAccessibleName("Kata sandi")
        self.password.setToolTip("Kata sandi akun petugas; perhatikan Caps Lock.")
        self.show_password = QCheckBox("Tampilkan kata sandi")
        self.show_password.setObjectName("show_password")
        self.show_password.setAccessibleName("Tampilkan kata sandi")
        self.show_password.toggled.connect(self._toggle_echo)
        username_label = QLabel("Nama &pengguna:")
        username_label.setBuddy(self.username)
        password_label = QLabel("Kata &sandi:")
        password_label.setBuddy(self.password)
        form.addRow(username_label, self.username)
        form.addRow(password_label, self.password)
        form.addRow("", self.show_password)
        body.addLayout(form)

        self.error = theme.error_label()
        body.addWidget(self.error)
        # Slow work after signing in (set_busy): what is happening, and that it is.
        self.busy_note = theme.hint_label("")
        self.busy_bar = QProgressBar()
        self.busy_bar.setObjectName("busy_bar")
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setAccessibleName("Sedang bekerja")
        for widget in (self.busy_note, self.busy_bar):
            widget.setVisible(False)
            body.addWidget(widget)

        buttons = QHBoxLayout()
        self.preparing = QLabel(PREPARING)
        self.preparing.setObjectName("muted")
        buttons.addWidget(self.preparing)
        buttons.addStretch(1)
        self.quit_button = QPushButton("Keluar")
        self.quit_button.setObjectName("quit")
        self.quit_button.setAutoDefault(False)
        self.quit_button.setAccessibleName("Keluar")
        self.quit_button.setToolTip("Tutup aplikasi tanpa masuk.")
        self.quit_button.clicked.connect(self.quit_requested)
        self.sign_in_button = theme.primary_button("Masuk")
        self.sign_in_button.setObjectName("sign_in")
        self.sign_in_button.setAccessibleName("Masuk")
        self.sign_in_button.setToolTip("Masuk dengan nama pengguna dan kata sandi di atas.")
        self.sign_in_button.setEnabled(False)
        self.sign_in_button.clicked.connect(self.submit)
        buttons.addWidget(self.quit_button)
        buttons.addWidget(self.sign_in_button)
        body.addLayout(buttons)
        for field in (self.username, self.password):
            field.returnPressed.connect(self.submit)
        return card

    # -- state --------------------------------------------------------------------------

    @property
    def ready(self) -> bool:
        """Whether the data is open (and "Masuk" can check a password)."""
        return self._ctx is not None

    def set_context(self, ctx: AppContext) -> None:
        """The data is open: name the office and enable "Masuk"."""
        from nonasn_desktop.accounts import users
        from nonasn_desktop.office import identity as office

        self._ctx = ctx
        info = office.get_office(ctx)
        subtitle = f"{info.name} ({info.code})" if info else ""
        if self.office_label is not None:
            self.office_label.setText(subtitle or "\u00a0")
        self.password.setMaxLength(users.PASSWORD_MAX)
        self.preparing.setVisible(False)
        self.sign_in_button.setEnabled(True)

    def set_locked(self, unlock: Callable[[str, str], AppContext]) -> None:
        """The data folder is encrypted: "Masuk" first opens it with what the clerk types
        (``unlock`` runs on a worker thread: it must not touch widgets)."""
        self._unlock = unlock
        self.preparing.setVisible(False)
        self.sign_in_button.setEnabled(True)

    def set_after_sign_in(self, hook: AfterSignIn | None) -> None:
        """Work that must happen after a right password and before the workspace (converting
        a plain folder of an older version): ``hook(user, password)``."""
        self._after_sign_in = hook

    @property
    def busy(self) -> bool:
        """Whether slow work for the clerk who just signed in is under way (set_busy)."""
        return self.busy_bar.isVisibleTo(self)

    def set_busy(self, text: str | None) -> None:
        """Slow work for the clerk who just signed in: the form waits, ``text`` says why;
        None gives the form back."""
        busy = text is not None
        inputs: tuple[QWidget, ...] = (
            self.username,
            self.password,
            self.show_password,
            self.sign_in_button,
            self.quit_button,
        )
        for widget in inputs:
            widget.setEnabled(not busy)
        self.busy_note.setText(text or "")
        self.busy_note.setVisible(busy)
        self.busy_bar.setVisible(busy)

    def complete(self, user: UserInfo) -> None:
        """The work the hook took over is done: ``user`` goes on to the workspace."""
        self.set_busy(None)
        theme.show_error_text(self.error, "")
        self.user = user
        self.signed_in.emit(user)

    def reset(self, username: str = "") -> None:
        """Empty again for the next clerk (after "Keluar Akun"), ``username`` filled in."""
        self.user = None
        self.username.setText(username)
        self.password.clear()
        self.show_password.setChecked(False)
        theme.show_error_text(self.error, "")
        self.focus_first_empty()

    def focus_first_empty(self) -> None:
        (self.password if self.username.text() else self.username).setFocus()

    def _toggle_echo(self, shown: bool) -> None:
        self.password.setEchoMode(
            QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        )

    def submit(self) -> None:
        if self.busy or (self._ctx is None and self._unlock is None):
            return  # "Masuk" is disabled until the data is open; Enter does nothing either.
        username = self.username.text().strip()
        password = self.password.text()
        if not username or not password:
            theme.show_error_text(self.error, EMPTY_FIELDS)
            (self.username if not username else self.password).setFocus()
            return
        if self._ctx is None:
            self._open_locked(username, password)
            return
        self._authenticate(username, password)

    def _open_locked(self, username: str, password: str) -> None:
        """The key slot opens with the password (argon2id, about a second) and the data opens
        (migrated when older), off the GUI thread; the open data then reaches the window, which
        hands it back by set_context, and the clerk is signed in to it."""
        from . import workers

        unlock = self._unlock
        assert unlock is not None
        self.set_busy(UNLOCKING)
        theme.show_error_text(self.error, "")

        def opened(ctx: AppContext) -> None:
            self.set_busy(None)
            self._unlock = None
            self.unlocked.emit(ctx)
            self._authenticate(username, password)

        workers.run_in_background(
            lambda _task: unlock(username, password),
            on_success=opened,
            on_failure=self._refused,
            on_crash=self._crashed,
        )

    def _refused(self, exc: UserError) -> None:
        self.set_busy(None)
        theme.show_error_text(self.error, str(exc))
        self.password.clear()
        self.password.setFocus()

    def _crashed(self, exc: BaseException) -> None:
        from . import messages

        self.set_busy(None)
        self.password.clear()
        messages.show_bug(self, exc)

    def _authenticate(self, username: str, password: str) -> None:
        from nonasn_desktop.accounts import users

        assert self._ctx is not None
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            user = users.authenticate(self._ctx, username, password)
        except UserError as exc:
            self._refused(exc)
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.password.clear()
        theme.show_error_text(self.error, "")
        if self._after_sign_in is not None and self._after_sign_in(user, password):
            return
        self.user = user
        self.signed_in.emit(user)
