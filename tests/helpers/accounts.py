"""Test support shared by many test files: clerks who sign in, and a controllable clock.

Operations take the signed-in clerk's Actor, which only a real sign-in hands out: tests make
clerks the way set-up does (audited as the system) and sign them in (:func:`sign_in`).

Kept out of conftest.py: pytest imports every conftest.py under the same module name, so
``from conftest import ...`` can pick up a nested conftest instead of the root one.
"""

from __future__ import annotations

import datetime as dt
import weakref
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from nonasn_desktop.accounts.authz import Actor
    from nonasn_desktop.accounts.users import UserInfo
    from nonasn_desktop.core.context import AppContext
    from nonasn_desktop.rules.roles import Role

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "rahasia123"
# Every clerk made by add_clerk has this password unless told otherwise.
CLERK_PASSWORD = "sandi12345"


def add_clerk(
    ctx: AppContext,
    username: str,
    role: Role | str,
    *,
    password: str = CLERK_PASSWORD,
    full_name: str | None = None,
    active: bool = True,
) -> None:
    """A clerk made as set-up makes one (no check of who asks; audited as the system)."""
    from nonasn_desktop.accounts.users import create_clerk
    from nonasn_desktop.core.audit import SYSTEM_ACTOR
    from nonasn_desktop.rules.roles import Role

    with ctx.db.session() as session:
        clerk = create_clerk(
            session,
            ctx,
            username=username,
            full_name=full_name or username.title(),
            role=Role(role),
            password=password,
            actor=SYSTEM_ACTOR,
        )
        clerk.active = active


def sign_in(
    ctx: AppContext, username: str = ADMIN_USERNAME, password: str | None = None
) -> UserInfo:
    """The clerk signed in (``password``: the admin's for the admin, else CLERK_PASSWORD)."""
    from nonasn_desktop.accounts.users import authenticate

    if password is None:
        password = ADMIN_PASSWORD if username == ADMIN_USERNAME else CLERK_PASSWORD
    return authenticate(ctx, username, password)


def clerk(ctx: AppContext, role: Role | str, username: str | None = None) -> UserInfo:
    """A new active clerk of ``role`` (named after it unless told), signed in."""
    name = username or str(role)
    add_clerk(ctx, name, role)
    return sign_in(ctx, name)


# id(ctx) -> (the context, its test clerks); AppContext is not hashable, and an id may be
# reused once a context is gone, hence the weak reference to check it is the same one.
_TEST_CLERKS: dict[int, tuple[weakref.ref[AppContext], dict[str, Actor]]] = {}


def _held(ctx: AppContext) -> dict[str, Actor]:
    held = _TEST_CLERKS.get(id(ctx))
    if held is None or held[0]() is not ctx:
        held = _TEST_CLERKS[id(ctx)] = (weakref.ref(ctx), {})
    return held[1]


def signed_in(
    ctx: AppContext, username: str = ADMIN_USERNAME, password: str | None = None
) -> Actor:
    """The Actor of an existing clerk of ``ctx``, signed in once and then kept (a second call
    signs in again only for another context): a test can take it before a snapshot of the
    data and the sign-in's audit entry is not a change the test sees."""
    known = _held(ctx)
    key = f"signed-in:{username}"
    if key not in known:
        known[key] = sign_in(ctx, username, password).actor
    return known[key]


def actor_for(ctx: AppContext, role: Role | str = "admin") -> Actor:
    """The Actor of a test clerk of ``role`` in ``ctx`` (``uji-<role>``, made and signed in
    the first time it is asked for): for tests about something else than who may."""
    known = _held(ctx)
    name = f"uji-{role}"
    if name not in known:
        from nonasn_desktop.accounts.users import find_user

        if find_user(ctx, name) is None:
            add_clerk(ctx, name, role)
        known[name] = sign_in(ctx, name).actor
    return known[name]


def cli_sign_in(
    monkeypatch: pytest.MonkeyPatch,
    username: str = ADMIN_USERNAME,
    password: str = ADMIN_PASSWORD,
) -> None:
    """The clerk the command line signs in as (NONASN_USER, NONASN_PASSWORD)."""
    monkeypatch.setenv("NONASN_USER", username)
    monkeypatch.setenv("NONASN_PASSWORD", password)


class FakeClock:
    """An aware UTC clock that only moves when told to."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.now = start or dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now
