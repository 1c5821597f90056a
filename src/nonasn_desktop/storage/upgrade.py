"""Bringing a database made by an older version up to date without putting it at risk.

:func:`upgrade_safely` runs at every start (``nonasn_desktop.startup.open_app``):

- a database at the newest revision (the usual case) is left alone;
- a brand-new, empty database is simply migrated;
- a database made by a *newer* version of the application (a revision this version does not
  know) is refused, untouched: migrating it "down" is not something to do by accident;
- an older database is first saved by the ``backup`` callback (an archive in ``backups/`` of
  the data folder; when that fails, nothing is migrated), then every pending migration runs in
  ONE transaction together with ``PRAGMA integrity_check`` and ``PRAGMA foreign_key_check`` of
  the result. SQLite's DDL is transactional: a failing migration, a failed check, a full disk
  or a power cut in the middle rolls every step back and the file is exactly as it was. The
  user is told so in Indonesian (:class:`UpgradeError`), and where the backup is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect
from sqlalchemy.exc import DBAPIError

from nonasn_desktop import __version__
from nonasn_desktop.errors import StorageError, UserError
from nonasn_desktop.storage.database import (
    HEAD_REVISION,
    Database,
    alembic_config,
    lock_for_migration,
)

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported inside the functions that migrate: a database already at HEAD_REVISION
# (every start but the first after an update) is opened without loading it.

log = logging.getLogger(__name__)

# Called with (database file, its current revision) before an older database is migrated;
# returns the backup archive it wrote, or raises (a UserError) when it could not.
BackupMaker = Callable[[Path, str | None], Path]

MAX_PROBLEMS_SHOWN = 5
_UNKNOWN = object()


class UpgradeError(StorageError):
    """Migrating the database failed; the database was left as it was."""


@dataclass(frozen=True)
class UpgradeResult:
    from_revision: str | None
    to_revision: str | None
    # The archive written before migrating (None when nothing needed migrating or saving).
    backup: Path | None

    @property
    def migrated(self) -> bool:
        return self.from_revision != self.to_revision


def integrity_problems(connection: Any) -> list[str]:
    """What ``PRAGMA integrity_check`` and ``PRAGMA foreign_key_check`` report; [] when sound.

    ``connection``: a DB-API (sqlite3) connection, possibly inside a transaction, whose view
    of the database (uncommitted changes included) is checked.
    """
    cursor = connection.cursor()
    try:
        rows = cursor.execute("PRAGMA integrity_check").fetchall()
        problems = [str(row[0]) for row in rows if str(row[0]) != "ok"]
        for table, rowid, parent, _index in cursor.execute("PRAGMA foreign_key_check"):
            problems.append(f"baris {rowid} tabel {table} menunjuk {parent} yang tidak ada")
    finally:
        cursor.close()
    return problems


def known_revision(revision: str, config: Config | None = None) -> bool:
    """Whether this version of the application has the migration ``revision``."""
    from alembic.script import ScriptDirectory
    from alembic.util.exc import CommandError

    script = ScriptDirectory.from_config(config or alembic_config())
    try:
        return script.get_revision(revision) is not None
    except CommandError:
        return False


def sqlite_file(db: Database) -> Path | None:
    """The database file, or None when the database is not an SQLite file (e.g. PostgreSQL)."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(str(url.database))


def _has_tables(db: Database) -> bool:
    return bool(inspect(db.engine).get_table_names())


class _CheckFailedError(Exception):
    """The migrated database failed its integrity check (inside the migration transaction)."""


def _migrate(db: Database, config: Config) -> None:
    from alembic import command

    with db.engine.begin() as connection:
        lock_for_migration(connection)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        if connection.dialect.name == "sqlite":
            problems = integrity_problems(connection.connection.dbapi_connection)
            if problems:
                raise _CheckFailedError("; ".join(problems[:MAX_PROBLEMS_SHOWN]))


def _newer_version_error(db: Database, revision: str) -> StorageError:
    return StorageError(
        f"Basis data {db.location} dibuat oleh versi aplikasi yang lebih baru "
        f"(skema {revision}); versi {__version__} ini tidak dapat membukanya.",
        hint="Pasang versi aplikasi yang terbaru. Data tidak diubah.",
    )


def upgrade_safely(
    db: Database, *, backup: BackupMaker | None, config: Config | None = None
) -> UpgradeResult:
    """Bring ``db`` to the newest revision, or raise leaving it exactly as it was.

    ``backup`` saves an older database before it is migrated (None: no backup, e.g. tests of
    a fresh database). ``config``: the migrations to run; the installed ones by default.
    """
    current = db.current_revision()
    if config is None and current == HEAD_REVISION:
        # The usual start: up to date, decided with plain SQL and without Alembic.
        return UpgradeResult(current, HEAD_REVISION, None)
    from alembic.script import ScriptDirectory

    config = config if config is not None else alembic_config()
    head = ScriptDirectory.from_config(config).get_current_head()
    if current == head:
        return UpgradeResult(current, head, None)
    if current is not None and not known_revision(current, config):
        raise _newer_version_error(db, current)

    saved: Path | None = None
    holds_data = current is not None or _has_tables(db)
    file = sqlite_file(db)
    if holds_data and file is not None and backup is not None:
        saved = backup(file, current)
        log.info("backup before migrating %s from %s: %s", file, current, saved)

    try:
        _migrate(db, config)
    except Exception as exc:
        log.exception("migrating %s from %s to %s failed", db.location, current, head)
        raise _failure(db, exc, current, saved) from exc
    log.info("database %s migrated from %s to %s", db.location, current, head)
    return UpgradeResult(current, head, saved)


def _failure(db: Database, exc: Exception, current: str | None, saved: Path | None) -> UpgradeError:
    """The message for a failed migration, after checking that the rollback held."""
    after: str | object | None = _UNKNOWN
    try:
        after = db.current_revision()
    except (UserError, DBAPIError):
        log.exception("reading the revision after a failed migration")
    translated = exc if isinstance(exc, UserError) else db.translate(exc)
    cause = f" ({translated.message})" if translated is not None else ""
    where = f" Salinan cadangan sebelum pembaruan: {saved}." if saved else ""
    if after == current:
        return UpgradeError(
            f"Pembaruan basis data ke versi {__version__} gagal{cause}; data lama tidak diubah.",
            hint=f"Aplikasi versi sebelumnya masih dapat membukanya.{where} "
            "Laporkan kepada petugas TI (rinciannya ada di log).",
        )
    return UpgradeError(
        f"Pembaruan basis data ke versi {__version__} gagal{cause} dan keadaan basis data "
        "tidak dapat dipastikan.",
        hint=f"Jangan memakai data ini dulu.{where} Pulihkan dari cadangan itu "
        "(nonasn backup restore) dan laporkan kepada petugas TI.",
    )
