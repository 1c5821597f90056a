"""Writing files so that a crash or a full disk never leaves a half-written one.

The one pattern every writer of the application uses: write a temporary file in the same
folder, flush and fsync it, rename it over the final name (atomic on POSIX and NTFS), then
fsync the folder so the rename itself survives a power cut. What the application writes holds
personal data, so the file is made readable by its owner only (0600 on POSIX).

:func:`atomic_write` and :func:`write_bytes_atomically` cover one file; :class:`AtomicFile`
lets a caller finish several files first and rename them later, together (a batch's three
files are installed inside the database transaction that marks the records exported).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

# Owner only. On Windows, os.chmod can only set the read-only flag: there the data folder lives
# in the user's own profile (%LOCALAPPDATA%), whose access list already admits only that user
# (and administrators), so no mode is applied.
PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


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


def _create(temp: Path, mode: int) -> int:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    handle = os.open(temp, flags, mode)
    if os.name == "posix":
        # The umask may have taken bits away (or a caller asked for more than 0600).
        os.fchmod(handle, mode)
    return handle


class AtomicFile:
    """A file written under a temporary name beside ``path`` and renamed into place when complete.

    ``temp``: a fixed temporary name (in the same folder) instead of a unique one, for writers
    that clean up leftovers of a killed process by name; it must not exist.
    ``mode``: the file's permissions on POSIX (owner only unless a caller says otherwise).
    Write to :attr:`stream`; then :meth:`install` (or :meth:`finish` now and :meth:`install`
    later), or :meth:`discard` on failure. Raises OSError.
    """

    def __init__(
        self, path: Path, *, temp: Path | None = None, mode: int = PRIVATE_FILE_MODE
    ) -> None:
        self.path = Path(path)
        folder = self.path.parent if str(self.path.parent) else Path()
        if temp is None:
            handle, name = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=folder)
            if os.name == "posix":
                os.fchmod(handle, mode)
            self.temp = Path(name)
        else:
            self.temp = Path(temp)
            handle = _create(self.temp, mode)
        self.stream: BinaryIO = os.fdopen(handle, "w+b")
        self._finished = False

    def finish(self) -> None:
        """Flush and fsync the temporary file and close it (once)."""
        if self._finished:
            return
        try:
            self.stream.flush()
            os.fsync(self.stream.fileno())
        finally:
            self.stream.close()
        self._finished = True

    def install(self, path: Path | None = None, *, sync_folder: bool = True) -> Path:
        """Finish, then rename over ``path`` (default: the path given at creation), which must
        be on the same disk; ``sync_folder=False`` leaves the folder's fsync to the caller (one
        for several files)."""
        self.finish()
        target = Path(path) if path is not None else self.path
        self.temp.replace(target)
        if sync_folder:
            fsync_dir(target.parent if str(target.parent) else Path())
        return target

    def discard(self) -> None:
        """Close and remove the temporary file; never raises."""
        with contextlib.suppress(OSError, ValueError):
            self.stream.close()
        with contextlib.suppress(OSError):
            self.temp.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_write(
    path: Path, *, temp: Path | None = None, mode: int = PRIVATE_FILE_MODE
) -> Iterator[BinaryIO]:
    """``with atomic_write(path) as stream:`` ``path`` ends up either complete or as it was."""
    pending = AtomicFile(path, temp=temp, mode=mode)
    try:
        yield pending.stream
        pending.install()
    except BaseException:
        pending.discard()
        raise


def write_bytes_atomically(path: Path, data: bytes, *, mode: int = PRIVATE_FILE_MODE) -> None:
    """``path`` ends up either the complete new content or as it was. Raises OSError."""
    with atomic_write(path, mode=mode) as stream:
        stream.write(data)


def make_private(path: Path) -> None:
    """Owner-only permissions for an existing file or folder (POSIX; nothing on Windows).

    A symbolic link is left alone: its target may be anywhere, and is not ours to change.
    """
    if os.name != "posix" or path.is_symlink():
        return
    path.chmod(PRIVATE_DIR_MODE if path.is_dir() else PRIVATE_FILE_MODE)
