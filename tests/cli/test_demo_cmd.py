"""``nonasn demo-data``."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.folders import open_as_admin
from nonasn_desktop.cli.main import main
from nonasn_desktop.registration.store import count_by_status


@pytest.fixture
def data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    folder = tmp_path / "data"
    assert (
        main(
            [
                "--data-dir",
                str(folder),
                "init",
                "--office-code",
                "3273",
                "--office-name",
                "X",
                "--admin",
                "admin",
            ]
        )
        == 0
    )
    capsys.readouterr()
    return folder


def _statuses(folder: Path) -> dict[str, int]:
    # Read through the application: the folder made by init is encrypted.
    with open_as_admin(folder) as ctx:
        return {status.value: n for status, n in count_by_status(ctx).items() if n}


def test_default_status_is_pendaftaran_selesai(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data-dir", str(data), "demo-data", "--count", "3", "--seed", "1"]) == 0
    assert "3 data contoh" in capsys.readouterr().out
    assert _statuses(data) == {"pendaftaran_selesai": 3}


@pytest.mark.parametrize("status", ["draf", "akun_dibuat", "disetujui", "ditolak"])
def test_other_statuses(data: Path, status: str) -> None:
    assert main(["--data-dir", str(data), "demo-data", "--count", "2", "--status", status]) == 0
    assert _statuses(data) == {status: 2}


def test_exported_status_is_refused_honestly(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data-dir", str(data), "demo-data", "--count", "1", "--status", "diekspor"]) == 1
    assert "ekspor" in capsys.readouterr().err


@pytest.mark.parametrize("count", ["0", "-3", "banyak"])
def test_bad_count_is_a_usage_error(data: Path, count: str) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--data-dir", str(data), "demo-data", "--count", count])
    assert caught.value.code == 2


def test_without_init_the_clerk_is_told_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data-dir", str(tmp_path / "kosong"), "demo-data", "--count", "1"]) == 1
    assert "nonasn init" in capsys.readouterr().err
