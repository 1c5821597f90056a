"""Signing in to an encrypted folder runs argon2id once: the output that opened the clerk's key
slot answers the check of the same clerk's password hash (crypto.kdf.verify_with_recent)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher

from nonasn_desktop.crypto import kdf, keyslots, passwords

# Cheap parameters: what is tested is which argon2 runs happen, not their cost.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "rahasia-1"


@pytest.fixture(autouse=True)
def nothing_remembered() -> Iterator[None]:
    kdf.forget()
    yield
    kdf.forget()


@pytest.fixture
def argon2_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every password-hash check that ran argon2 itself."""
    ran: list[str] = []
    real = passwords._hasher

    class Counted:
        def __getattr__(self, name: str) -> object:
            return getattr(real, name)

        def verify(self, stored: str, secret: str) -> bool:
            ran.append(stored)
            return real.verify(stored, secret)

    monkeypatch.setattr(passwords, "_hasher", Counted())
    return ran


def _slots_from_hash(stored: str) -> tuple[keyslots.KeySlots, bytes]:
    folder, data_key = keyslots.new_folder_id(), keyslots.new_data_key()
    slot = keyslots.slot_from_password_hash(folder, data_key, "admin", stored)
    assert slot is not None
    return keyslots.KeySlots(folder).with_slot(slot), data_key


def test_the_hash_check_after_opening_the_slot_needs_no_second_argon2_run(
    argon2_checks: list[str],
) -> None:
    stored = FAST_HASHER.hash(PASSWORD)
    slots, data_key = _slots_from_hash(stored)
    assert keyslots.open_with_password(slots, "admin", PASSWORD, remember_output=True) == data_key
    assert passwords.verify_secret(stored, PASSWORD)
    assert argon2_checks == []
    # Once only: the next check runs argon2 again.
    assert passwords.verify_secret(stored, PASSWORD)
    assert argon2_checks == [stored]


def test_another_password_another_salt_or_nothing_remembered_runs_argon2(
    argon2_checks: list[str],
) -> None:
    stored = FAST_HASHER.hash(PASSWORD)
    slots, _ = _slots_from_hash(stored)
    keyslots.open_with_password(slots, "admin", PASSWORD, remember_output=True)
    assert not passwords.verify_secret(stored, "tebak-tebak")
    other = FAST_HASHER.hash(PASSWORD)  # the same password with a salt of its own
    assert passwords.verify_secret(other, PASSWORD)
    assert argon2_checks == [stored, other]
    kdf.forget()
    keyslots.open_with_password(slots, "admin", PASSWORD)  # not signing in: nothing kept
    assert passwords.verify_secret(stored, PASSWORD)
    assert argon2_checks == [stored, other, stored]


def test_a_wrong_password_opens_no_slot_and_leaves_nothing_behind(
    argon2_checks: list[str],
) -> None:
    stored = FAST_HASHER.hash(PASSWORD)
    slots, _ = _slots_from_hash(stored)
    with pytest.raises(keyslots.WrongPassphraseError):
        keyslots.open_with_password(slots, "admin", "tebak-tebak", remember_output=True)
    assert not passwords.verify_secret(stored, "tebak-tebak")
    assert argon2_checks == [stored]


def test_what_is_remembered_lasts_a_minute(
    argon2_checks: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = FAST_HASHER.hash(PASSWORD)
    slots, _ = _slots_from_hash(stored)
    keyslots.open_with_password(slots, "admin", PASSWORD, remember_output=True)
    later = kdf.time.monotonic() + 61
    monkeypatch.setattr(kdf.time, "monotonic", lambda: later)
    assert passwords.verify_secret(stored, PASSWORD)
    assert argon2_checks == [stored]
