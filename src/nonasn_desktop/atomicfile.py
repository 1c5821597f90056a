"""Writing files so that a crash or a full disk never leaves a half-written one.

The pattern: write a temporary file in the same folder, flush and fsync it, rename it over the
final name (atomic on POSIX and NTFS), then fsync the folder so the rename itself survives a
power cut.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def fsync_dir(folder: Path) -> None:
    """Make renames in ``folder`` durable. POSIX only: Windows cannot open a folder, and NTFS
    journals the rename itself."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_bytes_atomically(path: Path, data: bytes) -> None:
    """``path`` ends up either the complete new content or as it was. Raises OSError."""
    folder = path.parent if str(path.parent) else Path()
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    temp = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        temp.replace(path)
        fsync_dir(folder)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
