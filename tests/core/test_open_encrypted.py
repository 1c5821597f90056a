"""open_app on an encrypted data folder: locked without its key, opened with it."""

from __future__ import annotations

from pathlib import Path

import pytest

from nonasn_desktop.crypto import keyslots
from nonasn_desktop.crypto.keyfile import KdfParams
from nonasn_desktop.errors import FolderLockedError, StorageError
from nonasn_desktop.startup import open_app
from nonasn_desktop.storage import vault
from nonasn_desktop.storage.datadir import DataDir
from nonasn_desktop.storage.docstore import EncryptedFolderDocumentStore

FAST = KdfParams(time_cost=1, memory_cost_kib=64, parallelism=1)


def _encrypted_folder(path: Path) -> vault.DataKey:
    path.mkdir()
    key = vault.DataKey(keyslots.new_data_key())
    folder = DataDir(path)
    slots = vault.new_slots(
        keyslots.new_folder_id(), key, "admin", "rahasia123", keyslots.new_recovery_key(), FAST
    )
    vault.write_slots(folder, slots)
    with open_app(path, create=True, key=key) as ctx:
        assert ctx.encrypted
        assert isinstance(ctx.blobs, EncryptedFolderDocumentStore)
        ctx.blobs.put(b"\xff\xd8\xff scan")
    return key


def test_an_encrypted_folder_needs_its_key(tmp_path: Path) -> None:
    key = _encrypted_folder(tmp_path / "data")
    database = DataDir(tmp_path / "data").database_path
    assert not database.read_bytes().startswith(b"SQLite format 3")
    with pytest.raises(FolderLockedError, match="Folder data terkunci"):
        open_app(tmp_path / "data")
    with pytest.raises(StorageError, match="tidak dapat dibuka dengan kunci folder data"):
        open_app(tmp_path / "data", key=vault.DataKey(bytes(32)))
    with open_app(tmp_path / "data", key=key) as ctx:
        assert ctx.key == key
        assert ctx.db.current_revision() is not None


def test_a_plain_folder_opens_as_before(tmp_path: Path) -> None:
    with open_app(tmp_path / "data", create=True) as ctx:
        assert not ctx.encrypted
    with open_app(tmp_path / "data") as ctx:
        assert ctx.key is None


def test_a_database_file_from_another_office_is_refused_and_left_as_it_is(tmp_path: Path) -> None:
    key = _encrypted_folder(tmp_path / "data")
    _encrypted_folder(tmp_path / "lain")
    ours = DataDir(tmp_path / "data").database_path
    # Someone copies another office's (encrypted) database, then a plain one, over ours.
    for foreign in (DataDir(tmp_path / "lain").database_path, None):
        if foreign is None:
            with open_app(tmp_path / "polos", create=True) as plain:
                foreign = plain.data_dir.database_path
        ours.write_bytes(foreign.read_bytes())
        before = ours.read_bytes()
        with pytest.raises(StorageError, match="milik kantor/folder lain"):
            open_app(tmp_path / "data", key=key)
        assert ours.read_bytes() == before
