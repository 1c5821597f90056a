"""minisign public keys and signatures: ours verified by the stock tool and the other way round."""

from __future__ import annotations

import base64
import io
import os
import subprocess
from pathlib import Path

import pytest

from helpers.tools import require_tool
from nonasn_desktop.crypto.errors import SignatureError
from nonasn_desktop.crypto.minisign import (
    PublicKey,
    SecretKey,
    Signature,
    blake2b_file,
    key_id_hex,
    verify_digest,
)

COMMENT = "nonasn-batch v1 office=3273 sequence=1"


@pytest.fixture
def key() -> SecretKey:
    return SecretKey.generate()


def digest_of(data: bytes) -> bytes:
    return blake2b_file(io.BytesIO(data))


def test_sign_and_verify(key: SecretKey) -> None:
    data = os.urandom(5000)
    signature = key.sign_digest(digest_of(data), trusted_comment=COMMENT)
    parsed = Signature.parse(signature.to_text().encode())
    assert parsed == Signature.parse(signature.to_text().encode())
    assert parsed.trusted_comment == COMMENT
    verify_digest(parsed, key.public_key(), digest_of(data), name="berkas")


def test_a_changed_byte_of_the_file_is_refused(key: SecretKey) -> None:
    data = bytearray(os.urandom(5000))
    signature = key.sign_digest(digest_of(bytes(data)), trusted_comment=COMMENT)
    data[1234] ^= 0x04
    with pytest.raises(SignatureError, match="tidak cocok"):
        verify_digest(signature, key.public_key(), digest_of(bytes(data)), name="berkas")


def test_a_changed_trusted_comment_is_refused(key: SecretKey) -> None:
    data = b"isi"
    text = key.sign_digest(digest_of(data), trusted_comment=COMMENT).to_text()
    forged = Signature.parse(text.replace("sequence=1", "sequence=2").encode())
    with pytest.raises(SignatureError, match="Keterangan bertanda tangan"):
        verify_digest(forged, key.public_key(), digest_of(data), name="berkas")


def test_another_key_is_refused(key: SecretKey) -> None:
    signature = key.sign_digest(digest_of(b"isi"), trusted_comment=COMMENT)
    with pytest.raises(SignatureError, match="dibuat dengan kunci"):
        verify_digest(signature, SecretKey.generate().public_key(), digest_of(b"isi"), name="x")
    # Same key id, different key: the signature does not verify.
    impostor = PublicKey(key.key_id, SecretKey.generate().public_key().key)
    with pytest.raises(SignatureError):
        verify_digest(signature, impostor, digest_of(b"isi"), name="x")


@pytest.mark.parametrize(
    "text",
    [
        b"",
        b"untrusted comment: x\n",
        b"untrusted comment: x\nbm90IGEgc2lnbmF0dXJl\ntrusted comment: y\nAAAA\n",
        b"\xff\xfe not text",
        b"x" * 10000,
    ],
)
def test_damaged_signature_files_are_refused(text: bytes) -> None:
    with pytest.raises(SignatureError, match="bukan tanda tangan minisign"):
        Signature.parse(text)


def test_missing_signature_file(tmp_path: Path) -> None:
    with pytest.raises(SignatureError, match="tanpa tanda tangan tidak diterima"):
        Signature.load(tmp_path / "batch.zip.minisig")


def test_public_key_text_round_trip(key: SecretKey) -> None:
    public = key.public_key("nonasn office key 3273 X (BKD)")
    parsed = PublicKey.parse(public.to_text())
    assert parsed == public
    assert (
        public.to_text().splitlines()[1]
        == base64.b64encode(b"Ed" + key.key_id + public.key).decode()
    )
    assert key_id_hex(key.key_id) == key.key_id[::-1].hex().upper()
    with pytest.raises(SignatureError, match="bukan kunci publik minisign"):
        PublicKey.parse("untrusted comment: x\nAAAA\n")


# -- the stock minisign tool ----------------------------------------------------------------------


def test_stock_minisign_verifies_our_signature(tmp_path: Path, key: SecretKey) -> None:
    minisign = require_tool("minisign")
    data = tmp_path / "batch.zip"
    data.write_bytes(os.urandom(300_000))
    public = tmp_path / "office.pub"
    public.write_text(key.public_key("nonasn office key 3273").to_text())
    signature = key.sign_file(data, trusted_comment=COMMENT)
    (tmp_path / "batch.zip.minisig").write_text(signature.to_text())
    result = subprocess.run(
        [minisign, "-V", "-p", str(public), "-m", str(data)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"Trusted comment: {COMMENT}" in result.stdout
    # And the stock tool refuses the file once a byte changed.
    content = bytearray(data.read_bytes())
    content[100] ^= 0xFF
    data.write_bytes(bytes(content))
    result = subprocess.run(
        [minisign, "-V", "-p", str(public), "-m", str(data)], capture_output=True, check=False
    )
    assert result.returncode != 0


def _stock_key(tmp_path: Path) -> tuple[str, Path, Path]:
    minisign = require_tool("minisign")
    public, secret = tmp_path / "m.pub", tmp_path / "m.key"
    subprocess.run(
        [minisign, "-G", "-W", "-p", str(public), "-s", str(secret)],
        capture_output=True,
        check=True,
    )
    return minisign, public, secret


def test_we_verify_the_stock_tools_signature(tmp_path: Path) -> None:
    minisign, public, secret = _stock_key(tmp_path)
    data = tmp_path / "file.bin"
    data.write_bytes(os.urandom(70_000))
    subprocess.run(
        [minisign, "-S", "-s", str(secret), "-m", str(data), "-t", "dari minisign"],
        capture_output=True,
        check=True,
    )
    signature = Signature.load(tmp_path / "file.bin.minisig")
    key = PublicKey.load(public)
    assert key.key_id_hex in key.comment  # minisign names the id as we print it
    with data.open("rb") as stream:
        verify_digest(signature, key, blake2b_file(stream), name=data.name)
    assert signature.trusted_comment == "dari minisign"


def test_legacy_signatures_are_refused_with_a_reason(tmp_path: Path) -> None:
    minisign, public, secret = _stock_key(tmp_path)
    data = tmp_path / "file.bin"
    data.write_bytes(b"isi lama")
    subprocess.run(
        [minisign, "-S", "-l", "-s", str(secret), "-m", str(data)], capture_output=True, check=True
    )
    signature = Signature.load(tmp_path / "file.bin.minisig")
    with pytest.raises(SignatureError, match="format lama"):
        verify_digest(signature, PublicKey.load(public), digest_of(b"isi lama"), name="x")
