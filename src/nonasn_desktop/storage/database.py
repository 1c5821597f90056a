"""Opening the database, migrating it, and sessions that commit or roll back as a whole.

SQLite is tuned for a laptop that may lose power: write-ahead log plus ``synchronous=FULL``, so
a committed transaction survives a crash, and foreign keys on. Database errors the user can do
something about (full disk, read-only or missing folder, a file that is not a database, another
program holding the lock) become :class:`StorageError`/:class:`DataDirError` with a message in
Bahasa Indonesia; every other error is a bug and propagates unchanged.
"""

from __future__ import annotations

import importlib.resources
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from nonasn_desktop.errors import DataDirError, StorageError, UserError
from nonasn_desktop.storage.datadir import DataDir
from nonasn_desktop.storage.deskconfig import read_desk_config

if TYPE_CHECKING:
    from alembic.config import Config

ENV_DATABASE_URL = "NONASN_DATABASE_URL"
# Key in ``Session.info`` naming the device (desk code) this application runs on; the audit log
# writes it into every entry.
SESSION_DEVICE = "device"
BUSY_TIMEOUT_MS = 5000
# The newest migration in storage/migrations/versions (a test checks it against Alembic).
# A database already at this revision is opened without importing Alembic at all: that import
# alone costs about 0.2 s of every start-up.
HEAD_REVISION = "0010_document_blob_sealed"
VERSION_TABLE = "alembic_version"
# pg_advisory_xact_lock key held while migrating an office database (any fixed number).
MIGRATION_LOCK = 0x4E4F4E41534E


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def migrations_location() -> str:
    """The installed ``storage/migrations`` folder (works for checkouts, wheels, frozen builds)."""
    return str(importlib.resources.files("nonasn_desktop.storage") / "migrations")


def alembic_config() -> Config:
    """An Alembic configuration built in code; no alembic.ini is needed at run time."""
    from alembic.config import Config

    config = Config()
    # ConfigParser interpolates "%": escape it in paths.
    config.set_main_option("script_location", migrations_location().replace("%", "%%"))
    config.set_main_option("path_separator", "os")
    return config


def read_revision(connection: Connection) -> str | None:
    """The revision recorded in the database, read with plain SQL (no Alembic import).

    None when the version table is missing or empty (a database never migrated).
    """
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    rows = list(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
    if len(rows) > 1:
        # Several heads: let Alembic report it exactly as it always did.
        from alembic.runtime.migration import MigrationContext

        return MigrationContext.configure(connection).get_current_revision()
    return str(rows[0]) if rows else None


def _set_sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when a transaction starts (see _begin):
    # the module's own implicit transactions do not cover SELECTs or DDL.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: fsync the WAL on every commit. A power cut must not lose a committed draft.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def _begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


def translate_error(exc: BaseException, location: str) -> UserError | None:
    """The user-facing error for a database failure the user can act on, else None."""
    if not isinstance(exc, DBAPIError):
        return None
    text = str(exc.orig).lower()
    if "database or disk is full" in text:
        return StorageError(
            f"Penyimpanan penuh: perubahan terakhir tidak dapat disimpan ke {location}.",
            hint="Kosongkan ruang disk lalu simpan lagi; isian yang belum tersimpan masih ada "
            "di layar.",
        )
    if "readonly database" in text or "read-only" in text:
        return DataDirError(
            f"Basis data {location} hanya dapat dibaca; perubahan tidak tersimpan.",
            hint="Periksa izin berkas dan folder data, atau apakah diskanya terkunci, "
            "lalu coba lagi.",
        )
    if "unable to open database file" in text:
        return DataDirError(
            f"Basis data {location} tidak dapat dibuka.",
            hint="Pastikan folder data ada, terpasang, dan dapat ditulis "
            "(siapkan dengan: nonasn init).",
        )
    if "file is not a database" in text or "database disk image is malformed" in text:
        return StorageError(
            f"Berkas {location} bukan basis data yang utuh (rusak atau berkas lain).",
            hint="Jangan menimpa berkas itu; pulihkan dari cadangan di folder backups "
            "atau hubungi admin kantor.",
        )
    if "database is locked" in text or "database is busy" in text:
        return StorageError(
            f"Basis data {location} sedang dipakai program lain.",
            hint="Tutup jendela aplikasi lain yang memakai folder data yang sama, lalu coba lagi.",
        )
    if "connection refused" in text or "could not connect" in text or "timeout expired" in text:
        return StorageError(
            f"Server basis data kantor {location} tidak dapat dihubungi.",
            hint="Pastikan server menyala dan jaringan kantor tersambung, lalu coba lagi; "
            "isian yang belum tersimpan masih ada di layar.",
        )
    if "password authentication failed" in text or "no pg_hba.conf entry" in text:
        return DataDirError(
            f"Server basis data kantor {location} menolak masuk meja ini.",
            hint="Periksa nama pengguna dan kata sandi (berkas pgpass), serta izin alamat "
            "meja ini di pg_hba.conf server (lihat README, Server basis data kantor).",
        )
    if "ssl" in text or "certificate" in text:
        return DataDirError(
            f"Sambungan TLS ke server basis data kantor {location} gagal diperiksa.",
            hint="Periksa sertifikat server dan sslrootcert di alamat basis data "
            "(sslmode=verify-full memerlukan nama server yang sama dengan sertifikatnya).",
        )
    if "disk i/o error" in text:
        return StorageError(
            f"Gagal membaca/menulis basis data {location} (kesalahan disk).",
            hint="Periksa diska atau kabelnya; bila berulang, salin folder data ke tempat aman "
            "dan hubungi admin kantor.",
        )
    return None


def database_url_for(data_dir: DataDir) -> str:
    """See :meth:`Database.for_data_dir`."""
    return (
        os.environ.get(ENV_DATABASE_URL, "").strip()
        or read_desk_config(data_dir.path).database_url
        or sqlite_url(data_dir.database_path)
    )


def lock_for_migration(connection: Connection) -> None:
    """On PostgreSQL, let one desk at a time migrate (the others wait, then find it done).

    Held until the migration's transaction ends. SQLite needs nothing: its writers are
    serialised by the file lock.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})


class Database:
    """An engine plus a session factory. Close it to release the file.

    ``encrypted``: the engine is SQLCipher's (storage.cipher); a file the key does not open is
    then reported as belonging to another folder, not as merely damaged.
    """

    def __init__(self, engine: Engine, *, encrypted: bool = False) -> None:
        self.engine = engine
        self.encrypted = encrypted
        self._sessions = sessionmaker(bind=engine, expire_on_commit=False)
        # The desk this application runs on (set by startup.open_app); audit entries name it.
        self.device_code: str | None = None
        url = engine.url
        if url.get_backend_name() == "sqlite":
            self.location = str(url.database) if url.database else "(db)"
        else:
            # Where the server is, for messages (never the password).
            self.location = f"{url.database or ''}@{url.host or url.query.get('host') or 'lokal'}"
        if url.get_backend_name() == "sqlite":
            event.listen(engine, "connect", _set_sqlite_pragmas)
            event.listen(engine, "begin", _begin)

    @property
    def is_postgresql(self) -> bool:
        return self.engine.url.get_backend_name() == "postgresql"

    @classmethod
    def open(cls, url: str, *, key: bytes | None = None) -> Database:
        """``key``: the 32-byte SQLCipher key of an encrypted SQLite file (storage.cipher)."""
        try:
            parsed = make_url(url)
        except (ArgumentError, ValueError):
            raise DataDirError(
                "Alamat basis data kantor tidak sah.",
                hint="Contoh: postgresql://nonasn@server-bkd/nonasn?sslmode=verify-full",
            ) from None
        if parsed.drivername in ("postgresql", "postgres"):
            # psycopg 3 is the driver we ship; SQLAlchemy's default would be psycopg2.
            parsed = parsed.set(drivername="postgresql+psycopg")
        # Never put SQL parameters (names, NIKs, phone numbers) into exception texts: those
        # reach the log file and, through a bug report, other people.
        kwargs: dict[str, Any] = {"hide_parameters": True}
        if parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:"):
            # One shared connection, or every session would see its own empty database.
            from sqlalchemy.pool import StaticPool

            kwargs["poolclass"] = StaticPool
            kwargs["connect_args"] = {"check_same_thread": False}
        if key is not None:
            if parsed.get_backend_name() != "sqlite":
                raise ValueError("only an SQLite database file is encrypted with a key")
            from nonasn_desktop.storage import cipher

            return cls(cipher.encrypted_engine(parsed, key, **kwargs), encrypted=True)
        return cls(create_engine(parsed, **kwargs))

    @classmethod
    def for_data_dir(cls, data_dir: DataDir) -> Database:
        """The database of a data folder: ``$NONASN_DATABASE_URL``, else the office database
        the desk remembers (storage.deskconfig), else the SQLite file of the folder."""
        return cls.open(database_url_for(data_dir))

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def translate(self, exc: BaseException) -> UserError | None:
        if (
            self.encrypted
            and isinstance(exc, DBAPIError)
            and "file is not a database" in str(exc.orig).lower()
        ):
            from nonasn_desktop.storage import cipher

            return cipher.wrong_key_error(self.location)
        return translate_error(exc, self.location)

    def upgrade(self) -> None:
        """Run every pending migration (to head). Safe to call at every start: a database
        already at :data:`HEAD_REVISION` is left alone without loading Alembic."""
        if self.current_revision() == HEAD_REVISION:
            return
        from alembic import command

        config = alembic_config()
        try:
            with self.engine.begin() as connection:
                lock_for_migration(connection)
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        except DBAPIError as exc:
            translated = self.translate(exc)
            if translated is not None:
                raise translated from exc
            raise

    def current_revision(self) -> str | None:
        try:
            with self.engine.connect() as connection:
                return read_revision(connection)
        except DBAPIError as exc:
            translated = self.translate(exc)
            if translated is not None:
                raise translated from exc
            raise

    @staticmethod
    def head_revision() -> str | None:
        """The newest revision of the installed migrations, as Alembic sees it."""
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(alembic_config()).get_current_head()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed when the block ends, rolled back on error."""
        session = self._sessions()
        session.info[SESSION_DEVICE] = self.device_code
        try:
            yield session
            session.commit()
        except DBAPIError as exc:
            session.rollback()
            translated = self.translate(exc)
            if translated is not None:
                raise translated from exc
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
