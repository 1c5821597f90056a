"""Admin screens: the users of the office ("Pengguna") and the settings ("Pengaturan").

Everything goes through ``accounts.users``, ``accounts.slots`` (a clerk's access to the
office's encrypted documents) and ``office.settings``, which check the admin role again and
write the audit log; these dialogs only collect and show.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nonasn_desktop.accounts import slots, users
from nonasn_desktop.accounts.users import ClerkInfo, UserInfo
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import FieldError, UserError
from nonasn_desktop.office import settings
from nonasn_desktop.rules.roles import Role

from . import messages, theme
from .first_start import password_rule_text

# What each role may do, in a clerk's words (the rules themselves: forms/permissions.toml).
ROLE_HINTS = {
    Role.OPERATOR: "mendata tenaga non-ASN dan mencetak informasi serta kartu akunnya",
    Role.VERIFIKATOR: "memeriksa dan memutuskan verval, termasuk NIK ganda",
    Role.ADMIN: "semua tugas, ditambah rekap, batch, cadangan, pengguna, pengaturan, daftar "
    "Admin Instansi dan perangkat lapangan",
}
USER_COLUMNS = ("Nama Pengguna", "Nama Lengkap", "Peran", "Status")


def _form() -> QFormLayout:
    form = QFormLayout()
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
    form.setHorizontalSpacing(12)
    form.setVerticalSpacing(8)
    return form


def _row_label(text: str, buddy: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


def _password_field(name: str) -> QLineEdit:
    field = QLineEdit()
    field.setObjectName(name)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setMaxLength(users.PASSWORD_MAX)
    return field


class _FormDialog(QDialog):
    """A titled dialog: a form, an inline error, then "Batal" and a primary button."""

    def __init__(self, title: str, action: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(22, 18, 22, 18)
        self.layout_.setSpacing(12)
        heading = QLabel(title)
        heading.setObjectName("page_title")
        self.layout_.addWidget(heading)
        self.form = _form()
        self.layout_.addLayout(self.form)
        self.error = theme.error_label()
        self._fields: dict[str, QWidget] = {}
        self._buttons = QHBoxLayout()
        self._buttons.addStretch(1)
        cancel = QPushButton("Batal")
        cancel.setObjectName("cancel")
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        self.ok_button = theme.primary_button(action)
        self.ok_button.setObjectName("save")
        self.ok_button.clicked.connect(self.submit)
        self._buttons.addWidget(cancel)
        self._buttons.addWidget(self.ok_button)

    def finish_layout(self, field_width: int = 300) -> None:
        self.layout_.addWidget(self.error)
        self.layout_.addLayout(self._buttons)
        for field in self._fields.values():
            if isinstance(field, QLineEdit):
                field.setMinimumWidth(field_width)
        # The dialog takes the size its content needs, also when the error line appears.
        self.layout_.setSizeConstraint(QLayout.SizeConstraint.SetFixedSize)

    def fail(self, exc: UserError) -> None:
        field = getattr(exc, "field", None)
        for key, widget in self._fields.items():
            theme.mark_invalid(widget, key == field)
        theme.show_error_text(self.error, str(exc))
        if field in self._fields:
            self._fields[field].setFocus()

    def submit(self) -> None:  # pragma: no cover - every subclass defines it
        raise NotImplementedError


class NewUserDialog(_FormDialog):
    """Create a clerk with a role and a first password."""

    def __init__(self, ctx: AppContext, actor: UserInfo, parent: QWidget | None = None) -> None:
        super().__init__("Tambah Pengguna", "Simpan", parent)
        self.setObjectName("new_user_dialog")
        self._ctx = ctx
        self._actor = actor
        self.created: ClerkInfo | None = None
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.username.setMaxLength(32)
        self.username.setPlaceholderText("mis. siti.rahma")
        self.full_name = QLineEdit()
        self.full_name.setObjectName("full_name")
        self.full_name.setMaxLength(users.FULL_NAME_MAX)
        self.role = QComboBox()
        self.role.setObjectName("role")
        for role in Role:
            self.role.addItem(role.label, role.value)
        self.role_hint = theme.hint_label("")
        self.role.currentIndexChanged.connect(self._show_role_hint)
        self.password = _password_field("password")
        self.password_again = _password_field("password_again")
        self.form.addRow(_row_label("Nama &pengguna:", self.username), self.username)
        self.form.addRow(_row_label("Nama &lengkap:", self.full_name), self.full_name)
        self.form.addRow(_row_label("&Peran:", self.role), self.role)
        self.form.addRow("", self.role_hint)
        self.form.addRow(_row_label("Kata &sandi awal:", self.password), self.password)
        self.form.addRow(
            _row_label("&Ulangi kata sandi:", self.password_again), self.password_again
        )
        self.form.addRow("", theme.hint_label(password_rule_text(ctx)))
        self._fields = {
            "username": self.username,
            "full_name": self.full_name,
            "kata_sandi": self.password,
            "kata_sandi_ulang": self.password_again,
        }
        self._show_role_hint()
        self.finish_layout()

    def selected_role(self) -> Role:
        return Role(self.role.currentData())

    def _show_role_hint(self) -> None:
        role = self.selected_role()
        self.role_hint.setText(f"{role.label}: {ROLE_HINTS[role]}.")

    def submit(self) -> None:
        if self.password.text() != self.password_again.text():
            self.fail(FieldError("kata_sandi_ulang", "Kedua kata sandi tidak sama."))
            return
        try:
            self.created = users.create_user(
                self._ctx,
                username=self.username.text(),
                full_name=self.full_name.text(),
                role=self.selected_role(),
                password=self.password.text(),
                actor=self._actor.actor,
            )
        except UserError as exc:
            if not isinstance(exc, FieldError) and "pengguna" in exc.message.lower():
                exc = FieldError("username", exc.message, hint=exc.hint)
            self.fail(exc)
            return
        self.accept()


class ResetPasswordDialog(_FormDialog):
    """A new password for a clerk; for one's own account the current password is asked."""

    def __init__(
        self,
        ctx: AppContext,
        actor: UserInfo,
        target: ClerkInfo,
        parent: QWidget | None = None,
    ) -> None:
        own = target.username == actor.username
        title = "Ganti Kata Sandi" if own else "Atur Ulang Kata Sandi"
        super().__init__(title, "Simpan", parent)
        self.setObjectName("reset_password_dialog")
        self._ctx = ctx
        self._actor = actor
        self._target = target
        self.layout_.insertWidget(
            1,
            theme.hint_label(
                f"Pengguna: {target.full_name} ({target.username})."
                + ("" if own else " Kunci akibat salah kata sandi ikut dibuka.")
            ),
        )
        self.current: QLineEdit | None = None
        if own:
            self.current = _password_field("current_password")
            self.form.addRow(_row_label("Kata sandi &saat ini:", self.current), self.current)
        self.password = _password_field("password")
        self.password_again = _password_field("password_again")
        self.form.addRow(_row_label("Kata sandi &baru:", self.password), self.password)
        self.form.addRow(
            _row_label("&Ulangi kata sandi:", self.password_again), self.password_again
        )
        self.form.addRow("", theme.hint_label(password_rule_text(ctx)))
        self._fields = {"kata_sandi": self.password, "kata_sandi_ulang": self.password_again}
        self.finish_layout()

    def submit(self) -> None:
        if self.password.text() != self.password_again.text():
            self.fail(FieldError("kata_sandi_ulang", "Kedua kata sandi tidak sama."))
            return
        try:
            users.change_password(
                self._ctx,
                username=self._target.username,
                new_password=self.password.text(),
                actor=self._actor.actor,
                current_password=self.current.text() if self.current is not None else None,
            )
        except UserError as exc:
            self.fail(exc)
            return
        self.accept()


class GrantDocumentsDialog(_FormDialog):
    """The clerk types their own password at the admin's desk, where the office data key is
    open: their slot of it is written (accounts.slots.grant_office_slot); nothing else
    changes, the password least of all."""

    def __init__(
        self,
        ctx: AppContext,
        actor: UserInfo,
        target: ClerkInfo,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Beri Akses Dokumen", "Beri Akses", parent)
        self.setObjectName("grant_documents_dialog")
        self._ctx = ctx
        self._actor = actor
        self._target = target
        self.granted: slots.SlotGranted | None = None
        self.layout_.insertWidget(
            1,
            theme.hint_label(
                f"Pengguna: {target.full_name} ({target.username}). Minta {target.username} "
                "mengetik kata sandinya sendiri di sini. Kata sandinya tidak berubah; dokumen "
                "kantor terbuka saat ia masuk berikutnya."
            ),
        )
        self.password = _password_field("clerk_password")
        self.form.addRow(_row_label(f"Kata sandi {target.username}:", self.password), self.password)
        self._fields = {"kata_sandi": self.password}
        self.finish_layout()

    def submit(self) -> None:
        try:
            self.granted = slots.grant_office_slot(
                self._ctx,
                actor=self._actor.actor,
                username=self._target.username,
                password=self.password.text(),
            )
        except UserError as exc:
            self.password.clear()
            self.fail(exc)
            return
        self.accept()


class UsersDialog(QDialog):
    """The office's clerks: add, deactivate or activate, reset a password, give document access
    (an office server whose documents are encrypted)."""

    def __init__(self, ctx: AppContext, actor: UserInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("users_dialog")
        self.setWindowTitle("Pengguna")
        self._ctx = ctx
        self._actor = actor
        self._users: list[ClerkInfo] = []
        # Active clerks who hold no slot of the office data key (they sign in with documents
        # closed); empty on a desk of its own or while the office documents are plain.
        self._without_documents: set[str] = set()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 18)
        layout.setSpacing(12)
        heading = QLabel("Pengguna Aplikasi")
        heading.setObjectName("page_title")
        layout.addWidget(heading)
        layout.addWidget(
            theme.hint_label(
                "Petugas yang dapat masuk ke aplikasi di kantor ini. Pengguna yang "
                "dinonaktifkan tidak dapat masuk, tetapi riwayat pekerjaannya tetap tersimpan."
            )
        )
        self.table = QTableWidget(0, len(USER_COLUMNS))
        self.table.setObjectName("user_table")
        self.table.setHorizontalHeaderLabels(USER_COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(28)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        layout.addWidget(self.table, 1)

        buttons = QHBoxLayout()
        self.add_button = theme.primary_button("Tambah Pengguna…")
        self.add_button.setObjectName("add_user")
        self.add_button.setDefault(False)
        self.add_button.clicked.connect(self.add_user)
        self.reset_button = QPushButton("Atur Ulang Kata Sandi…")
        self.reset_button.setObjectName("reset_password")
        self.reset_button.clicked.connect(self.reset_password)
        self.active_button = QPushButton("Nonaktifkan")
        self.active_button.setObjectName("toggle_active")
        self.active_button.clicked.connect(self.toggle_active)
        self.grant_button = QPushButton("Beri Akses Dokumen…")
        self.grant_button.setObjectName("grant_documents")
        self.grant_button.setToolTip(
            "Untuk pengguna yang belum dapat membuka dokumen kantor: ia mengetik kata sandinya "
            "sendiri di meja ini, tanpa mengatur ulang kata sandi."
        )
        self.grant_button.clicked.connect(self.grant_documents)
        self.notice = theme.hint_label("")
        self.notice.setObjectName("users_notice")
        close = QPushButton("Tutup")
        close.setObjectName("close")
        close.clicked.connect(self.accept)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.reset_button)
        buttons.addWidget(self.active_button)
        buttons.addWidget(self.grant_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout.addWidget(self.notice)
        layout.addLayout(buttons)
        self.resize(720, 440)
        self.reload()

    def reload(self, select: str | None = None) -> None:
        chosen = self.selected()
        current = select or (chosen.username if chosen is not None else None)
        self._users = users.list_users(self._ctx, actor=self._actor.actor)
        self._without_documents = set(
            slots.clerks_without_office_slot(self._ctx, actor=self._actor.actor)
        )
        self.grant_button.setVisible(bool(self._without_documents))
        self.table.setRowCount(len(self._users))
        for row, info in enumerate(self._users):
            status = "Aktif" if info.active else "Nonaktif"
            if info.username in self._without_documents:
                status = "Aktif, tanpa akses dokumen"
            cells = (info.username, info.full_name, info.role.label, status)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if not info.active:
                    item.setForeground(Qt.GlobalColor.gray)
                self.table.setItem(row, column, item)
            if info.username == current:
                self.table.selectRow(row)
        self._update_buttons()

    def selected(self) -> ClerkInfo | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self._users):
            return None
        return self._users[rows[0].row()]

    def _update_buttons(self) -> None:
        info = self.selected()
        self.reset_button.setEnabled(info is not None)
        self.grant_button.setEnabled(info is not None and info.username in self._without_documents)
        own = info is not None and info.username == self._actor.username
        self.active_button.setEnabled(info is not None and not own)
        self.active_button.setText(
            "Aktifkan" if info is not None and not info.active else "Nonaktifkan"
        )
        self.active_button.setToolTip(
            "Akun Anda sendiri tidak dapat dinonaktifkan dari sini." if own else ""
        )
        self.reset_button.setText("Ganti Kata Sandi…" if own else "Atur Ulang Kata Sandi…")

    def add_user(self) -> None:
        dialog = NewUserDialog(self._ctx, self._actor, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.created is not None:
            self.reload(select=dialog.created.username)

    def reset_password(self) -> None:
        info = self.selected()
        if info is None:
            return
        dialog = ResetPasswordDialog(self._ctx, self._actor, info, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.reload(select=info.username)

    def grant_documents(self) -> None:
        info = self.selected()
        if info is None:
            return
        dialog = GrantDocumentsDialog(self._ctx, self._actor, info, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.granted is not None:
            self.notice.setText(
                f"Akses dokumen kantor untuk {dialog.granted.username} diberikan; dokumen "
                "terbuka saat ia masuk berikutnya."
            )
            self.reload(select=info.username)

    def toggle_active(self) -> None:
        info = self.selected()
        if info is None or info.username == self._actor.username:
            return
        if info.active and not messages.confirm(
            self,
            "Nonaktifkan pengguna",
            f"Nonaktifkan {info.full_name} ({info.username})? Pengguna ini tidak dapat masuk "
            "lagi sampai diaktifkan kembali.",
        ):
            return
        try:
            users.set_active(self._ctx, info.username, not info.active, actor=self._actor.actor)
        except UserError as exc:
            messages.show_user_error(self, exc)
        self.reload(select=info.username)


class SettingsDialog(_FormDialog):
    """Captcha on or off, and the minutes after which an edit lock may be taken over."""

    def __init__(self, ctx: AppContext, actor: UserInfo, parent: QWidget | None = None) -> None:
        super().__init__("Pengaturan", "Simpan", parent)
        self.setObjectName("settings_dialog")
        self._ctx = ctx
        self._actor = actor
        captcha = settings.CAPTCHA_ENABLED
        lock = settings.EDIT_LOCK_MINUTES
        self.captcha = QCheckBox(captcha.label)
        self.captcha.setObjectName("captcha_enabled")
        self.captcha.setChecked(settings.get_setting(ctx, captcha))
        self.form.addRow("Captcha:", self.captcha)
        self.form.addRow(
            "",
            theme.hint_label(
                "Seperti pada portal nasional. Admin dapat mematikannya untuk meja yang "
                "sangat sibuk; catatan pendataan menyebut bahwa captcha dilewati."
            ),
        )
        self.edit_lock = QSpinBox()
        self.edit_lock.setObjectName("edit_lock_minutes")
        self.edit_lock.setRange(lock.minimum or 1, lock.maximum or 1440)
        self.edit_lock.setSuffix(" menit")
        self.edit_lock.setValue(settings.get_setting(ctx, lock))
        self.edit_lock.setMinimumWidth(120)
        lock_row = QHBoxLayout()
        lock_row.addWidget(self.edit_lock)
        lock_row.addStretch(1)
        self.form.addRow(_row_label("&Kunci penyuntingan:", self.edit_lock), lock_row)
        self.form.addRow(
            "",
            theme.hint_label(
                "Satu data hanya dibuka oleh satu petugas. Bila aplikasi petugas itu mati "
                "mendadak, petugas lain dapat membukanya setelah waktu ini."
            ),
        )
        self._fields = {captcha.key: self.captcha, lock.key: self.edit_lock}
        self.finish_layout()

    def submit(self) -> None:
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            settings.set_setting(
                self._ctx,
                settings.CAPTCHA_ENABLED,
                self.captcha.isChecked(),
                actor=self._actor.actor,
            )
            settings.set_setting(
                self._ctx,
                settings.EDIT_LOCK_MINUTES,
                self.edit_lock.value(),
                actor=self._actor.actor,
            )
        except UserError as exc:
            self.fail(exc)
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.accept()
