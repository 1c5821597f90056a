"""Run every benchmark and print one table: figure, target, measured, ratio, pass/fail."""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import traceback
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Imported after the Qt platform is set (the benchmark modules may import Qt).
from benchmarks.harness import Result

HERE = Path(__file__).parent


def _modules(only: list[str], folder: Path = HERE) -> list[str]:
    names = sorted(
        m.name for m in pkgutil.iter_modules([str(folder)]) if m.name.startswith("bench_")
    )
    return [n for n in names if not only or any(o in n for o in only)]


def _print(results: list[Result]) -> None:
    headers = ("figure", "target", "measured", "ratio", "result")
    rows = [
        (
            r.figure,
            r.target,
            r.measured,
            "" if r.ratio is None else f"{r.ratio:.2f}",
            "-" if r.passed is None else ("PASS" if r.passed else "FAIL"),
        )
        for r in results
    ]
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows, strict=False)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    print(line)
    print("-" * len(line))
    for row in rows:
        print("  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)))


def collect(only: list[str], *, package: str = "benchmarks", folder: Path = HERE) -> list[Result]:
    """Every figure of every ``bench_*`` module (whose name contains one of ``only``, if any).

    A module that fails, or reports nothing, still gets a (failed) row: the table accounts
    for every module.
    """
    results: list[Result] = []
    for name in _modules(only, folder):
        print(f"== {name}", file=sys.stderr, flush=True)
        try:
            module = importlib.import_module(f"{package}.{name}")
            figures = list(module.run())
        except Exception:
            traceback.print_exc()
            results.append(Result(name, "(runs)", "error", None, False))
            continue
        if not figures:
            results.append(Result(name, "(reports figures)", "nothing reported", None, False))
        for figure in figures:
            if not isinstance(figure, Result):
                results.append(Result(name, "(returns Result)", repr(figure)[:40], None, False))
            else:
                results.append(figure)
    return results


def main(argv: list[str], *, package: str = "benchmarks", folder: Path = HERE) -> int:
    results = collect(argv, package=package, folder=folder)
    print()
    _print(results)
    failed = sum(1 for r in results if r.passed is False)
    print(f"\n{len(results)} figures, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
