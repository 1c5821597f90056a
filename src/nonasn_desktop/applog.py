"""Application log: a rotating file in the data folder, with identity numbers masked.

A lost laptop must not leak NIKs through its log files, so every 16-digit number (NIK, Nomor
KK), also as people type it with spaces, dots or dashes between the digits, is masked before a
record is written, whatever logged it (a message, an argument list, a traceback).
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


class MaskingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return mask_identity_numbers(super().format(record))


def setup_logging(logs_dir: Path, *, level: int = logging.INFO) -> Path | None:
    """Log to ``logs_dir``/nonasn.log (5 × 1 MB). Returns the file, or None if unwritable."""
    root = logging.getLogger("nonasn_desktop")
    root.setLevel(level)
    path = logs_dir / LOG_FILE_NAME
    for handler in root.handlers:
        if isinstance(handler, logging.FileHandler) and Path(handler.baseFilename) == path:
            return path
    try:
        logs_dir.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=1_000_000, backupCount=5, encoding="utf-8"
        )
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
