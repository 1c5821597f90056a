"""The main window: the sign-in page first, then the workspace of the signed-in user.

The window is on screen before the data is open (``gui.app``): its first page is the light
sign-in form (:class:`~nonasn_desktop.gui.sign_in.SignInPage`), and this module imports neither
the services nor SQLAlchemy at module level — the workspace (dashboard, services) is imported
when it is built, after sign-in, or by :func:`preload` while the clerk types.

The workspace: header, menus and action bar by role (built by ``gui/workspace_bars.py``), the
record list, the status bar. Actions a role may not use are never created, so they appear
nowhere (menu, action bar, context menu, shortcut). Which role may do what is
forms/permissions.toml, the same table the operations check (gui/action_permissions.py names
the permission behind each action), so a button is shown exactly when its operation would be
allowed. "Keluar Akun" takes the workspace down and shows the sign-in page again.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QMainWindow,
    QMenuBar,
    QStackedWidget,
    QStatusBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nonasn_desktop.errors import UserError
from nonasn_desktop.rules.permissions import role_may
from nonasn_desktop.rules.status import RecordStatus

from . import collector, messages
from .action_permissions import ACTION_PERMISSIONS
from .sign_in import SignInPage
from .workspace_bars import build_action_bar, build_menus, fill_status_bar, office_header

if TYPE_CHECKING:
    from nonasn_desktop.accounts.users import UserInfo
    from nonasn_desktop.core.context import AppContext
    from nonasn_desktop.office.identity import OfficeInfo
    from nonasn_desktop.registration.records import RecordRow

    from .daily_backup import DailyBackupRunner
    from .dashboard import Dashboard

log = logging.getLogger(__name__)

# Over the workspace of a clerk whose sign-in did not open the office's documents.
DOCUMENTS_CLOSED = (
    "Dokumen kantor belum terbuka untuk akun Anda: pindaian KTP, pas foto dan dokumen lain "
    "tidak dapat dilihat atau diunggah. Minta admin membuka Admin › Pengguna › Beri Akses "
    "Dokumen dan ketik kata sandi Anda sendiri di meja admin, lalu keluar dan masuk lagi."
)
# Records the wizard may open again ("Lanjutkan").
CONTINUABLE = frozenset({RecordStatus.DRAF, RecordStatus.AKUN_DIBUAT, RecordStatus.PERLU_PERBAIKAN})
# Records whose account card can be printed: the registration was finished.
FINISHED = frozenset(
    {RecordStatus.PENDAFTARAN_SELESAI, RecordStatus.DISETUJUI, RecordStatus.DIEKSPOR}
)


def can_continue(record: RecordRow | None) -> bool:
    return record is not None and record.status in CONTINUABLE


def can_print_info(record: RecordRow | None) -> bool:
    return record is not None and record.account_number is not None


def can_print_card(record: RecordRow | None) -> bool:
    return record is not None and record.status in FINISHED


def _file_part(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9-]+", "-", text).strip("-") or "data"


APP_TITLE = "Pendataan Non-ASN"


def preload() -> None:
    """Import the workspace's modules (operations, dashboard) before they are needed."""
    from nonasn_desktop.office import identity  # noqa: F401
    from nonasn_desktop.registration import records  # noqa: F401

    from . import backup_dialogs, daily_backup, dashboard  # noqa: F401


class MainWindow(QMainWindow):
    """The application's window: the sign-in page, then the workspace of the signed-in user.

    ``MainWindow()`` shows the sign-in page with "Masuk" disabled until :meth:`set_context`;
    ``MainWindow(ctx, user)`` opens the user's workspace at once. ``finished(sign_out)`` ends a
    session: True after "Keluar Akun" (the sign-in page shows again), False once the window has
    closed (the application should end).
    """

    finished = Signal(bool)
    dashboard: Dashboard
    daily_backup: DailyBackupRunner | None

    def __init__(
        self,
        ctx: AppContext | None = None,
        user: UserInfo | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._open_ctx: AppContext | None = None
        self._signed_in: UserInfo | None = None
        self._office: OfficeInfo | None = None
        self._wizards: list[QWidget] = []
        self._wizard_ids: dict[int, QWidget] = {}
        self._done = False
        self.actions_by_key: dict[str, QAction] = {}
        self.tool_buttons: dict[str, QToolButton] = {}
        self.workspace: QWidget | None = None
        self.daily_backup = None
        self.setObjectName("main_window")
        self.setWindowTitle(APP_TITLE)
        # Fits a 1366×768 laptop at 150 % scaling (911×512 logical pixels).
        self.setMinimumSize(880, 480)
        self.stack = QStackedWidget()
        self.stack.setObjectName("pages")
        self.sign_in_page = SignInPage()
        self.sign_in_page.signed_in.connect(self.enter)
        self.sign_in_page.quit_requested.connect(self.close)
        self.stack.addWidget(self.sign_in_page)
        self.setCentralWidget(self.stack)
        self._empty_menu_bar()
        self.sign_in_page.focus_first_empty()
        if ctx is not None:
            self.set_context(ctx)
        if user is not None:
            self.enter(user)

    @property
    def user(self) -> UserInfo | None:
        """The signed-in user; None while the sign-in page shows."""
        return self._signed_in

    @property
    def _ctx(self) -> AppContext:
        assert self._open_ctx is not None, "the data is not open yet"
        return self._open_ctx

    @property
    def _user(self) -> UserInfo:
        assert self._signed_in is not None, "nobody is signed in"
        return self._signed_in

    def set_context(self, ctx: AppContext) -> None:
        """The data is open: the sign-in page can check passwords (call again after the
        first start prepared the office, to show its name)."""
        from nonasn_desktop.office import identity as office

        self._open_ctx = ctx
        self._office = office.get_office(ctx)
        self._set_title()
        self.sign_in_page.set_context(ctx)

    def _set_title(self) -> None:
        if self._open_ctx is None:
            self.setWindowTitle(APP_TITLE)
            return
        office_name = self._office.name if self._office else "(kantor belum disiapkan)"
        self.setWindowTitle(f"{APP_TITLE} — {office_name}")

    def _empty_menu_bar(self) -> None:
        bar = QMenuBar()
        bar.setVisible(False)
        self.setMenuBar(bar)

    def enter(self, user: UserInfo) -> None:
        """Build the workspace for ``user`` (signed in) and show it."""
        from nonasn_desktop.office import identity as office

        from . import daily_backup
        from .dashboard import Dashboard

        ctx = self._ctx
        self._signed_in = user
        self._office = office.get_office(ctx)
        self._set_title()
        self.actions_by_key = {}
        self.tool_buttons = {}
        self.dashboard = Dashboard(ctx, self._user.actor)
        self._create_actions()
        # New bars each sign-in (the role decides their content); shown explicitly, as children
        # added to a window already on screen stay hidden otherwise.
        self.setMenuBar(QMenuBar())
        build_menus(self, self.actions_by_key, self.allowed, ctx, user, on_restored=self.sign_out)
        self.action_bar, self.tool_buttons = build_action_bar(self.actions_by_key)
        self._build_central()
        self.setStatusBar(QStatusBar())
        self.status_office, self.status_user, self.status_folder = fill_status_bar(
            self.statusBar(), ctx, self._office, user
        )
        self.menuBar().setVisible(True)
        self.statusBar().setVisible(True)
        self.dashboard.current_changed.connect(self._update_actions)
        self.dashboard.activated.connect(self._activated)
        self.dashboard.set_context_actions(
            [
                None if key is None else self.actions_by_key[key]
                for key in ("continue", None, "print_info", "print_card")
                if key is None or key in self.actions_by_key
            ]
        )
        self.dashboard.set_empty_hint(
            "Tekan \u201cPendataan Baru\u201d (Ctrl+N) untuk mendata tenaga non-ASN pertama."
            if "new" in self.actions_by_key
            else "Data akan tampil di sini setelah operator mulai mendata."
        )
        self.dashboard.refresh()
        self._update_actions(None)
        self.dashboard.setFocus()
        # -- the daily automatic backup, whoever is signed in (gui/daily_backup.py) ------------
        # Started at the first sign-in and kept for the window's life (it needs no user).
        if self.daily_backup is None:
            self.daily_backup = daily_backup.DailyBackupRunner(ctx, self)
            self.daily_backup.message.connect(self._backup_message)
            self.daily_backup.start()

    def _backup_message(self, text: str) -> None:
        if self._signed_in is not None:
            self.statusBar().showMessage(text, 30000)

    # -- building -----------------------------------------------------------------------

    def allowed(self, key: str) -> bool:
        permission = ACTION_PERMISSIONS[key]
        return permission is None or role_may(self._ctx.policy, self._user.role, permission)

    def action(self, key: str) -> QAction | None:
        """The action, or None when the user's role may not use it."""
        return self.actions_by_key.get(key)

    def _add(
        self,
        key: str,
        text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        tip: str = "",
    ) -> None:
        if not self.allowed(key):
            return
        action = QAction(text, self)
        action.setObjectName(f"action_{key}")
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(slot)
        self.actions_by_key[key] = action
        self.addAction(action)

    def _create_actions(self) -> None:
        self._add(
            "new",
            "&Pendataan Baru",
            self.new_registration,
            "Ctrl+N",
            "Mulai mendata tenaga non-ASN yang hadir (langkah 1 dari 24)",
        )
        self._add(
            "continue",
            "&Lanjutkan",
            self.continue_registration,
            "Ctrl+L",
            "Buka kembali data terpilih untuk dilanjutkan atau diperbaiki",
        )
        self._add(
            "print_info",
            "Cetak &Informasi Pendaftaran",
            self.print_registration_info,
            "Ctrl+P",
            "Cetak informasi pendaftaran data terpilih (setelah akun dibuat)",
        )
        self._add(
            "print_card",
            "Cetak &Kartu Informasi Akun",
            self.print_account_card,
            "Ctrl+Shift+P",
            "Cetak kartu informasi akun data terpilih (setelah pendaftaran selesai)",
        )
        self._add(
            "export_recap",
            "&Ekspor Rekap Excel…",
            self.export_recap,
            "Ctrl+E",
            "Simpan rekap data pendataan sebagai berkas Excel",
        )
        self._add("refresh", "&Muat Ulang", self.refresh, QKeySequence.StandardKey.Refresh)
        self._add("find", "&Cari…", self.dashboard.focus_search, QKeySequence.StandardKey.Find)
        self._add("change_password", "&Ganti Kata Sandi…", self.change_password)
        self._add(
            "sign_out", "Keluar A&kun", self.sign_out, None, "Keluar dan kembali ke layar masuk"
        )
        self._add("quit", "&Tutup Aplikasi", self.close, "Ctrl+Q")
        self._add("about", "&Tentang Aplikasi", self.show_about)
        self._add("users", "&Pengguna…", self.show_users, None, "Kelola pengguna aplikasi")
        self._add("settings", "Pen&gaturan…", self.show_settings, None, "Ubah pengaturan kantor")
        self._add(
            "roster_import",
            "&Impor Daftar Admin Instansi…",
            self.import_roster,
            None,
            "Impor daftar tenaga non-ASN dari Admin Instansi (Excel/CSV)",
        )
        self._add(
            "roster_template",
            "&Unduh Templat Daftar…",
            self.save_roster_template,
            None,
            "Simpan templat Excel daftar Admin Instansi",
        )
        # -- verval and batch export (gui/verval/) --
        self._add(
            "verval",
            "&Verifikasi (Verval)",
            self.open_verval,
            "Ctrl+Shift+V",
            "Periksa dan putuskan data berstatus Pendaftaran Selesai",
        )
        self._add(
            "batch_export",
            "Ekspor &Batch…",
            self.export_batch,
            None,
            "Tulis batch bertanda tangan berisi data Disetujui untuk kantor pusat",
        )
        refresh = self.actions_by_key["refresh"]
        refresh.setShortcuts([QKeySequence(QKeySequence.StandardKey.Refresh), QKeySequence("F5")])

    def _build_central(self) -> None:
        from nonasn_desktop.accounts import slots

        from . import theme

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(office_header(self._office, self._user))
        layout.addWidget(self.action_bar)
        self.documents_notice: QLabel | None = None
        if slots.documents_closed(self._ctx):
            self.documents_notice = theme.notice_label(DOCUMENTS_CLOSED)
            layout.addWidget(self.documents_notice)
        layout.addWidget(self.dashboard, 1)
        central.setObjectName("workspace")
        self.workspace = central
        self.stack.addWidget(central)
        self.stack.setCurrentWidget(central)

    # -- state ----------------------------------------------------------------------------

    def _update_actions(self, record: RecordRow | None = None) -> None:
        record = self.dashboard.current_record()
        rules = {
            "continue": can_continue(record),
            "print_info": can_print_info(record),
            "print_card": can_print_card(record),
        }
        for key, enabled in rules.items():
            action = self.actions_by_key.get(key)
            if action is not None:
                action.setEnabled(enabled)

    def _activated(self, record: RecordRow) -> None:
        if "continue" in self.actions_by_key and can_continue(record):
            self.open_wizard(record.id)

    # -- actions --------------------------------------------------------------------------

    def refresh(self) -> None:
        self.dashboard.refresh()
        self._update_actions()

    def new_registration(self) -> None:
        self.open_wizard(None)

    def continue_registration(self) -> None:
        record = self.dashboard.current_record()
        if can_continue(record):
            assert record is not None
            self.open_wizard(record.id)

    def open_wizard(self, registration_id: int | None) -> None:
        """A wizard window for a new record (None) or the record's; one window per record."""
        if registration_id is not None and registration_id in self._wizard_ids:
            window = self._wizard_ids[registration_id]
            window.showNormal()
            window.raise_()
            window.activateWindow()
            return
        from nonasn_desktop.gui.wizard.window import WizardWindow

        try:
            window = WizardWindow(self._ctx, self._user, registration_id)
        except UserError as exc:
            messages.show_user_error(self, exc, title="Data tidak dapat dibuka")
            return
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        window.closed.connect(lambda saved_id, w=window: self._wizard_closed(w, saved_id))
        self._wizards.append(window)
        if registration_id is not None:
            self._wizard_ids[registration_id] = window
        window.show()

    def _wizard_closed(self, window: QWidget, registration_id: int) -> None:
        # The closed window's widgets and their cycles are freed on the GUI thread.
        collector.collect_soon()
        if window in self._wizards:
            self._wizards.remove(window)
        for key, value in list(self._wizard_ids.items()):
            if value is window:
                del self._wizard_ids[key]
        if self._done:
            return
        self.dashboard.refresh()
        if registration_id:
            self.dashboard.select_record(registration_id)
        self._update_actions()

    def _print(self, kind: str) -> None:
        record = self.dashboard.current_record()
        if record is None:
            return
        from nonasn_desktop.gui.print_preview import PrintPreviewDialog
        from nonasn_desktop.printing import printouts

        who = _file_part(record.nik or f"data-{record.id}")
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            if kind == "info":
                pdf = printouts.registration_info_pdf(self._ctx, record.id, actor=self._user.actor)
                title = "Cetak Informasi Pendaftaran"
                name = f"informasi-pendaftaran-{who}.pdf"
            else:
                pdf = printouts.account_card_pdf(self._ctx, record.id, actor=self._user.actor)
                title = "Cetak Kartu Informasi Akun"
                name = f"kartu-informasi-akun-{who}.pdf"
        except UserError as exc:
            QGuiApplication.restoreOverrideCursor()
            messages.show_user_error(self, exc, title="Tidak dapat dicetak")
            return
        QGuiApplication.restoreOverrideCursor()
        dialog = PrintPreviewDialog(pdf, title=title, suggested_name=name, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.open()

    def print_registration_info(self) -> None:
        if can_print_info(self.dashboard.current_record()):
            self._print("info")

    def print_account_card(self) -> None:
        if can_print_card(self.dashboard.current_record()):
            self._print("card")

    def export_recap(self) -> None:
        from nonasn_desktop.gui import roster_dialogs

        roster_dialogs.export_recap(self, self._ctx, self._user)

    def import_roster(self) -> None:
        from nonasn_desktop.gui import roster_dialogs

        roster_dialogs.open_roster_import(self, self._ctx, self._user)

    def save_roster_template(self) -> None:
        from nonasn_desktop.gui import roster_dialogs

        roster_dialogs.save_roster_template(self, self._ctx)

    def show_users(self) -> None:
        from .admin_dialogs import UsersDialog

        UsersDialog(self._ctx, self._user, self).exec()

    def show_settings(self) -> None:
        from .admin_dialogs import SettingsDialog

        SettingsDialog(self._ctx, self._user, self).exec()

    def change_password(self) -> None:
        from .admin_dialogs import ResetPasswordDialog

        dialog = ResetPasswordDialog(self._ctx, self._user, self._user, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.statusBar().showMessage("Kata sandi Anda sudah diganti.", 5000)

    def show_about(self) -> None:
        from .about import AboutDialog

        AboutDialog(self._ctx, self).exec()

    # -- verval and batch export (gui/verval/) --------------------------------------------

    def open_verval(self) -> None:
        """The verval window (one at a time); each decision refreshes the record list."""
        from .verval import VervalWindow

        window = getattr(self, "verval_window", None)
        if window is None:
            window = VervalWindow(self._ctx, self._user)
            window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
            window.decided.connect(lambda *_: self.refresh())
            window.closed.connect(lambda: setattr(self, "verval_window", None))
            window.closed.connect(collector.collect_soon)
            self.verval_window = window
        window.showNormal()
        window.raise_()
        window.activateWindow()

    def export_batch(self) -> None:
        from .verval import BatchExportDialog

        dialog = BatchExportDialog(self._ctx, self._user, self)
        dialog.exported.connect(lambda _result: self.refresh())
        dialog.exec()

    # -- leaving --------------------------------------------------------------------------

    def sign_out(self) -> None:
        """Close the user's windows (each wizard saves its draft), take the workspace down and
        show the sign-in page again; nothing happens while a wizard stays open."""
        if self._signed_in is None or not self._close_workspace_windows():
            return
        self._leave()
        # An office server's document key is opened by each sign-in; the desk forgets it.
        # (Imported here: the window module loads without the data layer, see gui/app.py.)
        from nonasn_desktop.accounts import slots

        slots.close_office_key(self._ctx)
        self.finished.emit(True)

    def _close_workspace_windows(self) -> bool:
        """Close every wizard window and the verval window; False if a wizard stays open."""
        for window in list(self._wizards):
            if not window.close():
                window.raise_()
                window.activateWindow()
                return False
        verval_window = getattr(self, "verval_window", None)  # gui/verval/
        if verval_window is not None:
            verval_window.close()
        return True

    def _leave(self) -> None:
        for action in self.actions_by_key.values():
            self.removeAction(action)
            action.deleteLater()
        self.actions_by_key = {}
        self.tool_buttons = {}
        self._empty_menu_bar()
        self.setStatusBar(None)  # type: ignore[arg-type]
        if self.workspace is not None:
            self.stack.removeWidget(self.workspace)
            self.workspace.deleteLater()
            self.workspace = None
        del self.dashboard
        self._signed_in = None
        self.stack.setCurrentWidget(self.sign_in_page)
        self.sign_in_page.reset()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self.sign_in_page.busy:
            # The data folder is being converted: it finishes first (seconds to minutes).
            event.ignore()
            return
        if self._signed_in is not None and not self._close_workspace_windows():
            event.ignore()
            return
        event.accept()
        if not self._done:
            self._done = True
            if self.daily_backup is not None:
                self.daily_backup.stop()
            self.finished.emit(False)
