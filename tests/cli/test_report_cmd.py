"""``nonasn report recap``."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook

from nonasn_desktop.cli.main import main


def test_recap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    base = ["--data-dir", str(data)]
    assert (
        main(
            [
                *base,
                "init",
                "--office-code",
                "3273",
                "--office-name",
                "BKD Kota",
                "--admin",
                "admin",
            ]
        )
        == 0
    )
    assert main([*base, "demo-data", "--count", "3", "--seed", "4"]) == 0
    capsys.readouterr()
    out = tmp_path / "rekap.xlsx"
    assert main([*base, "report", "recap", "--out", str(out)]) == 0
    assert "3 data pendaftaran" in capsys.readouterr().out
    book = load_workbook(out, read_only=True)
    assert book.sheetnames == ["Per Unit Kerja", "Data"]
    assert sum(1 for _ in book["Data"].iter_rows()) == 4
    book.close()
    # The recap reads back as a roster: nothing refused.
    assert main([*base, "roster", "import", str(out)]) == 0
    assert "3 tidak berubah, 0 ditolak" in capsys.readouterr().out


def test_recap_needs_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--data-dir", str(tmp_path), "report", "recap"])
    assert info.value.code == 2
    assert "--out" in capsys.readouterr().err


def test_recap_to_an_unwritable_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    assert (
        main(
            [
                "--data-dir",
                str(data),
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
    target = tmp_path / "tidak-ada" / "rekap.xlsx"
    assert main(["--data-dir", str(data), "report", "recap", "--out", str(target)]) == 1
    assert "tidak dapat ditulis" in capsys.readouterr().err


def test_recap_onto_a_full_disk_is_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    base = ["--data-dir", str(data)]
    assert (
        main([*base, "init", "--office-code", "3273", "--office-name", "X", "--admin", "admin"])
        == 0
    )
    capsys.readouterr()
    out = tmp_path / "usb"
    out.mkdir()

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    assert main([*base, "report", "recap", "--out", str(out / "rekap.xlsx")]) == 1
    err = capsys.readouterr().err
    assert "ruang disk tujuan penuh" in err
    assert "Traceback" not in err
    assert list(out.iterdir()) == []
