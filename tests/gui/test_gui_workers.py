"""Background tasks: results on the GUI thread, and no cycle collection on worker threads."""

from __future__ import annotations

import gc

import pytest
from pytestqt.qtbot import QtBot

from nonasn_desktop.errors import UserError
from nonasn_desktop.gui.workers import Task, run_in_background

pytestmark = pytest.mark.gui


def test_cycle_collection_is_off_while_a_task_runs_and_back_after(qtbot: QtBot) -> None:
    assert gc.isenabled()
    seen: list[bool] = []

    def work(_task: Task) -> int:
        seen.append(gc.isenabled())
        return 42

    results: list[object] = []
    done: list[bool] = []
    # Callbacks, not waitSignal: a signal emitted before anyone listens is lost.
    run_in_background(work, on_success=results.append, on_finished=lambda: done.append(True))
    qtbot.waitUntil(lambda: done == [True], timeout=10_000)
    assert results == [42]
    assert seen == [False]
    assert gc.isenabled()


def test_a_user_error_reaches_the_failure_callback(qtbot: QtBot) -> None:
    def work(_task: Task) -> None:
        raise UserError("Berkas tidak dapat dibaca.")

    failures: list[UserError] = []
    done: list[bool] = []
    run_in_background(work, on_failure=failures.append, on_finished=lambda: done.append(True))
    qtbot.waitUntil(lambda: done == [True], timeout=10_000)
    assert failures[0].message == "Berkas tidak dapat dibaca."
    assert gc.isenabled()
