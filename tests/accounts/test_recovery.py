"""A new recovery key: the old one stops opening the folder, the admin's password is asked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.accounts import ADMIN_PASSWORD, ADMIN_USERNAME, FakeClock, add_clerk, signed_in
from helpers.sql import audit_actions
from nonasn_desktop.accounts.recovery import new_recovery_key
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.crypto.errors import WrongPassphraseError
from nonasn_desktop.errors import AuthError, ConflictError, DataDirError
from nonasn_desktop.office import identity as office
from nonasn_desktop.startup import encrypt_new_folder, open_app, unlock, unlock_with_recovery_key
from nonasn_desktop.storage import vault
from nonasn_desktop.storage.datadir import DataDir

# What the audit trail says of a replaced recovery key (accounts.recovery).
RENEWED = "kunci pemulihan baru dibuat; kunci lama tidak berlaku lagi"


@pytest.fixture
def encrypted(tmp_path: Path, clock: FakeClock) -> Iterator[tuple[AppContext, str]]:
    """An encrypted office folder, open with its key; the recovery key printed at init."""
    path = tmp_path / "data"
    with open_app(path, create=True, clock=clock) as ctx:
        office.initialise(
            ctx, office_code="3273", office_name="BKD", admin=(ADMIN_USERNAME, ADMIN_PASSWORD)
        )
        add_clerk(ctx, "operator1", "operator")
    unlocked = encrypt_new_folder(path, ADMIN_USERNAME, ADMIN_PASSWORD)
    assert unlocked.recovery_text is not None
    with open_app(path, key=unlocked.key, clock=clock) as ctx:
        yield ctx, unlocked.recovery_text


def test_the_new_key_opens_the_folder_and_the_old_one_no_longer(
    encrypted: tuple[AppContext, str], clock: FakeClock
) -> None:
    ctx, old = encrypted
    path = ctx.data_dir.path
    before = vault.read_slots(ctx.data_dir)
    new = new_recovery_key(ctx, actor=signed_in(ctx), password=ADMIN_PASSWORD)
    assert new != old
    assert unlock_with_recovery_key(path, new, clock=clock) == ctx.key
    with pytest.raises(WrongPassphraseError):
        unlock_with_recovery_key(path, old, clock=clock)
    # Nothing else changed: the same data key, every clerk's slot as it was.
    after = vault.read_slots(ctx.data_dir)
    assert before is not None
    assert after is not None
    assert after.folder_id == before.folder_id
    assert [s for s in after.slots if s.kind == "password"] == [
        s for s in before.slots if s.kind == "password"
    ]
    assert unlock(path, "operator1", "sandi12345", clock=clock).key == ctx.key
    assert audit_actions(ctx, "folder.recovery_key") == [(ADMIN_USERNAME, RENEWED)]


def test_a_wrong_password_or_another_role_changes_nothing(
    encrypted: tuple[AppContext, str], clock: FakeClock
) -> None:
    ctx, old = encrypted
    slots = vault.slots_path(ctx.data_dir).read_bytes()
    with pytest.raises(AuthError, match="salah"):
        new_recovery_key(ctx, actor=signed_in(ctx), password="bukan-sandinya")
    with pytest.raises(AuthError, match="hanya untuk pengguna dengan peran Admin"):
        new_recovery_key(ctx, actor=signed_in(ctx, "operator1"), password="sandi12345")
    assert vault.slots_path(ctx.data_dir).read_bytes() == slots
    assert unlock_with_recovery_key(ctx.data_dir.path, old, clock=clock) == ctx.key
    assert audit_actions(ctx, "folder.recovery_key") == []


def test_a_failed_write_keeps_the_old_key(
    encrypted: tuple[AppContext, str], clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx, old = encrypted
    actor = signed_in(ctx)

    def full_disk(_folder: DataDir, _slots: object) -> None:
        raise DataDirError("Kunci folder data tidak dapat disimpan.")

    monkeypatch.setattr(vault, "write_slots", full_disk)
    with pytest.raises(DataDirError):
        new_recovery_key(ctx, actor=actor, password=ADMIN_PASSWORD)
    monkeypatch.undo()
    assert unlock_with_recovery_key(ctx.data_dir.path, old, clock=clock) == ctx.key
    assert audit_actions(ctx, "folder.recovery_key") == []


def test_a_plain_folder_has_no_recovery_key(app_ctx: AppContext) -> None:
    add_clerk(app_ctx, ADMIN_USERNAME, "admin", password=ADMIN_PASSWORD)
    with pytest.raises(ConflictError, match="tidak terenkripsi") as refused:
        new_recovery_key(app_ctx, actor=signed_in(app_ctx), password=ADMIN_PASSWORD)
    assert refused.value.hint is not None
    assert not vault.slots_path(app_ctx.data_dir).exists()
