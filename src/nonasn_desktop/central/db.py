"""Opening the central database: SQLite by default, PostgreSQL by URL.

``--db`` takes an SQLAlchemy URL. ``postgresql://…`` (or ``postgres://…``) without a driver
uses psycopg 3; a bare path is taken as an SQLite file. Without ``--db`` the environment
variable ``NONASN_CENTRAL_DB`` is used, else ``central.sqlite3`` in the current folder.

Document bytes are kept in a content-addressed folder (``ab/cd/<sha256>``): beside an SQLite
file (``<name>-dokumen``), else ``central-dokumen`` in the current folder, unless
``--documents`` names one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from nonasn_desktop.central.models import central_metadata
from nonasn_desktop.errors import StorageError, UserError
from nonasn_desktop.storage.blobs import BlobStore
from nonasn_desktop.storage.database import Database

DEFAULT_DATABASE = "central.sqlite3"
DEFAULT_DOCUMENTS = "central-dokumen"
ENV_DATABASE_URL = "NONASN_CENTRAL_DB"


def resolve_url(raw: str | None, *, cwd: Path | None = None) -> str:
    """A full SQLAlchemy URL for what the user typed (None: the default SQLite file)."""
    folder = cwd or Path.cwd()
    if raw is None or not raw.strip():
        raw = os.environ.get(ENV_DATABASE_URL, "")
    if not raw.strip():
        return f"sqlite:///{(folder / DEFAULT_DATABASE).resolve()}"
    text = raw.strip()
    if "://" not in text:
        return f"sqlite:///{(folder / text).resolve()}"
    try:
        url = make_url(text)
    except (ArgumentError, ValueError):
        raise UserError(
            f"Alamat basis data '{text}' tidak sah.",
            hint="Contoh: sqlite:///central.sqlite3 atau postgresql://user@host/nama_db",
        ) from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def _documents_for(url: str, cwd: Path) -> Path:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        database = Path(str(parsed.database))
        return database.with_name(database.stem + "-dokumen")
    return cwd / DEFAULT_DOCUMENTS


@dataclass
class CentralDb:
    db: Database
    documents: BlobStore

    @property
    def url(self) -> str:
        return self.db.url

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> CentralDb:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def open_central(
    raw_url: str | None, *, documents: Path | None = None, cwd: Path | None = None
) -> CentralDb:
    """Open (and create the tables of) the central database."""
    folder = cwd or Path.cwd()
    url = resolve_url(raw_url, cwd=folder)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    try:
        db = Database.open(url)
    except ModuleNotFoundError as exc:
        raise UserError(
            f"Penggerak basis data untuk {parsed.get_backend_name()} tidak terpasang ({exc.name}).",
            hint="Pasang paket psycopg[binary] untuk PostgreSQL.",
        ) from None
    try:
        with db.engine.begin() as connection:
            central_metadata.create_all(connection)
    except DBAPIError as exc:
        db.close()
        raise StorageError(
            f"Basis data pusat {parsed.render_as_string(hide_password=True)} tidak dapat dibuka "
            f"({str(exc.orig).strip().splitlines()[0] if exc.orig else 'galat'}).",
            hint="Periksa alamat --db, nama pengguna dan apakah server basis data berjalan.",
        ) from None
    store = BlobStore(documents if documents is not None else _documents_for(url, folder))
    return CentralDb(db, store)
