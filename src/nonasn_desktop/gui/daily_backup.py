"""The daily automatic backup behind the main window: :class:`DailyBackupRunner` makes the day's
backup at start and then every hour, in the background, whoever is signed in.

Its settings are made in "Cadangan Otomatis Harian…" (``gui/backup_dialogs.py``); the work is
``backup.automatic``'s, off the GUI thread.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal

from nonasn_desktop.backup import automatic as backup_auto
from nonasn_desktop.backup.automatic import AutoBackupResult
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import UserError

from .workers import Task, run_in_background

log = logging.getLogger(__name__)

HOUR_MS = 60 * 60 * 1000


class DailyBackupRunner(QObject):
    """The day's automatic backup: checked at start, then every hour, in the background.

    ``message(text)`` carries what the status bar should say: a backup made, or why it could
    not be (the USB drive not plugged in) — the latter once per distinct reason, not hourly.
    """

    message = Signal(str)
    created = Signal(object)  # AutoBackupResult

    def __init__(
        self, ctx: AppContext, parent: QObject | None = None, *, interval_ms: int = HOUR_MS
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._task: Task | None = None
        self._told: set[str] = set()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check_now)

    def start(self) -> None:
        self.check_now()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        if self._task is not None:
            self._task.cancel()

    @property
    def running(self) -> bool:
        return self._task is not None

    def check_now(self) -> None:
        if self._task is not None:
            return
        ctx = self._ctx
        self._task = run_in_background(
            lambda _task: backup_auto.run_daily_backup_if_due(ctx),
            on_success=self._done,
            on_failure=self._failed,
            on_crash=self._crashed,
            on_finished=self._finished,
        )

    def _finished(self) -> None:
        self._task = None

    def _done(self, result: object) -> None:
        if isinstance(result, AutoBackupResult):
            self._told.clear()
            self.created.emit(result)
            self.message.emit(f"Cadangan otomatis hari ini dibuat: {result.created.path}")

    def _tell_once(self, text: str) -> None:
        if text not in self._told:
            self._told.add(text)
            self.message.emit(text)

    def _failed(self, exc: UserError) -> None:
        # The kind only: the message names folders and may name files.
        log.warning("daily backup not made: %s", type(exc).__name__)
        self._tell_once(f"Cadangan otomatis belum dibuat: {exc}")

    # The task's failure signal hands the exception over; it is already in the log.
    def _crashed(self, exc: BaseException) -> None:  # noqa: ARG002
        # Already logged by the worker; the clerk's work must not be interrupted by it.
        self._tell_once(
            "Cadangan otomatis gagal karena kesalahan tak terduga; rinciannya ada di log."
        )
