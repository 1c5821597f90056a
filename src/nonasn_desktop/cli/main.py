"""The ``nonasn`` command: entry point, global options and the top-level error boundary.

Exit codes: 0 success, 1 the input or the data failed a check (the reason is on stderr),
2 usage error, 70 a bug (logged; the user gets an apology, never a traceback), 130 cancelled.
"""

from __future__ import annotations

import logging
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from nonasn_desktop import __version__
from nonasn_desktop.applog import setup_logging
from nonasn_desktop.cli import backup_cmd, cards_cmd, check_cmd, demo_cmd, gui_cmd, init_cmd
from nonasn_desktop.cli.argparse_id import USAGE_ERROR, ArgumentParser, UsageError
from nonasn_desktop.errors import UserError

EXIT_FAILED = 1
EXIT_BUG = 70
EXIT_CANCELLED = 130

log = logging.getLogger("nonasn_desktop.cli")


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="nonasn",
        description="Pendataan Tenaga Non-ASN (luring) untuk BKD.",
    )
    parser.add_argument("--version", action="version", version=f"nonasn {__version__}")
    gui_cmd.add_data_dir_option(parser, top_level=True)
    commands = parser.add_subparsers(
        dest="command", metavar="PERINTAH", parser_class=ArgumentParser
    )
    gui_cmd.register(commands)
    init_cmd.register(commands)
    check_cmd.register(commands)
    demo_cmd.register(commands)
    cards_cmd.register(commands)
    backup_cmd.register(commands)
    parser.set_defaults(handler=gui_cmd.run)
    return parser


def _log_dir_for_bugs() -> Path:
    try:
        from nonasn_desktop.storage.datadir import resolve_data_dir

        return resolve_data_dir(None) / "logs"
    except Exception:  # whatever broke, the bug report still needs a home
        return Path(tempfile.gettempdir()) / "nonasn-logs"


def main(argv: Sequence[str] | None = None) -> int:
    # A Windows console or a redirected stream may not encode every character; a message
    # with a replaced character is better than a crash while reporting.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except UsageError as exc:
        parser.print_usage(sys.stderr)
        print(f"nonasn: kesalahan: {exc}", file=sys.stderr)
        return USAGE_ERROR
    except UserError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("Dibatalkan.", file=sys.stderr)
        return EXIT_CANCELLED
    except BrokenPipeError:
        # The reader of our output went away (e.g. `nonasn ... | head`): nothing to report.
        return 0
    except Exception:
        log_file = setup_logging(_log_dir_for_bugs())
        log.exception("unexpected error in nonasn %s", " ".join(sys.argv[1:]))
        where = f" Rinciannya dicatat di {log_file}." if log_file else ""
        print(
            "Terjadi kesalahan tak terduga di dalam aplikasi; data yang sudah tersimpan aman."
            f"{where} Mohon laporkan kepada petugas TI.",
            file=sys.stderr,
        )
        return EXIT_BUG
