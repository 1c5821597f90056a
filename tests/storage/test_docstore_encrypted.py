"""Documents encrypted at rest, in the data folder and in the office database's table."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from nonasn_desktop.errors import StorageError
from nonasn_desktop.storage.database import Database, sqlite_url
from nonasn_desktop.storage.docstore import (
    DocumentStore,
    EncryptedDatabaseDocumentStore,
    EncryptedFolderDocumentStore,
    FolderDocumentStore,
    document_store_for,
)
from nonasn_desktop.storage.models import DocumentBlob

KEY = bytes(range(32))
SCAN = b"\xff\xd8\xff\xe0" + b"KTP Siti Aminah 3273010101900001 " * 100


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(sqlite_url(tmp_path / "db.sqlite3"))
    database.upgrade()
    yield database
    database.close()


@pytest.fixture(params=["folder", "table"])
def store(request: pytest.FixtureRequest, tmp_path: Path, db: Database) -> DocumentStore:
    if request.param == "folder":
        return EncryptedFolderDocumentStore(tmp_path / "documents", KEY)
    return EncryptedDatabaseDocumentStore(db, KEY)


def _stored_bytes(store: DocumentStore, db: Database, sha: str) -> bytes:
    if isinstance(store, EncryptedFolderDocumentStore):
        return store.path(sha).read_bytes()
    with db.session() as session:
        return bytes(session.scalars(select(DocumentBlob.data)).one())


def test_a_document_is_stored_encrypted_under_its_plain_hash(
    store: DocumentStore, db: Database
) -> None:
    sha = store.put(SCAN)
    assert sha == hashlib.sha256(SCAN).hexdigest()
    assert store.put(SCAN) == sha
    stored = _stored_bytes(store, db, sha)
    assert stored.startswith(b"age-encryption.org/v1")
    assert b"Siti" not in stored
    assert b"\xff\xd8\xff" not in stored
    assert store.exists(sha)
    assert store.verify(sha)
    assert store.get(sha) == SCAN
    with store.open(sha) as stream:
        assert stream.read() == SCAN


def test_a_truncated_or_foreign_document_is_refused(tmp_path: Path) -> None:
    store = EncryptedFolderDocumentStore(tmp_path / "documents", KEY)
    sha = store.put(SCAN)
    path = store.path(sha)
    sealed = path.read_bytes()
    path.write_bytes(sealed[:-40])
    assert not store.verify(sha)
    with pytest.raises(StorageError, match=r"KTP .*rusak, terpotong"):
        store.get(sha, name="KTP")
    path.write_bytes(sealed)
    other = EncryptedFolderDocumentStore(tmp_path / "documents", bytes(32))
    assert not other.verify(sha)
    with pytest.raises(StorageError, match="bukan milik folder data ini"):
        other.get(sha)


def test_missing_documents(store: DocumentStore) -> None:
    sha = hashlib.sha256(b"none").hexdigest()
    assert not store.exists(sha)
    assert not store.verify(sha)
    with pytest.raises(StorageError, match="tidak ditemukan"):
        store.get(sha)
    with pytest.raises(FileNotFoundError):
        store.open(sha)


def test_a_plain_document_from_before_encryption_still_reads(tmp_path: Path) -> None:
    sha = FolderDocumentStore(tmp_path / "documents").put(SCAN)
    store = EncryptedFolderDocumentStore(tmp_path / "documents", KEY)
    assert store.get(sha) == SCAN
    assert store.verify(sha)


def test_the_store_follows_the_key(tmp_path: Path, db: Database) -> None:
    assert isinstance(document_store_for(db, tmp_path), FolderDocumentStore)
    assert isinstance(document_store_for(db, tmp_path, KEY), EncryptedFolderDocumentStore)
