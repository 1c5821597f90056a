"""One progress and cancellation protocol for every long operation.

A long operation (roster import, recap, batch export, backup, print run, demo data) takes two
optional callables: ``progress``, called with a :class:`ProgressStep` now and then, and
``cancelled``, asked between units of work. When ``cancelled()`` turns true the operation stops,
undoes what it started and raises its own subclass of :class:`OperationCancelledError`, whose
message says in Indonesian what was left unchanged. The GUI connects both to a progress dialog
with "Batal"; the command line prints with :func:`nonasn_desktop.cli.progress.progress_printer`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from nonasn_desktop.errors import UserError


@dataclass(frozen=True)
class ProgressStep:
    """``done`` of ``total`` units (rows, records, bytes) in the phase named by ``phase``.

    ``phase`` is shown to the clerk as it is ("Membaca dan memeriksa"); an operation with one
    phase still names it.
    """

    phase: str
    done: int
    total: int

    @property
    def percent(self) -> int:
        """0 to 100; a phase of unknown or zero size counts as complete."""
        if self.total <= 0:
            return 100
        return max(0, min(100, 100 * self.done // self.total))


Progress = Callable[[ProgressStep], None]
Cancelled = Callable[[], bool]


def never_cancelled() -> bool:
    return False


class OperationCancelledError(UserError):
    """The clerk cancelled a long operation; the message says what stayed as it was."""
