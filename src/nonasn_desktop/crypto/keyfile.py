"""The office's secret signing key at rest, sealed with a passphrase.

File format (UTF-8 JSON, one object; documented in docs/batch-format.md)::

    {
      "format": "nonasn-office-key",
      "version": 1,
      "algorithm": "Ed25519",
      "key_id": "<16 hex digits, minisign order>",
      "public_key": "<base64 of the 32-byte Ed25519 public key>",
      "office_code": "3273",
      "office_name": "BKD Kota Bandung",
      "created_at": "2026-01-05T08:00:00Z",
      "kdf": {"name": "argon2id", "salt": "<base64, 16 bytes>", "time_cost": 3,
              "memory_cost_kib": 49152, "parallelism": 4},
      "cipher": {"name": "chacha20-poly1305", "nonce": "<base64, 12 bytes>"},
      "ciphertext": "<base64 of ChaCha20-Poly1305(32-byte Ed25519 seed)>"
    }

The key-encryption key is argon2id(passphrase NFKC-normalised in UTF-8, salt, parameters) with
32 bytes of output. The associated data of the AEAD is the canonical JSON (sorted keys, no
spaces) of every member except ``ciphertext``, so changing any of them (the office, the public
key, the KDF parameters) makes the file fail to open instead of opening to something else. The
public key derived from the opened seed must equal ``public_key``. Nothing in the file is secret
without the passphrase; the seed never appears in plain anywhere.

Parameters: argon2id with 48 MiB, 3 passes, 4 lanes (about 0.2 s on an office laptop). That is
above OWASP's recommended minimum for argon2id (46 MiB with one pass) and a little below RFC
9106's 64 MiB profile, chosen so that opening the key inside a batch export stays within the
export's 150 MB memory budget. The parameters are stored in each file, so a later version can
raise them without breaking existing keys.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

from argon2.exceptions import HashingError
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from nonasn_desktop.crypto.errors import KeyFileError, WrongPassphraseError
from nonasn_desktop.crypto.kdf import (
    KdfParams,
    b64,
    canonical_json,
    derive,
    kdf_json,
    parse_kdf,
    unb64,
)
from nonasn_desktop.crypto.minisign import KEY_ID_SIZE, PublicKey, SecretKey, key_id_hex

FORMAT = "nonasn-office-key"
VERSION = 1
SALT_SIZE = 16
NONCE_SIZE = 12
SEED_SIZE = 32
TAG_SIZE = 16
# Salts this version accepts: what the format writes (16 bytes, RFC 9106's recommendation)
# up to kdf.MAX_SALT.
_MIN_SALT = SALT_SIZE
_MAX_TEXT = 1000


@dataclass(frozen=True)
class KeyFileInfo:
    """What a key file says about itself, readable without the passphrase."""

    key_id: bytes
    public_key: bytes
    office_code: str
    office_name: str
    created_at: str

    @property
    def key_id_hex(self) -> str:
        return key_id_hex(self.key_id)

    def minisign_public_key(self, comment: str = "") -> PublicKey:
        return PublicKey(self.key_id, self.public_key, comment)


def _associated_data(document: dict[str, Any]) -> bytes:
    return canonical_json({k: v for k, v in document.items() if k != "ciphertext"})


def seal(
    key: SecretKey,
    passphrase: str,
    *,
    office_code: str,
    office_name: str,
    created_at: str,
    params: KdfParams | None = None,
) -> bytes:
    """The key file's bytes for ``key`` protected by ``passphrase``."""
    params = params or KdfParams()
    salt = os.urandom(SALT_SIZE)
    nonce = os.urandom(NONCE_SIZE)
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "algorithm": "Ed25519",
        "key_id": key_id_hex(key.key_id),
        "public_key": b64(key.public_key().key),
        "office_code": office_code,
        "office_name": office_name,
        "created_at": created_at,
        "kdf": kdf_json(params, salt),
        "cipher": {"name": "chacha20-poly1305", "nonce": b64(nonce)},
    }
    kek = derive(passphrase, salt, params)
    ciphertext = ChaCha20Poly1305(kek).encrypt(nonce, key.seed(), _associated_data(document))
    document["ciphertext"] = b64(ciphertext)
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _damaged(where: str) -> KeyFileError:
    return KeyFileError(
        f"Berkas kunci kantor {where} rusak atau bukan kunci aplikasi ini.",
        hint="Pulihkan folder data dari cadangan; tanpa kunci itu batch tidak dapat "
        "ditandatangani.",
    )


def _document(data: bytes, where: str) -> dict[str, Any]:
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _damaged(where) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise _damaged(where)
    if document.get("version") != VERSION:
        raise KeyFileError(
            f"Berkas kunci kantor {where} berversi {document.get('version')!r}, yang tidak "
            "dikenal versi aplikasi ini.",
            hint="Pasang versi aplikasi yang lebih baru.",
        )
    return document


@dataclass(frozen=True)
class _Sealed:
    """Every member of a key file, each checked for its shape."""

    info: KeyFileInfo
    params: KdfParams
    salt: bytes
    nonce: bytes
    ciphertext: bytes


def _text(value: object) -> str:
    if not isinstance(value, str) or len(value) > _MAX_TEXT:
        raise ValueError("not a short text")
    return value


def _member(document: dict[str, Any], name: str) -> dict[str, Any]:
    value = document[name]
    if not isinstance(value, dict):
        raise ValueError(f"{name} is not an object")
    return value


def _parse(document: dict[str, Any]) -> _Sealed:
    """The key file's members; ValueError (or KeyError) for any member of the wrong shape."""
    key_id_text = _text(document["key_id"])
    if len(key_id_text) != 2 * KEY_ID_SIZE:
        raise ValueError("key id length")
    key_id = bytes.fromhex(key_id_text)[::-1]
    if document.get("algorithm") != "Ed25519":
        raise ValueError("unknown algorithm")
    info = KeyFileInfo(
        key_id=key_id,
        public_key=unb64(document["public_key"], 32),
        office_code=_text(document["office_code"]),
        office_name=_text(document["office_name"]),
        created_at=_text(document["created_at"]),
    )
    cipher = _member(document, "cipher")
    if cipher.get("name") != "chacha20-poly1305":
        raise ValueError("unknown algorithm")
    params, salt = parse_kdf(_member(document, "kdf"), min_salt=_MIN_SALT)
    return _Sealed(
        info=info,
        params=params,
        salt=salt,
        nonce=unb64(cipher["nonce"], NONCE_SIZE),
        ciphertext=unb64(document["ciphertext"], SEED_SIZE + TAG_SIZE),
    )


def _sealed(data: bytes, where: str) -> tuple[dict[str, Any], _Sealed]:
    document = _document(data, where)
    try:
        return document, _parse(document)
    except (KeyError, ValueError, TypeError):
        raise _damaged(where) from None


def read_info(data: bytes, *, where: str = "") -> KeyFileInfo:
    """The public part of a key file (no passphrase needed); KeyFileError when any member of
    the file is missing or of the wrong shape."""
    return _sealed(data, where)[1].info


def unseal(data: bytes, passphrase: str, *, where: str = "") -> SecretKey:
    """The signing key; WrongPassphraseError when ``passphrase`` does not open it."""
    document, sealed = _sealed(data, where)
    try:
        kek = derive(passphrase, sealed.salt, sealed.params)
    except HashingError:
        # Every parameter was checked above; argon2 refusing them anyway is still damage.
        raise _damaged(where) from None
    try:
        seed = ChaCha20Poly1305(kek).decrypt(
            sealed.nonce, sealed.ciphertext, _associated_data(document)
        )
    except InvalidTag:
        raise WrongPassphraseError(
            "Frasa sandi kunci kantor salah.",
            hint="Periksa huruf besar/kecil dan tata letak papan ketik, lalu coba lagi.",
        ) from None
    key = SecretKey(seed, sealed.info.key_id)
    if key.public_key().key != sealed.info.public_key:
        raise _damaged(where)
    return key
