"""Files encrypted at rest: round trips, stock age, and every way a damaged file is refused."""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import pytest

from helpers.tools import require_tool
from nonasn_desktop.crypto import age, atrest
from nonasn_desktop.crypto.errors import DecryptionError

KEY = bytes(range(32))
OTHER_KEY = bytes(32)


@pytest.mark.parametrize("size", [0, 1, age.CHUNK_SIZE, age.CHUNK_SIZE + 1, 3 * age.CHUNK_SIZE])
def test_round_trip(size: int) -> None:
    plain = os.urandom(size)
    sealed = atrest.encrypt_bytes(plain, KEY, "document")
    assert atrest.is_encrypted(sealed)
    assert atrest.decrypt_bytes(sealed, KEY, "document") == plain


def test_the_plaintext_does_not_appear_and_each_file_differs() -> None:
    plain = b"\xff\xd8\xff\xe0 3273010101900001 Siti Aminah " * 100
    first = atrest.encrypt_bytes(plain, KEY, "document")
    second = atrest.encrypt_bytes(plain, KEY, "document")
    for needle in (b"Siti", b"3273010101900001", b"\xff\xd8\xff"):
        assert needle not in first
    assert first != second


def test_the_reader_is_seekable_for_archives() -> None:
    plain = os.urandom(3 * age.CHUNK_SIZE + 7)
    reader = atrest.Reader(io.BytesIO(atrest.encrypt_bytes(plain, KEY, "backup")), KEY, "backup")
    assert reader.size == len(plain)
    reader.seek(2 * age.CHUNK_SIZE + 3)
    assert reader.read(10) == plain[2 * age.CHUNK_SIZE + 3 : 2 * age.CHUNK_SIZE + 13]


def _refused(data: bytes, key: bytes = KEY, kind: str = "document") -> None:
    with pytest.raises(DecryptionError, match="rusak, terpotong, atau bukan milik folder"):
        atrest.decrypt_bytes(data, key, kind)


def test_wrong_key_or_kind_is_refused() -> None:
    sealed = atrest.encrypt_bytes(b"data", KEY, "document")
    _refused(sealed, key=OTHER_KEY)
    _refused(sealed, kind="backup")


def test_truncated_or_altered_files_are_refused() -> None:
    sealed = atrest.encrypt_bytes(os.urandom(2 * age.CHUNK_SIZE + 5), KEY, "document")
    for cut in (0, 10, 200, len(sealed) - age.ENCRYPTED_CHUNK_SIZE, len(sealed) - 1):
        _refused(sealed[:cut])
    flipped = bytearray(sealed)
    flipped[len(sealed) // 2] ^= 1
    _refused(bytes(flipped))
    _refused(b"\xff\xd8\xff\xe0JFIF" + bytes(100))


def test_an_unfinished_writer_leaves_a_file_that_does_not_open() -> None:
    out = io.BytesIO()
    writer = atrest.writer(out, KEY, "backup")
    writer.write(os.urandom(3 * age.CHUNK_SIZE))
    # A crash before finish(): what reached the disk must not open as a complete file.
    _refused(out.getvalue(), kind="backup")


def test_stock_age_reads_a_file_with_the_folder_identity(tmp_path: Path) -> None:
    tool = require_tool("age")
    sealed = tmp_path / "dokumen.age"
    sealed.write_bytes(atrest.encrypt_bytes(b"isi dokumen", KEY, "document"))
    identity_file = tmp_path / "identitas.txt"
    identity_file.write_text(str(atrest.identity(KEY, "document")) + "\n")
    run = subprocess.run(
        [tool, "-d", "-i", str(identity_file), str(sealed)],
        capture_output=True,
        check=True,
        timeout=30,
    )
    assert run.stdout == b"isi dokumen"


def test_a_kind_key_derived_once_seals_and_opens_like_the_key_itself() -> None:
    documents = atrest.KindKey(KEY, "document")
    plain = os.urandom(2 * age.CHUNK_SIZE + 9)
    # Interchangeable with the raw key, both ways: the same identity, the same files.
    sealed = atrest.encrypt_bytes(plain, documents, "document")
    assert atrest.decrypt_bytes(sealed, KEY, "document") == plain
    sealed = atrest.encrypt_bytes(plain, KEY, "document")
    assert atrest.decrypt_bytes(sealed, documents, "document") == plain
    with pytest.raises(ValueError, match="document files used for backup"):
        atrest.encrypt_bytes(plain, documents, "backup")
    _refused(atrest.encrypt_bytes(plain, atrest.KindKey(OTHER_KEY, "document"), "document"))
