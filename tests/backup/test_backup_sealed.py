"""Backups of an encrypted data folder are sealed; plain archives of older versions restore."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from helpers.accounts import ADMIN_PASSWORD, ADMIN_USERNAME, FakeClock, signed_in
from nonasn_desktop.backup import archive as backup
from nonasn_desktop.backup import restore as backup_restore
from nonasn_desktop.backup import sealed
from nonasn_desktop.backup.verify import verify_backup
from nonasn_desktop.demo import generate as demo
from nonasn_desktop.errors import UserError
from nonasn_desktop.office import identity as office
from nonasn_desktop.registration import store as registrations
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.startup import encrypt_new_folder, open_app, unlock
from nonasn_desktop.storage import vault
from nonasn_desktop.storage.datadir import DataDir

SCAN = b"\xff\xd8\xff\xe0 pindaian KTP"


def _office(path: Path, clock: FakeClock) -> str:
    with open_app(path, create=True, clock=clock) as ctx:
        office.initialise(
            ctx, office_code="3273", office_name="BKD", admin=(ADMIN_USERNAME, ADMIN_PASSWORD)
        )
        demo.generate(ctx, 2, RecordStatus.DRAF, seed=5, actor=signed_in(ctx))
        return ctx.blobs.put(SCAN)


def _count(path: Path, key: vault.DataKey | None, clock: FakeClock) -> int:
    with open_app(path, key=key, clock=clock) as ctx:
        return sum(registrations.count_by_status(ctx).values())


@pytest.fixture
def encrypted(tmp_path: Path, clock: FakeClock) -> tuple[Path, vault.DataKey, str]:
    path = tmp_path / "data"
    sha = _office(path, clock)
    key = encrypt_new_folder(path, ADMIN_USERNAME, ADMIN_PASSWORD).key
    assert key is not None
    return path, key, sha


def test_a_sealed_backup_verifies_only_with_its_key_and_restores_elsewhere(
    encrypted: tuple[Path, vault.DataKey, str], tmp_path: Path, clock: FakeClock
) -> None:
    path, key, sha = encrypted
    with open_app(path, key=key, clock=clock) as ctx:
        info = backup.create_backup(ctx, tmp_path / "cadangan.zip", actor=signed_in(ctx))
    with zipfile.ZipFile(info.path) as outer:
        assert sorted(outer.namelist()) == [sealed.SEALED_MEMBER, sealed.SLOTS_MEMBER]
    with pytest.raises(UserError, match="terenkripsi"):
        verify_backup(info.path)
    with pytest.raises(UserError, match="milik folder data lain"):
        verify_backup(info.path, key=vault.DataKey(bytes(32)))
    assert verify_backup(info.path, key=key).registrations == 2
    # Another machine: the archive's own slots open it with the clerk's password.
    found = sealed.unlock_archive(info.path, ADMIN_USERNAME, ADMIN_PASSWORD)
    assert found == key
    elsewhere = DataDir(tmp_path / "laptop-baru")
    backup_restore.restore_backup(elsewhere, info.path, archive_key=found, now=clock())
    assert vault.read_slots(elsewhere) is not None
    assert _count(elsewhere.path, key, clock) == 2
    with open_app(elsewhere.path, key=key, clock=clock) as ctx:
        assert ctx.blobs.get(sha) == SCAN
    assert unlock(elsewhere.path, ADMIN_USERNAME, ADMIN_PASSWORD, clock=clock).key == key


def test_the_safety_copy_and_the_daily_backup_are_sealed_too(
    encrypted: tuple[Path, vault.DataKey, str], tmp_path: Path, clock: FakeClock
) -> None:
    path, key, _sha = encrypted
    with open_app(path, key=key, clock=clock) as ctx:
        info = backup.create_backup(ctx, tmp_path / "cadangan.zip", actor=signed_in(ctx))
        result = backup_restore.restore_in_place(ctx, info.path, actor=signed_in(ctx))
        assert ctx.key == key
    assert result.safety_copy is not None
    assert sealed.slots_of(result.safety_copy) is not None
    assert _count(path, key, clock) == 2


def test_a_plain_archive_of_an_older_version_restores_into_an_encrypted_folder(
    encrypted: tuple[Path, vault.DataKey, str], tmp_path: Path, clock: FakeClock
) -> None:
    path, key, sha = encrypted
    older = tmp_path / "lama"
    _office(older, clock)
    with open_app(older, clock=clock) as ctx:
        plain = backup.create_backup(ctx, tmp_path / "lama.zip", actor=signed_in(ctx))
    assert sealed.slots_of(plain.path) is None
    with open_app(path, key=key, clock=clock) as ctx:
        backup_restore.restore_in_place(ctx, plain.path, actor=signed_in(ctx))
        assert ctx.key is None
        assert ctx.blobs.get(sha) == SCAN
    assert vault.read_slots(DataDir(path)) is None
    # The next admin sign-in encrypts it again.
    again = unlock(path, ADMIN_USERNAME, ADMIN_PASSWORD, clock=clock)
    assert again.key is not None
    assert _count(path, again.key, clock) == 2
