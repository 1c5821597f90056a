"""A clerk without a slot of the office data key gets one at an admin's desk by typing their own
password (accounts.slots.grant_office_slot), instead of the admin resetting it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.accounts import ADMIN_PASSWORD, CLERK_PASSWORD, sign_in
from helpers.officekey import (
    JPEG,
    SLOTLESS,
    failed_attempts,
    office_with_a_slotless_clerk,
    slot_holders,
)
from helpers.sql import audit_actions
from nonasn_desktop.accounts import slots, users
from nonasn_desktop.accounts.users import UserInfo
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import AuthError, ConflictError, NotFoundError, StorageError
from nonasn_desktop.startup import open_app


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, str]]:
    with office_with_a_slotless_clerk(tmp_path / "meja", monkeypatch) as made:
        yield made


def test_a_slotless_clerk_is_granted_with_their_own_password_and_then_reads(
    office: tuple[Path, str],
) -> None:
    desk, sha = office
    with open_app(desk) as ctx:
        sign_in(ctx, SLOTLESS)
        assert slots.documents_closed(ctx)  # said at sign-in, before any document is touched
        with pytest.raises(StorageError, match="Beri Akses Dokumen") as closed:
            ctx.blobs.get(sha)
        assert "mengatur ulang kata sandi" in (closed.value.hint or "")  # the fallback
    with open_app(desk) as ctx:
        admin = sign_in(ctx).actor
        assert slots.clerks_without_office_slot(ctx, actor=admin) == [SLOTLESS]
        done = slots.grant_office_slot(ctx, actor=admin, username=" Siti ", password=CLERK_PASSWORD)
        assert done == slots.SlotGranted(SLOTLESS, replaced=False)
        assert slots.clerks_without_office_slot(ctx, actor=admin) == []
        assert slot_holders(ctx) == ["admin", SLOTLESS]
        assert audit_actions(ctx, "office.key_slot_grant") == [
            ("admin", "kata sandi diketik sendiri oleh pengguna di meja admin")
        ]
        # Granting again rewrites the slot (the password was checked again) and says so.
        again = slots.grant_office_slot(
            ctx, actor=admin, username=SLOTLESS, password=CLERK_PASSWORD
        )
        assert again.replaced
    with open_app(desk) as ctx:
        sign_in(ctx, SLOTLESS)  # the clerk's own sign-in opens the office key
        assert ctx.office_key is not None
        assert not slots.documents_closed(ctx)
        assert ctx.blobs.get(sha) == JPEG
        # The password is unchanged: nobody had to make up a new one.
        assert users.authenticate(ctx, SLOTLESS, CLERK_PASSWORD).username == SLOTLESS


def test_a_wrong_clerk_password_is_refused_and_counted_like_a_sign_in(
    office: tuple[Path, str],
) -> None:
    desk, _ = office
    with open_app(desk) as ctx:
        admin = sign_in(ctx).actor
        with pytest.raises(AuthError, match="Kata sandi siti salah"):
            slots.grant_office_slot(ctx, actor=admin, username=SLOTLESS, password="tebak12345")
        assert failed_attempts(ctx, SLOTLESS) == 1
        assert slot_holders(ctx) == ["admin"]
        [(actor, reason)] = audit_actions(ctx, "auth.failure")
        assert actor == SLOTLESS
        assert reason == "kata sandi salah (pemberian akses dokumen oleh admin)"
        for _ in range(4):
            with pytest.raises(AuthError):
                slots.grant_office_slot(ctx, actor=admin, username=SLOTLESS, password="tebak")
        # Locked after five, as signing in is: now even the right password is not checked.
        with pytest.raises(AuthError, match="dikunci sementara"):
            slots.grant_office_slot(ctx, actor=admin, username=SLOTLESS, password=CLERK_PASSWORD)
        with pytest.raises(AuthError, match="dikunci sementara"):
            sign_in(ctx, SLOTLESS)
        assert failed_attempts(ctx, SLOTLESS) == 5
        assert slot_holders(ctx) == ["admin"]


def test_a_clerk_who_manages_no_users_changes_nothing(office: tuple[Path, str]) -> None:
    desk, _ = office
    with open_app(desk) as ctx:
        operator = sign_in(ctx, SLOTLESS).actor
        with pytest.raises(AuthError, match="hanya untuk pengguna dengan peran Admin"):
            slots.grant_office_slot(ctx, actor=operator, username=SLOTLESS, password=CLERK_PASSWORD)
        with pytest.raises(AuthError, match="hanya untuk pengguna dengan peran Admin"):
            slots.clerks_without_office_slot(ctx, actor=operator)
        assert slot_holders(ctx) == ["admin"]
        assert audit_actions(ctx, "office.key_slot_grant") == []


def test_a_desk_where_the_key_is_closed_says_where_to_do_it(office: tuple[Path, str]) -> None:
    desk, _ = office
    with open_app(desk) as ctx:
        admin = sign_in(ctx).actor
        slots.close_office_key(ctx)
        with pytest.raises(ConflictError, match="belum terbuka di meja ini") as refused:
            slots.grant_office_slot(ctx, actor=admin, username=SLOTLESS, password=CLERK_PASSWORD)
        assert "meja admin yang dapat membuka dokumen" in (refused.value.hint or "")
        # The list still names who lacks access, so the admin knows whom to bring.
        assert slots.clerks_without_office_slot(ctx, actor=admin) == [SLOTLESS]
        assert failed_attempts(ctx, SLOTLESS) == 0


def test_an_unknown_or_inactive_clerk_gets_no_slot(office: tuple[Path, str]) -> None:
    desk, _ = office
    with open_app(desk) as ctx:
        admin = sign_in(ctx).actor
        with pytest.raises(NotFoundError, match="'budi' tidak ditemukan"):
            slots.grant_office_slot(ctx, actor=admin, username="budi", password=CLERK_PASSWORD)
        users.set_active(ctx, SLOTLESS, False, actor=admin)
        assert slots.clerks_without_office_slot(ctx, actor=admin) == []
        with pytest.raises(ConflictError, match="nonaktif"):
            slots.grant_office_slot(ctx, actor=admin, username=SLOTLESS, password=CLERK_PASSWORD)
        assert slot_holders(ctx) == ["admin"]


def test_a_desk_of_its_own_has_nothing_to_grant(app_ctx: AppContext, admin_user: UserInfo) -> None:
    assert slots.clerks_without_office_slot(app_ctx, actor=admin_user.actor) == []
    assert not slots.documents_closed(app_ctx)
    with pytest.raises(ConflictError, match="hanya diatur pada basis data kantor"):
        slots.grant_office_slot(
            app_ctx, actor=admin_user.actor, username="admin", password=ADMIN_PASSWORD
        )
