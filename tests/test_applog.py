"""The application log: in the data folder, for every command, with NIK and KK masked."""

from __future__ import annotations

import errno
import logging
import re
from pathlib import Path

import pytest

from nonasn_desktop.applog import (
    LOG_FILE_NAME,
    mask_identity_numbers,
    mask_personal_numbers,
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
        ("+6281234567890 (HP)", "+6281234567890 (HP)"),  # phones: mask_personal_numbers
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
    # Which command ran, never its arguments (NIKs, names, paths).
    assert log_text.rstrip().endswith(": check nik")
    assert "3171" not in log_text
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
    # A NIK with an impossible birth date: refused.
    bad = "3171013213850003"
    assert main(["--data-dir", str(data_dir), "check", "nik", bad]) == 1
    assert "NIK tidak sah" in capsys.readouterr().err
    log_text = (data_dir / "logs" / LOG_FILE_NAME).read_text(encoding="utf-8")
    assert "check nik" in log_text
    assert "3171" not in log_text


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


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("HP 0812-3456-7890.", "HP 08********90."),
        ("hp=+62 812 3456 7890", "hp=+62*********90"),
        ("+6281234567890 (HP)", "+62*********90 (HP)"),
        ("telp (022) 1234567", "telp (02******67"),
        (f"NIK {NIK} HP 081234567890", "NIK 3171********0003 HP 08********90"),
        # Not phone numbers: times, amounts, key ids, batch numbers.
        ("2026-01-05 08:00:00,123 INFO Rp 1.500.000", "2026-01-05 08:00:00,123 INFO Rp 1.500.000"),
        ("kunci 0123456789ABCDEF", "kunci 0123456789ABCDEF"),
        ("nonasn-3273-000001.zip", "nonasn-3273-000001.zip"),
    ],
)
def test_phone_numbers_are_masked(text: str, masked: str) -> None:
    assert mask_personal_numbers(text) == masked


def test_a_phone_number_in_a_log_line_is_masked(tmp_path: Path) -> None:
    path = setup_logging(tmp_path / "logs")
    assert path is not None
    try:
        logging.getLogger("nonasn_desktop.x").warning("value %s refused", "0812 3456 7890")
    finally:
        stop_logging(path)
    text = path.read_text(encoding="utf-8")
    assert "value 08********90 refused" in text


def test_an_unwritable_log_is_skipped_without_a_word_on_the_console(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A file where the logs folder should be: the log cannot be opened (as on a read-only disk).
    blocked = tmp_path / "logs"
    blocked.write_text("bukan folder")
    assert setup_logging(blocked) is None
    logging.getLogger("nonasn_desktop.x").error("boom", exc_info=RuntimeError("x"))
    assert capsys.readouterr().err == ""


def test_a_log_write_that_fails_is_dropped_silently(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = setup_logging(tmp_path / "logs")
    assert path is not None
    handler = next(
        h
        for h in logging.getLogger("nonasn_desktop").handlers
        if isinstance(h, logging.FileHandler) and Path(h.baseFilename) == path
    )

    def full_disk(_text: str) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    try:
        handler.stream.write = full_disk  # type: ignore[method-assign]
        logging.getLogger("nonasn_desktop.x").warning("tidak tertulis")
    finally:
        stop_logging(path)
    assert capsys.readouterr().err == ""


def test_a_refusal_naming_a_person_is_not_logged(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from nonasn_desktop.errors import FieldError

    def refuse(_args: object) -> int:
        raise FieldError("nama", "Nama 'SITI AMINAH' (HP 081234567890) memuat gelar.")

    monkeypatch.setattr(cli_main.check_cmd, "check_nik", refuse)
    assert main(["--data-dir", str(data_dir), "check", "nik", NIK]) == 1
    assert "SITI AMINAH" in capsys.readouterr().err
    log_text = (data_dir / "logs" / LOG_FILE_NAME).read_text(encoding="utf-8")
    assert "refused: FieldError" in log_text
    assert "SITI" not in log_text
    assert "0812" not in log_text
