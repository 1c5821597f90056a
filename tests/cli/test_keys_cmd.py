"""``nonasn init`` makes the office key; ``nonasn keys show|export``."""

from __future__ import annotations

import base64
import json
import sqlite3
from pathlib import Path

import pytest

from helpers.commands import run
from nonasn_desktop.cli.main import main
from nonasn_desktop.crypto.minisign import PublicKey

PASSPHRASE = "frasa sandi kantor 2022"
INIT = ["init", "--office-code", "3273", "--office-name", "BKPSDM Kota Bandung", "--admin", "admin"]


@pytest.fixture(autouse=True)
def no_passphrase_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NONASN_KEY_PASSPHRASE", raising=False)


def test_init_makes_the_key_from_a_passphrase_file_and_keeps_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(tmp_path / "data")
    secret = tmp_path / "frasa.txt"
    secret.write_text(PASSPHRASE + "\n")
    code, out, err = run(["--data-dir", data, *INIT, "--passphrase-file", str(secret)], capsys)
    assert code == 0, err
    assert "Kunci tanda tangan kantor dibuat (ID " in out
    key_id = out.split("(ID ")[1].split(")")[0]
    # The key lives in the office database, not in a file of the data folder.
    assert not (tmp_path / "data" / "keys").exists()
    code, out, err = run(["--data-dir", data, *INIT, "--passphrase-file", str(secret)], capsys)
    assert code == 0, err
    assert f"sudah ada (ID {key_id}); tidak diubah" in out
    code, out, err = run(["--data-dir", data, "keys", "show"], capsys)
    assert code == 0, err
    assert f"ID kunci    : {key_id}" in out


def test_init_takes_the_passphrase_from_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NONASN_KEY_PASSPHRASE", PASSPHRASE)
    code, out, err = run(["--data-dir", str(tmp_path / "d"), *INIT], capsys)
    assert code == 0, err
    assert "Kunci tanda tangan kantor dibuat" in out


def test_init_without_any_passphrase_says_the_key_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    code, out, _ = run(["--data-dir", str(tmp_path / "d"), *INIT], capsys)
    assert code == 0
    assert "belum dibuat" in out
    assert "--passphrase-file" in out
    code, _, err = run(["--data-dir", str(tmp_path / "d"), "keys", "show"], capsys)
    assert code == 1
    assert "belum dibuat" in err


def test_a_weak_or_unreadable_passphrase_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    weak = tmp_path / "lemah.txt"
    weak.write_text("pendek\n")
    data = tmp_path / "d"
    code, _, err = run(["--data-dir", str(data), *INIT, "--passphrase-file", str(weak)], capsys)
    assert code == 1
    assert "paling sedikit 10 karakter" in err
    assert not (data / "keys").exists()
    code, _, err = run(
        ["--data-dir", str(data), *INIT, "--passphrase-file", str(tmp_path / "tidak-ada.txt")],
        capsys,
    )
    assert code == 1
    assert "tidak dapat dibaca" in err
    empty = tmp_path / "kosong.txt"
    empty.write_text("")
    code, _, err = run(["--data-dir", str(data), *INIT, "--passphrase-file", str(empty)], capsys)
    assert code == 1
    assert "kosong" in err


def test_keys_show_and_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NONASN_KEY_PASSPHRASE", PASSPHRASE)
    data = str(tmp_path / "d")
    assert run(["--data-dir", data, *INIT], capsys)[0] == 0
    code, out, err = run(["--data-dir", data, "keys", "show"], capsys)
    assert code == 0, err
    assert "Kantor      : 3273 (BKPSDM Kota Bandung)" in out
    key_id = out.split("ID kunci    : ")[1].split()[0]
    target = tmp_path / "kirim" / "office.pub"
    code, out, err = run(["keys", "export", "--data-dir", data, "--out", str(target)], capsys)
    assert code == 0, err
    assert key_id in out
    lines = target.read_text().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("untrusted comment: nonasn office key 3273 ")
    assert "BKPSDM Kota Bandung" in lines[0]
    assert PublicKey.parse(target.read_text()).key_id_hex == key_id


def test_keys_needs_a_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["keys"])
    assert exit_info.value.code == 2
    assert "PERINTAH" in capsys.readouterr().err


def test_a_key_file_with_a_short_salt_is_reported_as_damaged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NONASN_KEY_PASSPHRASE", PASSPHRASE)
    data = str(tmp_path / "d")
    # Plain: the test damages the key in the database file itself.
    assert run(["--data-dir", data, *INIT, "--plain"], capsys)[0] == 0
    # The sealed key lives in the office database (office_key.sealed).
    with sqlite3.connect(tmp_path / "d" / "nonasn.sqlite3") as connection:
        (sealed,) = connection.execute("SELECT sealed FROM office_key").fetchone()
        document = json.loads(sealed)
        document["kdf"]["salt"] = base64.b64encode(b"pendek").decode()
        connection.execute("UPDATE office_key SET sealed = ?", (json.dumps(document).encode(),))
    code, _out, err = run(["--data-dir", data, "keys", "show"], capsys)
    assert code == 1
    assert "rusak" in err
