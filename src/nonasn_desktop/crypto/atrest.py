"""Files encrypted at rest: documents, backups, transfer and temporary files.

Each is an ordinary age v1 file (:mod:`nonasn_desktop.crypto.age`, the same code and format as
the batch files, proven against the stock ``age`` tool) addressed to an X25519 identity that is
derived from the data folder's key, one identity per kind of file. So a file is encrypted with
its own random file key, streamed in 64 KiB authenticated chunks; a truncated, reordered or
altered file is refused; a document cannot be passed off as a backup (another identity); and in
an emergency IT staff holding the folder's key can still read a file with ``age -d``.
"""

from __future__ import annotations

import io
from typing import BinaryIO, Final

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from nonasn_desktop.crypto import age
from nonasn_desktop.crypto.errors import DecryptionError

KEY_SIZE: Final = 32
# What an encrypted file holds; each kind has its own identity. Never rename: files on disk
# were encrypted to the identities these names derive.
KINDS: Final = frozenset({"document", "backup", "transfer", "temporary", "enrolment", "recovery"})


def _damaged(where: str) -> DecryptionError:
    place = f" {where}" if where else ""
    return DecryptionError(
        f"Berkas terenkripsi{place} rusak, terpotong, atau bukan milik folder data ini.",
        hint="Salin ulang berkas itu dari sumbernya (atau pulihkan dari cadangan); berkas lain "
        "tidak terpengaruh.",
    )


def identity(key: bytes, kind: str) -> age.Identity:
    """The X25519 identity files of ``kind`` are encrypted to, derived from ``key``."""
    if len(key) != KEY_SIZE:
        raise ValueError("the at-rest key must be 32 bytes")
    if kind not in KINDS:
        raise ValueError(f"unknown kind of encrypted file: {kind}")
    secret = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=b"nonasn-at-rest/x25519/" + kind.encode("ascii"),
    ).derive(key)
    return age.Identity(secret)


class KindKey:
    """The identity of one kind of file under one key, derived once.

    A store that writes or reads many files (a transfer's thousand documents, a batch export's
    reads) keeps one instead of deriving the identity (HKDF, X25519 public key) per file.
    Accepted wherever a key is (with the same kind)."""

    def __init__(self, key: bytes, kind: str) -> None:
        self.kind = kind
        self.identity = identity(key, kind)
        self.recipient = self.identity.recipient


def _kind_key(key: bytes | KindKey, kind: str) -> KindKey:
    if isinstance(key, KindKey):
        if key.kind != kind:
            raise ValueError(f"a key of {key.kind} files used for {kind} files")
        return key
    return KindKey(key, kind)


def is_encrypted(prefix: bytes) -> bool:
    """True when ``prefix`` (the first bytes of a file) starts like an age file."""
    return age.is_age_file(prefix)


def writer(sink: BinaryIO, key: bytes | KindKey, kind: str) -> age.AgeWriter:
    """An encrypting writer into ``sink``; its ``finish()`` writes the last chunk (without it
    the file is incomplete and will not open, which is what a crash in the middle must give)."""
    return age.AgeWriter(sink, [_kind_key(key, kind).recipient])


class Reader(age.AgeReader):
    """A seekable view of the plaintext; every failure is one message about this file."""

    def __init__(
        self, source: BinaryIO, key: bytes | KindKey, kind: str, *, where: str = ""
    ) -> None:
        self._where = where
        try:
            super().__init__(source, [_kind_key(key, kind).identity])
        except DecryptionError:
            raise _damaged(where) from None

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        try:
            return super().readinto(buffer)
        except DecryptionError:
            raise _damaged(self._where) from None


def encrypt_bytes(plaintext: bytes, key: bytes | KindKey, kind: str) -> bytes:
    out = io.BytesIO()
    sealed = writer(out, key, kind)
    sealed.write(plaintext)
    sealed.finish()
    return out.getvalue()


def decrypt_bytes(data: bytes, key: bytes | KindKey, kind: str, *, where: str = "") -> bytes:
    return Reader(io.BytesIO(data), key, kind, where=where).read()
