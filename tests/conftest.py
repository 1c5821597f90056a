"""Test configuration shared by the whole suite."""

from __future__ import annotations

import os

# Qt must never look for a screen: CI has none. Set before anything imports PySide6.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests never touch the user's real data folder.
os.environ.pop("NONASN_DATA_DIR", None)
# Nor a database named by the developer's environment.
os.environ.pop("NONASN_DATABASE_URL", None)

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from nonasn_desktop.accounts.authz import Actor
    from nonasn_desktop.accounts.users import UserInfo
    from nonasn_desktop.core.context import AppContext

from helpers.accounts import ADMIN_PASSWORD, ADMIN_USERNAME, FakeClock

__all__ = ["ADMIN_PASSWORD", "ADMIN_USERNAME", "FakeClock"]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app_ctx(tmp_path: Path, clock: FakeClock) -> Iterator[AppContext]:
    """A fresh, migrated data folder and database per test, with the fake clock."""
    from nonasn_desktop.startup import open_app

    ctx = open_app(tmp_path / "data", create=True, clock=clock)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def admin_user(app_ctx: AppContext) -> UserInfo:
    """An active admin (``admin`` / ``rahasia123``), made as set-up does, signed in."""
    from helpers.accounts import add_clerk, sign_in

    add_clerk(app_ctx, ADMIN_USERNAME, "admin", password=ADMIN_PASSWORD, full_name="Admin Kantor")
    return sign_in(app_ctx)


@pytest.fixture
def admin(admin_user: UserInfo) -> Actor:
    """The signed-in admin's Actor, for operations."""
    return admin_user.actor
