"""Shared by the Qt tests: each test ends with Python's own cycle collector back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QThreadPool

from nonasn_desktop.gui import collector


@pytest.fixture(autouse=True)
def _collector_back_after_the_test() -> Iterator[None]:
    # A test that starts a background task installs the GUI-thread collector (automatic
    # collection off); the rest of the test run gets Python's collector back, once no worker
    # thread is left that could collect.
    yield
    if collector.active() is not None:
        QThreadPool.globalInstance().waitForDone(20_000)
        collector.uninstall()
