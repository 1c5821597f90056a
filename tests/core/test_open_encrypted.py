"""open_app on an encrypted data folder: locked without its key, opened with it."""

from __future__ import annotations

from pathlib import Path

import pytest

from nonasn_desktop.crypto import keyslots
from nonasn_desktop.crypto.keyfile import KdfParams
from nonasn_desktop.errors import FolderLockedError, StorageError, UserError
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


def test_signing_in_to_an_encrypted_folder_runs_argon2id_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nonasn_desktop.accounts.users import authenticate
    from nonasn_desktop.crypto import kdf, passwords
    from nonasn_desktop.office import identity as office
    from nonasn_desktop.startup import encrypt_new_folder, unlock

    path = tmp_path / "data"
    with open_app(path, create=True) as ctx:
        office.initialise(ctx, office_code="3273", office_name="BKD", admin=("admin", "rahasia123"))
    encrypt_new_folder(path, "admin", "rahasia123")
    runs: list[str] = []
    derive, hasher = kdf.hash_secret_raw, passwords._hasher

    class Counted:
        def __getattr__(self, name: str) -> object:
            return getattr(hasher, name)

        def verify(self, stored: str, secret: str) -> bool:
            runs.append("hash")
            return hasher.verify(stored, secret)

    def counted_derive(*args: object, **options: object) -> bytes:
        runs.append("slot")
        return derive(*args, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(kdf, "hash_secret_raw", counted_derive)
    monkeypatch.setattr(passwords, "_hasher", Counted())
    key = unlock(path, "admin", "rahasia123").key
    with open_app(path, key=key) as ctx:
        assert authenticate(ctx, "admin", "rahasia123").username == "admin"
        assert runs == ["slot"]
        # A wrong password at the next sign-in is still checked by argon2 itself.
        with pytest.raises(UserError):
            authenticate(ctx, "admin", "tebak-tebak")
    assert runs == ["slot", "hash"]
