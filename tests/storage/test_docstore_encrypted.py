"""Documents encrypted at rest, in the data folder and in the office database's table."""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from helpers.tools import require_tool
from nonasn_desktop.crypto import age, atrest
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


# A document of several seal pieces and age chunks, ending mid-chunk.
LARGE = os.urandom(5 * age.CHUNK_SIZE + 3)


def test_a_document_written_in_pieces_reads_back(tmp_path: Path) -> None:
    store = EncryptedFolderDocumentStore(tmp_path / "documents", KEY)
    sha = store.put(LARGE)
    assert store.get(sha) == LARGE
    with store.open(sha) as stream:
        stream.seek(3 * age.CHUNK_SIZE - 2)
        assert stream.read(5) == LARGE[3 * age.CHUNK_SIZE - 2 : 3 * age.CHUNK_SIZE + 3]
    # The same age format as before: a whole-file encryption of the same bytes is as long.
    sealed = store.path(sha).read_bytes()
    assert len(sealed) == len(atrest.encrypt_bytes(LARGE, KEY, "document"))


def test_a_document_stored_whole_by_an_earlier_version_still_opens(tmp_path: Path) -> None:
    store = EncryptedFolderDocumentStore(tmp_path / "documents", KEY)
    sha = hashlib.sha256(LARGE).hexdigest()
    store.path(sha).parent.mkdir(parents=True)
    store.path(sha).write_bytes(atrest.encrypt_bytes(LARGE, KEY, "document"))
    assert store.verify(sha)
    assert store.get(sha) == LARGE


def test_stock_age_opens_a_document_written_in_pieces(tmp_path: Path) -> None:
    tool = require_tool("age")
    store = EncryptedFolderDocumentStore(tmp_path / "documents", KEY)
    sha = store.put(LARGE)
    identity_file = tmp_path / "identitas.txt"
    identity_file.write_text(str(atrest.identity(KEY, "document")) + "\n")
    run = subprocess.run(
        [tool, "-d", "-i", str(identity_file), str(store.path(sha))],
        capture_output=True,
        check=True,
        timeout=30,
    )
    assert run.stdout == LARGE


def test_many_documents_are_written_unsynced_then_made_durable_together(tmp_path: Path) -> None:
    store = EncryptedFolderDocumentStore(tmp_path / "documents", KEY)
    documents = {hashlib.sha256(data).hexdigest(): data for data in (SCAN, LARGE, b"")}
    written = [store.put_unsynced(data, sha) for sha, data in documents.items()]
    assert written == [store.path(sha) for sha in documents]
    store.sync([path for path in written if path is not None])
    for sha, data in documents.items():
        assert store.path(sha).read_bytes().startswith(b"age-encryption.org/v1")
        assert store.get(sha) == data
        assert store.put_unsynced(data, sha) is None  # Stored already: left as it is.
    assert list((tmp_path / "documents").rglob(".incoming*")) == []


def test_a_truncated_document_written_unsynced_is_refused(tmp_path: Path) -> None:
    store = EncryptedFolderDocumentStore(tmp_path / "documents", KEY)
    sha = hashlib.sha256(LARGE).hexdigest()
    path = store.put_unsynced(LARGE, sha)
    assert path is not None
    path.write_bytes(path.read_bytes()[: -age.CHUNK_SIZE])
    assert not store.verify(sha)
    with pytest.raises(StorageError, match=r"Ijazah .*rusak, terpotong"):
        store.get(sha, name="Ijazah")
