"""Start the desktop application: Qt, the error hook, the data, first start, sign-in, window.

``run_app`` returns the process exit code: 0 after a normal end, 1 when the data folder (or a
policy file) cannot be used — the reason is shown in a message box and nothing is changed —
and 70 when start-up itself failed unexpectedly (logged, apologised for, never a traceback).

After start-up the :class:`Shell` moves between the screens without blocking: first start
(when the folder has no office or no active admin), sign-in, main window, and back to sign-in
on "Keluar Akun".
"""

from __future__ import annotations

# The Qt-free layers first, on purpose: once PySide6 is imported it replaces __import__ and
# reads the source of every module imported after it (for its opt-in __feature__ syntax),
# which made start-up about a third slower. Everything here is needed anyway.
import nonasn_desktop.services.backup
import nonasn_desktop.services.office
import nonasn_desktop.services.records
import nonasn_desktop.services.registrations
import nonasn_desktop.services.settings
import nonasn_desktop.services.users  # noqa: F401

# isort: split
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
from nonasn_desktop.services.context import AppContext, open_app

from . import messages, theme
from .first_start import FirstStartDialog, needs_first_start
from .sign_in import SignInDialog

if TYPE_CHECKING:
    from .main_window import MainWindow

log = logging.getLogger(__name__)

APP_NAME = "Pendataan Non-ASN"
ORGANISATION = "BKD"
EXIT_OK = 0
EXIT_DATA_PROBLEM = 1
EXIT_INTERNAL = 70

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
            log.warning("uncaught user error: %s", exc)
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
    # The Shell decides when the program ends (between sign-out and sign-in no window shows).
    app.setQuitOnLastWindowClosed(False)


class Shell(QObject):
    """The screens after start-up; ``finished(code)`` when the program should end."""

    finished = Signal(int)

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.current: QWidget | None = None
        self.window: MainWindow | None = None

    def start(self) -> None:
        if needs_first_start(self._ctx):
            self._first_start()
        else:
            self._sign_in()

    def _show(self, widget: QWidget) -> None:
        self.current = widget
        widget.show()
        widget.raise_()
        widget.activateWindow()

    def _first_start(self) -> None:
        dialog = FirstStartDialog(self._ctx)
        dialog.finished.connect(lambda result: self._first_start_done(dialog, result))
        self._show(dialog)

    def _first_start_done(self, dialog: FirstStartDialog, result: int) -> None:
        dialog.deleteLater()
        if result == QDialog.DialogCode.Accepted:
            self._sign_in(dialog.admin_username or "")
        else:
            self.finished.emit(EXIT_OK)

    def _sign_in(self, username: str = "") -> None:
        dialog = SignInDialog(self._ctx, username=username)
        dialog.finished.connect(lambda result: self._signed_in(dialog, result))
        self._show(dialog)
        # The main window's code loads while the clerk types, not after "Masuk".
        QTimer.singleShot(0, _load_main_window)

    def _signed_in(self, dialog: SignInDialog, result: int) -> None:
        dialog.deleteLater()
        if result != QDialog.DialogCode.Accepted or dialog.user is None:
            self.finished.emit(EXIT_OK)
            return
        window = _load_main_window()(self._ctx, dialog.user)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        window.finished.connect(self._window_closed)
        self.window = window
        _place(window)
        self.current = window
        window.raise_()
        window.activateWindow()

    def _window_closed(self, sign_out: bool) -> None:
        self.window = None
        if sign_out:
            self._sign_in()
        else:
            self.finished.emit(EXIT_OK)


def _load_main_window() -> type[MainWindow]:
    from .main_window import MainWindow

    return MainWindow


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
    ctx: AppContext | None = None
    try:
        _prepare(app)
        try:
            ctx = open_app(data_dir, create=True)
        except UserError as exc:
            log.warning("data folder cannot be opened: %s", exc)
            messages.show_user_error(None, exc, title="Data tidak dapat dibuka")
            return EXIT_DATA_PROBLEM
        setup_logging(ctx.data_dir.logs_dir)
        log.info("application started, data folder %s", ctx.data_dir.path)
        shell = Shell(ctx)
        shell.finished.connect(app.exit)
        shell.start()
        code = app.exec()
        log.info("application ended with code %d", code)
        return code
    except Exception as exc:
        log.exception("start-up failed")
        hooks.handle(type(exc), exc, exc.__traceback__)
        return EXIT_INTERNAL
    finally:
        if ctx is not None:
            ctx.close()
        hooks.uninstall()
        app.setQuitOnLastWindowClosed(quit_on_last_window)
        if created:
            app.closeAllWindows()
