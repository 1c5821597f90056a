"""What protects the stored data, as facts read from the database itself (no wording here).

IT staff asked for one place that says whether a desk's data is really encrypted and, for an
office database on PostgreSQL, whether the link to the server is TLS and whether the office's
documents have their key; :mod:`nonasn_desktop.office.protection` words these facts for the
About dialog.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select, text

from nonasn_desktop.storage import cipher, docstore, namesearch, officeslots
from nonasn_desktop.storage.database import Database
from nonasn_desktop.storage.models import DocumentBlob


@dataclass(frozen=True)
class FolderProtection:
    """A desk's own SQLite file. ``library``: SQLCipher's and its SQLite's versions."""

    encrypted: bool
    library: str


@dataclass(frozen=True)
class ServerProtection:
    """An office database on PostgreSQL.

    ``tls``: True/False for a network connection, None over the server's local socket (no
    network in between). ``sslmode``: as the desk's database address asks (None: not given,
    which libpq treats as "prefer": TLS if offered, certificate unchecked).
    """

    server_version: str
    tls: bool | None
    sslmode: str | None
    documents_keyed: bool
    plain_documents: int
    name_index: bool


def library_versions() -> str:
    """SQLCipher's version and the SQLite inside it, as the encrypted folders use them."""
    connection = cipher.dbapi().connect(":memory:")
    try:
        (sqlcipher,) = connection.execute("PRAGMA cipher_version").fetchone()
        (sqlite,) = connection.execute("SELECT sqlite_version()").fetchone()
    finally:
        connection.close()
    return f"SQLCipher {sqlcipher}, SQLite {sqlite}"


def _tls(connection: Connection) -> bool | None:
    local = connection.execute(text("SELECT inet_server_addr() IS NULL")).scalar()
    if local:
        return None
    in_use = connection.execute(
        text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
    ).scalar()
    return bool(in_use)


def _plain_documents(connection: Connection) -> int:
    # Counted on the server from the index of migration 0010: no document is read.
    rows = connection.execute(
        select(func.count()).select_from(DocumentBlob).where(docstore.PLAIN_ROWS)
    ).scalar()
    return int(rows or 0)


def of(db: Database) -> FolderProtection | ServerProtection:
    """The facts of ``db`` (a data folder's SQLite file or an office database)."""
    if not db.is_postgresql:
        return FolderProtection(encrypted=db.encrypted, library=library_versions())
    sslmode = db.engine.url.query.get("sslmode")
    with db.session() as session:
        connection = session.connection()
        version = str(connection.execute(text("SHOW server_version")).scalar())
        return ServerProtection(
            server_version=version.split()[0],
            tls=_tls(connection),
            sslmode=sslmode if isinstance(sslmode, str) else None,
            documents_keyed=officeslots.exists(session),
            plain_documents=_plain_documents(connection),
            name_index=namesearch.has_name_index(connection),
        )
