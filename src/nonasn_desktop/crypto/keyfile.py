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

import base64
import binascii
import json
import os
import unicodedata
from dataclasses import dataclass
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from nonasn_desktop.crypto.errors import KeyFileError, WrongPassphraseError
from nonasn_desktop.crypto.minisign import KEY_ID_SIZE, PublicKey, SecretKey, key_id_hex

FORMAT = "nonasn-office-key"
VERSION = 1
TIME_COST = 3
MEMORY_COST_KIB = 48 * 1024
PARALLELISM = 4
SALT_SIZE = 16
NONCE_SIZE = 12
# Refuse KDF parameters that would exhaust the machine (a damaged or hostile file).
_MAX_MEMORY_KIB = 1024 * 1024
_MAX_TIME_COST = 64


@dataclass(frozen=True)
class KdfParams:
    time_cost: int = TIME_COST
    memory_cost_kib: int = MEMORY_COST_KIB
    parallelism: int = PARALLELISM


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


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object, size: int | None = None) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not text")
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise ValueError("not base64") from None
    if size is not None and len(data) != size:
        raise ValueError("wrong length")
    return data


def _passphrase_bytes(passphrase: str) -> bytes:
    return unicodedata.normalize("NFKC", passphrase).encode("utf-8")


def _derive(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    return hash_secret_raw(
        _passphrase_bytes(passphrase),
        salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_cost_kib,
        parallelism=params.parallelism,
        hash_len=32,
        type=Type.ID,
    )


def derive(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    """32 bytes of argon2id(passphrase NFKC-normalised, salt, params): the key-encryption key
    of a key file, and of other files sealed with a passphrase (the enrolment file)."""
    check_params(params)
    return _derive(passphrase, salt, params)


def check_params(params: KdfParams) -> None:
    """ValueError for KDF parameters that would exhaust the machine (a damaged or hostile
    file) or are too weak to be ours."""
    if not (
        1 <= params.time_cost <= _MAX_TIME_COST
        and 8 * params.parallelism <= params.memory_cost_kib <= _MAX_MEMORY_KIB
        and 1 <= params.parallelism <= 16
    ):
        raise ValueError("KDF parameters out of range")


def _associated_data(document: dict[str, Any]) -> bytes:
    header = {k: v for k, v in document.items() if k != "ciphertext"}
    return json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


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
        "public_key": _b64(key.public_key().key),
        "office_code": office_code,
        "office_name": office_name,
        "created_at": created_at,
        "kdf": {
            "name": "argon2id",
            "salt": _b64(salt),
            "time_cost": params.time_cost,
            "memory_cost_kib": params.memory_cost_kib,
            "parallelism": params.parallelism,
        },
        "cipher": {"name": "chacha20-poly1305", "nonce": _b64(nonce)},
    }
    kek = _derive(passphrase, salt, params)
    ciphertext = ChaCha20Poly1305(kek).encrypt(nonce, key.seed(), _associated_data(document))
    document["ciphertext"] = _b64(ciphertext)
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


def read_info(data: bytes, *, where: str = "") -> KeyFileInfo:
    """The public part of a key file (no passphrase needed)."""
    document = _document(data, where)
    try:
        key_id = bytes.fromhex(str(document["key_id"]))[::-1]
        if len(key_id) != KEY_ID_SIZE:
            raise ValueError("key id length")
        return KeyFileInfo(
            key_id=key_id,
            public_key=_unb64(document["public_key"], 32),
            office_code=str(document["office_code"]),
            office_name=str(document["office_name"]),
            created_at=str(document["created_at"]),
        )
    except (KeyError, ValueError, TypeError):
        raise _damaged(where) from None


def unseal(data: bytes, passphrase: str, *, where: str = "") -> SecretKey:
    """The signing key; WrongPassphraseError when ``passphrase`` does not open it."""
    document = _document(data, where)
    info = read_info(data, where=where)
    try:
        kdf = document["kdf"]
        cipher = document["cipher"]
        if kdf["name"] != "argon2id" or cipher["name"] != "chacha20-poly1305":
            raise ValueError("unknown algorithm")
        params = KdfParams(
            time_cost=int(kdf["time_cost"]),
            memory_cost_kib=int(kdf["memory_cost_kib"]),
            parallelism=int(kdf["parallelism"]),
        )
        check_params(params)
        salt = _unb64(kdf["salt"])
        nonce = _unb64(cipher["nonce"], NONCE_SIZE)
        ciphertext = _unb64(document["ciphertext"])
    except (KeyError, ValueError, TypeError):
        raise _damaged(where) from None
    kek = _derive(passphrase, salt, params)
    try:
        seed = ChaCha20Poly1305(kek).decrypt(nonce, ciphertext, _associated_data(document))
    except InvalidTag:
        raise WrongPassphraseError(
            "Frasa sandi kunci kantor salah.",
            hint="Periksa huruf besar/kecil dan tata letak papan ketik, lalu coba lagi.",
        ) from None
    if len(seed) != 32:
        raise _damaged(where)
    key = SecretKey(seed, info.key_id)
    if key.public_key().key != info.public_key:
        raise _damaged(where)
    return key
