from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from nonasn_desktop.accounts import throttle, users
from nonasn_desktop.accounts.authz import Actor
from nonasn_desktop.accounts.users import ClerkInfo, UserInfo
from nonasn_desktop.core import audit
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import AuthError, ConflictError, FieldError, NotFoundError
from nonasn_desktop.rules.roles import Role
from nonasn_desktop.storage.models import Clerk

if TYPE_CHECKING:
    from helpers.accounts import FakeClock

PASSWORD = "kunci2026"


def _as(ctx: AppContext, username: str = "admin", password: str | None = None) -> Actor:
    """The Actor of a clerk who signs in now (the admin's password for the admin)."""
    secret = password or ("rahasia123" if username == "admin" else PASSWORD)
    return users.authenticate(ctx, username, secret).actor


def _operator(ctx: AppContext, username: str = "budi") -> ClerkInfo:
    return users.create_user(
        ctx,
        username=username,
        full_name="Budi Santoso",
        role=Role.OPERATOR,
        password=PASSWORD,
        actor=_as(ctx),
    )


def _fail(ctx: AppContext, username: str = "budi") -> AuthError:
    with pytest.raises(AuthError) as info:
        users.authenticate(ctx, username, "salah-sekali1")
    return info.value


# --- creating -------------------------------------------------------------------------------


def test_create_user(app_ctx: AppContext, admin_user: UserInfo) -> None:
    info = users.create_user(
        app_ctx,
        username="  Budi.Santoso ",
        full_name="  Budi   Santoso ",
        role=Role.OPERATOR,
        password=PASSWORD,
        actor=admin_user.actor,
    )
    assert info == ClerkInfo(
        id=info.id,
        username="budi.santoso",
        full_name="Budi Santoso",
        role=Role.OPERATOR,
        active=True,
    )
    with app_ctx.db.session() as session:
        stored = session.scalars(select(Clerk).where(Clerk.id == info.id)).one()
        assert stored.password_hash.startswith("$argon2id$")
        assert PASSWORD not in stored.password_hash
    [entry] = audit.history(app_ctx, "clerk", info.id)
    assert entry.action == "user.create"
    assert entry.actor == "admin"
    assert entry.changes["role"] == (None, "operator")


@pytest.mark.parametrize("username", ["ab", "a" * 33, "budi santoso", "budi@kantor", "sïti", ""])
def test_bad_usernames(app_ctx: AppContext, admin_user: UserInfo, username: str) -> None:
    with pytest.raises(FieldError) as info:
        users.create_user(
            app_ctx,
            username=username,
            full_name="X",
            role=Role.OPERATOR,
            password=PASSWORD,
            actor=_as(app_ctx),
        )
    assert info.value.field == "username"


def test_reserved_username(app_ctx: AppContext, admin_user: UserInfo) -> None:
    with pytest.raises(FieldError, match="dicadangkan"):
        users.create_user(
            app_ctx,
            username="System",
            full_name="X",
            role=Role.ADMIN,
            password=PASSWORD,
            actor=_as(app_ctx),
        )


@pytest.mark.parametrize(
    ("password", "missing"),
    [("abc1", "8 karakter"), ("abcdefghij", "angka"), ("1234567890", "huruf")],
)
def test_weak_passwords(
    app_ctx: AppContext, admin_user: UserInfo, password: str, missing: str
) -> None:
    with pytest.raises(FieldError, match=missing) as info:
        users.create_user(
            app_ctx,
            username="budi",
            full_name="Budi",
            role=Role.OPERATOR,
            password=password,
            actor=_as(app_ctx),
        )
    assert info.value.field == "kata_sandi"


def test_duplicate_username(app_ctx: AppContext, admin_user: UserInfo) -> None:
    _operator(app_ctx)
    with pytest.raises(ConflictError, match="sudah dipakai"):
        _operator(app_ctx, "BUDI")


def test_empty_full_name(app_ctx: AppContext, admin_user: UserInfo) -> None:
    with pytest.raises(FieldError, match="wajib"):
        users.create_user(
            app_ctx,
            username="budi",
            full_name="   ",
            role=Role.OPERATOR,
            password=PASSWORD,
            actor=_as(app_ctx),
        )


def test_only_admins_create_users(app_ctx: AppContext, admin_user: UserInfo) -> None:
    _operator(app_ctx)
    with pytest.raises(AuthError, match="Admin"):
        users.create_user(
            app_ctx,
            username="ani",
            full_name="Ani",
            role=Role.ADMIN,
            password=PASSWORD,
            actor=_as(app_ctx, "budi"),
        )
    # Signed in before being deactivated: the next action is refused all the same.
    stale = _as(app_ctx, "budi")
    users.set_active(app_ctx, "budi", False, actor=_as(app_ctx))
    with pytest.raises(AuthError, match="tidak dikenal"):
        users.create_user(
            app_ctx,
            username="ani",
            full_name="Ani",
            role=Role.ADMIN,
            password=PASSWORD,
            actor=stale,
        )
    assert users.find_user(app_ctx, "ani") is None


def test_listing_and_finding(app_ctx: AppContext, admin_user: UserInfo) -> None:
    budi = _operator(app_ctx)
    assert [u.username for u in users.list_users(app_ctx, actor=_as(app_ctx))] == ["admin", "budi"]
    assert users.find_user(app_ctx, "BUDI") == budi
    assert users.get_user(app_ctx, "budi") == budi
    assert users.find_user(app_ctx, "nobody") is None
    with pytest.raises(NotFoundError):
        users.get_user(app_ctx, "nobody")


# --- signing in -----------------------------------------------------------------------------


def test_sign_in(app_ctx: AppContext, admin_user: UserInfo, clock: FakeClock) -> None:
    budi = _operator(app_ctx)
    assert users.authenticate(app_ctx, " BUDI ", PASSWORD).id == budi.id
    with app_ctx.db.session() as session:
        assert session.scalars(select(Clerk.last_login_at).where(Clerk.id == budi.id)).one() == (
            clock.now
        )
    assert audit.history(app_ctx, "clerk", budi.id)[-1].action == "auth.success"


def test_unknown_user_and_wrong_password_look_the_same(
    app_ctx: AppContext, admin_user: UserInfo
) -> None:
    _operator(app_ctx)
    wrong_password = _fail(app_ctx, "budi")
    unknown = _fail(app_ctx, "nobody")
    assert str(wrong_password) == str(unknown)
    assert "salah" in str(unknown)
    failures = [e for e in audit.recent(app_ctx) if e.action == "auth.failure"]
    assert {e.actor for e in failures} == {"budi", "nobody"}


def test_throttling_escalates_and_success_resets(
    app_ctx: AppContext, admin_user: UserInfo, clock: FakeClock
) -> None:
    _operator(app_ctx)
    for _ in range(4):
        assert "dikunci" not in str(_fail(app_ctx))
    fifth = _fail(app_ctx)
    assert "dikunci" in str(fifth)
    assert "30 detik" in str(fifth)

    # Locked: even the right password is refused, without being checked.
    clock.advance(seconds=10)
    with pytest.raises(AuthError, match="20 detik"):
        users.authenticate(app_ctx, "budi", PASSWORD)

    clock.advance(seconds=20)
    assert "1 menit" in str(_fail(app_ctx))  # the sixth failure doubles the wait
    clock.advance(seconds=60)
    assert "2 menit" in str(_fail(app_ctx))
    clock.advance(minutes=2)
    assert users.authenticate(app_ctx, "budi", PASSWORD).username == "budi"

    # The count starts again from zero.
    for _ in range(4):
        assert "dikunci" not in str(_fail(app_ctx))
    assert "30 detik" in str(_fail(app_ctx))
    actions = [
        e.action for e in audit.history(app_ctx, "clerk", users.get_user(app_ctx, "budi").id)
    ]
    assert actions.count("auth.locked") == 1
    assert actions.count("auth.success") == 1
    assert actions.count("auth.failure") == 12


def test_lock_is_capped_at_fifteen_minutes() -> None:
    assert throttle.lock_duration(4) == dt.timedelta(0)
    assert throttle.lock_duration(5) == dt.timedelta(seconds=30)
    assert throttle.lock_duration(6) == dt.timedelta(seconds=60)
    assert throttle.lock_duration(9) == dt.timedelta(minutes=8)
    assert throttle.lock_duration(10) == dt.timedelta(minutes=15)
    assert throttle.lock_duration(1000) == dt.timedelta(minutes=15)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.2, "1 detik"),
        (30, "30 detik"),
        (29.1, "30 detik"),
        (60, "1 menit"),
        (90, "1 menit 30 detik"),
        (900, "15 menit"),
    ],
)
def test_wait_is_said_in_words(seconds: float, text: str) -> None:
    assert throttle.format_wait(dt.timedelta(seconds=seconds)) == text


def test_inactive_clerk_cannot_sign_in(app_ctx: AppContext, admin_user: UserInfo) -> None:
    _operator(app_ctx)
    users.set_active(app_ctx, "budi", False, actor=_as(app_ctx))
    with pytest.raises(AuthError, match="dinonaktifkan"):
        users.authenticate(app_ctx, "budi", PASSWORD)
    # A wrong password does not reveal that the account is inactive.
    assert "dinonaktifkan" not in str(_fail(app_ctx))


# --- activation and passwords ---------------------------------------------------------------


def test_set_active(app_ctx: AppContext, admin_user: UserInfo) -> None:
    budi = _operator(app_ctx)
    assert users.set_active(app_ctx, "budi", False, actor=_as(app_ctx)).active is False
    assert users.set_active(app_ctx, "budi", False, actor=_as(app_ctx)).active is False
    assert users.set_active(app_ctx, "budi", True, actor=_as(app_ctx)).active is True
    actions = [e.action for e in audit.history(app_ctx, "clerk", budi.id)]
    assert actions == ["user.create", "user.deactivate", "user.activate"]
    assert [
        u.username for u in users.list_users(app_ctx, actor=_as(app_ctx), include_inactive=False)
    ] == [
        "admin",
        "budi",
    ]


def test_last_active_admin_stays(app_ctx: AppContext, admin_user: UserInfo) -> None:
    with pytest.raises(ConflictError, match="satu-satunya admin"):
        users.set_active(app_ctx, "admin", False, actor=_as(app_ctx))
    users.create_user(
        app_ctx,
        username="admin2",
        full_name="Admin Dua",
        role=Role.ADMIN,
        password=PASSWORD,
        actor=_as(app_ctx),
    )
    assert users.set_active(app_ctx, "admin", False, actor=_as(app_ctx, "admin2")).active is False


def test_operator_cannot_deactivate(app_ctx: AppContext, admin_user: UserInfo) -> None:
    _operator(app_ctx)
    with pytest.raises(AuthError):
        users.set_active(app_ctx, "admin", False, actor=_as(app_ctx, "budi"))


def test_change_own_password(app_ctx: AppContext, admin_user: UserInfo) -> None:
    _operator(app_ctx)
    with pytest.raises(AuthError, match="saat ini salah"):
        users.change_password(
            app_ctx,
            username="budi",
            new_password="baru12345",
            actor=_as(app_ctx, "budi"),
            current_password="keliru123",
        )
    users.authenticate(app_ctx, "budi", PASSWORD)
    users.change_password(
        app_ctx,
        username="budi",
        new_password="baru12345",
        actor=_as(app_ctx, "budi"),
        current_password=PASSWORD,
    )
    assert users.authenticate(app_ctx, "budi", "baru12345").username == "budi"
    _fail(app_ctx)
    with pytest.raises(AuthError):
        users.authenticate(app_ctx, "budi", PASSWORD)


def test_admin_reset_lifts_the_lock(app_ctx: AppContext, admin_user: UserInfo) -> None:
    budi = _operator(app_ctx)
    for _ in range(5):
        _fail(app_ctx)
    users.change_password(app_ctx, username="budi", new_password="reset2026", actor=_as(app_ctx))
    assert users.authenticate(app_ctx, "budi", "reset2026").id == budi.id
    reset = [
        e for e in audit.history(app_ctx, "clerk", budi.id) if e.action == "user.password_reset"
    ]
    assert len(reset) == 1
    assert reset[0].actor == "admin"


def test_operator_cannot_reset_others(app_ctx: AppContext, admin_user: UserInfo) -> None:
    _operator(app_ctx)
    with pytest.raises(AuthError):
        users.change_password(
            app_ctx, username="admin", new_password="reset2026", actor=_as(app_ctx, "budi")
        )
    assert users.authenticate(app_ctx, "admin", "rahasia123").username == "admin"


def test_new_password_must_meet_policy(app_ctx: AppContext, admin_user: UserInfo) -> None:
    with pytest.raises(FieldError, match="angka"):
        users.change_password(
            app_ctx, username="admin", new_password="tanpaangka", actor=_as(app_ctx)
        )


def test_what_cannot_be_a_username_is_not_logged(app_ctx: AppContext) -> None:
    with pytest.raises(AuthError):
        users.authenticate(app_ctx, "Rahasia Saya 123!", "x")
    [entry] = audit.recent(app_ctx)
    assert entry.action == "auth.failure"
    assert entry.actor == "(tidak sah)"
