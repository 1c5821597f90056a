"""Test support shared by many test files: the admin account and a controllable clock.

Kept out of conftest.py: pytest imports every conftest.py under the same module name, so
``from conftest import ...`` can pick up a nested conftest instead of the root one.
"""

from __future__ import annotations

import datetime as dt

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "rahasia123"


class FakeClock:
    """An aware UTC clock that only moves when told to."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.now = start or dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now
