"""A benchmark's child process: its own peak resident memory, and how it is started so that it
can import this module.

The import, export and roster benchmarks each run the operation they measure in a fresh Python
process (``python -c <script>``) that reports its figures as one line of JSON; the peak memory
among them is read here, the same way for all three.
"""

from __future__ import annotations

import os
import resource
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def peak_kib() -> int:
    """This process's peak resident memory in KiB.

    Linux: ``VmHWM`` of /proc/self/status, because getrusage's ``ru_maxrss`` there carries the
    parent's high-water mark over fork and exec (the benchmark process may already hold a
    100,000-row recap). Elsewhere: ``ru_maxrss``.
    """
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        with Path("/proc/self/status").open(encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    peak = int(line.split()[1])
    except OSError:
        pass
    return peak


def child_env() -> dict[str, str]:
    """The environment of a child script: no bytecode written, and the repository's root on
    the path so that ``from benchmarks.peak_memory import peak_kib`` works from any folder."""
    path = os.environ.get("PYTHONPATH")
    return {
        **os.environ,
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONPATH": str(ROOT) + (os.pathsep + path if path else ""),
    }
