"""``nonasn init`` encrypts a new folder; ``nonasn recover``; commands unlock with NONASN_USER."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers.commands import run
from nonasn_desktop.errors import UserError
from nonasn_desktop.startup import unlock_with_recovery_key
from nonasn_desktop.storage import cipher, vault
from nonasn_desktop.storage.datadir import DataDir

INIT = ["init", "--office-code", "3273", "--office-name", "BKD Kota Bandung", "--admin", "admin"]
KEY_LINE = re.compile(r"^\s+([0-9A-Z]{4}(?:-[0-9A-Z]{4}){8})$", re.MULTILINE)


@pytest.fixture
def encrypted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, str]:
    """A folder made by ``nonasn init --admin``; the recovery key it printed once."""
    monkeypatch.setenv("NONASN_ADMIN_PASSWORD", "Rahasia2022")
    data = tmp_path / "data"
    sheet = tmp_path / "kunci.pdf"
    code, out, err = run(["--data-dir", str(data), *INIT, "--recovery-sheet", str(sheet)], capsys)
    assert code == 0, err
    assert "KUNCI PEMULIHAN" in out
    assert "PERINGATAN" in out
    assert sheet.read_bytes().startswith(b"%PDF")
    found = KEY_LINE.search(out)
    assert found is not None
    monkeypatch.delenv("NONASN_ADMIN_PASSWORD")
    return data, found.group(1)


def _recap(data: Path, out: Path) -> list[str]:
    return ["--data-dir", str(data), "report", "recap", "--out", str(out)]


def test_a_new_folder_is_encrypted_and_commands_unlock_with_the_environment(
    encrypted: tuple[Path, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data, _recovery = encrypted
    folder = DataDir(data)
    assert vault.read_slots(folder) is not None
    assert not cipher.is_plain_sqlite(folder.database_path)
    # Nobody signed in (tests/cli/conftest.py signs the admin in for every test).
    monkeypatch.delenv("NONASN_USER")
    monkeypatch.delenv("NONASN_PASSWORD")
    code, _, err = run(_recap(data, tmp_path / "r1.xlsx"), capsys)
    assert code == 1
    assert "NONASN_USER" in err
    assert "NONASN_PASSWORD" in err
    monkeypatch.setenv("NONASN_USER", "admin")
    monkeypatch.setenv("NONASN_PASSWORD", "salah-sekali")
    code, _, err = run(_recap(data, tmp_path / "r2.xlsx"), capsys)
    assert code == 1
    assert "kata sandi salah" in err
    monkeypatch.setenv("NONASN_PASSWORD", "Rahasia2022")
    code, _, err = run(_recap(data, tmp_path / "r3.xlsx"), capsys)
    assert code == 0, err


def test_recover_sets_a_new_admin_password(
    encrypted: tuple[Path, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data, recovery = encrypted
    key_file = tmp_path / "kunci.txt"
    key_file.write_text(recovery.lower().replace("-", " ") + "\n", encoding="utf-8")
    monkeypatch.setenv("NONASN_ADMIN_PASSWORD", "BaruSekali2026")
    argv = ["--data-dir", str(data), "recover", "--recovery-key-file", str(key_file)]
    code, out, err = run([*argv, "--admin", "admin"], capsys)
    assert code == 0, err
    assert "sudah diganti" in out
    monkeypatch.setenv("NONASN_USER", "admin")
    monkeypatch.setenv("NONASN_PASSWORD", "BaruSekali2026")
    assert run(_recap(data, tmp_path / "r4.xlsx"), capsys)[0] == 0
    wrong = tmp_path / "lain.txt"
    wrong.write_text("0000-0000-0000-0000-0000-0000-0000-0000-0000", encoding="utf-8")
    code, _, err = run(
        ["--data-dir", str(data), "recover", "--recovery-key-file", str(wrong), "--admin", "admin"],
        capsys,
    )
    assert code == 1
    assert "Kunci pemulihan" in err


def test_plain_on_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NONASN_ADMIN_PASSWORD", "Rahasia2022")
    data = tmp_path / "data"
    code, out, err = run(["--data-dir", str(data), *INIT, "--plain"], capsys)
    assert code == 0, err
    assert "KUNCI PEMULIHAN" not in out
    assert cipher.is_plain_sqlite(DataDir(data).database_path)


def test_backup_commands_of_an_encrypted_folder(
    encrypted: tuple[Path, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data, _recovery = encrypted
    monkeypatch.setenv("NONASN_USER", "admin")
    monkeypatch.setenv("NONASN_PASSWORD", "Rahasia2022")
    out = tmp_path / "cadangan.zip"
    code, _, err = run(["--data-dir", str(data), "backup", "create", str(out)], capsys)
    assert code == 0, err
    code, text, err = run(["--data-dir", str(data), "backup", "verify", str(out)], capsys)
    assert code == 0, err
    assert "utuh" in text
    restored = tmp_path / "laptop-baru"
    argv = ["--data-dir", str(restored), "backup", "restore", str(out), "--ya"]
    code, text, err = run(argv, capsys)
    assert code == 0, err
    assert vault.read_slots(DataDir(restored)) is not None
    monkeypatch.setenv("NONASN_PASSWORD", "salah-sekali")
    code, _, err = run(["--data-dir", str(data), "backup", "verify", str(out)], capsys)
    assert code == 1
    assert "salah" in err


def test_recover_new_key_replaces_the_recovery_key(
    encrypted: tuple[Path, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data, old = encrypted
    monkeypatch.setenv("NONASN_USER", "admin")
    monkeypatch.setenv("NONASN_PASSWORD", "Rahasia2022")
    sheet = tmp_path / "kunci-baru.pdf"
    argv = ["--data-dir", str(data), "recover", "--new-key", "--recovery-sheet", str(sheet)]
    code, out, err = run(argv, capsys)
    assert code == 0, err
    found = KEY_LINE.search(out)
    assert found is not None
    assert found.group(1) != old
    assert "tidak berlaku lagi" in out
    assert sheet.read_bytes().startswith(b"%PDF")
    new_key = unlock_with_recovery_key(data, found.group(1))
    with pytest.raises(UserError):
        unlock_with_recovery_key(data, old)
    # The sheet's file is never overwritten: refused before the key is replaced.
    code, _, err = run(argv, capsys)
    assert code == 1
    assert "sudah ada" in err
    assert unlock_with_recovery_key(data, found.group(1)) == new_key
    # --admin belongs to --recovery-key-file.
    code, _, err = run([*argv[:4], "--admin", "admin"], capsys)
    assert code == 2
    assert "--admin" in err


def test_recover_new_key_of_a_plain_folder_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NONASN_ADMIN_PASSWORD", "Rahasia2022")
    data = tmp_path / "data"
    assert run(["--data-dir", str(data), *INIT, "--plain"], capsys)[0] == 0
    code, _, err = run(["--data-dir", str(data), "recover", "--new-key"], capsys)
    assert code == 1
    assert "tidak terenkripsi" in err
