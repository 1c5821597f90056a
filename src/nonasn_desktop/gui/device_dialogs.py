"""Field laptops in the Admin menu: "Perangkat Lapangan › Daftarkan Perangkat…" and
"Impor Data Perangkat…" (the same services as ``nonasn device enroll`` and ``nonasn transfer
import``). Shown at the office only: a field laptop neither enrols devices nor imports.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QPushButton,
    QWidget,
)

from nonasn_desktop.accounts.users import UserInfo
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.devices import registry
from nonasn_desktop.errors import UserError
from nonasn_desktop.office.fielddevice import field_device
from nonasn_desktop.transfer.merge import ImportResult, describe_import, import_transfer

from . import messages, theme
from .admin_dialogs import _FormDialog, _password_field, _row_label
from .backup_dialogs import inform
from .workers import Task, run_in_background


def _file_row(field: QLineEdit, button: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(field, 1)
    row.addWidget(button)
    return row


class EnrolDeviceDialog(_FormDialog):
    """Daftarkan Perangkat: name, where the enrolment file goes, the two passphrases."""

    def __init__(self, ctx: AppContext, actor: UserInfo, parent: QWidget | None = None) -> None:
        super().__init__("Daftarkan Perangkat Lapangan", "Daftarkan", parent)
        self.setObjectName("enrol_device_dialog")
        self._ctx = ctx
        self._actor = actor
        self.result_: registry.EnrolResult | None = None
        self.name = QLineEdit()
        self.name.setObjectName("nama_perangkat")
        self.name.setPlaceholderText("mis. Laptop Kec. Selebar")
        self.form.addRow(_row_label("&Nama perangkat:", self.name), self.name)
        self.out = QLineEdit()
        self.out.setObjectName("berkas_tujuan")
        choose = QPushButton("Pilih…")
        choose.setAutoDefault(False)
        choose.clicked.connect(self._choose)
        self.form.addRow(_row_label("&Berkas pendaftaran:", self.out), _file_row(self.out, choose))
        self.office_passphrase = _password_field("frasa_sandi")
        self.form.addRow(
            _row_label("Frasa sandi &kunci kantor:", self.office_passphrase),
            self.office_passphrase,
        )
        self.passphrase = _password_field("frasa_sandi_pendaftaran")
        self.repeat = _password_field("frasa_sandi_pendaftaran_ulang")
        self.form.addRow(_row_label("Frasa sandi &pendaftaran:", self.passphrase), self.passphrase)
        self.form.addRow(_row_label("&Ulangi frasa sandi:", self.repeat), self.repeat)
        self.form.addRow(
            "",
            theme.hint_label(
                "Berkas pendaftaran berisi kunci perangkat, pengguna, dan daftar Admin Instansi; "
                "ia terkunci dengan frasa sandi pendaftaran. Sampaikan frasa itu langsung kepada "
                "petugas lapangan, jangan bersama berkasnya."
            ),
        )
        self._fields = {
            "nama_perangkat": self.name,
            "berkas_tujuan": self.out,
            "frasa_sandi": self.office_passphrase,
            "frasa_sandi_pendaftaran": self.passphrase,
            "frasa_sandi_pendaftaran_ulang": self.repeat,
        }
        self.finish_layout()

    def _choose(self) -> None:
        name = (self.name.text().strip() or "perangkat").replace(" ", "-")
        path, _ = QFileDialog.getSaveFileName(
            self, "Simpan Berkas Pendaftaran", f"pendaftaran-{name}.nonasn", "Berkas (*.nonasn)"
        )
        if path:
            self.out.setText(path)

    def submit(self) -> None:
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            registry.clean_device_name(self.name.text())
            if not self.out.text().strip():
                raise UserError("Pilih tempat menyimpan berkas pendaftaran.")
            registry.validate_enrolment_passphrase(self.passphrase.text(), self.repeat.text())
            self.result_ = registry.enrol_device(
                self._ctx,
                name=self.name.text(),
                out=Path(self.out.text().strip()),
                office_passphrase=self.office_passphrase.text(),
                enrolment_passphrase=self.passphrase.text(),
                actor=self._actor.actor,
            )
        except UserError as exc:
            self.fail(exc)
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.accept()


class ImportTransferDialog(_FormDialog):
    """Impor Data Perangkat: the transfer file and the office key's passphrase; the import
    runs in the background and its outcome is shown in the words of the command line."""

    imported = Signal(object)

    def __init__(self, ctx: AppContext, actor: UserInfo, parent: QWidget | None = None) -> None:
        super().__init__("Impor Data Perangkat", "Impor", parent)
        self.setObjectName("import_transfer_dialog")
        self._ctx = ctx
        self._actor = actor
        self.working = False
        self.result_: ImportResult | None = None
        self._task: Task | None = None
        self.file = QLineEdit()
        self.file.setObjectName("berkas_transfer")
        choose = QPushButton("Pilih…")
        choose.setAutoDefault(False)
        choose.clicked.connect(self._choose)
        self.form.addRow(_row_label("&Berkas transfer:", self.file), _file_row(self.file, choose))
        self.passphrase = _password_field("frasa_sandi")
        self.form.addRow(_row_label("Frasa sandi &kunci kantor:", self.passphrase), self.passphrase)
        self.form.addRow(
            "",
            theme.hint_label(
                "Pilih berkas transfer-….zip.age dari diska perangkat lapangan; berkas "
                ".minisig di sampingnya ikut diperiksa. Data digabungkan sekaligus: bila ada "
                "yang tidak sah, tidak ada yang diubah."
            ),
        )
        self._fields = {"berkas_transfer": self.file, "frasa_sandi": self.passphrase}
        self.finish_layout(360)

    def _choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Pilih Berkas Transfer", "", "Berkas transfer (transfer-*.zip.age)"
        )
        if path:
            self.file.setText(path)

    def submit(self) -> None:
        if self.working:
            return
        path = self.file.text().strip()
        if not path:
            self.fail(UserError("Pilih berkas transfer yang akan diimpor."))
            return
        passphrase = self.passphrase.text()
        self.working = True
        self.ok_button.setEnabled(False)
        theme.show_error_text(self.error, "")
        self.error.hide()

        def work(_task: Task) -> ImportResult:
            return import_transfer(
                self._ctx, Path(path), passphrase=passphrase, actor=self._actor.actor
            )

        self._task = run_in_background(
            work,
            on_success=self._done,
            on_failure=self.fail,
            on_crash=lambda exc: messages.show_bug(self, exc),
            on_finished=self._finished,
        )

    def _finished(self) -> None:
        self.working = False
        self.ok_button.setEnabled(True)

    def _done(self, result: ImportResult) -> None:
        self.result_ = result
        self.imported.emit(result)
        self.accept()


def add_device_actions(
    menu: QMenu,
    window: QWidget,
    ctx: AppContext,
    actor: UserInfo,
    *,
    allowed: Callable[[str], bool],
) -> list[QAction]:
    """ "Impor Data Perangkat…" and the submenu "Perangkat Lapangan" (at the office only),
    each when ``allowed`` (the main window's check against forms/permissions.toml) says so."""
    if field_device(ctx) is not None:
        return []
    made: list[QAction] = []

    def enrol() -> None:
        dialog = EnrolDeviceDialog(ctx, actor, window)
        if dialog.exec() and dialog.result_ is not None:
            done = dialog.result_
            inform(
                window,
                "Perangkat Didaftarkan",
                f"Perangkat {done.device.code} ({done.device.name}) didaftarkan.\n\n"
                f"Berkas pendaftaran: {done.file}\nPengguna: {', '.join(done.clerks)}\n\n"
                "Di laptop: nonasn --data-dir FOLDER init --enrollment BERKAS",
            )

    def import_file() -> None:
        dialog = ImportTransferDialog(ctx, actor, window)
        if dialog.exec() and dialog.result_ is not None:
            inform(window, "Data Perangkat Diimpor", "\n".join(describe_import(dialog.result_)))

    if allowed("import_transfer"):
        import_action = QAction("&Impor Data Perangkat…", window)
        import_action.setObjectName("action_import_transfer")
        import_action.setStatusTip("Gabungkan berkas transfer dari perangkat lapangan")
        import_action.triggered.connect(import_file)
        menu.addAction(import_action)
        made.append(import_action)
    if allowed("enrol_device"):
        submenu = menu.addMenu("Perangkat &Lapangan")
        submenu.setObjectName("menu_devices")
        submenu.menuAction().setObjectName("action_devices")
        enrol_action = QAction("&Daftarkan Perangkat…", window)
        enrol_action.setObjectName("action_enrol_device")
        enrol_action.setStatusTip("Buat berkas pendaftaran untuk laptop lapangan")
        enrol_action.triggered.connect(enrol)
        submenu.addAction(enrol_action)
        made += [submenu.menuAction(), enrol_action]
    return made
