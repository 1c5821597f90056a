"""The trigram index behind "a word of the name" in the record list (PostgreSQL only).

The search box finds a name by the start of any of its words (``sant`` finds ``BUDI
SANTOSO``): ``nama_search LIKE '% sant%'``. No B-tree answers that, so before migration 0007
PostgreSQL tested the pattern on every entry of the name index (about 30 ms per count over
100,000 records). A GIN index with pg_trgm's ``gin_trgm_ops`` finds the matching rows directly.

pg_trgm ships with PostgreSQL (on Debian in the server package, on Windows in the installer)
and has been a *trusted* extension since PostgreSQL 13: the owner of the office database may
create it without being a superuser. Where it cannot be created (an older server, a role that
does not own the database, a server built without contrib), the office keeps working: the
search finds the same records through the indexes of migration 0005, only more slowly, and the
log says what the server's administrator can run (:data:`ADMIN_SQL`) to add the index later.
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

EXTENSION = "pg_trgm"
INDEX = "ix_registration_name_words"
CREATE_INDEX = (
    f"CREATE INDEX IF NOT EXISTS {INDEX} ON registration USING gin (nama_search gin_trgm_ops)"
)
# What an administrator of the server runs in the office database when the extension could not
# be created by the application's role (README, "Several desks: the office database server").
ADMIN_SQL = f"CREATE EXTENSION IF NOT EXISTS {EXTENSION}; {CREATE_INDEX}; ANALYZE registration;"


def create_extension(connection: Connection, name: str) -> bool:
    """Create the extension if it is missing; False (and nothing changed) when it cannot be.

    Runs in a savepoint: a refused CREATE EXTENSION would otherwise abort the migration's
    whole transaction.
    """
    savepoint = connection.begin_nested()
    try:
        connection.execute(text(f'CREATE EXTENSION IF NOT EXISTS "{name}"'))
    except DBAPIError as exc:
        savepoint.rollback()
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        log.warning(
            "extension %s could not be created (%s); name search works without its index, "
            "more slowly. A server administrator can add it in this database with: %s",
            name,
            reason,
            ADMIN_SQL,
        )
        return False
    savepoint.commit()
    return True


def create_name_index(connection: Connection) -> bool:
    """The trigram index on ``nama_search``, if pg_trgm is (or can be made) available."""
    if connection.dialect.name != "postgresql" or not create_extension(connection, EXTENSION):
        return False
    connection.execute(text(CREATE_INDEX))
    return True


def has_name_index(connection: Connection) -> bool:
    """Whether the office database has the trigram index (False on SQLite)."""
    if connection.dialect.name != "postgresql":
        return False
    found = connection.execute(text("SELECT to_regclass(:name)"), {"name": INDEX}).scalar()
    return found is not None
