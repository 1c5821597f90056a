"""Background tasks: results on the GUI thread, and cycle collection never on a worker thread."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Callable, Iterator

import pytest
from pytestqt.qtbot import QtBot

from nonasn_desktop.errors import UserError
from nonasn_desktop.gui import collector
from nonasn_desktop.gui.workers import Task, has_running_tasks, run_in_background

pytestmark = pytest.mark.gui


class Cycle:
    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def collections() -> Iterator[list[int]]:
    """The thread id of every cycle collection that starts during the test."""
    seen: list[int] = []

    def record(phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            seen.append(threading.get_ident())

    gc.callbacks.append(record)
    yield seen
    gc.callbacks.remove(record)


def _run(qtbot: QtBot, work: Callable[[Task], object]) -> list[object]:
    results: list[object] = []
    done: list[bool] = []
    # Callbacks, not waitSignal: a signal emitted before anyone listens is lost.
    run_in_background(work, on_success=results.append, on_finished=lambda: done.append(True))
    qtbot.waitUntil(lambda: done == [True], timeout=10_000)
    return results


def test_a_task_allocating_cycles_never_collects_on_its_worker_thread(
    qtbot: QtBot, collections: list[int]
) -> None:
    assert gc.isenabled()
    worker: list[int] = []
    threshold = gc.get_threshold()[0]

    def work(_task: Task) -> int:
        worker.append(threading.get_ident())
        # Far past the threshold at which Python's automatic collector would run here.
        garbage = [Cycle() for _ in range(threshold * 20)]
        del garbage
        return 42

    assert _run(qtbot, work) == [42]
    assert len(worker) == 1
    assert worker[0] != threading.get_ident()
    assert worker[0] not in collections
    assert collector.active() is not None
    assert not gc.isenabled()


def test_cycles_are_collected_on_the_gui_thread_by_the_timer(
    qtbot: QtBot, collections: list[int]
) -> None:
    _run(qtbot, lambda _task: None)  # any task installs the collector
    running = collector.active()
    assert running is not None
    before = running.collections
    cycle = Cycle()
    gone = weakref.ref(cycle)
    del cycle
    # Allocations make generation 0 due.
    alive: list[list[int]] = [[] for _ in range(gc.get_threshold()[0] * 2)]
    qtbot.waitUntil(lambda: gone() is None, timeout=10_000)
    assert running.collections > before
    assert set(collections) == {threading.get_ident()}
    del alive


def test_collection_waits_while_a_task_runs(qtbot: QtBot, collections: list[int]) -> None:
    _run(qtbot, lambda _task: None)  # installed (installing collects once)
    collections.clear()
    release = threading.Event()
    started = threading.Event()

    def work(_task: Task) -> None:
        started.set()
        release.wait(10)

    results: list[object] = []
    done: list[bool] = []
    run_in_background(work, on_success=results.append, on_finished=lambda: done.append(True))
    started.wait(10)
    running = collector.active()
    assert running is not None
    alive: list[list[int]] = [[] for _ in range(gc.get_threshold()[0] * 2)]
    running.check()
    running.collect_now()
    assert has_running_tasks()
    assert collections == []
    release.set()
    qtbot.waitUntil(lambda: done == [True], timeout=10_000)
    running.check()
    assert collections
    assert set(collections) == {threading.get_ident()}
    del alive


def test_uninstalling_gives_collection_back_to_python(qtbot: QtBot) -> None:
    _run(qtbot, lambda _task: None)
    assert not gc.isenabled()
    collector.uninstall()
    assert collector.active() is None
    assert gc.isenabled()


def test_a_user_error_reaches_the_failure_callback(qtbot: QtBot) -> None:
    def work(_task: Task) -> None:
        raise UserError("Berkas tidak dapat dibaca.")

    failures: list[UserError] = []
    done: list[bool] = []
    run_in_background(work, on_failure=failures.append, on_finished=lambda: done.append(True))
    qtbot.waitUntil(lambda: done == [True], timeout=10_000)
    assert failures[0].message == "Berkas tidak dapat dibaca."
