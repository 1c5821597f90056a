"""The flow has one writer, on the GUI thread: no worker thread ever touches it."""

from __future__ import annotations

import ast
import functools
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nonasn_desktop.crypto import passwords
from nonasn_desktop.flow.machine import RegistrationFlow
from nonasn_desktop.flow.state import RegistrationState
from wizard.wizard_support import ANSWER, LEFT, PASSWORD, PERSON, Driver

pytestmark = pytest.mark.gui

GUI = Path(__file__).resolve().parents[3] / "src" / "nonasn_desktop" / "gui"
OWNER = GUI / "wizard" / "owner.py"
# The methods of RegistrationFlow that change it.
CHANGES = frozenset(
    {
        "set_value",
        "set_work_history",
        "attach_document",
        "detach_document",
        "set_declaration",
        "save",
        "advance",
        "confirm",
        "back",
        "back_to_fix",
        "refresh_captcha",
        "login",
        "reset_password",
    }
)


def _names_the_flow(node: ast.expr) -> bool:
    """``flow``, ``self.flow``, ``self._flow``, ``self.host.flow``…"""
    if isinstance(node, ast.Name):
        return node.id in ("flow", "_flow")
    return isinstance(node, ast.Attribute) and node.attr in ("flow", "_flow")


def _flow_changes(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        # flow.advance, flow.advance(), passing flow.advance as a callable…
        if isinstance(node, ast.Attribute) and node.attr in CHANGES and _names_the_flow(node.value):
            lines.append(node.lineno)
        # flow.state.x = …, flow.state.x[…] = …, flow.state.x += …
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            while isinstance(target, ast.Subscript | ast.Attribute):
                if isinstance(target, ast.Attribute) and target.attr == "state":
                    if _names_the_flow(target.value):
                        lines.append(node.lineno)
                    break
                target = target.value
    return sorted(lines)


def test_only_the_owner_changes_the_flow_in_the_gui_package() -> None:
    found = {}
    for path in sorted(GUI.rglob("*.py")):
        if path == OWNER:
            continue
        lines = _flow_changes(ast.parse(path.read_text(encoding="utf-8")))
        if lines:
            found[str(path.relative_to(GUI))] = lines
    assert found == {}


def test_the_scan_sees_a_change_written_the_old_ways() -> None:
    old = """
def forward(self):
    flow = self.host.flow
    flow.login(nik, password)
    self.host.run_flow(self.host.flow.advance, slow=True)
    self._flow.state.documents["ktp"] = ref
"""
    assert _flow_changes(ast.parse(old)) == [4, 5, 6]


def _recording(monkeypatch: pytest.MonkeyPatch, touches: list[tuple[str, bool]]) -> None:
    """Record (what, on the main thread?) for every use of a flow or a change of its state."""

    def wrap(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def recorded(*args: Any, **kwargs: Any) -> Any:
            touches.append((name, threading.current_thread() is threading.main_thread()))
            return fn(*args, **kwargs)

        return recorded

    for name, member in list(vars(RegistrationFlow).items()):
        if isinstance(member, property) and member.fget is not None:
            monkeypatch.setattr(RegistrationFlow, name, property(wrap(name, member.fget)))
        elif callable(member) and not name.startswith("__"):
            monkeypatch.setattr(RegistrationFlow, name, wrap(name, member))
    monkeypatch.setattr(
        RegistrationState, "__setattr__", wrap("state.__setattr__", object.__setattr__)
    )


@pytest.fixture
def argon2_threads(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """For each argon2id hash or verification: was it on the main thread?"""
    seen: list[bool] = []
    real_hash, real_verify = passwords.hash_secret, passwords.verify_secret

    def hash_secret(secret: str) -> str:
        seen.append(threading.current_thread() is threading.main_thread())
        return real_hash(secret)

    def verify_secret(hashed: str, secret: str) -> bool:
        seen.append(threading.current_thread() is threading.main_thread())
        return real_verify(hashed, secret)

    monkeypatch.setattr(passwords, "hash_secret", hash_secret)
    monkeypatch.setattr(passwords, "verify_secret", verify_secret)
    return seen


def test_the_password_step_hashes_on_a_worker_and_changes_the_flow_here(
    wizard: Driver, monkeypatch: pytest.MonkeyPatch, argon2_threads: list[bool]
) -> None:
    touches: list[tuple[str, bool]] = []
    wizard.to_identity()
    wizard.identity()
    wizard.press("Lanjutkan")
    wizard.wait_step(5)
    _recording(monkeypatch, touches)
    wizard.password()  # leaving step 5: password and answer hashed
    assert wizard.flow.state.password_hash is not None
    assert argon2_threads == [False, False]
    assert ("advance", True) in touches
    assert [name for name, main in touches if not main] == []


def test_login_and_a_password_reset_verify_on_a_worker_and_change_the_flow_here(
    open_wizard: Callable[..., Driver],
    record_at: Callable[[int], int],
    monkeypatch: pytest.MonkeyPatch,
    argon2_threads: list[bool],
) -> None:
    wizard = open_wizard(record_at(13))
    argon2_threads.clear()  # the walk to step 13 itself hashed without a GUI
    touches: list[tuple[str, bool]] = []
    _recording(monkeypatch, touches)
    wizard.type("login_nik", PERSON["nik"])
    wizard.type("login_kata_sandi", "SalahSekali1")
    wizard.press("Lanjutkan Login Pendaftaran")
    wizard.qtbot.waitUntil(lambda: not wizard.window.busy, timeout=10_000)
    assert "Kata sandi salah" in wizard.widget("login_kata_sandi_error").text()

    wizard.press("Lupa Kata Sandi")
    dialog = wizard.window.current_page.dialog  # type: ignore[attr-defined]
    dialog.answer.setText(ANSWER)
    dialog.password.setText("SandiBaru2023")
    dialog.password_again.setText("SandiBaru2023")
    with wizard.qtbot.waitSignal(dialog.accepted, timeout=10_000):
        wizard.qtbot.mouseClick(dialog.save_button, LEFT)

    wizard.type("login_kata_sandi", PASSWORD)  # the old one no longer opens the account
    wizard.press("Lanjutkan Login Pendaftaran")
    wizard.qtbot.waitUntil(lambda: not wizard.window.busy, timeout=10_000)
    assert wizard.flow.current_step == 13
    wizard.type("login_kata_sandi", "SandiBaru2023")
    wizard.press("Lanjutkan Login Pendaftaran")
    wizard.wait_step(15)

    # Three logins (one verification each), the reset (verify the answer, hash the new).
    assert argon2_threads == [False] * 5
    assert {"login", "reset_password", "advance"} <= {name for name, _ in touches}
    assert [name for name, main in touches if not main] == []
