"""The data key of a data folder, wrapped once per clerk and once for the recovery key.

Like LUKS key slots: one random 32-byte data key encrypts everything personal in the folder;
each clerk's slot holds that key encrypted with a key derived from the clerk's password
(argon2id), so signing in unlocks it, a new clerk or a changed password rewrites only that slot,
and a removed clerk's slot is simply dropped. The recovery slot holds it encrypted with a key
derived (HKDF) from the recovery key, 160 random bits printed once for the office safe.

File format (UTF-8 JSON)::

    {
      "format": "nonasn-key-slots", "version": 1,
      "folder_id": "<32 hex digits>",
      "slots": [
        {"kind": "password", "label": "<username>",
         "kdf": {"name": "argon2id", "salt": "<b64>", "time_cost": 3,
                 "memory_cost_kib": 49152, "parallelism": 4},
         "nonce": "<b64, 12 bytes>", "wrapped": "<b64, 48 bytes>"},
        {"kind": "recovery", "label": "pemulihan",
         "kdf": {"name": "hkdf-sha256", "salt": "<b64>"},
         "nonce": "<b64>", "wrapped": "<b64>"}
      ]
    }

The AEAD's associated data is the canonical JSON of the folder id and the slot without its
``wrapped`` member: a slot copied into another folder, relabelled to another clerk or given
weaker KDF parameters fails to open instead of opening. Nothing in the file is secret.

**Signing in costs one argon2id run, not two.** Signing in to an encrypted folder opens the
clerk's slot (argon2id) and then checks the clerk's password hash in the database it opened
(argon2id again). A folder's slots are made from those hashes (:func:`slot_from_password_hash`:
same salt, same costs), so both runs compute the same output; the slot's output is remembered
for the check that follows (``open_with_password(..., remember_output=True)`` and
crypto.kdf.verify_with_recent, which says why that is as sound as argon2's own check). A slot
made from the password with a salt of its own (an office database server's, see
accounts.slots, or a clerk whose stored hash has an older shape) still costs a second run:
there the two derivations differ on purpose.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field, replace
from typing import Any, Final, Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from nonasn_desktop.crypto.errors import KeyFileError, WrongPassphraseError
from nonasn_desktop.crypto.kdf import (
    MAX_SALT,
    KdfParams,
    b64,
    canonical_json,
    derive,
    kdf_json,
    parse_argon2id_hash,
    parse_kdf,
    remember,
    unb64,
)

FORMAT: Final = "nonasn-key-slots"
VERSION: Final = 1
DATA_KEY_SIZE: Final = 32
SALT_SIZE: Final = 16
# A slot made from a stored password hash keeps that hash's salt (argon2 allows 8 bytes up).
_MIN_SALT: Final = 8
NONCE_SIZE: Final = 12
RECOVERY_KEY_SIZE: Final = 20
RECOVERY_LABEL: Final = "pemulihan"
# Crockford's base32: no I, L, O or U, so a key read aloud or retyped is hard to get wrong.
_ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CONFUSED: Final = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
_CHECK_CHARS: Final = 4
_GROUP: Final = 4
_MAX_SLOTS: Final = 1000

SlotKind = Literal["password", "recovery"]


@dataclass(frozen=True)
class Slot:
    kind: SlotKind
    label: str
    salt: bytes
    nonce: bytes
    wrapped: bytes
    # Only for password slots.
    kdf: KdfParams | None = None


@dataclass(frozen=True)
class KeySlots:
    folder_id: str
    slots: tuple[Slot, ...] = field(default=())

    def password_slot(self, label: str) -> Slot | None:
        return next((s for s in self.slots if s.kind == "password" and s.label == label), None)

    def recovery_slot(self) -> Slot | None:
        return next((s for s in self.slots if s.kind == "recovery"), None)

    def labels(self) -> list[str]:
        return [s.label for s in self.slots if s.kind == "password"]

    def with_slot(self, slot: Slot) -> KeySlots:
        """These slots with ``slot`` added, replacing one of the same kind and label."""
        kept = tuple(s for s in self.slots if (s.kind, s.label) != (slot.kind, slot.label))
        return replace(self, slots=(*kept, slot))

    def without(self, label: str) -> KeySlots:
        """These slots without the password slot of ``label`` (its key copy is gone)."""
        return replace(
            self,
            slots=tuple(s for s in self.slots if not (s.kind == "password" and s.label == label)),
        )


def new_data_key() -> bytes:
    return os.urandom(DATA_KEY_SIZE)


def new_folder_id() -> str:
    return os.urandom(16).hex()


def _kdf_json(slot: Slot) -> dict[str, Any]:
    if slot.kind == "recovery":
        return {"name": "hkdf-sha256", "salt": b64(slot.salt)}
    assert slot.kdf is not None
    return kdf_json(slot.kdf, slot.salt)


def _slot_json(slot: Slot) -> dict[str, Any]:
    return {
        "kind": slot.kind,
        "label": slot.label,
        "kdf": _kdf_json(slot),
        "nonce": b64(slot.nonce),
        "wrapped": b64(slot.wrapped),
    }


def _associated_data(folder_id: str, slot: Slot) -> bytes:
    header = {k: v for k, v in _slot_json(slot).items() if k != "wrapped"}
    header["folder_id"] = folder_id
    return canonical_json(header)


def _recovery_kek(recovery_key: bytes, salt: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=salt, info=b"nonasn-recovery-slot"
    ).derive(recovery_key)


def _seal(folder_id: str, template: Slot, kek: bytes, data_key: bytes) -> Slot:
    if len(data_key) != DATA_KEY_SIZE:
        raise ValueError("the data key must be 32 bytes")
    wrapped = ChaCha20Poly1305(kek).encrypt(
        template.nonce, data_key, _associated_data(folder_id, template)
    )
    return replace(template, wrapped=wrapped)


def password_slot(
    folder_id: str, data_key: bytes, label: str, password: str, params: KdfParams | None = None
) -> Slot:
    """A slot that opens ``data_key`` with ``password`` (label: the clerk's username)."""
    params = params or KdfParams()
    template = Slot(
        kind="password",
        label=label,
        salt=os.urandom(SALT_SIZE),
        nonce=os.urandom(NONCE_SIZE),
        wrapped=b"",
        kdf=params,
    )
    return _seal(folder_id, template, derive(password, template.salt, params), data_key)


def slot_from_password_hash(folder_id: str, data_key: bytes, label: str, phc: str) -> Slot | None:
    """A password slot made from a clerk's stored argon2id hash, without the password.

    The hash's raw output is exactly what :func:`open_with_password` derives from the password
    with the hash's salt and parameters, so the clerk's present password opens the slot. Used
    when a folder made before encryption at rest is converted, and when a field laptop is set up
    from its enrolment file: the passwords are not known there, their hashes are. None when the
    hash is not an argon2id hash of the standard shape (that clerk gets a slot at the next
    password change).
    """
    parsed = parse_argon2id_hash(phc)
    if parsed is None:
        return None
    params, salt, raw = parsed
    if len(raw) != DATA_KEY_SIZE or not _MIN_SALT <= len(salt) <= MAX_SALT:
        return None
    template = Slot(
        kind="password",
        label=label,
        salt=salt,
        nonce=os.urandom(NONCE_SIZE),
        wrapped=b"",
        kdf=params,
    )
    return _seal(folder_id, template, raw, data_key)


def recovery_slot(folder_id: str, data_key: bytes, recovery_key: bytes) -> Slot:
    if len(recovery_key) != RECOVERY_KEY_SIZE:
        raise ValueError("a recovery key is 20 bytes")
    template = Slot(
        kind="recovery",
        label=RECOVERY_LABEL,
        salt=os.urandom(SALT_SIZE),
        nonce=os.urandom(NONCE_SIZE),
        wrapped=b"",
    )
    return _seal(folder_id, template, _recovery_kek(recovery_key, template.salt), data_key)


def _open(folder_id: str, slot: Slot, kek: bytes) -> bytes | None:
    try:
        key = ChaCha20Poly1305(kek).decrypt(
            slot.nonce, slot.wrapped, _associated_data(folder_id, slot)
        )
    except InvalidTag:
        return None
    return key if len(key) == DATA_KEY_SIZE else None


def open_with_password(
    slots: KeySlots, label: str, password: str, *, remember_output: bool = False
) -> bytes:
    """The data key, or WrongPassphraseError (also when ``label`` has no slot: the caller
    must not tell a stranger which usernames exist).

    ``remember_output``: signing in, where the clerk's password hash is checked next: the
    argon2id output that opened the slot answers that check (crypto.kdf.verify_with_recent),
    so signing in costs one argon2id run, not two.
    """
    slot = slots.password_slot(label)
    if slot is not None and slot.kdf is not None:
        kek = derive(password, slot.salt, slot.kdf)
        key = _open(slots.folder_id, slot, kek)
        if key is not None:
            if remember_output:
                remember(password, slot.salt, slot.kdf, kek)
            return key
    raise WrongPassphraseError(
        "Nama pengguna atau kata sandi salah.",
        hint="Periksa huruf besar/kecil dan tata letak papan ketik, lalu coba lagi.",
    )


def open_with_recovery_key(slots: KeySlots, recovery_key: bytes) -> bytes:
    slot = slots.recovery_slot()
    if slot is not None:
        key = _open(slots.folder_id, slot, _recovery_kek(recovery_key, slot.salt))
        if key is not None:
            return key
    raise WrongPassphraseError(
        "Kunci pemulihan tidak cocok dengan folder data ini.",
        hint="Pastikan lembar kunci pemulihan itu milik kantor dan folder data ini.",
    )


# -- recovery key as text ----------------------------------------------------------------------


def new_recovery_key() -> bytes:
    return os.urandom(RECOVERY_KEY_SIZE)


def _check(key: bytes) -> str:
    digest = int.from_bytes(hashlib.sha256(b"nonasn-recovery" + key).digest()[:3], "big")
    return "".join(_ALPHABET[(digest >> (5 * i)) & 31] for i in reversed(range(_CHECK_CHARS)))


def format_recovery_key(key: bytes) -> str:
    """``key`` as 36 Crockford base32 characters (the last four a check) in groups of four."""
    number = int.from_bytes(key, "big")
    chars = "".join(_ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(32)))
    text = chars + _check(key)
    return "-".join(text[i : i + _GROUP] for i in range(0, len(text), _GROUP))


def parse_recovery_key(text: str) -> bytes:
    """The key typed or read from a file; spaces, dashes, case and O/0, I/L/1 do not matter."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum()).translate(_CONFUSED)
    wrong = KeyFileError(
        "Kunci pemulihan salah ketik: harus 36 huruf/angka (9 kelompok berisi 4).",
        hint="Salin lagi dari lembar kunci pemulihan, kelompok demi kelompok.",
    )
    if len(cleaned) != 32 + _CHECK_CHARS or any(ch not in _ALPHABET for ch in cleaned):
        raise wrong
    number = 0
    for ch in cleaned[:32]:
        number = (number << 5) | _ALPHABET.index(ch)
    key = number.to_bytes(RECOVERY_KEY_SIZE, "big")
    if _check(key) != cleaned[32:]:
        raise wrong
    return key


# -- the file ----------------------------------------------------------------------------------


def dumps(slots: KeySlots) -> bytes:
    document = {
        "format": FORMAT,
        "version": VERSION,
        "folder_id": slots.folder_id,
        "slots": [_slot_json(s) for s in slots.slots],
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _damaged(where: str) -> KeyFileError:
    place = f" {where}" if where else ""
    return KeyFileError(
        f"Berkas kunci data{place} rusak atau bukan milik aplikasi ini.",
        hint="Pulihkan folder data dari cadangan, atau buka dengan kunci pemulihan "
        "(nonasn recover).",
    )


def _salt(value: object) -> bytes:
    salt = unb64(value)
    if not _MIN_SALT <= len(salt) <= MAX_SALT:
        raise ValueError("salt length")
    return salt


def _slot(item: Any) -> Slot:
    if not isinstance(item, dict):
        raise ValueError("slot is not an object")
    kind, label, kdf = item["kind"], item["label"], item["kdf"]
    if not isinstance(label, str) or not label or not isinstance(kdf, dict):
        raise ValueError("bad slot")
    params: KdfParams | None
    if kind == "password":
        params, salt = parse_kdf(kdf, min_salt=_MIN_SALT)
    elif kind == "recovery" and kdf.get("name") == "hkdf-sha256":
        params, salt = None, _salt(kdf["salt"])
    else:
        raise ValueError("unknown slot kind")
    return Slot(
        kind=kind,
        label=label,
        salt=salt,
        nonce=unb64(item["nonce"], NONCE_SIZE),
        wrapped=unb64(item["wrapped"], DATA_KEY_SIZE + 16),
        kdf=params,
    )


def slot_to_text(slot: Slot) -> str:
    """One slot as JSON text (an office database keeps one row per slot)."""
    return json.dumps(_slot_json(slot), ensure_ascii=False, sort_keys=True)


def slot_from_text(text: str, *, where: str = "") -> Slot:
    """The slot of :func:`slot_to_text`; KeyFileError for anything malformed."""
    try:
        return _slot(json.loads(text))
    except (ValueError, KeyError, TypeError):
        raise _damaged(where) from None


def loads(data: bytes, *, where: str = "") -> KeySlots:
    """The slots of a key-slot file; KeyFileError (in Indonesian) for anything malformed."""
    try:
        document = json.loads(data.decode("utf-8"))
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise ValueError("not a key-slot file")
        if document.get("version") != VERSION:
            raise ValueError("unknown version")
        folder_id = document["folder_id"]
        items = document["slots"]
        if not isinstance(folder_id, str) or len(folder_id) != 32:
            raise ValueError("bad folder id")
        bytes.fromhex(folder_id)
        if not isinstance(items, list) or len(items) > _MAX_SLOTS:
            raise ValueError("bad slot list")
        slots = tuple(_slot(item) for item in items)
    except (UnicodeDecodeError, ValueError, KeyError, TypeError):
        raise _damaged(where) from None
    if len({(s.kind, s.label) for s in slots}) != len(slots):
        raise _damaged(where)
    return KeySlots(folder_id=folder_id, slots=slots)
