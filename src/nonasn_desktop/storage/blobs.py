"""Content-addressed store for document files, under ``documents/`` of the data folder.

A file is stored once under its SHA-256 (``ab/cd/<sha>``), so the same scan uploaded twice takes
the space once and a stored file can always be checked against its name. Writes go through
:mod:`nonasn_desktop.atomicfile` (a temporary file, flushed to disk, renamed into place): a crash
leaves either the old state or the complete file, never half a document.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from nonasn_desktop.atomicfile import PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, AtomicFile, fsync_dir
from nonasn_desktop.errors import DocumentError, StorageError

_SHA256 = re.compile(r"[0-9a-f]{64}")
CHUNK = 1024 * 1024
# Temporary files are named after this, with a leading dot (the backup skips dot-names).
_INCOMING = "incoming"


def _check_sha(sha: str) -> str:
    if not _SHA256.fullmatch(sha):
        raise ValueError(f"not a lower-case SHA-256 hex digest: {sha!r}")
    return sha


def _write_error(folder: Path, exc: OSError) -> StorageError:
    if exc.errno == errno.ENOSPC:
        return StorageError(
            f"Penyimpanan penuh: dokumen tidak dapat disimpan di {folder}.",
            hint="Kosongkan ruang disk lalu unggah lagi.",
        )
    return StorageError(
        f"Dokumen tidak dapat disimpan di {folder} ({exc.strerror}).",
        hint="Periksa apakah folder data dapat ditulis, lalu unggah lagi.",
    )


class BlobStore:
    """Files addressed by their SHA-256 hex digest."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, sha: str) -> Path:
        _check_sha(sha)
        return self.root / sha[:2] / sha[2:4] / sha

    def exists(self, sha: str) -> bool:
        return self.path(sha).is_file()

    def _describe(self, sha: str, name: str | None) -> str:
        return f"{name} ({sha[:12]}…)" if name else f"dokumen {sha[:12]}…"

    def _make_folder(self, folder: Path) -> None:
        """``folder`` and its parents up to the root, private to the user (0700 on POSIX)."""
        if folder != self.root and self.root in folder.parents:
            self._make_folder(folder.parent)
        else:
            folder.parent.mkdir(parents=True, exist_ok=True)
        folder.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)

    def _install(self, sha: str, pending: AtomicFile) -> None:
        """Move a complete temporary file into place (or drop it if already there)."""
        pending.finish()
        target = self.path(sha)
        if target.is_file() and self.verify(sha):
            pending.discard()
            return
        self._make_folder(target.parent)
        pending.install(target)

    def put(self, data: bytes) -> str:
        """Store ``data``; returns its SHA-256. Storing the same bytes again changes nothing."""
        sha = hashlib.sha256(data).hexdigest()
        target = self.path(sha)
        if target.is_file() and self.verify(sha):
            return sha
        pending: AtomicFile | None = None
        try:
            self._make_folder(target.parent)
            pending = AtomicFile(target.parent / _INCOMING)
            pending.stream.write(data)
            self._install(sha, pending)
        except OSError as exc:
            if pending is not None:
                pending.discard()
            raise _write_error(self.root, exc) from None
        return sha

    def put_unsynced(self, data: bytes, sha: str) -> Path | None:
        """Store ``data``, whose SHA-256 the caller has just computed as ``sha``, WITHOUT making
        it durable yet; returns the new file, or None when ``sha`` was stored already.

        For many documents at once (a transfer import): each file is renamed into place
        complete, and :meth:`sync` makes them all durable in one go before the database
        commit that names them. Per-file fsyncs cost milliseconds each.
        """
        return self.write_unsynced(sha, lambda stream: stream.write(data))

    def write_unsynced(self, sha: str, fill: Callable[[BinaryIO], object]) -> Path | None:
        """:meth:`put_unsynced` for a file whose bytes ``fill`` writes into the stream it is
        given (an encrypted document: the age file of the bytes hashing to ``sha``)."""
        target = self.path(sha)
        if target.is_file():
            return None
        temp_path = target.with_name(f".incoming-{secrets.token_hex(8)}")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        try:
            target.parent.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
            # Private from the first byte, like every file of the data folder.
            with os.fdopen(os.open(temp_path, flags, PRIVATE_FILE_MODE), "wb") as stream:
                fill(stream)
            temp_path.replace(target)
        except BaseException as exc:
            # Never a half-written file left under a temporary name, whatever stopped ``fill``.
            with contextlib.suppress(OSError):
                temp_path.unlink(missing_ok=True)
            if isinstance(exc, OSError):
                raise _write_error(self.root, exc) from None
            raise
        return target

    def sync(self, paths: list[Path]) -> None:
        """Make files written by :meth:`put_unsynced` (and their renames) durable."""
        if not paths:
            return
        try:
            if hasattr(os, "sync"):
                # One flush of the file system instead of two fsyncs per file.
                os.sync()
                return
            for path in paths:
                with path.open("rb+") as stream:
                    os.fsync(stream.fileno())
            for folder in {path.parent for path in paths}:
                fsync_dir(folder)
        except OSError as exc:
            raise _write_error(self.root, exc) from None

    def put_file(self, source: Path) -> tuple[str, int]:
        """Store a file without loading it whole; returns (SHA-256, size in bytes)."""
        digest = hashlib.sha256()
        size = 0
        # The final folder depends on the hash, unknown until the end: stage in the root.
        try:
            self._make_folder(self.root)
            pending = AtomicFile(self.root / _INCOMING)
        except OSError as exc:
            raise _write_error(self.root, exc) from None
        try:
            try:
                with Path(source).open("rb") as src:
                    while chunk := src.read(CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        pending.stream.write(chunk)
            except OSError as exc:
                raise DocumentError(
                    f"Berkas {source} tidak dapat dibaca ({exc.strerror}).",
                    hint="Periksa apakah berkas masih ada dan tidak sedang dibuka program "
                    "lain, lalu pilih lagi.",
                ) from None
            sha = digest.hexdigest()
            self._install(sha, pending)
        except OSError as exc:
            raise _write_error(self.root, exc) from None
        finally:
            pending.discard()
        return sha, size

    def verify(self, sha: str) -> bool:
        """True when the stored file exists and still hashes to ``sha``."""
        try:
            return self._hash_of(self.path(sha)) == sha
        except OSError:
            return False

    @staticmethod
    def _hash_of(path: Path) -> str:
        digest = hashlib.sha256()
        with path.open("rb") as stream:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
        return digest.hexdigest()

    def get(self, sha: str, *, name: str | None = None) -> bytes:
        """The stored bytes, checked against ``sha``.

        ``name`` describes the document in messages (e.g. "KTP NIK 3171…"). A missing or
        damaged file raises StorageError: a damaged scan must never be shown or exported as if
        it were the original.
        """
        target = self.path(sha)
        described = self._describe(sha, name)
        try:
            data = target.read_bytes()
        except FileNotFoundError:
            raise StorageError(
                f"Berkas {described} tidak ditemukan di folder dokumen {self.root}.",
                hint="Pulihkan folder data dari cadangan, atau unggah ulang dokumen itu.",
            ) from None
        except OSError as exc:
            raise StorageError(
                f"Berkas {described} tidak dapat dibaca ({exc.strerror}).",
                hint="Periksa izin folder data dan diskanya, lalu coba lagi.",
            ) from None
        if hashlib.sha256(data).hexdigest() != sha:
            raise StorageError(
                f"Berkas {described} rusak: isinya tidak sama lagi dengan saat diunggah.",
                hint="Pulihkan folder dokumen dari cadangan, atau unggah ulang dokumen itu.",
            )
        return data
