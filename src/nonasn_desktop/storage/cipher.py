"""The data folder's SQLite database, encrypted with SQLCipher.

SQLCipher (Zetetic's SQLite with page-level AES-256 encryption and HMAC-SHA512 per page, used
by Signal Desktop among others) through ``sqlcipher3``, a maintained DB-API binding with wheels
for Windows and Linux that bundle the library, so nothing has to be installed on an office
laptop. The database key is not a passphrase: it is 32 bytes derived from the folder's data key
(:mod:`nonasn_desktop.storage.vault`), given as a raw key (``x'…'``), so SQLCipher's own
PBKDF2 is skipped and opening stays as fast as plain SQLite.

SQLAlchemy's ordinary SQLite dialect drives it (``module=sqlcipher3.dbapi2``); the key is the
first statement on every new connection, before the pragmas of
:mod:`nonasn_desktop.storage.database`.

sqlcipher3 0.6.x was suspected of dropping a reference to ``None``: "Fatal Python error:
none_dealloc" ended one test run, and once a test process at interpreter exit. Counting None's
references around hundreds of thousands of inserts (through new cursors, with NULL parameters,
RETURNING, executemany), constraint errors, wrong keys, rollbacks and unclosed connections found
no lost reference with 0.6.4, and later full runs did not crash; the cause is not known.
tests/storage/test_cipher.py keeps a guard on the common paths for future releases.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from types import ModuleType
from typing import Any, Final

from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.pool import ConnectionPoolEntry

from nonasn_desktop.errors import StorageError

SQLITE_HEADER: Final = b"SQLite format 3\x00"
# SQLite's page cache per connection, in KiB (SQLite's default is 2,000 KiB). A plain database
# re-reads a page evicted from it out of the operating system's file cache for the price of a
# copy; an encrypted one also decrypts and checks it (AES-256 and HMAC-SHA512 per page). The
# dashboard's covering-index scans over 100,000 records touch several MB of pages per filter
# change: with the default cache every change decrypted them all again (1.4-2x the plain time,
# issue 11); with 16 MB they stay decrypted in memory between changes (the WAL keeps the cache
# valid while nothing else writes). The cache grows only with the pages really read.
PAGE_CACHE_KIB: Final = 16 * 1024


def dbapi() -> ModuleType:
    """sqlcipher3's DB-API module (imported on first use: it loads a native library)."""
    import sqlcipher3.dbapi2

    module: ModuleType = sqlcipher3.dbapi2
    return module


def is_plain_sqlite(path: Path) -> bool:
    """True when ``path`` is an unencrypted SQLite database (it starts with SQLite's header)."""
    try:
        with path.open("rb") as stream:
            return stream.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except FileNotFoundError:
        return False


def _key_pragma(key: bytes) -> str:
    if len(key) != 32:
        raise ValueError("a SQLCipher raw key is 32 bytes")
    return f"PRAGMA key = \"x'{key.hex()}'\""


def _quiet(cursor: Any) -> None:
    # SQLCipher writes its own warnings (a wrong key, a damaged page) to standard error, where
    # a clerk's console or the test runner would show them; the error itself still reaches us.
    cursor.execute("PRAGMA cipher_log_level = NONE")


def apply_key(connection: Any, key: bytes) -> None:
    """Give ``connection`` its key; must be the first statement on it."""
    cursor = connection.cursor()
    try:
        _quiet(cursor)
        cursor.execute(_key_pragma(key))
    finally:
        cursor.close()


def wrong_key_error(location: str) -> StorageError:
    return StorageError(
        f"Basis data {location} tidak dapat dibuka dengan kunci folder data ini "
        "(rusak, atau milik kantor/folder lain).",
        hint="Jangan menimpa berkas itu; pulihkan dari cadangan folder ini atau hubungi admin "
        "kantor.",
    )


def check_key(path: Path, key: bytes) -> None:
    """Raise StorageError when ``key`` does not open the database at ``path``."""
    connection = dbapi().connect(str(path))
    try:
        apply_key(connection, key)
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except dbapi().DatabaseError as exc:
        raise wrong_key_error(str(path)) from exc
    finally:
        connection.close()


def encrypted_engine(url: str | URL, key: bytes, **kwargs: Any) -> Engine:
    """An engine over an encrypted SQLite file (made on first write when it does not exist)."""
    engine = create_engine(url, module=dbapi(), **kwargs)

    def give_key(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        apply_key(dbapi_connection, key)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
        finally:
            cursor.close()

    # insert=True: before every other "connect" listener (journal mode, foreign keys…).
    event.listen(engine, "connect", give_key, insert=True)
    return engine


def encrypt_copy(plain: Path, target: Path, key: bytes) -> None:
    """Write an encrypted copy of the plain database ``plain`` to ``target`` (which must not
    exist), with SQLCipher's ``sqlcipher_export``: schema, data, triggers and user version."""
    if target.exists():
        raise FileExistsError(target)
    connection = dbapi().connect(str(plain), isolation_level=None)
    try:
        _quiet(connection)
        connection.execute(f"ATTACH DATABASE ? AS encrypted KEY \"x'{key.hex()}'\"", (str(target),))
        connection.execute("SELECT sqlcipher_export('encrypted')")
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        connection.execute(f"PRAGMA encrypted.user_version = {int(version)}")
        connection.execute("DETACH DATABASE encrypted")
    finally:
        connection.close()


def plain_copy(encrypted: Path, target: Path, key: bytes) -> None:
    """The reverse of :func:`encrypt_copy`, for tests and support: an unencrypted copy."""
    if target.exists():
        raise FileExistsError(target)
    connection = dbapi().connect(str(encrypted), isolation_level=None)
    try:
        apply_key(connection, key)
        connection.execute("ATTACH DATABASE ? AS plain KEY ''", (str(target),))
        connection.execute("SELECT sqlcipher_export('plain')")
        connection.execute("DETACH DATABASE plain")
    finally:
        connection.close()
    with contextlib.closing(sqlite3.connect(target)) as check:
        check.execute("SELECT count(*) FROM sqlite_master").fetchone()
