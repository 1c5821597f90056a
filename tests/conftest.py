"""Test configuration shared by the whole suite."""

from __future__ import annotations

import os

# Qt must never look for a screen: CI has none. Set before anything imports PySide6.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests never touch the user's real data folder.
os.environ.pop("NONASN_DATA_DIR", None)
