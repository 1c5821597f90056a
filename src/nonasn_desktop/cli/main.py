"""The ``nonasn`` command: entry point, global options and the top-level error boundary.

Exit codes: 0 success, 1 the input or the data failed a check (the reason is on stderr),
2 usage error, 70 a bug (logged; the user gets an apology, never a traceback), 130 cancelled.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from nonasn_desktop import __version__
from nonasn_desktop.applog import setup_logging, stop_logging
from nonasn_desktop.cli import (
    backup_cmd,
    batch_cmd,
    cards_cmd,
    central_cmd,
    check_cmd,
    demo_cmd,
    device_cmd,
    gui_cmd,
    init_cmd,
    keys_cmd,
    recover_cmd,
    report_cmd,
    roster_cmd,
    selftest_cmd,
    transfer_cmd,
)
from nonasn_desktop.cli.argparse_id import USAGE_ERROR, ArgumentParser, UsageError
from nonasn_desktop.cli.common import data_dir_of
from nonasn_desktop.errors import UserError
from nonasn_desktop.storage.datadir import environment_reason, resolve_data_dir

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
    roster_cmd.register(commands)
    report_cmd.register(commands)
    keys_cmd.register(commands)
    device_cmd.register(commands)
    transfer_cmd.register(commands)
    recover_cmd.register(commands)
    batch_cmd.register(commands)
    central_cmd.register(commands)
    cards_cmd.register(commands)
    backup_cmd.register(commands)
    selftest_cmd.register(commands)
    parser.set_defaults(handler=gui_cmd.run)
    return parser


def _data_logs_dir(args: argparse.Namespace) -> Path | None:
    """logs/ of the data folder in use, when that folder exists (never made just to log)."""
    try:
        folder = resolve_data_dir(data_dir_of(args))
        return folder / "logs" if folder.is_dir() else None
    except Exception:  # logging must never stop a command
        return None


def _open_bug_log(args: argparse.Namespace) -> Path | None:
    """A log file for a bug report: the data folder's, else one in the temporary folder."""
    # Whatever broke (a read-only data folder included), the bug report still needs a home.
    logs = _data_logs_dir(args)
    opened = setup_logging(logs) if logs is not None else None
    return opened or setup_logging(Path(tempfile.gettempdir()) / "nonasn-logs")


def _command_words(args: argparse.Namespace) -> str:
    """``central ingest``: which command ran, without its values.

    The arguments themselves are never logged: they hold NIKs, names (of people, offices and
    files) and paths that may name people.
    """
    words = [str(args.command)] if getattr(args, "command", None) else ["gui"]
    for name, value in sorted(vars(args).items()):
        is_subcommand = name == "check" or name.endswith(("_command", "_action"))
        if is_subcommand and isinstance(value, str):
            words.append(value)
    return " ".join(words)


def _environment_message(exc: OSError) -> str | None:
    # Failures of the machine rather than of the program: a read-only, full, vanished or
    # forbidden place. Whatever operation met one and did not say so itself, the user gets the
    # reason and exit 1 (not the apology for a bug).
    reason = environment_reason(exc)
    if reason is None:
        return None
    where = f" ({exc.filename})" if exc.filename else ""
    return (
        f"Perintah tidak dapat diselesaikan: {reason}{where}. Data yang sudah tersimpan tidak "
        "berubah. Periksa folder data atau folder tujuan (izin, ruang kosong, diska terpasang "
        "dan tidak terkunci), lalu ulangi."
    )


def main(argv: Sequence[str] | None = None) -> int:
    # A Windows console or a redirected stream may not encode every character; a message
    # with a replaced character is better than a crash while reporting.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
    parser = build_parser()
    args = parser.parse_args(argv)
    command = _command_words(args)
    # Every command that works on an existing data folder logs into its logs/ folder (NIK and
    # KK masked by applog); the GUI keeps logging there too.
    logs = _data_logs_dir(args)
    opened = [setup_logging(logs)] if logs is not None else []
    log.info("nonasn %s: %s", __version__, command)
    try:
        return int(args.handler(args))
    except UsageError as exc:
        parser.print_usage(sys.stderr)
        print(f"nonasn: kesalahan: {exc}", file=sys.stderr)
        return USAGE_ERROR
    except UserError as exc:
        # The kind of refusal only: its message may quote what was typed (a name, a number).
        log.info("refused: %s", type(exc).__name__)
        print(str(exc), file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("Dibatalkan.", file=sys.stderr)
        return EXIT_CANCELLED
    except BrokenPipeError:
        # The reader of our output went away (e.g. `nonasn ... | head`): nothing to report.
        return 0
    except OSError as exc:
        message = _environment_message(exc)
        if message is None:
            return _report_bug(args, command, opened)
        log.warning("environment refused: %s errno %s", type(exc).__name__, exc.errno)
        print(message, file=sys.stderr)
        return EXIT_FAILED
    except Exception:
        return _report_bug(args, command, opened)
    finally:
        for path in {path for path in opened if path is not None}:
            stop_logging(path)


def _report_bug(args: argparse.Namespace, command: str, opened: list[Path | None]) -> int:
    """Log the exception being handled and apologise; exit code 70."""
    bug_log = _open_bug_log(args)
    opened.append(bug_log)
    log.exception("unexpected error in nonasn %s", command)
    where = f" Rinciannya dicatat di {bug_log}." if bug_log else ""
    print(
        "Terjadi kesalahan tak terduga di dalam aplikasi; data yang sudah tersimpan aman."
        f"{where} Mohon laporkan kepada petugas TI.",
        file=sys.stderr,
    )
    return EXIT_BUG
