"""The exact schema of a backup's database: what its revision's migrations make, nothing else.

A backup archive is a file anyone can edit. A database whose revision number is right but whose
tables, indexes or triggers were changed (the append-only triggers on ``audit_log`` replaced by
ones that let the audit trail be rewritten, an extra table, a dropped index) must not be
restored. The reference is a fresh database migrated to the same revision by this version's
own migrations, built once per process and revision; the two ``sqlite_master`` listings must
be equal.
"""

from __future__ import annotations

import re
import sqlite3
import tempfile
import threading
from pathlib import Path

from nonasn_desktop.storage.database import Database, alembic_config, sqlite_url

# (type, name, table, SQL with its whitespace made uniform)
SchemaEntry = tuple[str, str, str, str]

_KIND_LABELS = {"table": "tabel", "index": "indeks", "trigger": "pemicu", "view": "tampilan"}
_references: dict[str, frozenset[SchemaEntry]] = {}
_lock = threading.Lock()


def _normalised(sql: str | None) -> str:
    return re.sub(r"\s+", " ", sql or "").strip()


def schema_of(connection: sqlite3.Connection) -> frozenset[SchemaEntry]:
    """Every table, index, trigger and view of a database, as ``sqlite_master`` lists them.

    SQLite's own objects (``sqlite_sequence``, ``sqlite_stat1``, automatic indexes) are left
    out: they come and go with use, not with the schema.
    """
    rows = connection.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' "
        "ESCAPE '\\'"
    ).fetchall()
    return frozenset(
        (str(kind), str(name), str(table), _normalised(sql)) for kind, name, table, sql in rows
    )


def _build_reference(revision: str) -> frozenset[SchemaEntry]:
    from alembic import command

    with tempfile.TemporaryDirectory(prefix="nonasn-skema-") as scratch:
        path = Path(scratch) / "acuan.sqlite3"
        db = Database.open(sqlite_url(path))
        try:
            config = alembic_config()
            with db.engine.begin() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
        finally:
            db.close()
        reference = sqlite3.connect(path)
        try:
            return schema_of(reference)
        finally:
            reference.close()


def reference_schema(revision: str) -> frozenset[SchemaEntry]:
    """The schema this version's migrations make at ``revision`` (a known revision)."""
    with _lock:
        if revision not in _references:
            _references[revision] = _build_reference(revision)
        return _references[revision]


def schema_difference(connection: sqlite3.Connection, revision: str) -> str | None:
    """None when the database's schema is exactly that of ``revision``; otherwise the first
    difference, in Indonesian ("pemicu audit_log_no_update berbeda")."""
    actual = schema_of(connection)
    expected = reference_schema(revision)
    if actual == expected:
        return None
    expected_names = {(kind, name) for kind, name, *_ in expected}
    actual_names = {(kind, name) for kind, name, *_ in actual}
    for kind, name, *_ in sorted(expected - actual):
        label = _KIND_LABELS.get(kind, kind)
        return f"{label} {name} " + ("berbeda" if (kind, name) in actual_names else "tidak ada")
    for kind, name, *_ in sorted(actual - expected):
        label = _KIND_LABELS.get(kind, kind)
        return f"{label} {name} " + (
            "berbeda" if (kind, name) in expected_names else "tidak dikenal"
        )
    return "susunannya berbeda"
