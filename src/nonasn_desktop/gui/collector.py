"""Python's cycle collector in the desktop application: only ever on the GUI thread.

CPython runs its automatic cycle collection on whichever thread happens to allocate when a
generation's threshold is crossed. On a worker thread (a roster import, a document check) that
collection may finalise Qt objects of the GUI thread caught in a reference cycle (a closed
window, a dialog's lambdas) and crash the whole process. So, as Anki does (``aqt``: automatic
collection disabled at start, ``gc.collect()`` from a ``QTimer`` of the main window and after a
window closes), the application switches automatic collection off once, at start, and
:class:`GuiCollector` collects from a timer of the GUI thread instead:

- every :data:`CHECK_INTERVAL_MS` it compares :func:`gc.get_count` with the interpreter's own
  thresholds and collects the generations that are due, as the automatic collector would, but
  on the GUI thread;
- while a background task runs it waits (the task's bulk data is not walked again and again,
  as a bulk job's ``gc_paused`` intends; cycles wait a few seconds longer);
- :func:`collect_soon` runs a full collection shortly after a large window closed;
- :meth:`GuiCollector.freeze_startup` moves everything alive after start-up (modules, the
  policy, SQLAlchemy's metadata) into the permanent generation, so later full collections
  never walk it again (:func:`gc.freeze`).

The command line never installs this: it keeps Python's default collector. Nothing here
changes the collector from a worker thread.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer

log = logging.getLogger(__name__)

# How often the timer looks at the allocation counts (reading them costs nothing).
CHECK_INTERVAL_MS = 1000
# A full collection this long after a window closed (its widgets are deleted by then).
AFTER_CLOSE_MS = 1000


def _on_gui_thread() -> bool:
    app = QCoreApplication.instance()
    return app is not None and QThread.currentThread() is app.thread()


class GuiCollector(QObject):
    """Cycle collection on the GUI thread's timer (see the module docstring).

    ``busy()`` says whether background tasks run (collection then waits). Create it on the GUI
    thread with :func:`install`, which also switches automatic collection off.
    """

    def __init__(self, busy: Callable[[], bool], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._busy = busy
        self._thresholds = gc.get_threshold()
        self._was_enabled = gc.isenabled()
        self._frozen = False
        self.collections = 0
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_INTERVAL_MS)
        self._timer.timeout.connect(self.check)
        self._after_close = QTimer(self)
        self._after_close.setSingleShot(True)
        self._after_close.setInterval(AFTER_CLOSE_MS)
        self._after_close.timeout.connect(self.collect_now)

    def start(self) -> None:
        gc.collect()
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        """Back to Python's own collector as it was before :meth:`start`."""
        self._timer.stop()
        self._after_close.stop()
        if self._frozen:
            gc.unfreeze()
            self._frozen = False
        if self._was_enabled:
            gc.enable()

    def check(self) -> None:
        """Collect the generations that are due by the interpreter's thresholds."""
        if self._busy():
            return
        count0, count1, count2 = gc.get_count()
        threshold0, threshold1, threshold2 = self._thresholds
        if count0 <= threshold0:
            return
        generation = 0
        if count1 > threshold1:
            generation = 2 if count2 > threshold2 else 1
        self._collect(generation)

    def collect_now(self) -> None:
        """A full collection now (on the GUI thread), unless background tasks run."""
        if self._busy():
            self._after_close.start()  # try again a little later
            return
        self._collect(2)

    def collect_soon(self) -> None:
        self._after_close.start()

    def freeze_startup(self) -> None:
        """Everything alive now (start-up's objects) is never collected again."""
        gc.collect()
        gc.freeze()
        self._frozen = True

    def _collect(self, generation: int) -> None:
        # A collection must never run off the GUI thread: that is the point of this class.
        if not _on_gui_thread():
            raise RuntimeError("cycle collection requested off the GUI thread")
        gc.collect(generation)
        self.collections += 1


_active: GuiCollector | None = None


def install(busy: Callable[[], bool]) -> GuiCollector:
    """Switch automatic collection off and collect on the GUI thread's timer; idempotent.

    Call on the GUI thread once a QCoreApplication exists (the collector is its child).
    """
    global _active
    if _active is not None:
        return _active
    if not _on_gui_thread():
        raise RuntimeError("the cycle collector must be installed on the GUI thread")
    collector = GuiCollector(busy, QCoreApplication.instance())
    collector.start()
    _active = collector
    log.debug("automatic cycle collection off; collected on the GUI thread")
    return collector


def uninstall() -> None:
    """Give collection back to Python (the application ended, or a test is over)."""
    global _active
    collector, _active = _active, None
    if collector is None:
        return
    collector.stop()
    collector.deleteLater()


def active() -> GuiCollector | None:
    return _active


def collect_soon() -> None:
    """A full collection shortly, e.g. after a large window closed (as Anki does)."""
    if _active is not None:
        _active.collect_soon()
