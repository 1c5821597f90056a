"""age v1 encryption: our writer and reader against each other and against the stock tool."""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import pytest

from helpers.tools import require_tool
from nonasn_desktop.crypto import bech32
from nonasn_desktop.crypto.age import (
    CHUNK_SIZE,
    ENCRYPTED_CHUNK_SIZE,
    AgeReader,
    AgeWriter,
    Identity,
    Recipient,
    is_age_file,
    read_identities,
)
from nonasn_desktop.crypto.errors import CryptoError, DecryptionError

SIZES = [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE + 17]


def encrypt(data: bytes, recipients: list[Recipient], *, piece: int = 7000) -> bytes:
    sink = io.BytesIO()
    writer = AgeWriter(sink, recipients)
    for start in range(0, len(data), piece):
        writer.write(data[start : start + piece])
    writer.finish()
    return sink.getvalue()


def decrypt(blob: bytes, identities: list[Identity]) -> bytes:
    return AgeReader(io.BytesIO(blob), identities).read()


@pytest.fixture
def identity() -> Identity:
    return Identity.generate()


@pytest.mark.parametrize("size", SIZES)
def test_round_trip_at_chunk_boundaries(identity: Identity, size: int) -> None:
    data = os.urandom(size)
    blob = encrypt(data, [identity.recipient])
    assert is_age_file(blob)
    assert decrypt(blob, [identity]) == data


def test_reader_seeks_anywhere(identity: Identity) -> None:
    data = os.urandom(3 * CHUNK_SIZE + 500)
    reader = AgeReader(io.BytesIO(encrypt(data, [identity.recipient])), [identity])
    assert reader.size == len(data)
    for position in (0, CHUNK_SIZE - 3, CHUNK_SIZE, 2 * CHUNK_SIZE + 9, len(data) - 4):
        reader.seek(position)
        assert reader.read(10) == data[position : position + 10]
    reader.seek(-5, io.SEEK_END)
    assert reader.read() == data[-5:]
    assert reader.read(10) == b""


def test_any_of_several_recipients_can_decrypt() -> None:
    first, second = Identity.generate(), Identity.generate()
    blob = encrypt(b"surat", [first.recipient, second.recipient])
    assert decrypt(blob, [second]) == b"surat"
    assert decrypt(blob, [Identity.generate(), first]) == b"surat"


def test_wrong_identity_is_refused(identity: Identity) -> None:
    blob = encrypt(b"data rahasia", [identity.recipient])
    with pytest.raises(DecryptionError, match="tidak ditujukan"):
        decrypt(blob, [Identity.generate()])


def test_truncation_at_a_chunk_boundary_is_refused_on_open(identity: Identity) -> None:
    blob = encrypt(os.urandom(3 * CHUNK_SIZE), [identity.recipient])
    payload_start = len(blob) - 3 * ENCRYPTED_CHUNK_SIZE
    cut = blob[: payload_start + 2 * ENCRYPTED_CHUNK_SIZE]
    with pytest.raises(DecryptionError):
        AgeReader(io.BytesIO(cut), [identity])


@pytest.mark.parametrize("where", ["header", "payload", "last byte"])
def test_one_changed_byte_is_refused(identity: Identity, where: str) -> None:
    blob = bytearray(encrypt(os.urandom(2 * CHUNK_SIZE), [identity.recipient]))
    index = {"header": 30, "payload": len(blob) - ENCRYPTED_CHUNK_SIZE - 100, "last byte": -1}
    blob[index[where]] ^= 0x01
    with pytest.raises(DecryptionError):
        decrypt(bytes(blob), [identity])


def test_armored_files_are_refused_with_a_reason(identity: Identity) -> None:
    armored = b"-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n"
    with pytest.raises(DecryptionError, match="armor"):
        decrypt(armored, [identity])


def test_not_an_age_file(identity: Identity) -> None:
    assert not is_age_file(b"PK\x03\x04")
    with pytest.raises(DecryptionError, match="bukan berkas age"):
        decrypt(b"PK\x03\x04 a zip file", [identity])


def test_recipient_text_round_trip(identity: Identity) -> None:
    text = str(identity.recipient)
    assert text.startswith("age1")
    assert Recipient.parse(f"  {text}\n") == identity.recipient
    assert str(Identity.parse(str(identity))) == str(identity)


@pytest.mark.parametrize(
    "text",
    ["", "age1", "bukan-penerima", "AGE-SECRET-KEY-1QQQQ", "age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"],
)
def test_bad_recipients_are_refused_in_indonesian(text: str) -> None:
    with pytest.raises(CryptoError, match="Penerima age"):
        Recipient.parse(text)


def test_bech32_rejects_mixed_case_and_bad_checksums() -> None:
    good = bech32.encode("age", bytes(range(32)))
    assert bech32.decode(good.upper()) == ("age", bytes(range(32)))
    with pytest.raises(bech32.Bech32Error):
        bech32.decode(good[:5] + good[5:].upper())
    with pytest.raises(bech32.Bech32Error):
        bech32.decode(good[:-1] + ("q" if good[-1] != "q" else "p"))


def test_identity_file_with_comments(tmp_path: Path, identity: Identity) -> None:
    path = tmp_path / "key.txt"
    path.write_text(f"# created: today\n# public key: {identity.recipient}\n\n{identity}\n")
    (loaded,) = read_identities(path)
    assert loaded.recipient == identity.recipient
    path.write_text("# only a comment\n")
    with pytest.raises(CryptoError, match="tidak berisi kunci"):
        read_identities(path)
    path.write_text("ini bukan kunci\n")
    with pytest.raises(CryptoError, match="Baris 1"):
        read_identities(path)
    with pytest.raises(CryptoError, match="tidak dapat dibaca"):
        read_identities(tmp_path / "missing.txt")


# -- the stock age tool ---------------------------------------------------------------------------


def _keygen(tmp_path: Path) -> tuple[Path, str]:
    keygen = require_tool("age-keygen")
    key_file = tmp_path / "key.txt"
    result = subprocess.run(
        [keygen, "-o", str(key_file)], capture_output=True, text=True, check=True
    )
    recipient = result.stderr.strip().split()[-1]
    return key_file, recipient


@pytest.mark.parametrize("size", SIZES)
def test_stock_age_decrypts_what_we_encrypt(tmp_path: Path, size: int) -> None:
    age = require_tool("age")
    key_file, recipient = _keygen(tmp_path)
    data = os.urandom(size)
    encrypted = tmp_path / "data.age"
    encrypted.write_bytes(encrypt(data, [Recipient.parse(recipient)]))
    result = subprocess.run(
        [age, "-d", "-i", str(key_file), str(encrypted)], capture_output=True, check=True
    )
    assert result.stdout == data


def test_we_decrypt_what_stock_age_encrypts(tmp_path: Path) -> None:
    age = require_tool("age")
    key_file, recipient = _keygen(tmp_path)
    other = Identity.generate().recipient
    data = os.urandom(2 * CHUNK_SIZE + 123)
    plain = tmp_path / "plain.bin"
    plain.write_bytes(data)
    encrypted = tmp_path / "plain.bin.age"
    subprocess.run(
        [age, "-r", str(other), "-r", recipient, "-o", str(encrypted), str(plain)], check=True
    )
    identities = read_identities(key_file)
    assert str(identities[0].recipient) == recipient
    with encrypted.open("rb") as stream:
        assert AgeReader(stream, identities).read() == data


def test_stock_age_refuses_a_changed_byte_too(tmp_path: Path) -> None:
    age = require_tool("age")
    key_file, recipient = _keygen(tmp_path)
    blob = bytearray(encrypt(os.urandom(1000), [Recipient.parse(recipient)]))
    blob[-10] ^= 0x80
    encrypted = tmp_path / "data.age"
    encrypted.write_bytes(bytes(blob))
    result = subprocess.run(
        [age, "-d", "-i", str(key_file), str(encrypted)], capture_output=True, check=False
    )
    assert result.returncode != 0
