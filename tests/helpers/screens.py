"""What a clerk does on the application's screens, for the GUI tests."""

from __future__ import annotations

import pytest

from nonasn_desktop.errors import UserError
from nonasn_desktop.gui import messages
from nonasn_desktop.gui.main_window import MainWindow


def sign_in_on_screen(window: MainWindow, username: str, password: str) -> None:
    """Type the credentials on the sign-in page (which must be showing) and press Masuk."""
    page = window.sign_in_page
    assert window.stack.currentWidget() is page
    page.username.setText(username)
    page.password.setText(password)
    page.submit()


def collect_user_errors(monkeypatch: pytest.MonkeyPatch) -> list[UserError]:
    """The user errors the screens would show in a message box, in order, instead of showing
    them (a modal box would stop the test)."""
    seen: list[UserError] = []
    monkeypatch.setattr(messages, "show_user_error", lambda _p, exc, title="": seen.append(exc))
    return seen
