"""Files encrypted at rest with the data folder's key: documents, backups, transfer and
temporary files.

Format (all integers big-endian)::

    magic      10 bytes   b"NONASN-ENC"
    version     1 byte    1
    purpose     1 byte    what the file is (PURPOSES), bound into the key
    salt       16 bytes   random, per file
    chunks     ...        ChaCha20-Poly1305(chunk_key, nonce_i, plaintext_i), 16-byte tag each

The file key is HKDF-SHA256(data key, salt, info = b"nonasn-stream/" + purpose name), so each
file has its own key and a document cannot be passed off as a backup. Plaintext is cut into
chunks of CHUNK_SIZE bytes; the nonce of chunk i is the 11-byte counter i followed by one byte
that is 1 for the last chunk and 0 otherwise (the STREAM construction of age and Tink): a
reordered, dropped, duplicated or truncated chunk fails to authenticate, and a file cut exactly
at a chunk boundary lacks its last-chunk mark. An empty plaintext is one empty last chunk.

This is a published, reviewed construction built from the ``cryptography`` package's AEAD, not a
cipher of our own: the design follows age's payload format (C2SP age spec, "payload").
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from typing import BinaryIO, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from nonasn_desktop.crypto.errors import DecryptionError

MAGIC: Final = b"NONASN-ENC"
VERSION: Final = 1
SALT_SIZE: Final = 16
KEY_SIZE: Final = 32
TAG_SIZE: Final = 16
CHUNK_SIZE: Final = 64 * 1024
HEADER_SIZE: Final = len(MAGIC) + 2 + SALT_SIZE
_COUNTER_LIMIT: Final = 1 << 88

# What an encrypted file holds. The number is written into the header; the name goes into the
# key derivation. Never renumber: files on disk carry these numbers.
PURPOSES: Final[dict[str, int]] = {
    "document": 1,
    "backup": 2,
    "transfer": 3,
    "temporary": 4,
    "enrolment": 5,
}
_NAMES: Final = {number: name for name, number in PURPOSES.items()}


def _damaged(where: str) -> DecryptionError:
    place = f" {where}" if where else ""
    return DecryptionError(
        f"Berkas terenkripsi{place} rusak, terpotong, atau bukan milik folder data ini.",
        hint="Salin ulang berkas itu dari sumbernya (atau pulihkan dari cadangan); berkas lain "
        "tidak terpengaruh.",
    )


def _file_key(data_key: bytes, salt: bytes, purpose: str) -> ChaCha20Poly1305:
    if len(data_key) != KEY_SIZE:
        raise ValueError("the data key must be 32 bytes")
    derived = HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_SIZE,
        salt=salt,
        info=b"nonasn-stream/" + purpose.encode("ascii"),
    ).derive(data_key)
    return ChaCha20Poly1305(derived)


def _nonce(counter: int, last: bool) -> bytes:
    if counter >= _COUNTER_LIMIT:
        raise ValueError("file too large for one stream")
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def is_encrypted(prefix: bytes) -> bool:
    """True when ``prefix`` (the first bytes of a file) starts like a file of this format."""
    return prefix.startswith(MAGIC)


class EncryptingWriter(io.RawIOBase):
    """A writable file object that encrypts into ``sink`` (which it does not close).

    Call :meth:`close` (or use ``with``) to write the last chunk: without it the file is
    incomplete and will not decrypt, which is what a crash in the middle must give.
    """

    def __init__(self, sink: BinaryIO, data_key: bytes, purpose: str) -> None:
        super().__init__()
        salt = os.urandom(SALT_SIZE)
        self._aead = _file_key(data_key, salt, purpose)
        self._sink = sink
        self._buffer = bytearray()
        self._counter = 0
        sink.write(MAGIC + bytes((VERSION, PURPOSES[purpose])) + salt)

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        if self.closed:
            raise ValueError("write to a closed file")
        self._buffer += data
        # Keep at least one byte back: the last chunk must be written by close().
        while len(self._buffer) > CHUNK_SIZE:
            self._emit(bytes(self._buffer[:CHUNK_SIZE]), last=False)
            del self._buffer[:CHUNK_SIZE]
        return len(data)

    def _emit(self, chunk: bytes, *, last: bool) -> None:
        self._sink.write(self._aead.encrypt(_nonce(self._counter, last), chunk, None))
        self._counter += 1

    def close(self) -> None:
        if not self.closed:
            self._emit(bytes(self._buffer), last=True)
            self._buffer.clear()
        super().close()


def _read_exact(source: BinaryIO, size: int) -> bytes:
    parts: list[bytes] = []
    wanted = size
    while wanted:
        part = source.read(wanted)
        if not part:
            break
        parts.append(part)
        wanted -= len(part)
    return b"".join(parts)


def read_header(source: BinaryIO, purpose: str, *, where: str = "") -> bytes:
    """Check the header of an encrypted file and return its salt."""
    header = _read_exact(source, HEADER_SIZE)
    if len(header) < HEADER_SIZE or not header.startswith(MAGIC):
        raise _damaged(where)
    version, number = header[len(MAGIC)], header[len(MAGIC) + 1]
    if version != VERSION or _NAMES.get(number) != purpose:
        raise _damaged(where)
    return header[len(MAGIC) + 2 :]


def decrypt_chunks(
    source: BinaryIO, data_key: bytes, purpose: str, *, where: str = ""
) -> Iterator[bytes]:
    """The plaintext of an encrypted file, chunk by chunk, each authenticated before it is
    given out. Raises DecryptionError for a wrong key, damage or truncation (possibly after
    earlier chunks were given: callers that must not act on partial data collect first or
    write to a temporary place)."""
    salt = read_header(source, purpose, where=where)
    aead = _file_key(data_key, salt, purpose)
    counter = 0
    sealed_size = CHUNK_SIZE + TAG_SIZE
    current = _read_exact(source, sealed_size)
    while True:
        following = _read_exact(source, sealed_size) if len(current) == sealed_size else b""
        last = not following
        if len(current) < TAG_SIZE:
            raise _damaged(where)
        try:
            plain = aead.decrypt(_nonce(counter, last), current, None)
        except InvalidTag:
            raise _damaged(where) from None
        yield plain
        if last:
            return
        counter += 1
        current = following


def encrypt_bytes(plaintext: bytes, data_key: bytes, purpose: str) -> bytes:
    out = io.BytesIO()
    with EncryptingWriter(out, data_key, purpose) as writer:
        writer.write(plaintext)
    return out.getvalue()


def decrypt_bytes(data: bytes, data_key: bytes, purpose: str, *, where: str = "") -> bytes:
    return b"".join(decrypt_chunks(io.BytesIO(data), data_key, purpose, where=where))


def encrypted_size(plain_size: int) -> int:
    """The size of the encrypted file for ``plain_size`` bytes of plaintext."""
    chunks = max(1, -(-plain_size // CHUNK_SIZE))
    return HEADER_SIZE + plain_size + chunks * TAG_SIZE
