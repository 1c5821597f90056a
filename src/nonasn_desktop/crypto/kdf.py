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
import hashlib
import hmac
import json
import os
import threading
import time
import unicodedata
from dataclasses import dataclass, field
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


def _normalised(secret: str) -> bytes:
    return unicodedata.normalize("NFKC", secret).encode("utf-8")


def derive(secret: str, salt: bytes, params: KdfParams) -> bytes:
    """32 bytes from ``secret`` (NFKC-normalised UTF-8, so the same password typed on two
    keyboards derives the same key)."""
    return hash_secret_raw(
        _normalised(secret),
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


def parse_argon2id_hash(phc: str) -> tuple[KdfParams, bytes, bytes] | None:
    """The parameters, salt and raw output of an argon2id hash in the standard PHC shape
    (``$argon2id$v=19$m=…,t=…,p=…$salt$hash``, as argon2-cffi writes them); None for any other
    shape (an older hash, another variant, a damaged one)."""
    parts = phc.split("$")
    try:
        if len(parts) != 6 or parts[0] or parts[1] != "argon2id" or parts[2] != "v=19":
            return None
        costs = dict(item.split("=", 1) for item in parts[3].split(","))
        params = KdfParams(
            time_cost=int(costs["t"]), memory_cost_kib=int(costs["m"]), parallelism=int(costs["p"])
        )
        salt, raw = (
            base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
            for text in (parts[4], parts[5])
        )
    except (ValueError, KeyError, binascii.Error):
        return None
    return params, salt, raw


# -- one argon2id run serves both halves of signing in -------------------------------------------
# Signing in to an encrypted folder opens the clerk's key slot, then checks the clerk's password
# hash in the database the slot opened. A folder's slots are made from those very hashes
# (keyslots.slot_from_password_hash): the same password, salt and costs, so the same argon2id
# output. The slot's output is remembered for a moment, and the hash check that follows is
# answered from it instead of spending the same second again. It is equally sound: argon2's
# own check recomputes that output and compares it with the stored one, which is what
# :func:`verify_with_recent` does with the output it already has. Only an output that opened a
# slot is remembered (so only the right password), in memory only, once (the next check
# consumes it), for at most a minute; the secret it belongs to is kept as an HMAC under a
# random key of this process, never as text.

_RECENT_SECONDS: Final = 60.0
_PROCESS_KEY: Final = os.urandom(32)


@dataclass(frozen=True)
class _Recent:
    tag: bytes
    salt: bytes
    params: KdfParams
    output: bytes = field(repr=False)
    until: float


_recent_lock = threading.Lock()
_recent: _Recent | None = None


def _tag(secret: str) -> bytes:
    return hmac.new(_PROCESS_KEY, _normalised(secret), hashlib.sha256).digest()


def remember(secret: str, salt: bytes, params: KdfParams, output: bytes) -> None:
    """``output`` (= derive(secret, salt, params)) just proved right by opening a key slot."""
    global _recent
    entry = _Recent(_tag(secret), salt, params, output, time.monotonic() + _RECENT_SECONDS)
    with _recent_lock:
        _recent = entry


def forget() -> None:
    global _recent
    with _recent_lock:
        _recent = None


def verify_with_recent(phc: str, secret: str) -> bool | None:
    """Whether ``secret`` matches the argon2id hash ``phc``, answered from the output
    remembered for this secret, salt and costs (then forgotten); None when there is none, and
    the caller runs argon2 itself."""
    global _recent
    parsed = parse_argon2id_hash(phc)
    if parsed is None:
        return None
    params, salt, stored = parsed
    tag = _tag(secret)
    # Another output length is another computation: argon2 itself answers then.
    if len(stored) != KEY_SIZE:
        return None
    with _recent_lock:
        entry = _recent
        if entry is None:
            return None
        if time.monotonic() > entry.until:
            _recent = None
            return None
        if entry.salt != salt or entry.params != params or not hmac.compare_digest(entry.tag, tag):
            return None
        _recent = None
    return hmac.compare_digest(entry.output, stored)
