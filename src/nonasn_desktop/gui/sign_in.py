"""Sign-in: username and password, checked (and throttled) by ``services.users``."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

import nonasn_desktop
from nonasn_desktop.errors import UserError
from nonasn_desktop.services import office, users
from nonasn_desktop.services.context import AppContext
from nonasn_desktop.services.users import UserInfo

from . import theme

EMPTY_FIELDS = "Isi nama pengguna dan kata sandi."


class SignInDialog(QDialog):
    """Accepted with ``user`` set when the password was right; the service's message else."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, username: str = "") -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.user: UserInfo | None = None
        self.setObjectName("sign_in_dialog")
        self.setWindowTitle("Masuk — Pendataan Non-ASN")
        self.setModal(True)
        self._build(username)

    def _build(self, username: str) -> None:
        info = office.get_office(self._ctx)
        subtitle = f"{info.name} ({info.code})" if info else ""
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(theme.header_banner("Pendataan Tenaga Non-ASN", subtitle))

        body = QVBoxLayout()
        body.setContentsMargins(28, 22, 28, 20)
        body.setSpacing(14)
        outer.addLayout(body)
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
        self.password.setMaxLength(users.PASSWORD_MAX)
        self.show_password = QCheckBox("Tampilkan kata sandi")
        self.show_password.setObjectName("show_password")
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

        buttons = QHBoxLayout()
        version = QLabel(f"Versi {nonasn_desktop.__version__}")
        version.setObjectName("muted")
        buttons.addWidget(version)
        buttons.addStretch(1)
        self.quit_button = QPushButton("Keluar")
        self.quit_button.setObjectName("quit")
        self.quit_button.setAutoDefault(False)
        self.quit_button.clicked.connect(self.reject)
        self.sign_in_button = theme.primary_button("Masuk")
        self.sign_in_button.setObjectName("sign_in")
        self.sign_in_button.clicked.connect(self.submit)
        buttons.addWidget(self.quit_button)
        buttons.addWidget(self.sign_in_button)
        body.addLayout(buttons)

        (self.password if username else self.username).setFocus()
        for field in (self.username, self.password):
            field.setMinimumWidth(280)
        outer.setSizeConstraint(QLayout.SizeConstraint.SetFixedSize)

    def _toggle_echo(self, shown: bool) -> None:
        self.password.setEchoMode(
            QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        )

    def submit(self) -> None:
        username = self.username.text().strip()
        password = self.password.text()
        if not username or not password:
            theme.show_error_text(self.error, EMPTY_FIELDS)
            (self.username if not username else self.password).setFocus()
            return
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.user = users.authenticate(self._ctx, username, password)
        except UserError as exc:
            theme.show_error_text(self.error, str(exc))
            self.password.clear()
            self.password.setFocus()
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.password.clear()
        self.accept()
