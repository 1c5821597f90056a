"""Key slots: the data key opened by a clerk's password or by the recovery key."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from nonasn_desktop.crypto import keyslots
from nonasn_desktop.crypto.errors import KeyFileError, WrongPassphraseError
from nonasn_desktop.crypto.kdf import KdfParams
from nonasn_desktop.crypto.passwords import hash_secret

# Cheap parameters: the tests check the wrapping, not argon2's cost.
Opened = tuple[keyslots.KeySlots, bytes, bytes]
FAST = KdfParams(time_cost=1, memory_cost_kib=8, parallelism=1)


@pytest.fixture
def opened() -> Opened:
    folder = keyslots.new_folder_id()
    data_key = keyslots.new_data_key()
    recovery = keyslots.new_recovery_key()
    slots = keyslots.KeySlots(folder)
    slots = slots.with_slot(keyslots.password_slot(folder, data_key, "admin", "rahasia-1", FAST))
    slots = slots.with_slot(keyslots.password_slot(folder, data_key, "siti", "sandi-siti", FAST))
    slots = slots.with_slot(keyslots.recovery_slot(folder, data_key, recovery))
    return slots, data_key, recovery


def test_each_clerk_and_the_recovery_key_open_the_same_data_key(opened: Opened) -> None:
    slots, data_key, recovery = opened
    loaded = keyslots.loads(keyslots.dumps(slots))
    assert keyslots.open_with_password(loaded, "admin", "rahasia-1") == data_key
    assert keyslots.open_with_password(loaded, "siti", "sandi-siti") == data_key
    assert keyslots.open_with_recovery_key(loaded, recovery) == data_key
    assert loaded.labels() == ["admin", "siti"]


def test_wrong_password_unknown_clerk_and_wrong_recovery_key_are_refused(opened: Opened) -> None:
    slots, _data_key, _recovery = opened
    with pytest.raises(WrongPassphraseError, match="salah"):
        keyslots.open_with_password(slots, "admin", "rahasia-2")
    with pytest.raises(WrongPassphraseError, match="salah"):
        keyslots.open_with_password(slots, "budi", "rahasia-1")
    with pytest.raises(WrongPassphraseError, match="tidak cocok"):
        keyslots.open_with_recovery_key(slots, keyslots.new_recovery_key())


def test_a_changed_password_rewrites_only_that_slot_and_removal_destroys_it(opened: Opened) -> None:
    slots, data_key, _recovery = opened
    before = {s.label: s for s in slots.slots}
    changed = slots.with_slot(
        keyslots.password_slot(slots.folder_id, data_key, "siti", "sandi-baru", FAST)
    )
    after = {s.label: s for s in changed.slots}
    assert after["admin"] == before["admin"]
    assert after["siti"] != before["siti"]
    assert keyslots.open_with_password(changed, "siti", "sandi-baru") == data_key
    with pytest.raises(WrongPassphraseError):
        keyslots.open_with_password(changed, "siti", "sandi-siti")
    removed = changed.without("siti")
    assert removed.labels() == ["admin"]
    with pytest.raises(WrongPassphraseError):
        keyslots.open_with_password(removed, "siti", "sandi-baru")


def _edited(slots: keyslots.KeySlots, edit: Callable[[dict[str, Any]], None]) -> bytes:
    document = json.loads(keyslots.dumps(slots))
    edit(document)
    return json.dumps(document).encode()


def test_a_slot_moved_relabelled_or_weakened_does_not_open(opened: Opened) -> None:
    slots, _data_key, _recovery = opened

    def relabel(document: dict[str, Any]) -> None:
        document["slots"][1]["label"] = "budi"

    def move(document: dict[str, Any]) -> None:
        document["folder_id"] = "0" * 32

    def weaken(document: dict[str, Any]) -> None:
        document["slots"][0]["kdf"]["memory_cost_kib"] = 16

    with pytest.raises(WrongPassphraseError):
        keyslots.open_with_password(keyslots.loads(_edited(slots, relabel)), "budi", "sandi-siti")
    with pytest.raises(WrongPassphraseError):
        keyslots.open_with_password(keyslots.loads(_edited(slots, move)), "admin", "rahasia-1")
    with pytest.raises(WrongPassphraseError):
        keyslots.open_with_password(keyslots.loads(_edited(slots, weaken)), "admin", "rahasia-1")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\xff\xfe",
        b"[]",
        b'{"format": "nonasn-key-slots", "version": 9}',
        b'{"format": "nonasn-key-slots", "version": 1, "folder_id": "x", "slots": []}',
    ],
)
def test_a_damaged_file_is_refused_with_a_message(data: bytes) -> None:
    with pytest.raises(KeyFileError, match="Berkas kunci data"):
        keyslots.loads(data)


def test_hostile_kdf_parameters_and_short_salts_are_refused(opened: Opened) -> None:
    slots, _data_key, _recovery = opened

    def huge(document: dict[str, Any]) -> None:
        document["slots"][0]["kdf"]["memory_cost_kib"] = 1 << 40

    def short_salt(document: dict[str, Any]) -> None:
        document["slots"][0]["kdf"]["salt"] = "AA=="

    for edit in (huge, short_salt):
        with pytest.raises(KeyFileError):
            keyslots.loads(_edited(slots, edit))


def test_recovery_key_text_round_trip_and_typing_slips() -> None:
    key = keyslots.new_recovery_key()
    text = keyslots.format_recovery_key(key)
    assert len(text.split("-")) == 9
    assert all(len(group) == 4 for group in text.split("-"))
    assert keyslots.parse_recovery_key(text) == key
    sloppy = text.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert keyslots.parse_recovery_key(sloppy) == key


def test_a_mistyped_recovery_key_is_caught_by_its_check() -> None:
    text = keyslots.format_recovery_key(keyslots.new_recovery_key())
    first = text[0]
    wrong = ("2" if first != "2" else "3") + text[1:]
    with pytest.raises(KeyFileError, match="salah ketik"):
        keyslots.parse_recovery_key(wrong)
    with pytest.raises(KeyFileError, match="salah ketik"):
        keyslots.parse_recovery_key(text[:-5])


def test_a_slot_made_from_a_stored_password_hash_opens_with_that_password() -> None:
    folder = keyslots.new_folder_id()
    data_key = keyslots.new_data_key()
    stored = hash_secret("sandi lama siti")
    slot = keyslots.slot_from_password_hash(folder, data_key, "siti", stored)
    assert slot is not None
    slots = keyslots.loads(keyslots.dumps(keyslots.KeySlots(folder).with_slot(slot)))
    assert keyslots.open_with_password(slots, "siti", "sandi lama siti") == data_key
    with pytest.raises(WrongPassphraseError):
        keyslots.open_with_password(slots, "siti", "sandi lain")


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "plain text",
        "$argon2i$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$aGFzaA",
        "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$aGFzaA",
        "$argon2id$v=19$m=x,t=3,p=4$c2FsdHNhbHRzYWx0$" + "A" * 43,
    ],
)
def test_an_unusable_password_hash_gives_no_slot(stored: str) -> None:
    assert keyslots.slot_from_password_hash("0" * 32, bytes(32), "siti", stored) is None
