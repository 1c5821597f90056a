"""``nonasn batch export|list`` on a data folder with approved records."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.batches import PASSPHRASE, age_identity, prepared_data_folder
from helpers.commands import run

APPROVED = 2


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prepared_data_folder(tmp_path_factory.mktemp("office"), approved=APPROVED, seed=5)


@pytest.fixture
def data(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    import shutil

    shutil.copytree(template, tmp_path / "data")
    monkeypatch.setenv("NONASN_KEY_PASSPHRASE", PASSPHRASE)
    return str(tmp_path / "data")


def test_export_list_and_rewrite(
    data: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _identity, recipient = age_identity(tmp_path)
    out = tmp_path / "usb"
    code, stdout, err = run(
        ["--data-dir", data, "batch", "export", "--out", str(out), "--recipient", recipient],
        capsys,
    )
    assert code == 0, err
    assert f"Batch nomor urut 1 dibuat: {APPROVED} data" in stdout
    assert "Terenkripsi untuk: " + recipient in stdout
    assert sorted(p.name for p in out.iterdir()) == [
        "nonasn-3273-000001.sptjm.pdf",
        "nonasn-3273-000001.zip.age",
        "nonasn-3273-000001.zip.age.minisig",
    ]
    code, stdout, _ = run(["--data-dir", data, "batch", "list"], capsys)
    assert code == 0
    assert "terenkripsi" in stdout
    assert "0 data Disetujui menunggu" in stdout
    code, _, err = run(["--data-dir", data, "batch", "export", "--out", str(out)], capsys)
    assert code == 1
    assert "Tidak ada data berstatus Disetujui" in err
    again = tmp_path / "lagi"
    code, stdout, err = run(
        ["--data-dir", data, "batch", "export", "--out", str(again), "--rewrite", "1"], capsys
    )
    assert code == 0, err
    assert "ditulis ulang" in stdout
    assert (again / "nonasn-3273-000001.zip.age").is_file()


def test_plain_export_warns_and_wrong_passphrase_is_exit_1(
    data: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = tmp_path / "salah.txt"
    wrong.write_text("bukan frasa sandinya\n")
    out = tmp_path / "usb"
    code, _, err = run(
        ["--data-dir", data, "batch", "export", "--out", str(out), "--passphrase-file", str(wrong)],
        capsys,
    )
    assert code == 1
    assert "Frasa sandi kunci kantor salah" in err
    assert "Traceback" not in err
    assert not out.exists() or not any(out.iterdir())
    monkeypatch.delenv("NONASN_KEY_PASSPHRASE")
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    code, _, err = run(["--data-dir", data, "batch", "export", "--out", str(out)], capsys)
    assert code == 1
    assert "NONASN_KEY_PASSPHRASE" in err
    monkeypatch.setenv("NONASN_KEY_PASSPHRASE", PASSPHRASE)
    code, stdout, err = run(["--data-dir", data, "batch", "export", "--out", str(out)], capsys)
    assert code == 0, err
    assert "Tidak terenkripsi" in stdout


def test_bad_recipient_is_exit_1(
    data: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        ["--data-dir", data, "batch", "export", "--out", str(tmp_path), "--recipient", "age1xyz"],
        capsys,
    )
    assert code == 1
    assert "Penerima age" in err
