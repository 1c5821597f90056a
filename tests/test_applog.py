"""The application log: in the data folder, for every command, with NIK and KK masked."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from nonasn_desktop.applog import (
    LOG_FILE_NAME,
    mask_identity_numbers,
    setup_logging,
    stop_logging,
)
from nonasn_desktop.cli import main as cli_main
from nonasn_desktop.cli.main import main

NIK = "3171015708850003"
KK = "3273012002150007"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (f"NIK {NIK} tercatat", "NIK 3171********0003 tercatat"),
        (f"nik={NIK},kk={KK}", "nik=3171********0003,kk=3273********0007"),
        ("3171 0157 0885 0003", "3171********0003"),
        ("3171.0157.0885.0003", "3171********0003"),
        ("317101-570885-0003", "3171********0003"),
        ("2026-01-05 08:00:00,123 INFO Rp 1.500.000", "2026-01-05 08:00:00,123 INFO Rp 1.500.000"),
        ("+6281234567890 (HP)", "+6281234567890 (HP)"),
    ],
)
def test_identity_numbers_are_masked(text: str, masked: str) -> None:
    assert mask_identity_numbers(text) == masked


def _no_identity_numbers(log_text: str) -> None:
    digits_only = re.sub(r"[ .\-]", "", log_text)
    assert NIK not in digits_only
    assert KK not in digits_only


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


def test_a_command_logs_into_the_data_folder_with_the_nik_masked(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data-dir", str(data_dir), "check", "nik", "3171 0157 0885 0003"]) == 0
    capsys.readouterr()
    log_text = (data_dir / "logs" / LOG_FILE_NAME).read_text(encoding="utf-8")
    assert "check nik 3171********0003" in log_text
    _no_identity_numbers(log_text)
    # The file is closed again: main() may run once more in the same process.
    open_files = [
        Path(h.baseFilename)
        for h in logging.getLogger("nonasn_desktop").handlers
        if isinstance(h, logging.FileHandler)
    ]
    assert data_dir / "logs" / LOG_FILE_NAME not in open_files


def test_a_refused_command_is_logged_masked(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A NIK with an impossible birth date: refused with a message that quotes it.
    bad = "3171013213850003"
    assert main(["--data-dir", str(data_dir), "check", "nik", bad]) == 1
    capsys.readouterr()
    log_text = (data_dir / "logs" / LOG_FILE_NAME).read_text(encoding="utf-8")
    assert "3171********0003" in log_text
    assert bad not in re.sub(r"[ .\-]", "", log_text)


def test_a_bug_with_nik_and_kk_in_its_traceback_is_logged_masked(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(_args: object) -> int:
        raise RuntimeError(f"record NIK {NIK} with KK {KK} could not be read")

    monkeypatch.setattr(cli_main.check_cmd, "check_nik", explode)
    assert main(["--data-dir", str(data_dir), "check", "nik", NIK]) == cli_main.EXIT_BUG
    err = capsys.readouterr().err
    log_file = data_dir / "logs" / LOG_FILE_NAME
    assert f"Rinciannya dicatat di {log_file}" in err
    log_text = log_file.read_text(encoding="utf-8")
    assert "Traceback" in log_text
    assert "record NIK 3171********0003 with KK 3273********0007" in log_text
    _no_identity_numbers(log_text)
    assert NIK not in err


def test_no_data_folder_is_created_just_to_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "belum-ada"
    assert main(["--data-dir", str(missing), "check", "nik", NIK]) == 0
    capsys.readouterr()
    assert not missing.exists()


def test_any_logger_of_the_application_is_masked(tmp_path: Path) -> None:
    path = setup_logging(tmp_path / "logs")
    assert path is not None
    try:
        logging.getLogger("nonasn_desktop.roster.entries").warning("duplicate %s in row %d", NIK, 7)
    finally:
        stop_logging(path)
    text = path.read_text(encoding="utf-8")
    assert "duplicate 3171********0003 in row 7" in text
