"""Run slow work (checking a large photo, importing a roster) off the GUI thread.

``run_in_background(fn, ...)`` runs ``fn(task)`` in Qt's global thread pool and delivers its
result, a UserError or an unexpected error back on the GUI thread through signals. ``fn`` may
call ``task.report(done, total)`` for a progress bar and should poll ``task.cancelled`` to stop
early. The function must not touch widgets, nor the registration flow: it runs on a worker
thread and hands its result back through the signals.

Python's cycle collector never runs on a worker thread: automatic collection is off in the
desktop application and collected on the GUI thread (:mod:`.collector`); a task is never
started before that is so.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from nonasn_desktop.errors import UserError
from nonasn_desktop.gui import collector

log = logging.getLogger(__name__)


class Task(QObject):
    """Handle of one background job; its signals arrive on the GUI thread."""

    progress = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(object)  # a UserError: show its message
    crashed = Signal(object)  # any other exception: a bug, already logged
    finished = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def report(self, done: int, total: int) -> None:
        self.progress.emit(done, total)


_running: dict[Task, QRunnable] = {}


def has_running_tasks() -> bool:
    """Whether a background task started here has not finished yet."""
    return bool(_running)


class _Runnable(QRunnable):
    def __init__(self, task: Task, fn: Callable[[Task], Any]) -> None:
        super().__init__()
        self._task = task
        self._fn = fn

    def run(self) -> None:
        task = self._task
        try:
            result = self._fn(task)
        except UserError as exc:
            task.failed.emit(exc)
        except Exception as exc:  # a bug: logged here, shown as an apology by the receiver
            log.exception("background task failed")
            task.crashed.emit(exc)
        else:
            task.succeeded.emit(result)
        finally:
            task.finished.emit()


def run_in_background(
    fn: Callable[[Task], Any],
    *,
    on_success: Callable[[Any], None] | None = None,
    on_failure: Callable[[UserError], None] | None = None,
    on_crash: Callable[[BaseException], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    on_finished: Callable[[], None] | None = None,
    pool: QThreadPool | None = None,
) -> Task:
    """Start ``fn(task)`` on a worker thread; the callbacks run on the GUI thread."""
    # The application installs the collector at start; anything else that starts a task
    # (a test, an embedding) gets it here, before any worker thread can allocate.
    collector.install(has_running_tasks)
    task = Task()
    for signal, slot in (
        (task.succeeded, on_success),
        (task.failed, on_failure),
        (task.crashed, on_crash),
        (task.progress, on_progress),
        (task.finished, on_finished),
    ):
        if slot is not None:
            signal.connect(slot)
    runnable = _Runnable(task, fn)
    # Both must outlive the caller's reference: a Task collected while its runnable still
    # emits on it crashes the process. They are released once the task has finished.
    _running[task] = runnable
    task.finished.connect(lambda: _running.pop(task, None))
    (pool or QThreadPool.globalInstance()).start(runnable)
    return task
