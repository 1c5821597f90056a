from __future__ import annotations

import gc
import logging
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer, qWarning
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from helpers.accounts import CLERK_PASSWORD, add_clerk
from helpers.screens import sign_in_on_screen
from nonasn_desktop.accounts import users
from nonasn_desktop.accounts.users import UserInfo
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import ConflictError, PolicyFileError, UserError
from nonasn_desktop.gui import app as app_module
from nonasn_desktop.gui import collector, messages
from nonasn_desktop.gui.app import EXIT_DATA_PROBLEM, EXIT_OK, ErrorHooks, Shell, run_app
from nonasn_desktop.gui.first_start import FirstStartDialog
from nonasn_desktop.gui.main_window import MainWindow
from nonasn_desktop.office import identity as office
from nonasn_desktop.startup import encrypt_new_folder, is_encrypted, open_app, recovery_key_seen
from nonasn_desktop.storage import datadir

pytestmark = pytest.mark.gui


# -- the error hook ----------------------------------------------------------------------------


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, BaseException]]:
    """Every dialog the error hook would show, instead of showing it."""
    seen: list[tuple[str, BaseException]] = []
    monkeypatch.setattr(messages, "show_bug", lambda _p, exc: seen.append(("bug", exc)))
    monkeypatch.setattr(
        messages, "show_user_error", lambda _p, exc, title="": seen.append(("user", exc))
    )
    return seen


@pytest.fixture
def hooks() -> Any:
    installed = ErrorHooks()
    installed.install()
    yield installed
    installed.uninstall()


def _button_raising(qtbot: QtBot, exc: BaseException) -> QPushButton:
    button = QPushButton("Coba")
    qtbot.addWidget(button)

    def slot() -> None:
        raise exc

    button.clicked.connect(slot)
    return button


@pytest.mark.qt_no_exception_capture
@pytest.mark.usefixtures("hooks")
def test_an_exception_in_a_slot_shows_the_bug_dialog_and_is_logged(
    qtbot: QtBot, shown: list[tuple[str, BaseException]], caplog: pytest.LogCaptureFixture
) -> None:
    button = _button_raising(qtbot, RuntimeError("rusak di dalam slot"))
    with caplog.at_level(logging.ERROR):
        button.click()
    assert [(kind, str(exc)) for kind, exc in shown] == [("bug", "rusak di dalam slot")]
    assert shown[0][1].__traceback__ is not None
    # The application goes on: the same button works (and fails) again.
    button.click()
    assert len(shown) == 2


@pytest.mark.qt_no_exception_capture
@pytest.mark.usefixtures("hooks")
def test_an_uncaught_user_error_shows_its_message(
    qtbot: QtBot, shown: list[tuple[str, BaseException]]
) -> None:
    button = _button_raising(qtbot, ConflictError("Data ini sedang dibuka petugas lain."))
    button.click()
    assert [(kind, str(exc)) for kind, exc in shown] == [
        ("user", "Data ini sedang dibuka petugas lain.")
    ]


@pytest.mark.qt_no_exception_capture
def test_the_real_bug_dialog_is_logged(
    qtbot: QtBot,
    hooks: ErrorHooks,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # show_bug itself runs (it logs the traceback); only its modal box is closed at once.
    def close_soon() -> None:
        box = QApplication.activeModalWidget()
        if box is not None:
            box.done(0)
        else:
            QTimer.singleShot(10, close_soon)

    QTimer.singleShot(10, close_soon)
    with caplog.at_level(logging.ERROR, logger="nonasn_desktop"):
        hooks.handle(ValueError, ValueError("angka rusak"), None)
    assert "angka rusak" in caplog.text
    assert "unexpected error shown to the user" in caplog.text


def test_an_error_while_the_dialog_is_up_is_only_logged(
    shown: list[tuple[str, BaseException]], caplog: pytest.LogCaptureFixture
) -> None:
    hooks = ErrorHooks()
    hooks._showing = True
    with caplog.at_level(logging.ERROR):
        hooks.handle(RuntimeError, RuntimeError("kedua"), None)
    assert shown == []
    assert "kedua" in caplog.text


def test_install_and_uninstall_restore_the_previous_hooks() -> None:
    before = (sys.excepthook, threading.excepthook)
    hooks = ErrorHooks()
    hooks.install()
    assert sys.excepthook == hooks.handle
    hooks.uninstall()
    assert (sys.excepthook, threading.excepthook) == before


@pytest.mark.qt_log_ignore("pesan uji Qt")
@pytest.mark.usefixtures("hooks")
def test_qt_messages_go_to_the_log(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="nonasn_desktop"):
        qWarning("pesan uji Qt")
    assert "Qt: pesan uji Qt" in caplog.text


def test_errors_in_other_threads_are_logged(
    hooks: ErrorHooks, shown: list[tuple[str, BaseException]], caplog: pytest.LogCaptureFixture
) -> None:
    def work() -> None:
        raise RuntimeError("di thread lain")

    with caplog.at_level(logging.ERROR):
        thread = threading.Thread(target=work, name="pekerja")
        thread.start()
        thread.join()
    assert "di thread lain" in caplog.text
    assert "pekerja" in caplog.text
    assert shown == []


# -- opening the data --------------------------------------------------------------------------


def test_a_damaged_database_is_explained_and_left_alone(
    qtbot: QtBot, tmp_path: Path, shown: list[tuple[str, BaseException]]
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    database = folder / "nonasn.sqlite3"
    database.write_bytes(b"bukan basis data " * 500)
    assert run_app(folder) == EXIT_DATA_PROBLEM
    [(kind, exc)] = shown
    assert kind == "user"
    assert "bukan basis data yang utuh" in str(exc)
    assert database.read_bytes() == b"bukan basis data " * 500


def test_a_read_only_folder_is_explained(
    qtbot: QtBot,
    tmp_path: Path,
    shown: list[tuple[str, BaseException]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*_args: object, **_kwargs: object) -> Any:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(datadir.tempfile, "mkstemp", refuse)
    assert run_app(tmp_path) == EXIT_DATA_PROBLEM
    [(kind, exc)] = shown
    assert kind == "user"
    assert "tidak dapat ditulis" in str(exc)


def test_a_file_in_place_of_the_folder_is_explained(
    qtbot: QtBot, tmp_path: Path, shown: list[tuple[str, BaseException]]
) -> None:
    path = tmp_path / "data"
    path.write_text("bukan folder")
    assert run_app(path) == EXIT_DATA_PROBLEM
    assert isinstance(shown[0][1], UserError)
    assert path.read_text() == "bukan folder"


def test_a_broken_policy_file_is_explained(
    qtbot: QtBot,
    tmp_path: Path,
    shown: list[tuple[str, BaseException]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken() -> Any:
        raise PolicyFileError("fields.toml", 12, "bukan TOML yang sah")

    monkeypatch.setattr("nonasn_desktop.startup.default_policy", broken)
    assert run_app(tmp_path / "data") == EXIT_DATA_PROBLEM
    [(kind, exc)] = shown
    assert kind == "user"
    assert "fields.toml, baris 12" in str(exc)


def test_an_unexpected_start_up_failure_is_apologised_for(
    qtbot: QtBot,
    tmp_path: Path,
    shown: list[tuple[str, BaseException]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(_ctx: AppContext) -> bool:
        raise RuntimeError("rusak saat mulai")

    monkeypatch.setattr("nonasn_desktop.gui.first_start.needs_first_start", broken)
    assert run_app(tmp_path / "data") == app_module.EXIT_INTERNAL
    assert [(k, str(e)) for k, e in shown] == [("bug", "rusak saat mulai")]


def _visible_main_window() -> MainWindow | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow) and widget.isVisible():
            return widget
    return None


def test_the_main_window_shows_its_sign_in_page_before_the_data_opens(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "data"
    with open_app(folder, create=True) as ctx:
        office.initialise(
            ctx, office_code="3273", office_name="BKD Kota Bandung", admin=("admin", "rahasia123")
        )
        # An operator: an admin's sign-in would encrypt this plain folder first (tested in
        # test_gui_convert_at_sign_in.py).
        add_clerk(ctx, "operator1", "operator")
    seen: list[tuple[str, bool, bool, str]] = []
    real_load = Shell.load

    def load(shell: Shell, data_dir: Path | None) -> None:
        # The window is on screen, its sign-in page waiting for the data.
        window = shell.window
        page = window.sign_in_page
        handle = window.windowHandle()
        exposed = handle is not None and handle.isExposed()
        seen.append((page.preparing.text(), page.sign_in_button.isEnabled(), exposed, "open"))
        real_load(shell, data_dir)

    def sign_in_then_quit() -> None:
        window = _visible_main_window()
        if window is None or not window.sign_in_page.ready:
            QTimer.singleShot(10, sign_in_then_quit)
            return
        page = window.sign_in_page
        seen.append(("ready", page.sign_in_button.isEnabled(), page.preparing.isVisible(), ""))
        page.username.setText("operator1")
        page.password.setText(CLERK_PASSWORD)
        page.submit()
        assert window.stack.currentWidget() is window.workspace
        assert window.dashboard.model.total == 0
        window.actions_by_key["quit"].trigger()

    monkeypatch.setattr(Shell, "load", load)
    QTimer.singleShot(0, sign_in_then_quit)
    assert run_app(folder) == EXIT_OK
    assert seen == [("Menyiapkan data\u2026", False, True, "open"), ("ready", True, False, "")]


def test_a_new_folder_starts_with_the_first_start_dialog(qtbot: QtBot, tmp_path: Path) -> None:
    seen: list[str] = []

    def close_first_start() -> None:
        dialogs = [w for w in QApplication.allWidgets() if isinstance(w, FirstStartDialog)]
        visible = [d for d in dialogs if d.isVisible()]
        if not visible:
            QTimer.singleShot(10, close_first_start)
            return
        seen.append(visible[0].windowTitle())
        assert isinstance(visible[0].parent(), MainWindow)
        visible[0].reject()

    QTimer.singleShot(0, close_first_start)
    assert run_app(tmp_path / "data") == EXIT_OK
    assert seen == ["Persiapan Awal — Pendataan Non-ASN"]
    assert (tmp_path / "data" / "nonasn.sqlite3").exists()
    assert QApplication.quitOnLastWindowClosed()


def test_the_application_collects_cycles_only_on_its_gui_thread(
    qtbot: QtBot, tmp_path: Path
) -> None:
    seen: list[tuple[bool, bool, bool]] = []

    def look_then_quit() -> None:
        dialogs = [w for w in QApplication.allWidgets() if isinstance(w, FirstStartDialog)]
        visible = [d for d in dialogs if d.isVisible()]
        if not visible:
            QTimer.singleShot(10, look_then_quit)
            return
        # Running: automatic collection off, the GUI collector on, start-up frozen.
        seen.append((gc.isenabled(), collector.active() is not None, gc.get_freeze_count() > 0))
        visible[0].reject()

    assert gc.isenabled()
    QTimer.singleShot(0, look_then_quit)
    assert run_app(tmp_path / "data") == EXIT_OK
    assert seen == [(False, True, True)]
    # Ended: Python's own collector back, nothing left frozen.
    assert gc.isenabled()
    assert collector.active() is None
    assert gc.get_freeze_count() == 0


def test_importing_the_app_loads_neither_the_data_layer_nor_sqlalchemy() -> None:
    # The window is shown before the data layer loads (issue 3: start-up time).
    script = (
        "import sys, nonasn_desktop.gui.app, nonasn_desktop.gui.main_window\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'alembic')"
        " or m.startswith(('nonasn_desktop.core', 'nonasn_desktop.storage'))))"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


# -- the screens after start-up ----------------------------------------------------------------


@pytest.fixture
def shell(qtbot: QtBot) -> Shell:
    made = Shell()
    qtbot.addWidget(made.window)
    made.window.show()
    return made


def test_first_start_leads_to_sign_in_then_the_workspace_and_back(
    shell: Shell, app_ctx: AppContext
) -> None:
    ended: list[int] = []
    shell.finished.connect(ended.append)
    window = shell.window
    assert not window.sign_in_page.sign_in_button.isEnabled()
    shell.data_ready(app_ctx)
    first = shell.current
    assert isinstance(first, FirstStartDialog)
    assert first.parent() is window
    for name, value in {
        "office_code": "3273",
        "office_name": "BKD Kota Bandung",
        "username": "admin.bkd",
        "full_name": "Rina Kartika",
        "password": "rahasia123",
        "password_again": "rahasia123",
        "key_passphrase": "kopi pagi di BKD 2022",
        "key_passphrase_again": "kopi pagi di BKD 2022",
    }.items():
        getattr(first, name).setText(value)
    first.submit()
    assert shell.current is window
    # The new folder of its own is encrypted as `nonasn init` does, and the recovery key is
    # shown once, in front of the sign-in page.
    assert shell.ctx is not None
    assert shell.ctx.key is not None
    assert is_encrypted(shell.ctx.data_dir.path)
    shown = shell.recovery_dialog
    assert shown is not None
    assert shown.isVisible()
    assert shown.key_label.text().count("-") >= 4
    shown.done_button.click()
    page = window.sign_in_page
    assert page.username.text() == "admin.bkd"
    assert page.office_label is not None
    assert page.office_label.text() == "BKD Kota Bandung (3273)"
    assert page.sign_in_button.isEnabled()
    sign_in_on_screen(window, "admin.bkd", "rahasia123")
    assert window.stack.currentWidget() is window.workspace
    assert window.isVisible()
    assert window.windowTitle() == "Pendataan Non-ASN — BKD Kota Bandung"
    assert "users" in window.actions_by_key
    assert window.menuBar().isVisible()
    assert window.statusBar().isVisible()
    # "Keluar Akun" returns to the sign-in page of the same window.
    window.actions_by_key["sign_out"].trigger()
    assert window.stack.currentWidget() is page
    assert window.isVisible()
    assert window.actions_by_key == {}
    assert not window.menuBar().isVisible()
    assert page.username.text() == ""
    assert page.password.text() == ""
    assert ended == []
    page.quit_button.click()
    assert ended == [EXIT_OK]


def test_an_office_with_an_admin_goes_straight_to_sign_in(
    shell: Shell, app_ctx: AppContext, admin_user: UserInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    office.initialise(app_ctx, office_code="3273", office_name="BKD Kota Bandung")
    # Signing in as such, not the encryption an admin's sign-in brings to a plain folder
    # (test_gui_convert_at_sign_in.py).
    monkeypatch.setattr("nonasn_desktop.startup.conversion_due", lambda _ctx, _role: False)
    ended: list[int] = []
    shell.finished.connect(ended.append)
    shell.data_ready(app_ctx)
    assert shell.current is shell.window
    sign_in_on_screen(shell.window, "admin", "rahasia123")
    assert shell.window.user is not None
    assert shell.window.user.username == "admin"
    # The next clerk signs in on the same window after "Keluar Akun".
    shell.window.actions_by_key["sign_out"].trigger()
    sign_in_on_screen(shell.window, "admin", "rahasia123")
    assert shell.window.stack.currentWidget() is shell.window.workspace
    shell.window.close()
    assert ended == [EXIT_OK]
    assert users.get_user(app_ctx, "admin").active


def test_cancelling_the_first_start_ends_the_program(shell: Shell, app_ctx: AppContext) -> None:
    ended: list[int] = []
    shell.finished.connect(ended.append)
    shell.data_ready(app_ctx)
    assert isinstance(shell.current, FirstStartDialog)
    shell.current.reject()
    assert ended == [EXIT_OK]
    assert office.get_office(app_ctx) is None


def test_an_encrypted_folder_is_opened_by_signing_in(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A folder made by `nonasn init --admin`: encrypted, nothing opens without a password.
    folder = tmp_path / "data"
    with open_app(folder, create=True) as ctx:
        office.initialise(
            ctx, office_code="3273", office_name="BKD Kota Bandung", admin=("admin", "rahasia123")
        )
    encrypt_new_folder(folder, "admin", "rahasia123")
    recovery_key_seen(folder)  # as `nonasn init` does once it printed the key
    assert is_encrypted(folder)
    seen: list[str] = []

    def sign_in_then_quit() -> None:
        window = _visible_main_window()
        if window is None or not window.sign_in_page.sign_in_button.isEnabled():
            QTimer.singleShot(10, sign_in_then_quit)
            return
        page = window.sign_in_page
        assert not page.ready  # nothing is open yet: the key slot opens the data
        page.username.setText("admin")
        page.password.setText("salah sekali")
        page.submit()
        # argon2id runs off the GUI thread; the page says what it waits for.
        assert page.busy
        seen.append(page.busy_note.text())
        QTimer.singleShot(10, lambda: after_wrong_password(window))

    def after_wrong_password(window: MainWindow) -> None:
        page = window.sign_in_page
        if page.busy:
            QTimer.singleShot(10, lambda: after_wrong_password(window))
            return
        seen.append(page.error.text())
        assert not page.ready
        page.password.setText("rahasia123")
        page.submit()
        QTimer.singleShot(10, lambda: in_the_workspace(window))

    def in_the_workspace(window: MainWindow) -> None:
        if window.stack.currentWidget() is not window.workspace:
            QTimer.singleShot(10, lambda: in_the_workspace(window))
            return
        assert window.sign_in_page.ready
        seen.append(window.windowTitle())
        window.actions_by_key["quit"].trigger()

    QTimer.singleShot(0, sign_in_then_quit)
    assert run_app(folder) == EXIT_OK
    assert "terenkripsi" in seen[0]
    assert "salah" in seen[1]
    assert seen[2].endswith("BKD Kota Bandung")
