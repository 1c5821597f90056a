"""Where document bytes live: one small interface, two places, chosen by the database.

- **SQLite** (one desk, a field laptop): the data folder's ``documents/`` (content-addressed
  files, :class:`~nonasn_desktop.storage.blobs.BlobStore`), next to the database file they
  belong to and backed up with it by ``nonasn backup``.
- **PostgreSQL** (the office network): the ``document_blob`` table of the office database,
  keyed by SHA-256 and written in the same transaction as the Document row that names it.
  Every desk then sees a scan exactly when it sees the record; a desk that crashes or is
  re-installed loses nothing (there is nothing on it); ``pg_dump`` backs up records and scans
  together; and there is no file share to set up, secure or lose. Documents are small (at most
  1 MB each, see forms/documents.toml), well within what a bytea column handles.

Every reader and writer goes through :class:`DocumentStore` (``ctx.blobs``): uploads, the
verval preview, printing the pas foto, the batch export. Encryption at rest can wrap it
without touching the callers.
"""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path
from typing import BinaryIO, Protocol

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from nonasn_desktop.errors import StorageError
from nonasn_desktop.storage.blobs import BlobStore
from nonasn_desktop.storage.database import Database
from nonasn_desktop.storage.models import DocumentBlob, utc_now

_SHA256 = re.compile(r"[0-9a-f]{64}")


def _check_sha(sha: str) -> None:
    if not _SHA256.fullmatch(sha):
        raise ValueError(f"not a lower-case SHA-256 hex digest: {sha!r}")


class DocumentStore(Protocol):
    """Document bytes addressed by their SHA-256 (lower-case hex)."""

    def put(self, data: bytes, *, session: Session | None = None) -> str:
        """Store ``data`` and return its SHA-256; the same bytes again change nothing.

        ``session``: the transaction of the record that names the document; a store inside
        the database writes in it, so the bytes are committed (or rolled back) with the row.
        """
        ...

    def get(self, sha: str, *, name: str | None = None) -> bytes:
        """The bytes, checked against ``sha``; StorageError when missing or damaged.

        ``name`` describes the document in messages."""
        ...

    def open(self, sha: str) -> BinaryIO:
        """A stream of the stored bytes, NOT checked (the caller hashes while it copies).

        Raises FileNotFoundError when nothing is stored under ``sha``."""
        ...

    def exists(self, sha: str) -> bool: ...

    def verify(self, sha: str) -> bool:
        """True when stored and still hashing to ``sha``."""
        ...


class FolderDocumentStore(BlobStore):
    """The data folder's ``documents/``: the store of an SQLite data folder."""

    def put(self, data: bytes, *, session: Session | None = None) -> str:
        # Files cannot join the database's transaction: a file written before a rollback stays,
        # harmless, under its hash, and is reused by the next upload of the same bytes.
        del session
        return super().put(data)

    def open(self, sha: str) -> BinaryIO:
        return self.path(sha).open("rb")


class DatabaseDocumentStore:
    """The ``document_blob`` table of the office database: the store of a PostgreSQL office."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def put(self, data: bytes, *, session: Session | None = None) -> str:
        sha = hashlib.sha256(data).hexdigest()
        if session is not None:
            self._insert(session, sha, data)
        else:
            with self._db.session() as own:
                self._insert(own, sha, data)
        return sha

    @staticmethod
    def _insert(session: Session, sha: str, data: bytes) -> None:
        # Two desks may upload the same scan at the same moment: the second insert is a no-op
        # instead of a failed save.
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            insert(DocumentBlob)
            .values(sha256=sha, size=len(data), data=data, created_at=utc_now())
            .on_conflict_do_nothing(index_elements=["sha256"])
        )
        session.execute(statement)

    def _read(self, sha: str) -> bytes | None:
        _check_sha(sha)
        with self._db.session() as session:
            data = session.scalar(select(DocumentBlob.data).where(DocumentBlob.sha256 == sha))
        return None if data is None else bytes(data)

    def get(self, sha: str, *, name: str | None = None) -> bytes:
        described = f"{name} ({sha[:12]}…)" if name else f"dokumen {sha[:12]}…"
        data = self._read(sha)
        if data is None:
            raise StorageError(
                f"Berkas {described} tidak ditemukan di basis data kantor.",
                hint="Pulihkan basis data kantor dari cadangan, atau unggah ulang dokumen itu.",
            )
        if hashlib.sha256(data).hexdigest() != sha:
            raise StorageError(
                f"Berkas {described} rusak: isinya tidak sama lagi dengan saat diunggah.",
                hint="Pulihkan basis data kantor dari cadangan, atau unggah ulang dokumen itu.",
            )
        return data

    def open(self, sha: str) -> BinaryIO:
        data = self._read(sha)
        if data is None:
            raise FileNotFoundError(sha)
        return io.BytesIO(data)

    def exists(self, sha: str) -> bool:
        _check_sha(sha)
        with self._db.session() as session:
            found = session.scalar(select(DocumentBlob.sha256).where(DocumentBlob.sha256 == sha))
        return found is not None

    def verify(self, sha: str) -> bool:
        data = self._read(sha)
        return data is not None and hashlib.sha256(data).hexdigest() == sha


def document_store_for(db: Database, documents_dir: Path) -> DocumentStore:
    """The office database's table on PostgreSQL, else the data folder's ``documents/``."""
    if db.is_postgresql:
        return DatabaseDocumentStore(db)
    return FolderDocumentStore(documents_dir)
