"""First start: the office's identity and the first admin, before anyone can sign in.

Shown when the data folder has no office yet, or no active admin. Every problem is shown in
the dialog next to the field it concerns; nothing is saved until every field is acceptable.
When the folder has no office signing key yet, the admin also chooses the passphrase that
protects it, and the key is made right after the office and the admin.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QShowEvent
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

from nonasn_desktop.accounts import users
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import FieldError, UserError
from nonasn_desktop.office import identity as office
from nonasn_desktop.office import joining, keys

from . import join_office, theme
from .responsive import FittingScrollArea, fit_to_screen

# Fields this wide keep the two boxes side by side on a 911-pixel screen (150 % scaling).
FIELD_WIDTH = 220


def needs_first_start(ctx: AppContext) -> bool:
    """True while the folder has no office or no active admin to manage it, or the desk has
    yet to join the office database it was pointed at (gui/join_office.py)."""
    if joining.joining_offer(ctx) is not None:
        return True
    if office.get_office(ctx) is None:
        return True
    return not users.has_active_admin(ctx)


def password_rule_text(ctx: AppContext) -> str:
    rule = ctx.policy.password
    kinds = [
        word
        for word, needed in (("huruf", rule.require_letter), ("angka", rule.require_digit))
        if needed
    ]
    text = f"Kata sandi paling sedikit {rule.min_length} karakter"
    if kinds:
        text += " dan memuat " + " serta ".join(kinds)
    return text + "."


class FirstStartDialog(QDialog):
    """Office code and name (+ instansi), and the first admin's account."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.admin_username: str | None = None
        self.setObjectName("first_start_dialog")
        self.setWindowTitle("Persiapan Awal — Pendataan Non-ASN")
        self.setModal(True)
        self._existing = office.get_office(ctx)
        self._needs_key = keys.get_key_info(ctx) is None
        self._admin_created: str | None = None
        # Kept from the form until the shell encrypts the new folder with it (then forgotten).
        self._admin_password: str | None = None
        offer = joining.joining_offer(ctx)
        if offer is not None:
            # An office database already set up: this desk joins it, no second office.
            self.join_panel = join_office.attach(self, ctx, offer)
            return
        self._build()

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(
            theme.header_banner(
                "Selamat datang",
                "Persiapan pertama aplikasi Pendataan Tenaga Non-ASN",
            )
        )
        # The form scrolls when the screen is lower than the form (150 % scaling); the
        # buttons stay in view under it.
        content = QWidget()
        content.setObjectName("first_start_body")
        body = QVBoxLayout(content)
        body.setContentsMargins(24, 18, 24, 8)
        body.setSpacing(12)
        outer.addWidget(FittingScrollArea(content), 1)

        body.addWidget(theme.hint_label(self._intro()))
        body.addWidget(self._build_office_box())
        # The admin and the key side by side: stacked, the dialog outgrows a 768-pixel screen.
        accounts = QHBoxLayout()
        accounts.setSpacing(12)
        accounts.addWidget(self._build_admin_box(), 1)
        body.addLayout(accounts)
        key_box = self._build_key_box()
        if key_box is not None:
            accounts.addWidget(key_box, 1)

        self.error = theme.error_label()
        body.addWidget(self.error)

        body.addWidget(theme.folder_label(f"Folder data: {self._ctx.data_dir.path}"))

        outer.addLayout(self._build_buttons())

        self._fields: dict[str, QLineEdit] = {
            "office_code": self.office_code,
            "office_name": self.office_name,
            "instansi_name": self.instansi_name,
            "username": self.username,
            "full_name": self.full_name,
            "kata_sandi": self.password,
            "kata_sandi_ulang": self.password_again,
        }
        if self._needs_key:
            self._fields["frasa_sandi"] = self.key_passphrase
            self._fields["frasa_sandi_ulang"] = self.key_passphrase_again
        first = self.username if self._existing is not None else self.office_code
        first.setFocus()
        for field in self._fields.values():
            field.setMinimumWidth(FIELD_WIDTH)
        fit_to_screen(self)

    def _intro(self) -> str:
        """What this first start is for: a new folder, or an office without an active admin."""
        if self._existing is None:
            return (
                "Folder data ini belum disiapkan. Isi identitas kantor dan buat akun admin "
                "pertama; admin kemudian menambahkan petugas lain. Kode kantor menjadi awal "
                "setiap nomor akun dan tidak dapat diubah kemudian."
            )
        return (
            f"Kantor {self._existing.code} sudah disiapkan, tetapi belum ada admin yang "
            "aktif. Buat akun admin untuk mengelola pengguna dan pengaturan."
        )

    def _build_office_box(self) -> QGroupBox:
        """The office's code and names; a known office's code shows, read-only."""
        office_box = QGroupBox("Identitas Kantor")
        office_form = self._form(office_box)
        self.office_code = QLineEdit()
        self.office_code.setObjectName("office_code")
        self.office_code.setMaxLength(12)
        self.office_code.setPlaceholderText("mis. 3273")
        self.office_name = QLineEdit()
        self.office_name.setObjectName("office_name")
        self.office_name.setMaxLength(office.OFFICE_NAME_MAX)
        self.office_name.setPlaceholderText("mis. BKD Kota Bandung")
        self.instansi_name = QLineEdit()
        self.instansi_name.setObjectName("instansi_name")
        self.instansi_name.setMaxLength(office.OFFICE_NAME_MAX)
        self.instansi_name.setPlaceholderText("mis. Pemerintah Kota Bandung (boleh dikosongkan)")
        if self._existing is not None:
            self.office_code.setText(self._existing.code)
            self.office_code.setReadOnly(True)
            self.office_name.setText(self._existing.name)
            self.instansi_name.setText(self._existing.instansi_name or "")
        office_form.addRow(self._label("&Kode kantor:", self.office_code), self.office_code)
        office_form.addRow(self._label("&Nama kantor:", self.office_name), self.office_name)
        office_form.addRow(self._label("Nama &instansi:", self.instansi_name), self.instansi_name)
        office_form.addRow(
            "",
            theme.hint_label("Kode kantor: 2–12 huruf atau angka, mis. kode wilayah 3273."),
        )
        return office_box

    def _build_admin_box(self) -> QGroupBox:
        """The first admin's username, full name and password (twice)."""
        admin_box = QGroupBox("Admin Pertama")
        admin_form = self._form(admin_box)
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.username.setMaxLength(32)
        self.username.setPlaceholderText("mis. admin.bkd")
        self.full_name = QLineEdit()
        self.full_name.setObjectName("full_name")
        self.full_name.setMaxLength(users.FULL_NAME_MAX)
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_again = QLineEdit()
        self.password_again.setObjectName("password_again")
        self.password_again.setEchoMode(QLineEdit.EchoMode.Password)
        admin_form.addRow(self._label("Nama &pengguna:", self.username), self.username)
        admin_form.addRow(self._label("Nama &lengkap:", self.full_name), self.full_name)
        admin_form.addRow(self._label("Kata &sandi:", self.password), self.password)
        admin_form.addRow(
            self._label("&Ulangi kata sandi:", self.password_again), self.password_again
        )
        admin_form.addRow("", theme.hint_label(password_rule_text(self._ctx)))
        return admin_box

    def _build_key_box(self) -> QGroupBox | None:
        """The office signing key's passphrase (twice); None when the folder has its key."""
        self.key_passphrase = QLineEdit()
        self.key_passphrase.setObjectName("frasa_sandi_kunci")
        self.key_passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_passphrase_again = QLineEdit()
        self.key_passphrase_again.setObjectName("frasa_sandi_kunci_ulang")
        self.key_passphrase_again.setEchoMode(QLineEdit.EchoMode.Password)
        if not self._needs_key:
            # The folder already has its key: nothing to ask, the fields stay hidden children.
            for field in (self.key_passphrase, self.key_passphrase_again):
                field.setParent(self)
                field.hide()
            return None
        key_box = QGroupBox("Kunci Tanda Tangan Kantor")
        key_form = self._form(key_box)
        key_form.addRow(
            self._label("&Frasa sandi kunci:", self.key_passphrase),
            self.key_passphrase,
        )
        key_form.addRow(
            self._label("Ulangi f&rasa sandi:", self.key_passphrase_again),
            self.key_passphrase_again,
        )
        key_form.addRow(
            "",
            theme.hint_label(
                "Melindungi kunci untuk menandatangani ekspor batch. Simpan dengan aman; "
                f"paling sedikit {keys.MIN_PASSPHRASE_LENGTH} karakter."
            ),
        )
        return key_box

    def _build_buttons(self) -> QHBoxLayout:
        """Batal, and Simpan dan Lanjutkan as the default button."""
        buttons = QHBoxLayout()
        buttons.setContentsMargins(24, 8, 24, 20)
        buttons.addStretch(1)
        self.cancel_button = theme.cancel_button()
        self.cancel_button.clicked.connect(self.reject)
        self.save_button = theme.primary_button("Simpan dan Lanjutkan")
        self.save_button.setObjectName("save")
        self.save_button.clicked.connect(self.submit)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        return buttons

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        # Placed over its window, the dialog may have been moved or resized: within the screen.
        fit_to_screen(self)

    @staticmethod
    def _form(box: QGroupBox) -> QFormLayout:
        form = QFormLayout(box)
        form.setContentsMargins(16, 20, 16, 14)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(8)
        return form

    @staticmethod
    def _label(text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(buddy)
        label.setMinimumWidth(130)
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return label

    def _fail(self, exc: UserError, field: str | None) -> None:
        for key, widget in self._fields.items():
            theme.mark_invalid(widget, key == field)
        theme.show_error_text(self.error, str(exc))
        if field in self._fields:
            self._fields[field].setFocus()

    def _check(self) -> tuple[str, str, str, str | None]:
        """Everything the services would refuse, checked before anything is saved."""
        code = office.normalise_office_code(self.office_code.text())
        if not " ".join(self.office_name.text().split()):
            raise FieldError("office_name", "Nama kantor wajib diisi.")
        username = users.validate_username(self.username.text())
        if not " ".join(self.full_name.text().split()):
            raise FieldError("full_name", "Nama lengkap admin wajib diisi.")
        password = self.password.text()
        users.check_password(self._ctx.policy.password, password)
        if password != self.password_again.text():
            raise FieldError(
                "kata_sandi_ulang",
                "Kedua kata sandi tidak sama.",
                hint="Ketik ulang kata sandi yang sama pada kedua kolom.",
            )
        passphrase: str | None = None
        if self._needs_key:
            passphrase = self.key_passphrase.text()
            keys.validate_new_passphrase(passphrase)
            if passphrase != self.key_passphrase_again.text():
                raise FieldError(
                    "frasa_sandi_ulang",
                    "Kedua frasa sandi kunci kantor tidak sama.",
                    hint="Ketik ulang frasa sandi yang sama pada kedua kolom.",
                )
        return code, username, password, passphrase

    def take_admin_password(self) -> str | None:
        """The new admin's password, once: the shell encrypts the folder's key slot with it."""
        password, self._admin_password = self._admin_password, None
        return password

    def submit(self) -> None:
        try:
            code, username, password, passphrase = self._check()
        except FieldError as exc:
            self._fail(exc, exc.field)
            return
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            office.initialise(
                self._ctx,
                office_code=code,
                office_name=self.office_name.text(),
                instansi_name=self.instansi_name.text() or None,
            )
            # After a failed key step the admin already exists; a retry only makes the key.
            if self._admin_created != username:
                users.create_first_admin(
                    self._ctx,
                    username=username,
                    full_name=self.full_name.text(),
                    password=password,
                )
                self._admin_created = username
            if passphrase is not None and keys.get_key_info(self._ctx) is None:
                keys.create_office_key(self._ctx, passphrase)
            joining.remember_office_database(self._ctx)
        except FieldError as exc:
            self._fail(exc, exc.field)
            return
        except UserError as exc:
            self._fail(exc, "username" if "pengguna" in exc.message.lower() else None)
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.admin_username = username
        self._admin_password = password
        self.password.clear()
        self.password_again.clear()
        self.key_passphrase.clear()
        self.key_passphrase_again.clear()
        self.accept()
