"""The stock command-line tools the interoperability tests run (minisign, age).

A test that needs one calls :func:`require_tool`: on a developer's machine without the tool
the test is skipped with the reason; in CI (``CI`` set) a missing tool fails the test, because
``.ci/install-tools`` installs them there and a skip would hide a broken set-up.
"""

from __future__ import annotations

import os
import shutil

import pytest

INSTALL_HINT = "install with: apt-get install -y minisign age (.ci/install-tools does it in CI)"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_tool(name: str) -> str:
    """The path of the stock tool ``name``; skips (or fails in CI) when it is missing."""
    path = shutil.which(name)
    if path is None:
        message = f"the stock '{name}' tool is not installed; {INSTALL_HINT}"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return path
