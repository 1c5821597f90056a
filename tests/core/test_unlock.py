"""Signing in to a data folder's key: unlock, throttling, recovery key, converting a plain one."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.accounts import ADMIN_PASSWORD, ADMIN_USERNAME, FakeClock, signed_in
from nonasn_desktop.accounts.users import authenticate, create_user
from nonasn_desktop.crypto import keyslots
from nonasn_desktop.crypto.errors import KeyFileError, WrongPassphraseError
from nonasn_desktop.errors import AuthError, FolderLockedError
from nonasn_desktop.office import identity as office
from nonasn_desktop.rules.roles import Role
from nonasn_desktop.startup import is_encrypted, open_app, unlock, unlock_with_recovery_key
from nonasn_desktop.storage import cipher, vault
from nonasn_desktop.storage.datadir import DataDir


def _plain_office(path: Path, clock: FakeClock) -> str:
    with open_app(path, create=True, clock=clock) as ctx:
        office.initialise(
            ctx,
            office_code="3273",
            office_name="BKD Kota Bandung",
            admin=(ADMIN_USERNAME, ADMIN_PASSWORD),
        )
        create_user(
            ctx,
            username="operator1",
            full_name="Operator Satu",
            role=Role.OPERATOR,
            password="operator123",
            actor=signed_in(ctx),
        )
        return ctx.blobs.put(b"\xff\xd8\xff scan KTP")


@pytest.fixture
def converted(tmp_path: Path, clock: FakeClock) -> tuple[Path, str]:
    """An older plain office folder, converted by its admin's sign-in; its recovery key."""
    path = tmp_path / "data"
    _plain_office(path, clock)
    result = unlock(path, ADMIN_USERNAME, ADMIN_PASSWORD, clock=clock)
    assert result.key is not None
    assert result.recovery_text is not None
    return path, result.recovery_text


def test_an_operator_signing_in_leaves_a_plain_folder_plain(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "data"
    _plain_office(path, clock)
    assert unlock(path, "operator1", "operator123", clock=clock).key is None
    assert not is_encrypted(path)
    with pytest.raises(AuthError, match="salah"):
        unlock(path, ADMIN_USERNAME, "salah-sekali", clock=clock)


def test_an_admin_signing_in_converts_after_a_backup(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "data"
    sha = _plain_office(path, clock)
    result = unlock(path, ADMIN_USERNAME, ADMIN_PASSWORD, clock=clock)
    folder = DataDir(path)
    assert is_encrypted(path)
    assert not cipher.is_plain_sqlite(folder.database_path)
    backups = sorted(p.name for p in folder.backups_dir.iterdir())
    assert len(backups) == 1
    assert backups[0].startswith("sebelum-pembaruan-")
    assert backups[0].endswith(".zip.age")
    with pytest.raises(FolderLockedError):
        open_app(path, clock=clock)
    with open_app(path, key=result.key, clock=clock) as ctx:
        assert authenticate(ctx, "operator1", "operator123").role == Role.OPERATOR
        assert ctx.blobs.get(sha) == b"\xff\xd8\xff scan KTP"
    # Every clerk signs in with the password they already had.
    assert unlock(path, "operator1", "operator123", clock=clock).key == result.key
    again = unlock(path, ADMIN_USERNAME, ADMIN_PASSWORD, clock=clock)
    assert again.key == result.key
    assert again.recovery_key is None


def test_wrong_passwords_are_refused_then_throttled(
    converted: tuple[Path, str], clock: FakeClock
) -> None:
    path, _recovery = converted
    for _ in range(4):
        with pytest.raises(AuthError, match="Nama pengguna atau kata sandi salah"):
            unlock(path, ADMIN_USERNAME, "bukan-ini", clock=clock)
    with pytest.raises(AuthError, match="coba lagi dalam 30 detik"):
        unlock(path, ADMIN_USERNAME, "bukan-ini", clock=clock)
    # Even the right password waits: the brake stops guessing, not only wrong guesses.
    with pytest.raises(AuthError, match="dikunci sementara"):
        unlock(path, ADMIN_USERNAME, ADMIN_PASSWORD, clock=clock)
    clock.advance(seconds=31)
    assert unlock(path, ADMIN_USERNAME, ADMIN_PASSWORD, clock=clock).key is not None
    with pytest.raises(AuthError, match="salah"):
        unlock(path, "tidak-ada", ADMIN_PASSWORD, clock=clock)


def test_the_recovery_key_unlocks_and_a_wrong_one_is_refused(
    converted: tuple[Path, str], clock: FakeClock
) -> None:
    path, recovery = converted
    key = unlock_with_recovery_key(path, recovery.lower(), clock=clock)
    assert key == unlock(path, ADMIN_USERNAME, ADMIN_PASSWORD, clock=clock).key
    with pytest.raises(KeyFileError, match="salah ketik"):
        unlock_with_recovery_key(path, recovery[:-1] + ("0" if recovery[-1] != "0" else "1"))
    stranger = keyslots.format_recovery_key(keyslots.new_recovery_key())
    with pytest.raises(WrongPassphraseError, match="tidak cocok"):
        unlock_with_recovery_key(path, stranger, clock=clock)


def test_a_damaged_slot_file_points_to_the_recovery_key(
    converted: tuple[Path, str], clock: FakeClock
) -> None:
    path, _recovery = converted
    vault.slots_path(DataDir(path)).write_text("{ rusak", encoding="utf-8")
    with pytest.raises(KeyFileError, match="rusak") as caught:
        unlock(path, ADMIN_USERNAME, ADMIN_PASSWORD, clock=clock)
    assert "kunci pemulihan" in (caught.value.hint or "")
