"""The field laptop's life on the command line: enrol at the office, init --enrollment on the
laptop, demo data there, transfer export/import, return, revoke."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.accounts import FakeClock, cli_sign_in
from helpers.commands import run
from helpers.fieldwork import (
    ENROLMENT_PASSPHRASE,
    OFFICE_PASSPHRASE,
    OPERATOR,
    OPERATOR_PASSWORD,
    make_office,
)
from nonasn_desktop.storage import cipher, vault
from nonasn_desktop.storage.datadir import DataDir


def test_field_laptop_round_trip_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_office(tmp_path / "kantor", FakeClock()).close()
    office = ["--data-dir", str(tmp_path / "kantor")]
    laptop = ["--data-dir", str(tmp_path / "laptop")]
    enrolment = tmp_path / "usb" / "L01.nonasn"
    monkeypatch.setenv("NONASN_KEY_PASSPHRASE", OFFICE_PASSPHRASE)
    monkeypatch.setenv("NONASN_ENROLLMENT_PASSPHRASE", ENROLMENT_PASSPHRASE)
    code, out, err = run(
        [
            *office,
            "device",
            "enroll",
            "--name",
            "Laptop Kec. Selebar",
            "--out",
            str(enrolment),
            # The admin goes along too: demo data is made by an admin (roster, verval).
            "--clerk",
            "admin",
            "--clerk",
            OPERATOR,
        ],
        capsys,
    )
    assert code == 0, err
    assert "Perangkat L01 (Laptop Kec. Selebar) didaftarkan" in out

    # On the laptop the key passphrase is the enrolment passphrase.
    monkeypatch.setenv("NONASN_KEY_PASSPHRASE", ENROLMENT_PASSPHRASE)
    code, out, err = run([*laptop, "init", "--enrollment", str(enrolment)], capsys)
    assert code == 0, err
    assert "Perangkat lapangan L01 (Laptop Kec. Selebar) kantor 1771BKD" in out
    # The laptop is encrypted at once; its clerks sign in with their office passwords.
    assert "KUNCI PEMULIHAN" in out
    assert vault.read_slots(DataDir(tmp_path / "laptop")) is not None
    # Nobody signed in (tests/cli/conftest.py signs the admin in for every test).
    monkeypatch.delenv("NONASN_USER")
    monkeypatch.delenv("NONASN_PASSWORD")
    code, _, err = run([*laptop, "demo-data", "--count", "1"], capsys)
    assert code == 1
    assert "NONASN_USER" in err
    monkeypatch.setenv("NONASN_USER", OPERATOR)
    monkeypatch.setenv("NONASN_PASSWORD", OPERATOR_PASSWORD)
    code, out, _ = run([*laptop, "init", "--enrollment", str(enrolment)], capsys)
    assert code == 0
    assert "tidak ada yang diubah" in out
    # Demo data is the admin's (roster, verval); the admin's office password opens the laptop.
    cli_sign_in(monkeypatch)
    code, out, err = run([*laptop, "demo-data", "--count", "2", "--seed", "3"], capsys)
    assert code == 0, err
    code, _, err = run([*laptop, "batch", "export", "--out", str(tmp_path / "x")], capsys)
    assert code == 1
    assert "nonasn transfer export" in err
    # The laptop's operator carries the day's work back (signed in as herself).
    cli_sign_in(monkeypatch, OPERATOR, OPERATOR_PASSWORD)
    code, out, err = run([*laptop, "transfer", "export", "--out", str(tmp_path / "usb")], capsys)
    assert code == 0, err
    assert "Berkas transfer nomor 1 ditulis" in out
    transfer = tmp_path / "usb" / "transfer-1771BKD-L01-000001.zip.age"

    monkeypatch.setenv("NONASN_KEY_PASSPHRASE", OFFICE_PASSPHRASE)
    # At the office the import is the admin's: the operator is refused, nothing imported.
    code, _, err = run([*office, "transfer", "import", str(transfer)], capsys)
    assert code == 1
    assert "hanya untuk pengguna dengan peran Admin" in err
    cli_sign_in(monkeypatch)
    code, out, err = run([*office, "transfer", "import", str(transfer)], capsys)
    assert code == 0, err
    assert "2 data baru" in out
    code, out, _ = run([*office, "transfer", "import", str(transfer)], capsys)
    assert code == 0
    assert "sudah pernah diimpor; tidak ada yang ditambahkan" in out
    code, out, _ = run([*office, "device", "list"], capsys)
    assert "L01  Laptop Kec. Selebar" in out
    assert "transfer terakhir #1  aktif" in out
    refresh = tmp_path / "usb" / "refresh-1.nonasn"
    code, out, err = run(
        [*office, "device", "refresh", "--device", "L01", "--out", str(refresh)], capsys
    )
    assert code == 0, err
    assert "Pembaruan nomor 1 untuk perangkat L01" in out
    monkeypatch.setenv("NONASN_KEY_PASSPHRASE", ENROLMENT_PASSPHRASE)
    # The refresh lists the active operators only: after it the admin no longer opens the
    # laptop, its operator does.
    cli_sign_in(monkeypatch, OPERATOR, OPERATOR_PASSWORD)
    code, out, err = run([*laptop, "device", "apply", str(refresh)], capsys)
    assert code == 0, err
    assert "Pembaruan nomor 1 dipakai" in out
    code, _, err = run([*laptop, "device", "apply", str(refresh)], capsys)
    assert code == 1
    assert "tidak lebih baru" in err
    cli_sign_in(monkeypatch)
    monkeypatch.setenv("NONASN_KEY_PASSPHRASE", OFFICE_PASSPHRASE)
    code, _, err = run(
        [*office, "transfer", "return", "--device", "L01", "--out", str(tmp_path / "r")], capsys
    )
    assert code == 1
    assert "Perlu Perbaikan" in err
    code, out, _ = run([*office, "device", "revoke", "L01"], capsys)
    assert code == 0
    assert "dicabut sejak" in out
    # The laptop stayed encrypted through the whole round trip.
    assert not cipher.is_plain_sqlite(DataDir(tmp_path / "laptop").database_path)
    code, _, err = run([*office, "transfer", "import", str(transfer)], capsys)
    assert code == 1
    assert "sudah dicabut" in err


def test_init_enrollment_refuses_office_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        [
            "--data-dir",
            str(tmp_path / "l"),
            "init",
            "--enrollment",
            str(tmp_path / "x"),
            "--office-code",
            "1771BKD",
        ],
        capsys,
    )
    assert code == 1
    assert "--enrollment tidak dipakai bersama" in err
