"""Bulk jobs: Python's cyclic garbage collector paused while one runs.

A roster import keeps 100,000 rows alive and a recap allocates millions of short-lived cells;
every automatic collection would walk all of them again for nothing (they hold no reference
cycles). In the GUI the collector is off anyway and runs on the GUI thread only
(gui/collector.py); on the command line this pause is what keeps a bulk job fast.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a bulk job.

    A roster import keeps 100,000 rows alive: every automatic collection would walk all of
    them again, a third of the import's time for nothing (the rows hold no reference cycles);
    an export allocates millions of short-lived cells. Reference counting still frees
    everything as usual; the collector is back afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
