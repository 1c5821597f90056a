"""Start the desktop application: Qt, the error hook, the window, then the data.

``run_app`` returns the process exit code: 0 after a normal end, 1 when the data folder (or a
policy file) cannot be used — the reason is shown in a message box and nothing is changed —
and 70 when start-up itself failed unexpectedly (logged, apologised for, never a traceback).

Start-up shows the main window first, with its sign-in page: before ``show()`` only PySide6,
the theme and the light sign-in form are imported (this module imports neither the services
nor SQLAlchemy at module level). Right after the window is exposed, :class:`Shell` opens the
data on the GUI thread while the clerk types ("Masuk" is enabled when it is ready), then runs
the first start (when the folder has no office or no active admin) over the window.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QCoreApplication,
    QObject,
    Qt,
    QTimer,
    QtMsgType,
    Signal,
    qInstallMessageHandler,
)
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from nonasn_desktop.applog import setup_logging
from nonasn_desktop.errors import UserError

from . import collector, messages, theme, translations, workers
from .main_window import MainWindow

if TYPE_CHECKING:
    from nonasn_desktop.accounts.users import UserInfo
    from nonasn_desktop.core.context import AppContext
    from nonasn_desktop.startup import SignInConversion

    from .first_start import FirstStartDialog
    from .recovery_key import RecoveryKeyDialog

log = logging.getLogger(__name__)

APP_NAME = "Pendataan Non-ASN"
ORGANISATION = "BKD"
EXIT_OK = 0
EXIT_DATA_PROBLEM = 1
EXIT_INTERNAL = 70
CONVERTING = (
    "Data pribadi di folder ini sedang dienkripsi (sekali saja, setelah cadangan otomatis). "
    "Mohon tunggu; jangan matikan komputer."
)
# Beside a recovery key made earlier that no admin confirmed seeing (the program stopped first).
NOT_YET_NOTED = "Kunci pemulihan folder data ini belum dicatat"
NOT_YET_NOTED_NOTE = (
    "Kunci ini dibuat saat folder data dienkripsi, tetapi aplikasi tertutup sebelum ada admin "
    "yang menekan \u201cSudah Saya Catat\u201d. Catat atau cetak sekarang; kunci ini "
    "ditampilkan lagi setiap kali admin masuk sampai tombol itu ditekan."
)

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _active_window() -> QWidget | None:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return None
    return app.activeModalWidget() or app.activeWindow()


class ErrorHooks:
    """Route every unexpected exception to the log and an apology; Qt messages to the log.

    ``install`` replaces ``sys.excepthook`` (which PySide calls for an exception raised in a
    slot or an overridden method), ``threading.excepthook`` and Qt's message handler;
    ``uninstall`` puts the previous ones back.
    """

    def __init__(self) -> None:
        self._previous_hook: Callable[..., object] | None = None
        self._previous_thread_hook: Callable[..., object] | None = None
        self._previous_qt_handler: object = None
        self._showing = False
        self.installed = False

    def install(self) -> None:
        if self.installed:
            return
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        sys.excepthook = self.handle
        threading.excepthook = self._handle_thread
        self._previous_qt_handler = qInstallMessageHandler(self._qt_message)
        self.installed = True

    def uninstall(self) -> None:
        if not self.installed:
            return
        sys.excepthook = self._previous_hook or sys.__excepthook__
        threading.excepthook = self._previous_thread_hook or threading.__excepthook__
        qInstallMessageHandler(self._previous_qt_handler)  # type: ignore[arg-type]
        self.installed = False

    def handle(
        self,
        exc_type: type[BaseException],
        exc: BaseException,
        traceback: TracebackType | None,
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            QCoreApplication.exit(EXIT_INTERNAL)
            return
        if exc.__traceback__ is None and traceback is not None:
            exc = exc.with_traceback(traceback)
        if isinstance(exc, UserError):
            # A user error nobody caught: its message is still the right thing to show.
            # The kind only: a message may quote what was typed (a name, a number).
            log.warning("uncaught user error: %s", type(exc).__name__)
        if self._showing:
            # An error while the apology is on screen: log it, do not stack dialogs.
            log.error("unexpected error while showing another", exc_info=(exc_type, exc, traceback))
            return
        self._showing = True
        try:
            messages.show_error(_active_window(), exc)
        except Exception:
            log.exception("the error dialog itself failed")
        finally:
            self._showing = False

    def _handle_thread(self, args: threading.ExceptHookArgs) -> None:
        # Not on the GUI thread: log only (widgets must not be touched from here).
        log.error(
            "unexpected error in thread %s",
            getattr(args.thread, "name", "?"),
            exc_info=(args.exc_type, args.exc_value, args.exc_traceback),  # type: ignore[arg-type]
        )

    def _qt_message(self, mode: QtMsgType, context: object, message: str) -> None:
        log.log(_QT_LEVELS.get(mode, logging.WARNING), "Qt: %s", message)
        previous = self._previous_qt_handler
        if callable(previous):
            previous(mode, context, message)


def _application() -> tuple[QApplication, bool]:
    """The running QApplication, or a new one set up for this program (True if created)."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing, False
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setOrganizationName(ORGANISATION)
    app = QApplication(sys.argv[:1])
    return app, True


def _prepare(app: QApplication) -> None:
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setOrganizationName(ORGANISATION)
    QGuiApplication.setApplicationDisplayName(APP_NAME)
    theme.apply_theme(app)
    # Qt's own texts (file and message dialogs, standard buttons, context menus) in Indonesian.
    translations.install(app)
    # The Shell decides when the program ends (a first-start dialog closing must not end it).
    app.setQuitOnLastWindowClosed(False)


class Shell(QObject):
    """The main window and what happens around it; ``finished(code)`` when the program should
    end (the window closed, the first start cancelled, or the data could not be opened).

    ``load(data_dir)`` opens the data (:func:`~nonasn_desktop.core.context.open_app`) and
    hands it to the window; ``data_ready(ctx)`` does the same with data opened elsewhere.
    """

    finished = Signal(int)

    def __init__(self, window: MainWindow | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.window = window if window is not None else MainWindow()
        self.window.finished.connect(self._session_ended)
        self.ctx: AppContext | None = None
        self.current: QWidget = self.window
        self._ended = False
        # The recovery key shown once after the first start encrypted a new folder.
        self.recovery_dialog: QDialog | None = None

    def load(self, data_dir: Path | None) -> None:
        """Open the data folder; a problem the user can act on is shown and ends with 1.

        An encrypted folder is opened by the sign-in page instead, with the clerk's key slot.
        """
        from nonasn_desktop.startup import is_encrypted, open_app

        try:
            if is_encrypted(data_dir):
                self._wait_for_unlock(data_dir)
                return
            ctx = open_app(data_dir, create=True)
        except UserError as exc:
            log.warning("data folder cannot be opened: %s", type(exc).__name__)
            messages.show_user_error(self.window, exc, title="Data tidak dapat dibuka")
            self._end(EXIT_DATA_PROBLEM)
            return
        setup_logging(ctx.data_dir.logs_dir)
        log.info("application started, data folder %s", ctx.data_dir.path)
        self.data_ready(ctx)

    def _wait_for_unlock(self, data_dir: Path | None) -> None:
        def unlock(username: str, password: str) -> AppContext:
            from nonasn_desktop.startup import open_app, unlock

            unlocked = unlock(data_dir, username, password)
            return open_app(data_dir, key=unlocked.key)

        def opened(ctx: AppContext) -> None:
            setup_logging(ctx.data_dir.logs_dir)
            log.info("application started, data folder %s (unlocked)", ctx.data_dir.path)
            self.data_ready(ctx)

        self.window.sign_in_page.unlocked.connect(opened)
        self.window.sign_in_page.set_locked(unlock)

    def data_ready(self, ctx: AppContext) -> None:
        from . import first_start
        from .main_window import preload

        self.ctx = ctx
        preload()
        self.window.set_context(ctx)
        running = collector.active()
        if running is not None:
            # Start-up's objects (modules, policy, ORM metadata) live as long as the program:
            # later full collections need not walk them again.
            running.freeze_startup()
        self.window.sign_in_page.set_after_sign_in(self._after_sign_in)
        if first_start.needs_first_start(ctx):
            self._first_start()

    def _first_start(self) -> None:
        from .first_start import FirstStartDialog

        assert self.ctx is not None
        dialog = FirstStartDialog(self.ctx, self.window)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.finished.connect(lambda result: self._first_start_done(dialog, result))
        self.current = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def _first_start_done(self, dialog: FirstStartDialog, result: int) -> None:
        dialog.deleteLater()
        self.current = self.window
        if result != QDialog.DialogCode.Accepted:
            self._end(EXIT_OK)
            return
        assert self.ctx is not None
        password = dialog.take_admin_password()
        if dialog.admin_username and password:
            self._encrypt_new_folder(dialog.admin_username, password)
        self.window.set_context(self.ctx)  # the office now has a name
        self.window.sign_in_page.reset(dialog.admin_username or "")
        self.window.activateWindow()

    def _encrypt_new_folder(self, username: str, password: str) -> None:
        """A new folder of its own is encrypted once its first admin exists (as ``nonasn
        init`` does), and the recovery key is shown once."""
        from nonasn_desktop.startup import encrypt_after_first_start

        assert self.ctx is not None
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.ctx, recovery_key = encrypt_after_first_start(self.ctx, username, password)
        except UserError as exc:
            # The folder stays plain and usable; the admin's next sign-in encrypts it.
            log.warning("new data folder not encrypted: %s", type(exc).__name__)
            messages.show_user_error(self.window, exc, title="Folder data belum terenkripsi")
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        if recovery_key is None:
            return
        # Window-modal and not blocking: the sign-in page waits behind it.
        self._recovery_key_dialog(self.ctx, recovery_key).open()

    def _recovery_key_dialog(
        self, ctx: AppContext, recovery_key: str, *, pending: bool = False
    ) -> RecoveryKeyDialog:
        """The dialog that shows the folder's recovery key; its "Sudah Saya Catat" destroys the
        copy kept until an admin has seen it (startup.recovery_key_seen). Closed any other way,
        the key is shown again at the next admin sign-in (``pending``: this is such a time)."""
        from nonasn_desktop.startup import recovery_key_seen

        from .recovery_key import RecoveryKeyDialog

        if pending:
            dialog = RecoveryKeyDialog(
                ctx, recovery_key, self.window, subtitle=NOT_YET_NOTED, note=NOT_YET_NOTED_NOTE
            )
        else:
            dialog = RecoveryKeyDialog(ctx, recovery_key, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        folder = ctx.data_dir.path
        dialog.accepted.connect(lambda: recovery_key_seen(folder))
        self.recovery_dialog = dialog
        return dialog

    # -- converting a plain folder of an older version at its admin's sign-in -------------

    def _after_sign_in(self, user: UserInfo, password: str) -> bool:
        """A plain folder of its own made by an older version is encrypted at its admin's
        sign-in (any clerk's on a field laptop), as ``startup.unlock`` does on the command
        line: backup, conversion and reopening run off the GUI thread while the sign-in page
        waits; the recovery key is shown once, then the workspace opens. True when it runs.

        An admin signing in to a folder whose recovery key nobody confirmed seeing (the program
        stopped after encrypting it) is shown that key first, in the same way."""
        from nonasn_desktop.startup import (
            conversion_due,
            convert_after_sign_in,
            pending_recovery_key,
        )

        ctx = self.ctx
        assert ctx is not None
        if not conversion_due(ctx, user.role):
            pending = pending_recovery_key(ctx, user.role)
            if pending is None:
                return False
            log.info("showing a recovery key not yet confirmed seen")
            dialog = self._recovery_key_dialog(ctx, pending, pending=True)
            dialog.finished.connect(lambda _result: self.window.sign_in_page.complete(user))
            dialog.open()
            return True
        # The worker closes ``ctx``: nothing here may use it (or close it again) meanwhile.
        self.ctx = None
        self.window.sign_in_page.set_busy(CONVERTING)
        log.info("converting data folder %s at an admin's sign-in", ctx.data_dir.path)
        workers.run_in_background(
            lambda _task: convert_after_sign_in(ctx, user.username, password),
            on_success=lambda result: self._converted(user, result),
            on_failure=self._conversion_failed,
            on_crash=self._conversion_crashed,
        )
        return True

    def _converted(self, user: UserInfo, result: SignInConversion) -> None:
        self.ctx = result.ctx
        self.window.set_context(result.ctx)
        page = self.window.sign_in_page
        if result.failure is not None:
            # The folder stays plain and usable: the clerk goes on, told why.
            page.set_busy(None)
            messages.show_user_error(
                self.window, result.failure, title="Folder data belum terenkripsi"
            )
            page.complete(user)
            return
        assert result.recovery_text is not None
        log.info("data folder %s encrypted at sign-in", result.ctx.data_dir.path)
        # Shown once, before the workspace: the workspace opens when it is closed.
        dialog = self._recovery_key_dialog(result.ctx, result.recovery_text)
        dialog.finished.connect(lambda _result: page.complete(user))
        page.set_busy(None)
        dialog.open()

    def _conversion_failed(self, exc: UserError) -> None:
        # Even the plain folder could not be opened again: nothing to go on with.
        log.warning("data folder cannot be opened after conversion: %s", type(exc).__name__)
        self.window.sign_in_page.set_busy(None)
        messages.show_user_error(self.window, exc, title="Data tidak dapat dibuka")
        self._end(EXIT_DATA_PROBLEM)

    def _conversion_crashed(self, exc: BaseException) -> None:
        self.window.sign_in_page.set_busy(None)
        messages.show_bug(self.window, exc)
        self._end(EXIT_INTERNAL)

    def _session_ended(self, sign_out: bool) -> None:
        if not sign_out:
            self._end(EXIT_OK)

    def _end(self, code: int) -> None:
        if self._ended:
            return
        self._ended = True
        self.finished.emit(code)

    def close(self) -> None:
        """Close the window for good (after the program ended)."""
        self.window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.window.close()


def _when_exposed(window: QWidget, then: Callable[[], None], waited_ms: int = 0) -> None:
    """Run ``then`` once ``window`` is on screen (painted), or after half a second anyway."""
    handle = window.windowHandle()
    if (handle is not None and handle.isExposed()) or waited_ms >= 500:
        then()
        return
    QTimer.singleShot(5, lambda: _when_exposed(window, then, waited_ms + 5))


def _place(window: MainWindow) -> None:
    """Maximised on a laptop screen (1366×768), a comfortable size on a larger one."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    available = screen.availableGeometry() if screen is not None else None
    if available is not None and (available.width() < 1500 or available.height() < 900):
        window.showMaximized()
    else:
        window.resize(1440, 880)
        window.show()


def run_app(data_dir: Path | None = None) -> int:
    """Run the application until it ends; the exit code (see the module documentation)."""
    app, created = _application()
    quit_on_last_window = app.quitOnLastWindowClosed()
    hooks = ErrorHooks()
    hooks.install()
    shell: Shell | None = None
    try:
        _prepare(app)
        # Automatic cycle collection off for the whole run, collected on the GUI thread
        # instead (see gui/collector.py): a collection on a worker thread may finalise Qt
        # objects of the GUI thread and crash the process.
        collector.install(workers.has_running_tasks)
        shell = Shell()
        shell.finished.connect(app.exit)
        _place(shell.window)
        failed: list[int] = []

        def load() -> None:
            assert shell is not None
            try:
                shell.load(data_dir)
            except Exception as exc:
                log.exception("start-up failed")
                hooks.handle(type(exc), exc, exc.__traceback__)
                failed.append(EXIT_INTERNAL)
                app.exit(EXIT_INTERNAL)

        # The data opens once the window is on screen; the clerk can type meanwhile.
        QTimer.singleShot(0, lambda: _when_exposed(shell.window, load))
        code = app.exec()
        code = failed[0] if failed else code
        log.info("application ended with code %d", code)
        return code
    except Exception as exc:
        log.exception("start-up failed")
        hooks.handle(type(exc), exc, exc.__traceback__)
        return EXIT_INTERNAL
    finally:
        if shell is not None:
            if shell.ctx is not None:
                shell.ctx.close()
            shell.close()
        hooks.uninstall()
        collector.uninstall()
        translations.uninstall(app)
        app.setQuitOnLastWindowClosed(quit_on_last_window)
        if created:
            app.closeAllWindows()
