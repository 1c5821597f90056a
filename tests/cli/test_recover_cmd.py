"""``nonasn recover --new-key`` at a desk of an office database server (PostgreSQL): the
office's recovery key is replaced, the new one printed once (and on its A4 sheet), and only it
sets an admin's password afterwards. (The encrypted folder's path: test_init_encrypted.py.)"""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from sqlalchemy import select

from helpers.accounts import cli_sign_in
from helpers.commands import INIT, run
from helpers.postgres import fresh_database
from nonasn_desktop.accounts.recovery import OFFICE_OLD_KEY_NOTE
from nonasn_desktop.startup import is_encrypted, open_app
from nonasn_desktop.storage.models import OfficeDataKeySlot

KEY_LINE = re.compile(r"^\s+([0-9A-Z]{4}(?:-[0-9A-Z]{4}){8})$", re.MULTILINE)
PASSWORD = "Rahasia2022"


def _key(out: str) -> str:
    found = KEY_LINE.search(out)
    assert found is not None, out
    return found.group(1)


def _pdf_text(path: Path) -> str:
    document = pdfium.PdfDocument(path.read_bytes())
    try:
        return " ".join(str(document[0].get_textpage().get_text_range()).split())
    finally:
        document.close()


def test_new_key_at_an_office_server_desk_replaces_the_office_recovery_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NONASN_ADMIN_PASSWORD", PASSWORD)
    desk = tmp_path / "meja1"
    with fresh_database() as url:
        code, out, err = run(["--data-dir", str(desk), *INIT, "--database-url", url], capsys)
        assert code == 0, err
        old = _key(out)
        assert not is_encrypted(desk)  # the desk's own folder is plain: the data is on the server
        new_key = ["--data-dir", str(desk), "recover", "--new-key"]
        # A wrong password is refused, and no key is made.
        cli_sign_in(monkeypatch, "admin", "bukan-sandinya")
        code, out, err = run(new_key, capsys)
        assert code == 1
        assert "salah" in err
        assert KEY_LINE.search(out) is None
        cli_sign_in(monkeypatch, "admin", PASSWORD)
        sheet = tmp_path / "kunci-baru.pdf"
        code, out, err = run([*new_key, "--recovery-sheet", str(sheet)], capsys)
        assert code == 0, err
        new = _key(out)
        assert new != old
        assert OFFICE_OLD_KEY_NOTE in out
        # The sheet names the office data key (the desk's own folder has none).
        with open_app(desk) as ctx, ctx.db.session() as session:
            key_id = session.scalar(select(OfficeDataKeySlot.key_id).limit(1))
        assert key_id is not None
        assert f"Kunci dokumen kantor: {key_id[:8]}" in _pdf_text(sheet)
        # The old sheet sets no password any more; the new one does.
        old_file, new_file = tmp_path / "lama.txt", tmp_path / "baru.txt"
        old_file.write_text(old + "\n")
        new_file.write_text(new + "\n")
        recover = ["--data-dir", str(desk), "recover", "--admin", "admin", "--recovery-key-file"]
        monkeypatch.setenv("NONASN_ADMIN_PASSWORD", "pulih-dari-brankas-7")
        code, _, err = run([*recover, str(old_file)], capsys)
        assert code == 1
        assert "Kunci pemulihan tidak cocok" in err
        code, out, err = run([*recover, str(new_file)], capsys)
        assert code == 0, err
        assert "sudah diganti dengan kunci pemulihan" in out
