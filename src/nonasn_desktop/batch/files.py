"""The files of a batch on disk: the output folder, ``.partial`` files and their installation.

Every file of a batch is first written under a temporary name (``.<name>.partial``), flushed
and fsync'd; only when all three are complete are they renamed into place, the signature last.
A ``.partial`` file left by an export that died is removed by the next export into the folder.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from nonasn_desktop.atomicfile import AtomicFile, fsync_dir
from nonasn_desktop.central import format as fmt
from nonasn_desktop.errors import StorageError

PARTIAL_SUFFIX = ".partial"
# A .partial file untouched this long belongs to an export that died; a running export
# writes to its file continuously.
STALE_PARTIAL_SECONDS = 300


def partial_path(folder: Path, name: str) -> Path:
    return folder / f".{name}{PARTIAL_SUFFIX}"


def clean_stale_partials(folder: Path, *, now: float | None = None) -> int:
    """Remove ``.nonasn-*.partial`` files left by exports that died; returns how many."""
    current = time.time() if now is None else now
    removed = 0
    try:
        candidates = list(Path(folder).glob(f".{fmt.FILE_PREFIX}-*{PARTIAL_SUFFIX}"))
    except OSError:
        return 0
    for path in candidates:
        with contextlib.suppress(OSError):
            if current - path.stat().st_mtime >= STALE_PARTIAL_SECONDS:
                path.unlink()
                removed += 1
    return removed


def prepare_folder(out_dir: Path) -> Path:
    folder = Path(out_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(
            f"Folder tujuan {folder} tidak dapat dibuat ({exc.strerror}).",
            hint="Pilih folder lain, atau periksa apakah diska USB terpasang dan dapat ditulis.",
        ) from None
    if not folder.is_dir():
        raise StorageError(f"{folder} bukan folder.", hint="Pilih folder tujuan yang lain.")
    return folder


def write_error(folder: Path, exc: OSError) -> StorageError:
    if exc.errno == 28:  # ENOSPC
        return StorageError(
            f"Ruang di {folder} tidak cukup untuk berkas batch.",
            hint="Kosongkan ruang atau pilih diska lain; tidak ada data yang ditandai diekspor.",
        )
    return StorageError(
        f"Berkas batch tidak dapat ditulis ke {folder} ({exc.strerror}).",
        hint="Periksa folder tujuan (izin, diska USB terpasang); tidak ada data yang ditandai "
        "diekspor.",
    )


@dataclass
class Written:
    """The three finished files of a batch, still under their temporary names."""

    pending: dict[str, AtomicFile]
    manifest: fmt.Manifest
    manifest_sha256: str
    size: int

    def final(self, role: str) -> Path:
        return self.pending[role].path


def durable_write(final: Path, write: Callable[[BinaryIO], None]) -> AtomicFile:
    """Write the file of ``final`` under its ``.partial`` name, flushed to disk; not installed.

    The ``.partial`` name is fixed (not unique) so that the next export into the folder can
    remove what a killed export left.
    """
    temp = partial_path(final.parent, final.name)
    temp.unlink(missing_ok=True)
    pending = AtomicFile(final, temp=temp)
    try:
        write(pending.stream)
        pending.finish()
    except BaseException:
        pending.discard()
        raise
    return pending


def install(written: Written) -> None:
    """Rename the finished files into place, the signature last; one fsync of the folder."""
    for role in ("data", "sptjm", "signature"):
        written.pending[role].install(sync_folder=False)
    fsync_dir(written.final("data").parent)


def remove(written: Written) -> None:
    for role in ("signature", "sptjm", "data"):
        with contextlib.suppress(OSError):
            written.final(role).unlink(missing_ok=True)
        written.pending[role].discard()
