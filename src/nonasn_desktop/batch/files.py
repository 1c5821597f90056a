"""The files of a batch on disk: the output folder, ``.partial`` files and their installation.

Every file of a batch is first written under a temporary name (``.<name>.partial``), flushed
and fsync'd; only when all three are complete are they renamed into place, the signature last.
A ``.partial`` file left by an export that died is removed by the next export into the folder.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from nonasn_desktop.atomicfile import fsync_dir
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
    temps: dict[str, Path]
    finals: dict[str, Path]
    manifest: fmt.Manifest
    manifest_sha256: str
    size: int


def durable_write(path: Path, write: Callable[[BinaryIO], None]) -> None:
    with path.open("xb") as stream:
        write(stream)
        stream.flush()
        os.fsync(stream.fileno())


def install(written: Written) -> None:
    """Rename the finished files into place, the signature last."""
    for role in ("data", "sptjm", "signature"):
        written.temps[role].replace(written.finals[role])
    fsync_dir(written.finals["data"].parent)


def remove(written: Written) -> None:
    for role in ("signature", "sptjm", "data"):
        with contextlib.suppress(OSError):
            written.finals[role].unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            written.temps[role].unlink(missing_ok=True)
