"""What the sealed key file and the key slots share: argon2id key derivation with its stored
parameters checked against hostile values, and the base64 members of their JSON.

A damaged or hostile file must neither crash argon2 (it refuses salts under 8 bytes with an
internal error) nor make it exhaust the machine (a memory cost of a terabyte): every value is
checked for its type and range before it is used, and a bad one is a ValueError that the file's
reader turns into its own Indonesian message.
"""

from __future__ import annotations

import base64
import binascii
import json
import unicodedata
from dataclasses import dataclass
from typing import Any, Final

from argon2.low_level import Type, hash_secret_raw

TIME_COST: Final = 3
MEMORY_COST_KIB: Final = 48 * 1024
PARALLELISM: Final = 4
KEY_SIZE: Final = 32
MAX_SALT: Final = 64
_MAX_MEMORY_KIB: Final = 1024 * 1024
_MAX_TIME_COST: Final = 64
_MAX_PARALLELISM: Final = 16


@dataclass(frozen=True)
class KdfParams:
    """argon2id's costs. The defaults: 48 MiB, 3 passes, 4 lanes (about 0.2 s on an office
    laptop), above OWASP's minimum for argon2id; stored with each secret so a later version can
    raise them without breaking what exists."""

    time_cost: int = TIME_COST
    memory_cost_kib: int = MEMORY_COST_KIB
    parallelism: int = PARALLELISM


def derive(secret: str, salt: bytes, params: KdfParams) -> bytes:
    """32 bytes from ``secret`` (NFKC-normalised UTF-8, so the same password typed on two
    keyboards derives the same key)."""
    return hash_secret_raw(
        unicodedata.normalize("NFKC", secret).encode("utf-8"),
        salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_cost_kib,
        parallelism=params.parallelism,
        hash_len=KEY_SIZE,
        type=Type.ID,
    )


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: object, size: int | None = None) -> bytes:
    """Strict base64 text to bytes (of exactly ``size`` when given); ValueError otherwise."""
    if not isinstance(text, str):
        raise ValueError("not text")
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise ValueError("not base64") from None
    if size is not None and len(data) != size:
        raise ValueError("wrong length")
    return data


def count(value: object, low: int, high: int) -> int:
    """An integer in [low, high]; bool, float and text are not counts in these formats."""
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError("not a count in range")
    return value


def kdf_json(params: KdfParams, salt: bytes) -> dict[str, Any]:
    return {
        "name": "argon2id",
        "salt": b64(salt),
        "time_cost": params.time_cost,
        "memory_cost_kib": params.memory_cost_kib,
        "parallelism": params.parallelism,
    }


def parse_kdf(kdf: object, *, min_salt: int) -> tuple[KdfParams, bytes]:
    """The parameters and salt of a stored ``kdf`` member, each checked for shape and range."""
    if not isinstance(kdf, dict) or kdf.get("name") != "argon2id":
        raise ValueError("unknown key derivation")
    parallelism = count(kdf["parallelism"], 1, _MAX_PARALLELISM)
    params = KdfParams(
        time_cost=count(kdf["time_cost"], 1, _MAX_TIME_COST),
        memory_cost_kib=count(kdf["memory_cost_kib"], 8 * parallelism, _MAX_MEMORY_KIB),
        parallelism=parallelism,
    )
    salt = unb64(kdf["salt"])
    if not min_salt <= len(salt) <= MAX_SALT:
        raise ValueError("salt length")
    return params, salt


def canonical_json(document: dict[str, Any]) -> bytes:
    """Sorted keys, no spaces: the AEAD's associated data over a file's header members."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
