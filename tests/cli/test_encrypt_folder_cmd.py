"""``nonasn keys encrypt-folder``, the note on a plain folder, and a recovery key nobody has seen
yet printed to the next admin (issue 11)."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.accounts import ADMIN_PASSWORD, ADMIN_USERNAME
from helpers.commands import INIT, run
from helpers.folders import make_plain_folder
from nonasn_desktop.cli.common import PLAIN_FOLDER_NOTE
from nonasn_desktop.startup import (
    encrypt_new_folder,
    is_encrypted,
    open_app,
    unlock_with_recovery_key,
)
from nonasn_desktop.storage import cipher, vault
from nonasn_desktop.storage.datadir import DataDir

SCAN = b"\xff\xd8\xff scan KTP"


@pytest.fixture
def plain(tmp_path: Path) -> Path:
    """A folder as an older version left it: an admin, an operator, one stored scan."""
    folder = tmp_path / "data"
    sha = make_plain_folder(folder, scan=SCAN)
    assert sha is not None
    (tmp_path / "scan.sha").write_text(sha)
    return folder


def _key_printed(out: str) -> str:
    lines = out.splitlines()
    heading = next(i for i, line in enumerate(lines) if "KUNCI PEMULIHAN" in line)
    return lines[heading + 1].strip()


def test_an_admin_encrypts_a_plain_folder_and_sees_its_recovery_key_once(
    plain: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = ["--data-dir", str(plain)]
    # Any other command still runs on the plain folder, with one line saying what to do.
    code, out, err = run([*data, "keys", "show"], capsys)
    assert code == 1  # this office has no signing key; what matters is the line below
    assert err.splitlines()[0] == PLAIN_FOLDER_NOTE
    sheet = tmp_path / "kunci-pemulihan.pdf"
    code, out, err = run([*data, "keys", "encrypt-folder", "--recovery-sheet", str(sheet)], capsys)
    assert code == 0, err
    recovery = _key_printed(out)
    assert sheet.read_bytes().startswith(b"%PDF")
    folder = DataDir(plain)
    assert is_encrypted(plain)
    assert not cipher.is_plain_sqlite(folder.database_path)
    # The automatic backup came first, as at the GUI sign-in.
    assert [p.name.startswith("sebelum-pembaruan-") for p in folder.backups_dir.iterdir()] == [True]
    # Printed: the copy kept until an admin saw it is gone; the key really opens the folder.
    assert not vault.pending_recovery_path(folder).exists()
    key = unlock_with_recovery_key(plain, recovery)
    with open_app(plain, key=key) as ctx:
        assert ctx.blobs.get((plain.parent / "scan.sha").read_text()) == SCAN
    code, out, err = run([*data, "keys", "show"], capsys)
    assert PLAIN_FOLDER_NOTE not in err
    assert recovery not in err
    code, out, err = run([*data, "keys", "encrypt-folder"], capsys)
    assert code == 1
    assert "sudah terenkripsi" in err


def test_an_operator_cannot_encrypt_the_folder(
    plain: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NONASN_USER", "operator1")
    monkeypatch.setenv("NONASN_PASSWORD", "sandi12345")
    code, _, err = run(["--data-dir", str(plain), "keys", "encrypt-folder"], capsys)
    assert code == 1
    assert "Hanya admin" in err
    assert not is_encrypted(plain)
    assert cipher.is_plain_sqlite(DataDir(plain).database_path)


def test_a_recovery_key_nobody_saw_is_printed_once_to_the_next_admin(
    plain: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Encrypted, and the run stopped before it printed the key.
    made = encrypt_new_folder(plain, ADMIN_USERNAME, ADMIN_PASSWORD).recovery_text
    assert made is not None
    data = ["--data-dir", str(plain), "keys", "show"]
    with monkeypatch.context() as operator:
        operator.setenv("NONASN_USER", "operator1")
        operator.setenv("NONASN_PASSWORD", "sandi12345")
        _, _, err = run(data, capsys)
    assert made not in err  # an operator is not shown it, nor does their command destroy it
    assert vault.pending_recovery_path(DataDir(plain)).exists()
    _, out, err = run(data, capsys)
    assert made not in out
    assert "PERHATIAN" in err
    assert made in err
    _, _, err = run(data, capsys)
    assert made not in err
    assert not vault.pending_recovery_path(DataDir(plain)).exists()


def test_init_prints_the_key_and_keeps_no_copy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "data"
    code, out, err = run(["--data-dir", str(folder), *INIT], capsys)
    assert code == 0, err
    assert is_encrypted(folder)
    assert not vault.pending_recovery_path(DataDir(folder)).exists()
    assert unlock_with_recovery_key(folder, _key_printed(out)) is not None
