"""``nonasn self-test``: one line per check, exit 0 only when all pass, offscreen by itself."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from nonasn_desktop.cli import selftest_cmd
from nonasn_desktop.cli.main import main
from nonasn_desktop.selftest import SelfTestError


def test_the_whole_self_test_passes_without_a_display(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    env["NONASN_DATA_DIR"] = str(tmp_path / "tidak-dipakai")
    result = subprocess.run(
        [sys.executable, "-m", "nonasn_desktop", "self-test"],
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Uji mandiri nonasn ")
    checks = lines[1:-1]
    assert len(checks) == 11
    assert all(line.startswith("[OK] ") for line in checks), checks
    assert "[OK] Jendela Qt — platform offscreen" in result.stdout
    assert lines[-1] == "Semua 11 pemeriksaan berhasil."
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "tidak-dipakai").exists()


@pytest.mark.gui
def test_a_failed_check_exits_1_naming_it(
    qtbot: QtBot,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(_scratch: Path) -> str:
        raise SelfTestError("modul tidak ada")

    checks = [("Baik", lambda _s: "ya"), ("Rusak", broken)]
    monkeypatch.setattr(selftest_cmd, "all_checks", lambda: checks)
    code = main(["self-test", "--offscreen"])
    out = capsys.readouterr().out
    assert code == 1
    assert "[OK] Baik — ya" in out
    assert "[GAGAL] Rusak (modul tidak ada)" in out
    assert "1 dari 2 pemeriksaan gagal: Rusak." in out
    assert "Rincian kegagalan dicatat di " in out


@pytest.mark.parametrize(
    ("platform", "env", "offscreen", "expected"),
    [
        ("linux", {}, False, "offscreen"),
        ("linux", {"DISPLAY": ":0"}, False, None),
        ("linux", {"WAYLAND_DISPLAY": "wayland-0"}, False, None),
        ("linux", {"DISPLAY": ":0"}, True, "offscreen"),
        ("win32", {}, False, None),
        ("win32", {}, True, "offscreen"),
        ("linux", {"QT_QPA_PLATFORM": "xcb"}, False, "xcb"),
    ],
)
def test_qt_runs_offscreen_when_there_is_no_display(
    monkeypatch: pytest.MonkeyPatch,
    platform: str,
    env: dict[str, str],
    offscreen: bool,
    expected: str | None,
) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "platform", platform)
    selftest_cmd.choose_qt_platform(offscreen=offscreen)
    assert os.environ.get("QT_QPA_PLATFORM") == expected
