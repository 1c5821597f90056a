"""``nonasn backup``: create, verify, restore (asks first) and the daily run, end to end."""

from __future__ import annotations

import hashlib
import io
import shutil
import zipfile
from pathlib import Path

import pytest

from helpers.accounts import actor_for, sign_in
from helpers.commands import PLAIN_INIT, run
from nonasn_desktop.cli.main import main
from nonasn_desktop.core import audit
from nonasn_desktop.demo import generate as demo
from nonasn_desktop.office import settings
from nonasn_desktop.registration import store as registrations
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.startup import open_app

# --plain: these check the plain archive format; encrypted backups have their own tests.
INIT = PLAIN_INIT


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder prepared by ``nonasn init`` with two registrations, made once."""
    folder = tmp_path_factory.mktemp("template") / "data"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NONASN_ADMIN_PASSWORD", "rahasia123")
        assert main(["--data-dir", str(folder), *INIT]) == 0
    with open_app(folder) as ctx:
        demo.generate(ctx, 2, RecordStatus.DRAF, seed=3, actor=actor_for(ctx))
    return folder


@pytest.fixture
def data(template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(template, folder)
    capsys.readouterr()
    return folder


def _count(folder: Path) -> int:
    with open_app(folder) as ctx:
        return sum(registrations.count_by_status(ctx).values())


def test_create_verify_and_restore(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "cadangan.zip"
    code, out, err = run(["backup", "create", str(out_file), "--data-dir", str(data)], capsys)
    assert code == 0, err
    assert f"Cadangan dibuat: {out_file}" in out
    assert "2 pendaftaran" in out

    code, out, err = run(["backup", "verify", str(out_file)], capsys)
    assert code == 0, err
    assert "utuh" in out

    with open_app(data) as ctx:
        demo.generate(ctx, 1, RecordStatus.DRAF, seed=4, actor=actor_for(ctx))
    assert _count(data) == 3

    code, out, err = run(
        ["backup", "restore", str(out_file), "--ya", "--data-dir", str(data)], capsys
    )
    assert code == 0, err
    assert "Data dipulihkan" in out
    assert "sebelum-pulih-" in out
    assert _count(data) == 2
    with open_app(data) as ctx:
        actions = [e.action for e in audit.recent(ctx, action_prefix="backup.")]
        assert actions[0] == "backup.restore"
        # The clerk signed in by NONASN_USER (tests/cli/conftest.py).
        assert audit.recent(ctx, action_prefix="backup.")[0].actor == "admin"


def test_restore_asks_first_and_no_changes_nothing(
    data: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out_file = tmp_path / "c.zip"
    assert run(["--data-dir", str(data), "backup", "create", str(out_file)], capsys)[0] == 0
    before = hashlib.sha256((data / "nonasn.sqlite3").read_bytes()).hexdigest()

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Terminal("tidak\n"))
    code, out, _ = run(["--data-dir", str(data), "backup", "restore", str(out_file)], capsys)
    assert code == 1
    assert "Lanjutkan pemulihan? [iya/tidak]" in out
    assert "dibatalkan" in out
    assert hashlib.sha256((data / "nonasn.sqlite3").read_bytes()).hexdigest() == before
    assert list((data / "backups").iterdir()) == []

    monkeypatch.setattr("sys.stdin", Terminal("iya\n"))
    code, out, _ = run(["--data-dir", str(data), "backup", "restore", str(out_file)], capsys)
    assert code == 0
    assert "Data dipulihkan" in out


def test_restore_in_a_script_needs_ya(
    data: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out_file = tmp_path / "c.zip"
    assert run(["--data-dir", str(data), "backup", "create", str(out_file)], capsys)[0] == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, _, err = run(["--data-dir", str(data), "backup", "restore", str(out_file)], capsys)
    assert code == 1
    assert "--ya" in err


def test_a_damaged_archive_exits_1_and_changes_nothing(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "c.zip"
    assert run(["--data-dir", str(data), "backup", "create", str(out_file)], capsys)[0] == 0
    out_file.write_bytes(out_file.read_bytes()[:-2000])
    before = hashlib.sha256((data / "nonasn.sqlite3").read_bytes()).hexdigest()
    for argv in (
        ["backup", "verify", str(out_file)],
        ["--data-dir", str(data), "backup", "restore", str(out_file), "--ya"],
    ):
        code, _, err = run(argv, capsys)
        assert code == 1
        assert "tidak dapat dipakai" in err
        assert "Traceback" not in err
    assert hashlib.sha256((data / "nonasn.sqlite3").read_bytes()).hexdigest() == before


def test_create_into_a_folder_and_refuse_to_overwrite(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    code, _, _ = run(["--data-dir", str(data), "backup", "create", str(usb)], capsys)
    assert code == 0
    made = next(usb.iterdir())
    assert made.name.startswith("nonasn-cadangan-3273-")
    assert zipfile.is_zipfile(made)
    code, _, err = run(["--data-dir", str(data), "backup", "create", str(made)], capsys)
    assert code == 1
    assert "sudah ada" in err


def test_daily(data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--data-dir", str(data), "backup", "daily"], capsys)
    assert code == 0
    assert "tidak aktif" in out
    usb = tmp_path / "usb"
    usb.mkdir()
    with open_app(data) as ctx:
        settings.set_setting(ctx, settings.BACKUP_FOLDER, str(usb), actor=sign_in(ctx).actor)
    code, out, _ = run(["--data-dir", str(data), "backup", "daily"], capsys)
    assert code == 0
    assert "Cadangan otomatis dibuat" in out
    code, out, _ = run(["--data-dir", str(data), "backup", "daily"], capsys)
    assert code == 0
    assert "sudah ada" in out
    usb_files = list(usb.iterdir())
    assert len(usb_files) == 1
    usb_files[0].unlink()
    usb.rmdir()
    code, _, err = run(["--data-dir", str(data), "backup", "daily"], capsys)
    assert code == 1
    assert "diska USB" in err
