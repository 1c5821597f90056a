"""First start on a desk pointed at an office database already set up: join it, not a new office.

The first-start dialog (gui/first_start.py) shows this form instead of the new-office form when
``office.joining.joining_offer`` finds an office in the database this desk opened
(``NONASN_DATABASE_URL``, or a ``meja.json`` naming it) that the desk does not remember yet. It
names the office, the database and the desk's code, asks the desk's name and an admin's
sign-in, and then only the desk's data folder changes (``office.joining.join_office``), like
``nonasn init --database-url``: no second office, admin or signing key.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import AuthError, FieldError, UserError
from nonasn_desktop.office.joining import JoinOffer, join_office

from . import theme
from .responsive import FittingScrollArea, fit_to_screen

FIELD_WIDTH = 220
TITLE = "Bergabung ke Kantor — Pendataan Non-ASN"


class JoinOfficePanel(QWidget):
    """The join form; ``joined(username)`` once an admin confirmed, ``cancelled`` on Batal."""

    joined = Signal(str)
    cancelled = Signal()

    def __init__(self, ctx: AppContext, offer: JoinOffer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.offer = offer
        self.setObjectName("join_office_panel")
        self._build()

    def _build(self) -> None:
        office = self.offer.office
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(
            theme.header_banner(
                "Bergabung ke Kantor",
                f"{office.name} ({office.code}) sudah disiapkan di basis data kantor",
            )
        )
        content = QWidget()
        content.setObjectName("join_office_body")
        body = QVBoxLayout(content)
        body.setContentsMargins(24, 18, 24, 8)
        body.setSpacing(12)
        outer.addWidget(FittingScrollArea(content), 1)
        body.addWidget(
            theme.hint_label(
                f"Basis data kantor {self.offer.location} sudah berisi kantor {office.code} "
                f"({office.name}) beserta petugas dan kuncinya. Meja ini bergabung sebagai meja "
                "kantor itu: tidak ada kantor, admin, atau kunci baru yang dibuat, dan basis "
                "data kantor tidak diubah. Admin kantor masuk untuk mengesahkan meja ini."
            )
        )

        # One above the other: the office's facts get the dialog's whole width.
        body.addWidget(self._office_box())
        body.addWidget(self._admin_box())

        self.error = theme.error_label()
        body.addWidget(self.error)
        body.addWidget(theme.folder_label(f"Folder data meja ini: {self._ctx.data_dir.path}"))

        buttons = QHBoxLayout()
        buttons.setContentsMargins(24, 8, 24, 20)
        buttons.addStretch(1)
        self.cancel_button = theme.cancel_button()
        self.cancel_button.clicked.connect(self.cancelled)
        self.join_button = theme.primary_button("Bergabung")
        self.join_button.setObjectName("join")
        self.join_button.clicked.connect(self.submit)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.join_button)
        outer.addLayout(buttons)

        self._fields = {
            "nama_meja": self.desk_name,
            "username": self.username,
            "kata_sandi": self.password,
        }
        for field in self._fields.values():
            field.setMinimumWidth(FIELD_WIDTH)
        self.username.setFocus()

    def _office_box(self) -> QGroupBox:
        office = self.offer.office
        office_box = QGroupBox("Kantor dan Meja Ini")
        office_form = _form(office_box)
        office_form.addRow("Kantor:", _value(f"{office.code} — {office.name}", "join_office"))
        if office.instansi_name:
            office_form.addRow("Instansi:", _value(office.instansi_name, "join_instansi"))
        key = (
            f"ID {self.offer.key_id}, dipakai bersama oleh semua meja"
            if self.offer.key_id
            else "belum dibuat (admin membuatnya sekali untuk seluruh kantor)"
        )
        office_form.addRow("Kunci tanda tangan:", _value(key, "join_key"))
        office_form.addRow("Kode meja:", _value(self.offer.desk_code, "desk_code"))
        self.desk_name = QLineEdit(self.offer.desk_name)
        self.desk_name.setObjectName("desk_name")
        self.desk_name.setMaxLength(60)
        self.desk_name.setPlaceholderText("mis. Meja 2")
        office_form.addRow(_label("Nama &meja:", self.desk_name), self.desk_name)
        office_form.addRow(
            "", theme.hint_label("Nama meja tampil bagi petugas lain, mis. pada kunci data.")
        )
        return office_box

    def _admin_box(self) -> QGroupBox:
        admin_box = QGroupBox("Masuk sebagai Admin Kantor")
        admin_form = _form(admin_box)
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.username.setMaxLength(64)
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        admin_form.addRow(_label("Nama &pengguna:", self.username), self.username)
        admin_form.addRow(_label("Kata &sandi:", self.password), self.password)
        return admin_box

    def _fail(self, exc: UserError, field: str | None) -> None:
        for key, widget in self._fields.items():
            theme.mark_invalid(widget, key == field)
        theme.show_error_text(self.error, str(exc))
        if field in self._fields:
            self._fields[field].setFocus()

    def submit(self) -> None:
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            admin = join_office(
                self._ctx,
                desk_name=self.desk_name.text(),
                username=self.username.text(),
                password=self.password.text(),
            )
        except FieldError as exc:
            self._fail(exc, exc.field)
            return
        except AuthError as exc:
            self.password.clear()
            self._fail(exc, "kata_sandi")
            return
        except UserError as exc:
            self._fail(exc, None)
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.password.clear()
        self.joined.emit(admin.username)


def attach(dialog: QDialog, ctx: AppContext, offer: JoinOffer) -> JoinOfficePanel:
    """Fill the first-start ``dialog`` with the join form. Joined, the dialog is accepted with
    ``dialog.admin_username`` set (the sign-in page then offers that name); Batal rejects it."""
    dialog.setWindowTitle(TITLE)
    layout = QVBoxLayout(dialog)
    layout.setContentsMargins(0, 0, 0, 0)
    panel = JoinOfficePanel(ctx, offer, dialog)
    layout.addWidget(panel)

    def joined(username: str) -> None:
        dialog.admin_username = username  # type: ignore[attr-defined]
        dialog.accept()

    panel.joined.connect(joined)
    panel.cancelled.connect(dialog.reject)
    fit_to_screen(dialog)
    return panel


def _form(box: QGroupBox) -> QFormLayout:
    form = QFormLayout(box)
    form.setContentsMargins(16, 20, 16, 14)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
    form.setHorizontalSpacing(12)
    form.setVerticalSpacing(8)
    return form


def _label(text: str, buddy: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(buddy)
    label.setMinimumWidth(130)
    label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return label


def _value(text: str, name: str) -> QLabel:
    # Not wrapped: a wrapped label in a form row is given the height of one line by Qt and
    # its second line is cut off; these are short facts on one line each.
    label = QLabel(text)
    label.setObjectName(name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label
