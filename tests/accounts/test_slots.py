"""Key slots follow the clerks of an encrypted folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.accounts import ADMIN_PASSWORD, ADMIN_USERNAME, FakeClock, actor_for, signed_in
from nonasn_desktop.accounts.users import change_password, create_user, set_active
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import AuthError
from nonasn_desktop.office import identity as office
from nonasn_desktop.rules.roles import Role
from nonasn_desktop.startup import encrypt_new_folder, open_app, unlock
from nonasn_desktop.storage import vault
from nonasn_desktop.storage.datadir import DataDir


def test_new_clerks_passwords_and_deactivation_follow_the_slots(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "data"
    with open_app(path, create=True, clock=clock) as ctx:
        office.initialise(
            ctx,
            office_code="3273",
            office_name="BKD",
            admin=(ADMIN_USERNAME, ADMIN_PASSWORD),
        )
    key = encrypt_new_folder(path, ADMIN_USERNAME, ADMIN_PASSWORD).key
    assert key is not None
    with open_app(path, key=key, clock=clock) as ctx:
        admin = signed_in(ctx)
        create_user(
            ctx,
            username="siti",
            full_name="Siti",
            role=Role.OPERATOR,
            password="pertama123",
            actor=admin,
        )
        assert unlock(path, "siti", "pertama123", clock=clock).key == key
        change_password(ctx, username="siti", new_password="kedua12345", actor=admin)
        with pytest.raises(AuthError):
            unlock(path, "siti", "pertama123", clock=clock)
        assert unlock(path, "siti", "kedua12345", clock=clock).key == key
        set_active(ctx, "siti", False, actor=admin)
        slots = vault.read_slots(DataDir(path))
        assert slots is not None
        assert "siti" not in slots.labels()
        with pytest.raises(AuthError):
            unlock(path, "siti", "kedua12345", clock=clock)
        set_active(ctx, "siti", True, actor=admin)
        assert unlock(path, "siti", "kedua12345", clock=clock).key == key


def test_a_plain_folder_has_no_slots_to_follow(app_ctx: AppContext, clock: FakeClock) -> None:
    create_user(
        app_ctx,
        username="budi",
        full_name="Budi",
        role=Role.OPERATOR,
        password="pertama123",
        actor=actor_for(app_ctx),
    )
    assert vault.read_slots(app_ctx.data_dir) is None
