"""Speed and memory targets, run by ``make bench`` (``python -m benchmarks``).

Each ``bench_*.py`` module defines ``run() -> list[Result]``. Targets are relative to a
baseline measured in the same run where the issue says so (e.g. "at most 3x a bare PySide6
window"), so a slow machine does not turn a pass into a fail.
"""
