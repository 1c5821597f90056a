"""``nonasn self-test``: check that this installation works on this computer.

One line per check, ``[OK] …`` or ``[GAGAL] … (reason)``; exit 0 when all pass, 1 otherwise.
Runs in a temporary folder; the data folder is not touched. Without a display (a server, CI) Qt
runs offscreen; ``--offscreen`` forces that on a desktop too (no window flashes up).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
from pathlib import Path
from typing import Any

from nonasn_desktop import __version__
from nonasn_desktop.applog import current_log_file, setup_logging, stop_logging
from nonasn_desktop.cli.argparse_id import ArgumentParser
from nonasn_desktop.selftest import Check, core_checks, run_selftest

QT_CHECK_NAME = "Jendela Qt"


def register(commands: Any) -> None:
    parser: ArgumentParser = commands.add_parser(
        "self-test", help="uji mandiri: periksa apakah aplikasi berjalan baik di komputer ini"
    )
    parser.add_argument(
        "--offscreen", action="store_true", help="jangan menampilkan jendela di layar"
    )
    parser.set_defaults(handler=run)


def has_display() -> bool:
    """Whether Qt can show windows here: always on Windows and macOS, X11/Wayland elsewhere."""
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def choose_qt_platform(*, offscreen: bool) -> None:
    """Set QT_QPA_PLATFORM before Qt starts: offscreen when asked or when there is no display."""
    if offscreen:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    elif not has_display():
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _qt_window(scratch: Path) -> str:
    # Imported here: a missing Qt library is then a failed check, not a crash of the test.
    from nonasn_desktop.gui.selftest_window import check_qt_window

    return check_qt_window(scratch)


def all_checks() -> list[tuple[str, Check]]:
    return [*core_checks(), (QT_CHECK_NAME, _qt_window)]


def run(args: argparse.Namespace) -> int:
    choose_qt_platform(offscreen=args.offscreen)
    # Details of a failure go to a log file, not between the lines of the report: the data
    # folder's log when the command line opened it, else one in the temporary folder.
    own_log = None
    log_file = current_log_file()
    if log_file is None:
        log_file = own_log = setup_logging(Path(tempfile.gettempdir()) / "nonasn-logs")
    try:
        return _run(args, log_file)
    finally:
        if own_log is not None:
            stop_logging(own_log)


# A command handler's signature; the self-test takes no options from ``args``.
def _run(args: argparse.Namespace, log_file: Path | None) -> int:  # noqa: ARG001
    frozen = " (paket siap pakai)" if getattr(sys, "frozen", False) else ""
    print(
        f"Uji mandiri nonasn {__version__}{frozen}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}".rstrip()
    )
    report = run_selftest(all_checks(), on_result=lambda result: print(result.line(), flush=True))
    print(report.summary())
    if not report.ok and log_file is not None:
        print(f"Rincian kegagalan dicatat di {log_file}.")
    return 0 if report.ok else 1
