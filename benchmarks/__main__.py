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


def _modules(only: list[str]) -> list[str]:
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
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


def main(argv: list[str]) -> int:
    results: list[Result] = []
    broken = 0
    for name in _modules(argv):
        print(f"== {name}", file=sys.stderr, flush=True)
        try:
            module = importlib.import_module(f"benchmarks.{name}")
            results.extend(module.run())
        except Exception:
            broken += 1
            traceback.print_exc()
            results.append(Result(name, "(runs)", "error", None, False))
    print()
    _print(results)
    failed = sum(1 for r in results if r.passed is False)
    print(f"\n{len(results)} figures, {failed} failed")
    return 1 if failed or broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
