"""``nonasn central verify|ingest``: exit codes, messages, the conflict report."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import openpyxl
import pytest

from helpers.batches import (
    PASSPHRASE,
    age_identity,
    make_office,
    stock_keygen,
)
from helpers.commands import run
from helpers.tools import require_tool
from nonasn_desktop.central.format import public_key_comment
from nonasn_desktop.crypto.minisign import SecretKey

RECORDS = 2


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two offices with the same people; office A encrypted to the centre, office B plain."""
    root = tmp_path_factory.mktemp("cli-central")
    trust = root / "trust"
    trust.mkdir()
    identity_file, recipient = age_identity(root)
    made_a = make_office(root / "a", code="3273", approved=RECORDS, seed=21, trust=trust)
    made_b = make_office(root / "b", code="327388", approved=RECORDS, seed=21, trust=trust)
    try:
        a = made_a.export(root / "a" / "usb", recipients=[recipient])
        b = made_b.export(root / "b" / "usb")
    finally:
        made_a.ctx.close()
        made_b.ctx.close()
    return {"trust": trust, "identity": identity_file, "a": a.file, "b": b.file}


def copy(file: Path, target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(file, target / file.name)
    shutil.copy2(file.with_name(file.name + ".minisig"), target / (file.name + ".minisig"))
    return target / file.name


def test_verify(
    exported: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = copy(exported["a"], tmp_path)
    trust = str(exported["trust"])
    code, out, _ = run(["central", "verify", str(a), "--trust", trust], capsys)
    assert code == 0
    assert out.startswith("SAH ")
    assert "isi belum diperiksa" in out
    code, out, _ = run(
        ["central", "verify", str(a), "--trust", trust, "--identity", str(exported["identity"])],
        capsys,
    )
    assert code == 0
    assert f"isi utuh: {RECORDS} data" in out
    data = bytearray(a.read_bytes())
    data[100] ^= 1
    a.write_bytes(bytes(data))
    b = copy(exported["b"], tmp_path / "b")
    code, out, err = run(["central", "verify", str(a), str(b), "--trust", trust], capsys)
    assert code == 1
    # Refusals on standard error, what was accepted on standard output (README).
    assert "DITOLAK  " + a.name in err
    assert "DITOLAK" not in out
    assert "SAH      " + b.name in out


def test_ingest_twice_and_the_conflict_report(
    exported: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = copy(exported["a"], tmp_path / "in")
    b = copy(exported["b"], tmp_path / "in")
    database = tmp_path / "pusat" / "pusat.sqlite3"
    report = tmp_path / "konflik.xlsx"
    base = ["central", "ingest", "--trust", str(exported["trust"]), "--db", f"sqlite:///{database}"]
    code, out, err = run(
        [
            *base,
            str(a),
            str(b),
            "--identity",
            str(exported["identity"]),
            "--conflicts",
            str(report),
        ],
        capsys,
    )
    assert code == 0, err
    assert out.count("DIMUAT") == 2
    assert f"{RECORDS} NIK konflik baru" in out
    assert (tmp_path / "pusat" / "pusat-dokumen").is_dir()
    rows = list(openpyxl.load_workbook(report).active.iter_rows(values_only=True))
    assert len(rows) == 1 + 2 * RECORDS
    code, out, _ = run([*base, str(b)], capsys)
    assert code == 0
    assert "SUDAH ADA" in out
    assert "tidak ada yang ditambahkan" in out


def test_ingest_refusals_are_exit_1(
    exported: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    a = copy(exported["a"], tmp_path / "in")
    trust = str(exported["trust"])
    code, out, err = run(["central", "ingest", str(a), "--trust", trust], capsys)
    assert code == 1
    assert "DITOLAK" in err
    assert "--identity" in err
    assert "DITOLAK" not in out
    assert (tmp_path / "central.sqlite3").is_file()  # the default database, still empty
    code, _, err = run(["central", "ingest", str(a), "--trust", str(tmp_path / "none")], capsys)
    assert code == 1
    assert "tidak ada" in err


def test_round_trip_through_the_command_line_with_the_stock_tools(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    minisign = require_tool("minisign")
    require_tool("age")
    identity_file, recipient = stock_keygen(tmp_path)
    monkeypatch.setenv("NONASN_KEY_PASSPHRASE", PASSPHRASE)
    trust = tmp_path / "trust"
    trust.mkdir()
    made = make_office(tmp_path / "kantor", approved=1, seed=31, trust=trust)
    made.ctx.close()
    data = str(tmp_path / "kantor" / "data")
    public = tmp_path / "3273.pub"
    assert run(["--data-dir", data, "keys", "export", "--out", str(public)], capsys)[0] == 0
    out = tmp_path / "usb"
    code, _, err = run(
        ["--data-dir", data, "batch", "export", "--out", str(out), "--recipient", recipient],
        capsys,
    )
    assert code == 0, err
    batch = out / "nonasn-3273-000001.zip.age"
    import subprocess

    assert (
        subprocess.run(
            [minisign, "-Vq", "-p", str(public), "-m", str(batch)], check=False
        ).returncode
        == 0
    )
    code, stdout, err = run(
        [
            "central",
            "ingest",
            str(batch),
            "--trust",
            str(trust),
            "--identity",
            str(identity_file),
            "--db",
            str(tmp_path / "c.sqlite3"),
        ],
        capsys,
    )
    assert code == 0, err
    assert "DIMUAT" in stdout


def test_key_registrations_are_reported_on_stderr(
    exported: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trust = tmp_path / "trust"
    shutil.copytree(exported["trust"], trust)
    # A second key of office 3273, and a key filed for 9999EVL whose comment claims 1771BKD.
    (trust / "3273-cadangan.pub").write_text(SecretKey.generate().public_key().to_text())
    evil = SecretKey.generate().public_key(public_key_comment("1771BKD", "BKD", "X"))
    (trust / "9999EVL.pub").write_text(evil.to_text())
    b = copy(exported["b"], tmp_path / "in")
    code, out, err = run(["central", "verify", str(b), "--trust", str(trust)], capsys)
    assert code == 0
    assert "SAH      " + b.name in out
    assert "Peringatan: Kunci 9999EVL.pub" in err
    assert "komentarnya menyebut kantor 1771BKD" in err
    assert "Perhatian: Kantor 3273 memiliki 2 kunci tepercaya" in err
    assert "Peringatan" not in out


@pytest.mark.parametrize("kind", ["symlink to /dev/zero", "FIFO"])
def test_special_files_are_refused_with_a_message(
    exported: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    def special(path: Path) -> Path:
        if kind == "FIFO":
            os.mkfifo(path)
        else:
            path.symlink_to("/dev/zero")
        return path

    trust = str(exported["trust"])
    b = copy(exported["b"], tmp_path / "in")
    b.unlink()
    special(b)
    code, _, err = run(["central", "verify", str(b), "--trust", trust], capsys)
    assert code == 1
    assert "bukan berkas biasa" in err
    identity = special(tmp_path / "identitas.txt")
    good = copy(exported["b"], tmp_path / "baik")
    code, _, err = run(
        ["central", "verify", str(good), "--trust", trust, "--identity", str(identity)], capsys
    )
    assert code == 1
    assert "Berkas kunci identitas" in err
    code, _, err = run(
        ["central", "verify", str(good), "--trust", str(special(tmp_path / "trust"))], capsys
    )
    assert code == 1
    assert "bukan folder" in err
    assert "Traceback" not in err
