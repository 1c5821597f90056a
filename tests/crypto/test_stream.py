"""Files encrypted at rest: round trips, and every way a damaged file is refused."""

from __future__ import annotations

import io
import os

import pytest

from nonasn_desktop.crypto import stream
from nonasn_desktop.crypto.errors import DecryptionError

KEY = bytes(range(32))
OTHER_KEY = bytes(32)


@pytest.mark.parametrize(
    "size",
    [0, 1, stream.CHUNK_SIZE - 1, stream.CHUNK_SIZE, stream.CHUNK_SIZE + 1, 3 * stream.CHUNK_SIZE],
)
def test_round_trip_and_size(size: int) -> None:
    plain = os.urandom(size)
    sealed = stream.encrypt_bytes(plain, KEY, "document")
    assert len(sealed) == stream.encrypted_size(size)
    assert stream.is_encrypted(sealed)
    assert stream.decrypt_bytes(sealed, KEY, "document") == plain


def test_writer_accepts_many_small_writes() -> None:
    out = io.BytesIO()
    with stream.EncryptingWriter(out, KEY, "backup") as writer:
        for _ in range(1000):
            writer.write(b"x" * 200)
    assert stream.decrypt_bytes(out.getvalue(), KEY, "backup") == b"x" * 200_000


def test_the_plaintext_does_not_appear_and_each_file_has_its_own_key() -> None:
    plain = b"3273010101900001 Siti Aminah " * 100
    first = stream.encrypt_bytes(plain, KEY, "document")
    second = stream.encrypt_bytes(plain, KEY, "document")
    assert b"Siti" not in first
    assert b"3273010101900001" not in first
    assert first[stream.HEADER_SIZE :] != second[stream.HEADER_SIZE :]


def _refused(data: bytes, key: bytes = KEY, purpose: str = "document") -> None:
    with pytest.raises(DecryptionError, match="rusak, terpotong"):
        stream.decrypt_bytes(data, key, purpose)


def test_wrong_key_or_purpose_is_refused() -> None:
    sealed = stream.encrypt_bytes(b"data", KEY, "document")
    _refused(sealed, key=OTHER_KEY)
    _refused(sealed, purpose="backup")


@pytest.mark.parametrize("cut", [0, 5, stream.HEADER_SIZE, stream.HEADER_SIZE + 10])
def test_truncated_file_is_refused(cut: int) -> None:
    sealed = stream.encrypt_bytes(os.urandom(1000), KEY, "document")
    _refused(sealed[:cut])


def test_cut_at_a_chunk_boundary_is_refused() -> None:
    sealed = stream.encrypt_bytes(os.urandom(2 * stream.CHUNK_SIZE + 5), KEY, "document")
    first_two = stream.HEADER_SIZE + 2 * (stream.CHUNK_SIZE + stream.TAG_SIZE)
    _refused(sealed[:first_two])
    _refused(sealed[: stream.HEADER_SIZE + stream.CHUNK_SIZE + stream.TAG_SIZE])


def test_reordered_or_flipped_chunks_are_refused() -> None:
    sealed = bytearray(stream.encrypt_bytes(os.urandom(3 * stream.CHUNK_SIZE), KEY, "document"))
    size = stream.CHUNK_SIZE + stream.TAG_SIZE
    head = stream.HEADER_SIZE
    swapped = (
        sealed[:head] + sealed[head + size : head + 2 * size] + sealed[head : head + size]
    ) + sealed[head + 2 * size :]
    _refused(bytes(swapped))
    sealed[-1] ^= 1
    _refused(bytes(sealed))


def test_not_an_encrypted_file_is_refused() -> None:
    assert not stream.is_encrypted(b"\xff\xd8\xff\xe0JFIF")
    _refused(b"\xff\xd8\xff\xe0JFIF" + bytes(100))


def test_unclosed_writer_leaves_a_file_that_does_not_open() -> None:
    out = io.BytesIO()
    writer = stream.EncryptingWriter(out, KEY, "backup")
    writer.write(os.urandom(3 * stream.CHUNK_SIZE))
    # A crash before close(): what reached the disk must not decrypt as a complete file.
    _refused(out.getvalue(), purpose="backup")
