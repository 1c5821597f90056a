"""Public keys and detached signatures in minisign's format (https://jedisct1.github.io/minisign/).

Public key file (two lines)::

    untrusted comment: <text>
    base64( "Ed" || key id (8 bytes) || Ed25519 public key (32 bytes) )

Signature file (four lines)::

    untrusted comment: <text>
    base64( "ED" || key id (8 bytes) || Ed25519( BLAKE2b-512(file) ) )
    trusted comment: <text>
    base64( Ed25519( signature (64 bytes) || trusted comment ) )

We always sign the pre-hashed way (algorithm "ED": Ed25519 over the 64-byte BLAKE2b digest of
the file), so a file of any size is signed and verified in one streaming pass. The trusted
comment is covered by the global signature; the untrusted comments are not and are never relied
upon. A key id is shown as minisign shows it: the 8 bytes read as a little-endian number, in
upper-case hexadecimal.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from nonasn_desktop.crypto.errors import SignatureError

PUBLIC_KEY_ALGORITHM = b"Ed"
PREHASHED_ALGORITHM = b"ED"
LEGACY_ALGORITHM = b"Ed"
KEY_ID_SIZE = 8
UNTRUSTED_PREFIX = "untrusted comment: "
TRUSTED_PREFIX = "trusted comment: "
SIGNATURE_SUFFIX = ".minisig"
MAX_COMMENT = 1024
_READ_CHUNK = 1024 * 1024
# A signature file is four short lines; anything much larger is not one.
_MAX_SIGNATURE_FILE = 8192


def new_key_id() -> bytes:
    return os.urandom(KEY_ID_SIZE)


def key_id_hex(key_id: bytes) -> str:
    """The key id as minisign prints it (little-endian 64-bit number, upper-case hex)."""
    return key_id[::-1].hex().upper()


def _decode_line(line: str, expected_size: int) -> bytes:
    try:
        data = base64.b64decode(line.strip().encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise ValueError("not base64") from None
    if len(data) != expected_size:
        raise ValueError("wrong length")
    return data


def _clean_comment(text: str) -> str:
    cleaned = " ".join(text.split())
    if len(cleaned.encode("utf-8")) > MAX_COMMENT:
        raise ValueError("comment too long")
    return cleaned


def blake2b_file(stream: BinaryIO) -> bytes:
    """BLAKE2b-512 of everything left in ``stream``, read in chunks."""
    digest = hashlib.blake2b(digest_size=64)
    while chunk := stream.read(_READ_CHUNK):
        digest.update(chunk)
    return digest.digest()


@dataclass(frozen=True)
class PublicKey:
    """A minisign public key: key id, Ed25519 key, and the (untrusted) comment line."""

    key_id: bytes
    key: bytes
    comment: str = ""

    @property
    def key_id_hex(self) -> str:
        return key_id_hex(self.key_id)

    def to_text(self) -> str:
        comment = _clean_comment(self.comment or f"minisign public key {self.key_id_hex}")
        encoded = base64.b64encode(PUBLIC_KEY_ALGORITHM + self.key_id + self.key).decode()
        return f"{UNTRUSTED_PREFIX}{comment}\n{encoded}\n"

    @classmethod
    def parse(cls, text: str, *, source: str = "kunci publik") -> PublicKey:
        lines = [line for line in text.splitlines() if line.strip()]
        comment = ""
        if lines and lines[0].startswith(UNTRUSTED_PREFIX):
            comment = lines[0][len(UNTRUSTED_PREFIX) :].strip()
            lines = lines[1:]
        try:
            if not lines:
                raise ValueError("no key line")
            data = _decode_line(lines[0], 2 + KEY_ID_SIZE + 32)
        except ValueError:
            raise SignatureError(
                f"{source} bukan kunci publik minisign yang sah.",
                hint="Kunci publik kantor dibuat dengan: nonasn keys export --out KODE.pub",
            ) from None
        if data[:2] != PUBLIC_KEY_ALGORITHM:
            raise SignatureError(f"{source} memakai algoritma kunci yang tidak dikenal.")
        return cls(key_id=data[2:10], key=data[10:], comment=comment)

    @classmethod
    def load(cls, path: Path) -> PublicKey:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            raise SignatureError(f"Kunci publik {path} tidak dapat dibaca.") from None
        return cls.parse(text, source=f"Berkas {path.name}")

    def _verifier(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(self.key)


@dataclass(frozen=True)
class Signature:
    """A parsed minisign signature file."""

    algorithm: bytes
    key_id: bytes
    signature: bytes
    trusted_comment: str
    global_signature: bytes
    untrusted_comment: str = ""

    @property
    def key_id_hex(self) -> str:
        return key_id_hex(self.key_id)

    def to_text(self) -> str:
        untrusted = _clean_comment(self.untrusted_comment or "signature from minisign secret key")
        first = base64.b64encode(self.algorithm + self.key_id + self.signature).decode()
        second = base64.b64encode(self.global_signature).decode()
        return (
            f"{UNTRUSTED_PREFIX}{untrusted}\n{first}\n"
            f"{TRUSTED_PREFIX}{self.trusted_comment}\n{second}\n"
        )

    @classmethod
    def parse(cls, data: bytes, *, source: str = "tanda tangan") -> Signature:
        damaged = SignatureError(
            f"Berkas {source} bukan tanda tangan minisign yang utuh.",
            hint="Salin ulang berkas .minisig dari kantor pengirim.",
        )
        if len(data) > _MAX_SIGNATURE_FILE:
            raise damaged
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise damaged from None
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        lines = [line.rstrip("\r") for line in lines]
        if len(lines) != 4:
            raise damaged
        if not lines[0].startswith(UNTRUSTED_PREFIX) or not lines[2].startswith(TRUSTED_PREFIX):
            raise damaged
        try:
            first = _decode_line(lines[1], 2 + KEY_ID_SIZE + 64)
            second = _decode_line(lines[3], 64)
        except ValueError:
            raise damaged from None
        return cls(
            algorithm=first[:2],
            key_id=first[2:10],
            signature=first[10:],
            trusted_comment=lines[2][len(TRUSTED_PREFIX) :],
            global_signature=second,
            untrusted_comment=lines[0][len(UNTRUSTED_PREFIX) :],
        )

    @classmethod
    def load(cls, path: Path) -> Signature:
        try:
            with Path(path).open("rb") as stream:
                data = stream.read(_MAX_SIGNATURE_FILE + 1)
        except FileNotFoundError:
            raise SignatureError(
                f"Tanda tangan {path.name} tidak ada: berkas tanpa tanda tangan tidak diterima.",
                hint="Minta kantor pengirim menyertakan berkas .minisig di samping berkas batch.",
            ) from None
        except OSError as exc:
            raise SignatureError(
                f"Tanda tangan {path.name} tidak dapat dibaca ({exc.strerror})."
            ) from None
        return cls.parse(data, source=path.name)


class SecretKey:
    """An Ed25519 signing key with its minisign key id (kept in memory only while signing)."""

    def __init__(self, seed: bytes, key_id: bytes) -> None:
        if len(seed) != 32 or len(key_id) != KEY_ID_SIZE:
            raise ValueError("an Ed25519 seed has 32 bytes and a key id 8")
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        self.key_id = key_id

    @classmethod
    def generate(cls) -> SecretKey:
        return cls(os.urandom(32), new_key_id())

    def seed(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return self._key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )

    def public_key(self, comment: str = "") -> PublicKey:
        return PublicKey(self.key_id, self._key.public_key().public_bytes_raw(), comment)

    def sign_digest(
        self, digest: bytes, *, trusted_comment: str, untrusted_comment: str = ""
    ) -> Signature:
        """Sign a file given its BLAKE2b-512 digest (minisign's pre-hashed mode)."""
        if len(digest) != 64:
            raise ValueError("a BLAKE2b-512 digest has 64 bytes")
        trusted = _clean_comment(trusted_comment)
        signature = self._key.sign(digest)
        global_signature = self._key.sign(signature + trusted.encode("utf-8"))
        return Signature(
            algorithm=PREHASHED_ALGORITHM,
            key_id=self.key_id,
            signature=signature,
            trusted_comment=trusted,
            global_signature=global_signature,
            untrusted_comment=untrusted_comment,
        )

    def sign_file(self, path: Path, *, trusted_comment: str) -> Signature:
        with Path(path).open("rb") as stream:
            return self.sign_digest(blake2b_file(stream), trusted_comment=trusted_comment)


def verify_digest(signature: Signature, key: PublicKey, digest: bytes, *, name: str) -> None:
    """Raise SignatureError unless ``signature`` by ``key`` covers a file of BLAKE2b ``digest``.

    Checks the global signature (the trusted comment) first, then the file's.
    """
    if signature.algorithm != PREHASHED_ALGORITHM:
        raise SignatureError(
            f"Tanda tangan {name} memakai format lama minisign (tanpa pra-hash) yang tidak "
            "diterima.",
            hint="Tandatangani ulang dengan minisign versi baru (tanpa pilihan -l).",
        )
    if signature.key_id != key.key_id:
        raise SignatureError(
            f"Tanda tangan {name} dibuat dengan kunci {signature.key_id_hex}, bukan kunci "
            f"{key.key_id_hex}."
        )
    verifier = key._verifier()
    try:
        verifier.verify(
            signature.global_signature,
            signature.signature + signature.trusted_comment.encode("utf-8"),
        )
    except InvalidSignature:
        raise SignatureError(
            f"Keterangan bertanda tangan pada {name} telah diubah: tanda tangan tidak sah."
        ) from None
    try:
        verifier.verify(signature.signature, digest)
    except InvalidSignature:
        raise SignatureError(
            f"Berkas {name} tidak cocok dengan tanda tangannya: isinya telah diubah, rusak, "
            "atau terpotong.",
            hint="Jangan memuat berkas ini; minta kantor pengirim mengirim ulang batch ini.",
        ) from None


def find_key(signature: Signature, keys: Iterable[PublicKey]) -> PublicKey | None:
    for key in keys:
        if key.key_id == signature.key_id:
            return key
    return None
