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
verval preview, printing the pas foto, the batch export. When the data folder is encrypted
(storage.vault) both places hold age files of kind ``document``
(:mod:`nonasn_desktop.crypto.atrest`) under the SHA-256 of the *plaintext*, so callers, the
records that name documents and deduplication are unchanged; reading decrypts and checks the
hash. A plain document left from before encryption (an office server's older rows) is still
read and checked; an age file is told from a scan by its header (``age-encryption.org/v1``).

On an office server the key is the office data key (accounts.slots), opened at sign-in; until
then the table's store reads plain rows only and refuses to write once the office has a key,
and an admin's one-time conversion encrypts the remaining plain rows
(:meth:`EncryptedDatabaseDocumentStore.encrypt_plain_rows`).
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Protocol

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from nonasn_desktop.atomicfile import AtomicFile
from nonasn_desktop.crypto import age, atrest
from nonasn_desktop.crypto.errors import DecryptionError
from nonasn_desktop.errors import StorageError
from nonasn_desktop.storage import officeslots
from nonasn_desktop.storage.blobs import BlobStore
from nonasn_desktop.storage.database import Database
from nonasn_desktop.storage.models import DocumentBlob, utc_now

_SHA256 = re.compile(r"[0-9a-f]{64}")

# True for a ``document_blob`` row that holds an age file. On PostgreSQL migration 0010 indexes
# this very expression, so ``PLAIN_ROWS`` (the rows an older version stored plain) reads only
# the index: nothing of the documents themselves is read to count or list them.
SEALED_ROW = func.substring(DocumentBlob.data, 1, len(age.VERSION_LINE)) == age.VERSION_LINE
PLAIN_ROWS = SEALED_ROW.is_(False)


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
            self._insert_plain(session, sha, data)
        else:
            with self._db.session() as own:
                self._insert_plain(own, sha, data)
        return sha

    def _insert_plain(self, session: Session, sha: str, data: bytes) -> None:
        # Once the office has a data key no document is written plain again: the clerk's
        # sign-in opens the key and replaces this store (accounts.slots.open_office_key).
        if officeslots.exists(session):
            raise _office_key_closed(sha, None)
        self._insert(session, sha, data)

    @staticmethod
    def _insert(
        session: Session, sha: str, data: bytes, *, size: int | None = None, replace: bool = False
    ) -> None:
        # Two desks may upload the same scan at the same moment: the second insert is a no-op
        # instead of a failed save. ``replace``: a plain row is rewritten encrypted.
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        size = len(data) if size is None else size
        values = insert(DocumentBlob).values(sha256=sha, size=size, data=data, created_at=utc_now())
        statement = (
            values.on_conflict_do_update(
                index_elements=["sha256"], set_={"data": data, "size": size}
            )
            if replace
            else values.on_conflict_do_nothing(index_elements=["sha256"])
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
        if atrest.is_encrypted(data[:64]):
            raise _office_key_closed(sha, name)
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


def _described(sha: str, name: str | None) -> str:
    return f"{name} ({sha[:12]}…)" if name else f"dokumen {sha[:12]}…"


def _office_key_closed(sha: str, name: str | None) -> StorageError:
    return StorageError(
        f"Berkas {_described(sha, name)} terenkripsi dengan kunci dokumen kantor, yang belum "
        "terbuka untuk akun ini.",
        hint="Masuk dengan akun Anda. Bila tetap gagal, akun Anda belum memegang kunci itu: "
        "minta admin memberi akses dokumen di mejanya (Admin › Pengguna › Beri Akses Dokumen), "
        "ketik kata sandi Anda sendiri di sana, lalu masuk lagi. Bila lupa kata sandi, minta "
        "admin mengatur ulang kata sandi Anda.",
    )


def _damaged(sha: str, name: str | None) -> StorageError:
    return StorageError(
        f"Berkas {_described(sha, name)} rusak, terpotong, atau bukan milik folder data ini.",
        hint="Pulihkan dari cadangan, atau unggah ulang dokumen itu.",
    )


class _OwningReader(atrest.Reader):
    """A reader that closes the stored file with itself (callers only hold the plain view)."""

    def __init__(
        self, source: BinaryIO, key: bytes | atrest.KindKey, kind: str, *, where: str
    ) -> None:
        self._owned = source
        super().__init__(source, key, kind, where=where)

    def close(self) -> None:
        super().close()
        self._owned.close()


# Plaintext handed to the age writer per call: a few of its 64 KiB chunks, so a document is
# sealed straight into its file without a whole encrypted copy of it in memory.
_SEAL_PIECE = 4 * age.CHUNK_SIZE


class _Encrypting:
    """Encrypts on the way in, decrypts (and checks the hash) on the way out.

    Subclasses say where the sealed bytes live: :meth:`_store`, :meth:`_sealed`."""

    def __init__(self, key: bytes) -> None:
        # Derived once for the store, not per document (HKDF and X25519 each time).
        self._documents = atrest.KindKey(key, "document")

    def _seal_into(self, sink: BinaryIO, data: bytes) -> None:
        """The age file of ``data`` written into ``sink``, a few chunks at a time."""
        sealing = atrest.writer(sink, self._documents, "document")
        view = memoryview(data)
        try:
            for offset in range(0, len(view), _SEAL_PIECE):
                sealing.write(view[offset : offset + _SEAL_PIECE])
        finally:
            view.release()
        sealing.finish()

    def _store(self, sha: str, data: bytes, session: Session | None) -> None:
        """Encrypt ``data`` (hashing to ``sha``) and store it."""
        raise NotImplementedError

    def _sealed(self, sha: str) -> BinaryIO | None:
        """A seekable stream of what is stored under ``sha``; None when nothing is."""
        raise NotImplementedError

    def exists(self, sha: str) -> bool:
        raise NotImplementedError

    def put(self, data: bytes, *, session: Session | None = None) -> str:
        sha = hashlib.sha256(data).hexdigest()
        if not self.verify(sha):
            self._store(sha, data, session)
        return sha

    def _plain(self, sha: str) -> BinaryIO | None:
        stored = self._sealed(sha)
        if stored is None:
            return None
        head = stored.read(64)
        stored.seek(0)
        if not atrest.is_encrypted(head):
            return stored  # Stored before encryption; the hash check still holds.
        try:
            reader = _OwningReader(stored, self._documents, "document", where=sha[:12])
            return io.BufferedReader(reader)
        except BaseException:
            stored.close()
            raise

    def get(self, sha: str, *, name: str | None = None) -> bytes:
        try:
            stream = self._plain(sha)
            if stream is None:
                raise StorageError(
                    f"Berkas {_described(sha, name)} tidak ditemukan.",
                    hint="Pulihkan folder data dari cadangan, atau unggah ulang dokumen itu.",
                )
            with stream:
                data = stream.read()
        except DecryptionError:
            raise _damaged(sha, name) from None
        if hashlib.sha256(data).hexdigest() != sha:
            raise _damaged(sha, name)
        return data

    def open(self, sha: str) -> BinaryIO:
        stream = self._plain(sha)
        if stream is None:
            raise FileNotFoundError(sha)
        return stream

    def verify(self, sha: str) -> bool:
        try:
            stream = self._plain(sha)
            if stream is None:
                return False
            digest = hashlib.sha256()
            with stream:
                while chunk := stream.read(1024 * 1024):
                    digest.update(chunk)
        except (DecryptionError, OSError):
            return False
        return digest.hexdigest() == sha


class EncryptedFolderDocumentStore(_Encrypting):
    """``documents/`` of an encrypted data folder: age files at the plaintext's hash path."""

    def __init__(self, root: Path, key: bytes) -> None:
        super().__init__(key)
        self._files = BlobStore(root)
        self.root = self._files.root

    def path(self, sha: str) -> Path:
        return self._files.path(sha)

    def exists(self, sha: str) -> bool:
        return self._files.exists(sha)

    def _store(self, sha: str, data: bytes, session: Session | None) -> None:
        del session  # Files cannot join the transaction (see FolderDocumentStore.put).
        target = self._files.path(sha)
        pending: AtomicFile | None = None
        try:
            self._files._make_folder(target.parent)
            pending = AtomicFile(target.parent / "incoming")
            self._seal_into(pending.stream, data)
            pending.finish()
            pending.install(target)
        except OSError as exc:
            if pending is not None:
                pending.discard()
            raise StorageError(
                f"Dokumen tidak dapat disimpan di {self.root} ({exc.strerror or exc}).",
                hint="Periksa ruang disk dan izin folder data, lalu unggah lagi.",
            ) from None

    def put_unsynced(self, data: bytes, sha: str) -> Path | None:
        """:meth:`BlobStore.put_unsynced`, encrypted: ``data`` (whose SHA-256 the caller has
        just computed as ``sha``) sealed straight into its file, not yet durable; None when
        ``sha`` was stored already. :meth:`sync` makes the new files durable together."""
        return self._files.write_unsynced(sha, lambda stream: self._seal_into(stream, data))

    def sync(self, paths: list[Path]) -> None:
        self._files.sync(paths)

    def _sealed(self, sha: str) -> BinaryIO | None:
        try:
            return self._files.path(sha).open("rb")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StorageError(
                f"Berkas dokumen {sha[:12]}… tidak dapat dibaca ({exc.strerror or exc}).",
                hint="Periksa izin folder data dan diskanya, lalu coba lagi.",
            ) from None


@dataclass
class PlainRows:
    """What :meth:`EncryptedDatabaseDocumentStore.encrypt_plain_rows` did."""

    encrypted: int = 0
    already: int = 0
    damaged: list[str] = field(default_factory=list)


class EncryptedDatabaseDocumentStore(_Encrypting):
    """The office database's ``document_blob`` table, each row's bytes an age file."""

    def __init__(self, db: Database, key: bytes) -> None:
        super().__init__(key)
        self._db = db

    def exists(self, sha: str) -> bool:
        return DatabaseDocumentStore(self._db).exists(sha)

    def put(self, data: bytes, *, session: Session | None = None) -> str:
        sha = hashlib.sha256(data).hexdigest()
        stored = DatabaseDocumentStore(self._db)._read(sha)
        # A row stored plain (before the office had its data key) is rewritten encrypted.
        if stored is None or not atrest.is_encrypted(stored[:64]) or not self.verify(sha):
            self._store(sha, data, session)
        return sha

    def _store(self, sha: str, data: bytes, session: Session | None) -> None:
        # A row's bytes are written whole: the encrypted copy is needed in memory anyway.
        sealed, size = atrest.encrypt_bytes(data, self._documents, "document"), len(data)
        dialect_insert = DatabaseDocumentStore._insert
        if session is not None:
            dialect_insert(session, sha, sealed, size=size, replace=True)
        else:
            with self._db.session() as own:
                dialect_insert(own, sha, sealed, size=size, replace=True)

    def encrypt_plain_rows(self, on_row: Callable[[int, int], None] | None = None) -> PlainRows:
        """Encrypt every row stored plain (the one-time conversion of an existing office),
        one short transaction each, so desks keep working meanwhile and an interrupted run
        resumes where it stopped. ``on_row(done, total)`` after each row."""
        with self._db.session() as session:
            stored = session.scalar(select(func.count()).select_from(DocumentBlob)) or 0
            shas = list(
                session.scalars(
                    select(DocumentBlob.sha256).where(PLAIN_ROWS).order_by(DocumentBlob.sha256)
                )
            )
        # Rows sealed before this run are not read again (a resumed run, or a second one).
        result = PlainRows(already=stored - len(shas))
        for done, sha in enumerate(shas, start=1):
            with self._db.session() as session:
                row = session.get(DocumentBlob, sha, with_for_update=True)
                data = None if row is None else bytes(row.data)
                if row is None or data is None or atrest.is_encrypted(data[:64]):
                    result.already += 1
                elif hashlib.sha256(data).hexdigest() != sha:
                    result.damaged.append(sha)  # Left as it is: restore it or upload again.
                else:
                    row.data = atrest.encrypt_bytes(data, self._documents, "document")
                    result.encrypted += 1
            if on_row is not None:
                on_row(done, len(shas))
        return result

    def _sealed(self, sha: str) -> BinaryIO | None:
        data = DatabaseDocumentStore(self._db)._read(sha)
        return None if data is None else io.BytesIO(data)


def document_store_for(
    db: Database, documents_dir: Path, files_key: bytes | None = None
) -> DocumentStore:
    """The office database's table on PostgreSQL, else the data folder's ``documents/``;
    encrypted with ``files_key`` (the folder's ``DataKey.files_key``) when given."""
    if db.is_postgresql:
        if files_key is not None:
            return EncryptedDatabaseDocumentStore(db, files_key)
        return DatabaseDocumentStore(db)
    if files_key is not None:
        return EncryptedFolderDocumentStore(documents_dir, files_key)
    return FolderDocumentStore(documents_dir)
