"""The backup archive of an encrypted data folder: the usual archive, sealed with age.

On disk it is still a ZIP (any tool lists it) with exactly two members, both stored as they are:

    kunci-data.json   the folder's key slots (storage.vault: nothing in them is secret), so a
                      clerk's password or the recovery key opens the archive on any machine
    cadangan.age      the archive of :mod:`.archive` (database, documents, manifest) as an age
                      file of kind ``backup`` (crypto.atrest), to the folder's data key

Inside, the database is the folder's SQLCipher file and the documents are the folder's
encrypted files, exactly as on disk, so no plain copy of personal data is ever written, not
even to a temporary file. The sealed member is read in place through a window on the archive
file, and :class:`~nonasn_desktop.crypto.atrest.Reader` is seekable, so ``zipfile`` reads the
inner archive without unpacking it first.
"""

from __future__ import annotations

import contextlib
import io
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Final

from nonasn_desktop.crypto import atrest, keyslots
from nonasn_desktop.crypto.errors import DecryptionError
from nonasn_desktop.errors import UserError
from nonasn_desktop.storage import vault

SLOTS_MEMBER: Final = vault.KEY_SLOTS_FILE
SEALED_MEMBER: Final = "cadangan.age"
_MAX_SLOTS: Final = 4 * 1024 * 1024


class SealedBackupError(UserError):
    """A sealed archive cannot be opened: no key, another folder's key, damaged slots."""


def is_sealed(archive: zipfile.ZipFile) -> bool:
    return SEALED_MEMBER in archive.namelist()


def read_slots(archive: zipfile.ZipFile, where: str) -> keyslots.KeySlots:
    try:
        info = archive.getinfo(SLOTS_MEMBER)
        if info.file_size > _MAX_SLOTS:
            raise ValueError("too large")
        data = archive.read(info)
    except (KeyError, ValueError, zipfile.BadZipFile, OSError, EOFError):
        data = b""
    return keyslots.loads(data, where=where)


class _Window(io.RawIOBase):
    """A seekable, read-only view of ``length`` bytes of ``source`` from ``start``."""

    def __init__(self, source: BinaryIO, start: int, length: int) -> None:
        super().__init__()
        self._source, self._start, self._length, self._pos = source, start, length, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._length}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        want = min(len(buffer), self._length - self._pos)
        if want <= 0:
            return 0
        self._source.seek(self._start + self._pos)
        data = self._source.read(want)
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)


def _sealed_window(archive: zipfile.ZipFile, stream: BinaryIO) -> _Window:
    info = archive.getinfo(SEALED_MEMBER)
    if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 0x1:
        raise zipfile.BadZipFile("sealed member must be stored")
    stream.seek(info.header_offset)
    header = stream.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile("bad local header")
    name_length = int.from_bytes(header[26:28], "little")
    extra_length = int.from_bytes(header[28:30], "little")
    start = info.header_offset + 30 + name_length + extra_length
    return _Window(stream, start, info.compress_size)


class _InnerZip(zipfile.ZipFile):
    """The inner archive; closing it closes the reader and the archive file under it."""

    def __init__(self, reader: atrest.Reader, stack: contextlib.ExitStack) -> None:
        self._stack = stack
        super().__init__(reader)

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._stack.close()


def open_inner(path: Path, key: vault.DataKey | None) -> zipfile.ZipFile:
    """The archive inside the sealed archive ``path``; SealedBackupError without the right key."""
    if key is None:
        raise SealedBackupError(
            f"Cadangan {path.name} terenkripsi; kunci folder datanya diperlukan.",
            hint="Masuk dengan nama pengguna dan kata sandi petugas kantor pemilik cadangan itu "
            "(NONASN_USER dan NONASN_PASSWORD di baris perintah).",
        )
    with contextlib.ExitStack() as stack:
        stream = stack.enter_context(path.open("rb"))
        outer = stack.enter_context(zipfile.ZipFile(stream))
        window = _sealed_window(outer, stream)
        try:
            reader = atrest.Reader(window, key.files_key, "backup", where=path.name)  # type: ignore[arg-type]
        except DecryptionError:
            raise SealedBackupError(
                f"Cadangan {path.name} milik folder data lain (kunci tidak cocok) atau rusak.",
                hint="Buka dengan kata sandi petugas kantor pemilik cadangan itu, atau dengan "
                "kunci pemulihannya.",
            ) from None
        owned = stack.pop_all()
    try:
        return _InnerZip(reader, owned)
    except BaseException:
        owned.close()
        raise


def slots_of(path: Path) -> keyslots.KeySlots | None:
    """The slots of the sealed archive ``path``; None for a plain archive, and for what is not
    an ordinary file at all (a pipe or a device would never end; verification refuses it)."""
    if not stat.S_ISREG(path.stat().st_mode):
        return None
    with zipfile.ZipFile(path) as archive:
        if not is_sealed(archive):
            return None
        return read_slots(archive, path.name)


def unlock_archive(path: Path, username: str, password: str) -> vault.DataKey:
    """The data key of the sealed archive ``path``, from a clerk's password (on any machine)."""
    slots = slots_of(path)
    if slots is None:
        raise SealedBackupError(f"Cadangan {path.name} tidak terenkripsi.")
    return vault.DataKey(keyslots.open_with_password(slots, username, password))


def unlock_archive_with_recovery(path: Path, recovery_text: str) -> vault.DataKey:
    slots = slots_of(path)
    if slots is None:
        raise SealedBackupError(f"Cadangan {path.name} tidak terenkripsi.")
    return vault.DataKey(
        keyslots.open_with_recovery_key(slots, keyslots.parse_recovery_key(recovery_text))
    )


@contextlib.contextmanager
def sealed_writer(
    sink: BinaryIO, slots: bytes, key: vault.DataKey, date_time: tuple[int, ...]
) -> Iterator[BinaryIO]:
    """Write the outer archive into ``sink``; yields the stream the inner archive goes to."""
    with zipfile.ZipFile(sink, "w") as outer:
        info = zipfile.ZipInfo(SLOTS_MEMBER, date_time=date_time)  # type: ignore[arg-type]
        outer.writestr(info, slots)
        sealed = zipfile.ZipInfo(SEALED_MEMBER, date_time=date_time)  # type: ignore[arg-type]
        sealed.compress_type = zipfile.ZIP_STORED
        with outer.open(sealed, "w", force_zip64=True) as member:
            writer = atrest.writer(member, key.files_key, "backup")  # type: ignore[arg-type]
            yield writer  # type: ignore[misc]
            writer.finish()
