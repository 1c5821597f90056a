"""Application log: a rotating file in the data folder, with identity and phone numbers masked.

A lost laptop must not leak personal data through its log files. The first rule is at the call
sites: nothing logs a record's values (names, addresses, document contents, typed arguments),
only what happened and to which kind of thing. As a second line, every 16-digit number (NIK,
Nomor KK) and every phone-number-like run (``0812-3456-7890``, ``+62 812…``, ``(022) 1234567``)
is masked before a line is written, whatever logged it (a message, a traceback).

Logging never disturbs the user: a log file that cannot be opened or written (read-only or full
disk) is skipped silently, and nothing is ever printed to the console in its place.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

LOG_FILE_NAME = "nonasn.log"
# Sixteen digits, each optionally followed by one separator ("3171 0157 0885 0003").
_SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d(?:[ .\-]?\d){15}(?!\d)")


def _mask(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group())
    return f"{digits[:4]}********{digits[-4:]}"


def mask_identity_numbers(text: str) -> str:
    """3171015708850003 → 3171********0003: enough to tell records apart, not to misuse."""
    return _SIXTEEN_DIGITS.sub(_mask, text)


# An Indonesian phone number: "0", "62" or "+62", then 8 to 13 more digits, each optionally after
# a space, dot, dash or bracket ("0812-3456-7890", "+62 812 3456 7890", "(022) 1234567"). Dates
# and times ("2026-01-05 08:00:00") do not start with 0/62 followed by eight digits.
_PHONE = re.compile(r"(?<![\w+])(?:\+62|62|0)(?:[ .\-()]{0,2}\d){8,13}(?!\w)")


def _mask_phone(match: re.Match[str]) -> str:
    text = match.group()
    digits = re.sub(r"\D", "", text)
    prefix = "+" if text.startswith("+") else ""
    return f"{prefix}{digits[:2]}{'*' * (len(digits) - 4)}{digits[-2:]}"


def mask_personal_numbers(text: str) -> str:
    """Identity numbers as :func:`mask_identity_numbers`; phone numbers to their first and
    last two digits (081234567890 → 08********90)."""
    return _PHONE.sub(_mask_phone, mask_identity_numbers(text))


class MaskingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return mask_personal_numbers(super().format(record))


class _QuietFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log file whose write or rotation failures are dropped silently.

    The standard handler prints "--- Logging error ---" and a traceback to stderr when a write
    fails (a full disk, a stick pulled out): a clerk or a script would see noise, and a command
    would seem to have failed. Losing a log line is the lesser harm.
    """

    # logging's name and signature: N802, ARG002.
    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802, ARG002
        return None


def _quiet_root() -> logging.Logger:
    root = logging.getLogger("nonasn_desktop")
    # Without any handler, Python's last-resort handler would print warnings and tracebacks to
    # stderr whenever no log file could be opened; a NullHandler keeps the console clean.
    if not any(isinstance(handler, logging.NullHandler) for handler in root.handlers):
        root.addHandler(logging.NullHandler())
    return root


def setup_logging(logs_dir: Path, *, level: int = logging.INFO) -> Path | None:
    """Log to ``logs_dir``/nonasn.log (5 × 1 MB). Returns the file, or None if unwritable."""
    root = _quiet_root()
    root.setLevel(level)
    path = logs_dir / LOG_FILE_NAME
    for handler in root.handlers:
        if isinstance(handler, logging.FileHandler) and Path(handler.baseFilename) == path:
            return path
    try:
        logs_dir.mkdir(parents=True, exist_ok=True)
        handler = _QuietFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    except OSError:
        # Logging must never stop a clerk from working (read-only or full disk).
        return None
    handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    return path


def stop_logging(path: Path) -> None:
    """Close the log file ``path`` opened by :func:`setup_logging` (if it is open)."""
    root = logging.getLogger("nonasn_desktop")
    for handler in list(root.handlers):
        if isinstance(handler, logging.FileHandler) and Path(handler.baseFilename) == path:
            root.removeHandler(handler)
            handler.close()


def current_log_file() -> Path | None:
    """The file the application logs to now, if any."""
    for handler in logging.getLogger("nonasn_desktop").handlers:
        if isinstance(handler, logging.FileHandler):
            return Path(handler.baseFilename)
    return None
