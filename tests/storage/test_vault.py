"""The data folder's key slots and failed-unlock record."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import pytest

from nonasn_desktop.crypto import keyslots
from nonasn_desktop.crypto.errors import KeyFileError
from nonasn_desktop.crypto.kdf import KdfParams
from nonasn_desktop.errors import DataDirError
from nonasn_desktop.storage import vault
from nonasn_desktop.storage.datadir import DataDir

FAST = KdfParams(time_cost=1, memory_cost_kib=8, parallelism=1)


def test_slots_round_trip_privately(tmp_path: Path) -> None:
    folder = DataDir(tmp_path)
    assert vault.read_slots(folder) is None
    key = vault.DataKey(keyslots.new_data_key())
    recovery = keyslots.new_recovery_key()
    slots = vault.new_slots(keyslots.new_folder_id(), key, "admin", "rahasia-1", recovery, FAST)
    vault.write_slots(folder, slots)
    loaded = vault.read_slots(folder)
    assert loaded is not None
    assert keyslots.open_with_password(loaded, "admin", "rahasia-1") == key.raw
    assert keyslots.open_with_recovery_key(loaded, recovery) == key.raw
    if os.name == "posix":
        assert stat.S_IMODE(vault.slots_path(folder).stat().st_mode) == 0o600


def test_derived_keys_are_distinct_and_the_key_never_prints() -> None:
    key = vault.DataKey(bytes(range(32)))
    assert len({key.database_key, key.files_key, key.raw}) == 3
    assert key.raw.hex() not in repr(key)
    with pytest.raises(ValueError, match="32 bytes"):
        vault.DataKey(b"short")


def test_a_damaged_slot_file_points_to_the_recovery_key(tmp_path: Path) -> None:
    folder = DataDir(tmp_path)
    vault.slots_path(folder).write_bytes(b"{not json")
    with pytest.raises(KeyFileError, match="nonasn recover"):
        vault.read_slots(folder)


def test_a_special_file_in_place_of_the_slots_is_refused(tmp_path: Path) -> None:
    folder = DataDir(tmp_path)
    vault.slots_path(folder).mkdir()
    with pytest.raises(DataDirError, match="bukan berkas biasa"):
        vault.read_slots(folder)


def test_attempts_round_trip_and_damage_counts_as_none(tmp_path: Path) -> None:
    folder = DataDir(tmp_path)
    assert vault.read_attempts(folder) == {}
    until = dt.datetime(2026, 12, 5, 8, 0, tzinfo=dt.UTC)
    vault.write_attempts(
        folder, {"siti": vault.Attempts(5, until), "budi": vault.Attempts(0, None)}
    )
    assert vault.read_attempts(folder) == {"siti": vault.Attempts(5, until)}
    vault.attempts_path(folder).write_bytes(b"\x00garbage")
    assert vault.read_attempts(folder) == {}


def test_attempts_are_not_written_to_a_vanished_folder(tmp_path: Path) -> None:
    folder = DataDir(tmp_path / "gone")
    # A read-only or vanished folder must not stop a sign-in.
    vault.write_attempts(folder, {"siti": vault.Attempts(1, None)})
    assert not (tmp_path / "gone").exists()
