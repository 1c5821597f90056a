"""Application log: a rotating file in the data folder, with identity numbers masked.

A lost laptop must not leak NIKs through its log files, so every 16-digit run of digits
(NIK, Nomor KK) is masked before a record is written, whatever logged it.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

LOG_FILE_NAME = "nonasn.log"
_SIXTEEN_DIGITS = re.compile(r"(?<!\d)(\d{4})\d{8}(\d{4})(?!\d)")


def mask_identity_numbers(text: str) -> str:
    """3171015708850003 → 3171********0003: enough to tell records apart, not to misuse."""
    return _SIXTEEN_DIGITS.sub(r"\1********\2", text)


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
