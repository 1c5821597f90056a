"""The command line's one progress printer: "<phase>:  42%" on standard error, on a terminal."""

from __future__ import annotations

import sys
from typing import TextIO

from nonasn_desktop.core.progress import Progress, ProgressStep


def progress_printer(stream: TextIO | None = None) -> Progress | None:
    """A :data:`Progress` callback that rewrites one line per phase, or None when the stream
    is not a terminal (scripts and logs get no carriage-return noise)."""
    out = stream if stream is not None else sys.stderr
    if not out.isatty():
        return None
    shown: dict[str, int] = {}
    line_open = [False]

    def show(step: ProgressStep) -> None:
        percent = step.percent
        if shown.get(step.phase) == percent:
            return
        if step.phase not in shown and line_open[0]:
            # A new phase starts on a line of its own.
            print(file=out)
        shown[step.phase] = percent
        print(f"\r{step.phase}: {percent:3d}%", end="", file=out, flush=True)
        line_open[0] = percent < 100
        if not line_open[0]:
            print(file=out, flush=True)

    return show
