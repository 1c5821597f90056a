"""Every command that works on a data folder signs in: the tests' folders have the admin of
helpers.accounts, made by ``init --admin admin`` or by the helpers."""

from __future__ import annotations

import pytest

from helpers.accounts import ADMIN_PASSWORD, cli_sign_in


@pytest.fixture(autouse=True)
def signed_in_admin(monkeypatch: pytest.MonkeyPatch) -> None:
    cli_sign_in(monkeypatch)
    monkeypatch.setenv("NONASN_ADMIN_PASSWORD", ADMIN_PASSWORD)
