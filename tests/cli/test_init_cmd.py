"""``nonasn init``: first set-up, idempotence, scripted admin password, bad folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.commands import run

INIT = ["init", "--office-code", "3273", "--office-name", "BKPSDM Kota Bandung"]


def test_init_twice_changes_nothing_the_second_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    code, out, err = run(["--data-dir", str(data), *INIT], capsys)
    assert code == 0, err
    assert "disiapkan" in out
    assert (data / "nonasn.sqlite3").exists()
    code, out, _ = run(["--data-dir", str(data), *INIT], capsys)
    assert code == 0
    assert "tidak ada yang diubah" in out


def test_data_dir_after_the_subcommand_and_from_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, _ = run([*INIT, "--data-dir", str(tmp_path / "a")], capsys)
    assert code == 0
    assert (tmp_path / "a" / "nonasn.sqlite3").exists()
    monkeypatch.setenv("NONASN_DATA_DIR", str(tmp_path / "b"))
    code, _, _ = run(INIT, capsys)
    assert code == 0
    assert (tmp_path / "b" / "nonasn.sqlite3").exists()


def test_admin_password_from_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NONASN_ADMIN_PASSWORD", "Rahasia2022")
    data = str(tmp_path / "d")
    code, out, err = run(["--data-dir", data, *INIT, "--admin", "admin"], capsys)
    assert code == 0, err
    assert "admin" in out
    monkeypatch.delenv("NONASN_ADMIN_PASSWORD")
    # Nobody signed in (tests/cli/conftest.py signs the admin in for every test).
    monkeypatch.delenv("NONASN_USER")
    monkeypatch.delenv("NONASN_PASSWORD")
    # The new folder is encrypted: running again needs a clerk's sign-in.
    code, out, err = run(["--data-dir", data, *INIT, "--admin", "admin"], capsys)
    assert code == 1
    assert "Folder data terkunci" in err
    assert "NONASN_USER" in err
    monkeypatch.setenv("NONASN_USER", "admin")
    monkeypatch.setenv("NONASN_PASSWORD", "Rahasia2022")
    # Again, without a new password: the admin exists and keeps theirs; nothing is asked.
    code, out, err = run(["--data-dir", data, *INIT, "--admin", "admin"], capsys)
    assert code == 0, err
    assert "tidak diubah" in out


def test_admin_without_password_and_without_a_terminal_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NONASN_ADMIN_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    code, _, err = run(["--data-dir", str(tmp_path / "d"), *INIT, "--admin", "admin"], capsys)
    assert code == 1
    assert "NONASN_ADMIN_PASSWORD" in err


def test_weak_admin_password_is_refused_in_indonesian(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NONASN_ADMIN_PASSWORD", "123")
    code, _, err = run(["--data-dir", str(tmp_path / "d"), *INIT, "--admin", "admin"], capsys)
    assert code == 1
    assert "Kata sandi" in err or "kata sandi" in err


def test_another_office_code_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = str(tmp_path / "d")
    assert run(["--data-dir", data, *INIT], capsys)[0] == 0
    code, _, err = run(
        ["--data-dir", data, "init", "--office-code", "3171", "--office-name", "Lain"], capsys
    )
    assert code == 1
    assert "3273" in err


def test_bad_office_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        ["--data-dir", str(tmp_path), "init", "--office-code", "a b", "--office-name", "X"],
        capsys,
    )
    assert code == 1
    assert "Kode kantor" in err


def test_data_dir_that_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "berkas"
    target.write_text("bukan folder")
    code, _, err = run(["--data-dir", str(target), *INIT], capsys)
    assert code == 1
    assert "Traceback" not in err
    assert str(target) in err
    assert target.read_text() == "bukan folder"


def test_full_disk_is_reported_and_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil
    from collections import namedtuple

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda _path: usage(10**9, 10**9 - 1000, 1000))
    code, _, err = run(["--data-dir", str(tmp_path / "d"), *INIT], capsys)
    assert code == 1
    assert "penuh" in err.lower() or "ruang" in err.lower()
    assert not (tmp_path / "d" / "nonasn.sqlite3").exists()
