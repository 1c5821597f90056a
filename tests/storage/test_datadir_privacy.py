"""The data folder and everything in it private to the user (issue 12 item 6): 0700 / 0600."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from helpers.accounts import actor_for
from helpers.batches import PASSPHRASE
from nonasn_desktop.backup.archive import create_backup
from nonasn_desktop.office import keys
from nonasn_desktop.office.identity import initialise
from nonasn_desktop.startup import open_app
from nonasn_desktop.storage.datadir import DATABASE_FILE, DataDir

pytestmark = pytest.mark.skipif(
    os.name != "posix", reason="file modes are POSIX; on Windows the profile's ACL applies"
)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _everything(folder: Path) -> list[Path]:
    return [folder, *folder.rglob("*")]


def test_a_new_data_folder_holds_nothing_others_can_read(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    with open_app(folder, create=True) as ctx:
        initialise(ctx, office_code="3273", office_name="BKD Kota Bandung")
        keys.create_office_key(ctx, PASSPHRASE)
        ctx.blobs.put(b"scan KTP")
        create_backup(ctx, ctx.data_dir.backups_dir, actor=actor_for(ctx))
        # The database is open: its -wal and -shm exist now.
        assert (folder / f"{DATABASE_FILE}-wal").exists()
        everything = _everything(folder)
        loose = {
            str(p.relative_to(tmp_path)): oct(_mode(p))
            for p in everything
            if _mode(p) != (0o700 if p.is_dir() else 0o600)
        }
    names = {p.name for p in everything}
    # The office key lives in the database (one key per office, shared by its desks).
    assert {DATABASE_FILE, f"{DATABASE_FILE}-wal", "documents", "backups", "meja.json"} <= names
    assert loose == {}


def test_a_folder_of_an_earlier_version_is_tightened(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    with open_app(folder, create=True) as ctx:
        sha = ctx.blobs.put(b"scan KK")
        document = ctx.blobs.path(sha)
    # As an earlier version left it: everything readable by every local user.
    for path in _everything(folder):
        path.chmod(0o755 if path.is_dir() else 0o644)
    someone_elses = folder / "catatan-pribadi.txt"
    someone_elses.write_text("bukan milik aplikasi")
    someone_elses.chmod(0o644)

    DataDir(folder).prepare(create=False)

    assert _mode(folder) == 0o700
    assert _mode(folder / DATABASE_FILE) == 0o600
    assert _mode(document) == 0o600
    assert _mode(document.parent) == 0o700
    # What is not the program's own is left as it was.
    assert _mode(someone_elses) == 0o644
