"""Migration 0010: which office documents are still plain is read from an index, not from the
documents (PostgreSQL); the same question on SQLite's (unused) table gives the same answer."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from helpers.postgres import fresh_database
from helpers.sql import postgres_plans, record_queries
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.crypto import atrest
from nonasn_desktop.startup import open_app
from nonasn_desktop.storage import protection
from nonasn_desktop.storage.database import Database, sqlite_url
from nonasn_desktop.storage.docstore import (
    PLAIN_ROWS,
    DatabaseDocumentStore,
    EncryptedDatabaseDocumentStore,
)
from nonasn_desktop.storage.models import DocumentBlob

KEY = bytes(range(32))
SEALED_ROWS = 40
PLAIN = [b"%PDF-1.4 ijazah lama " + bytes([n]) for n in range(3)]


def _fill(db: Database) -> None:
    """SEALED_ROWS documents sealed with KEY, and the PLAIN ones an older version stored."""
    sealed = EncryptedDatabaseDocumentStore(db, KEY)
    for number in range(SEALED_ROWS):
        sealed.put(b"\xff\xd8\xff\xe0 pas foto %d" % number)
    with db.session() as session:
        for data in PLAIN:
            DatabaseDocumentStore._insert(session, hashlib.sha256(data).hexdigest(), data)


@pytest.fixture
def office(tmp_path: Path) -> Iterator[AppContext]:
    with fresh_database() as url, open_app(tmp_path / "meja", create=True, database_url=url) as ctx:
        _fill(ctx.db)
        with ctx.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE document_blob"))
        yield ctx


def _plans_of_reads(ctx: AppContext, call: Callable[[], object]) -> list[str]:
    sent, _ = record_queries(ctx, call, table="document_blob")
    return postgres_plans(ctx, sent)


def test_the_about_dialog_counts_plain_documents_from_the_index(office: AppContext) -> None:
    found: list[protection.FolderProtection | protection.ServerProtection] = []
    plans = _plans_of_reads(office, lambda: found.append(protection.of(office.db)))
    counting = [plan for plan in plans if "IS FALSE" in plan]
    assert len(counting) == 1
    # The index's statistics know how few rows are plain.
    assert "on ix_document_blob_sealed" in counting[0]
    assert f"rows={len(PLAIN)} " in counting[0], counting
    assert isinstance(found[0], protection.ServerProtection)
    assert found[0].plain_documents == len(PLAIN)


def test_a_conversion_reads_only_the_plain_rows(office: AppContext) -> None:
    store = EncryptedDatabaseDocumentStore(office.db, KEY)
    steps: list[tuple[int, int]] = []
    plans = _plans_of_reads(
        office, lambda: steps.append(store.encrypt_plain_rows(lambda *step: None))
    )
    listing = [plan for plan in plans if "IS FALSE" in plan]
    assert len(listing) == 1
    assert "ix_document_blob_sealed" in listing[0]
    assert steps[0].encrypted == len(PLAIN)

    # Run again with progress: the rows sealed before are counted, never visited.
    visited: list[tuple[int, int]] = []
    again = store.encrypt_plain_rows(lambda done, total: visited.append((done, total)))
    assert (again.encrypted, again.already, visited) == (0, SEALED_ROWS + len(PLAIN), [])
    with office.db.session() as session:
        rows = session.scalars(select(DocumentBlob.data)).all()
    assert all(atrest.is_encrypted(bytes(data)[:64]) for data in rows)
    assert [store.get(hashlib.sha256(data).hexdigest()) for data in PLAIN] == PLAIN


def test_the_first_run_counts_what_it_sealed_and_what_was_sealed_before(
    office: AppContext,
) -> None:
    visited: list[tuple[int, int]] = []
    rows = EncryptedDatabaseDocumentStore(office.db, KEY).encrypt_plain_rows(
        lambda done, total: visited.append((done, total))
    )
    assert (rows.encrypted, rows.already, rows.damaged) == (len(PLAIN), SEALED_ROWS, [])
    assert visited == [(1, 3), (2, 3), (3, 3)]


def test_sqlite_has_no_such_index_and_answers_alike(tmp_path: Path) -> None:
    db = Database.open(sqlite_url(tmp_path / "db.sqlite3"))
    try:
        db.upgrade()
        _fill(db)
        with db.session() as session:
            plain = session.scalar(select(func.count()).select_from(DocumentBlob).where(PLAIN_ROWS))
            indexes = session.execute(
                text("SELECT name FROM sqlite_master WHERE tbl_name = 'document_blob'")
            ).all()
        assert plain == len(PLAIN)
        assert "ix_document_blob_sealed" not in {name for (name,) in indexes}
    finally:
        db.close()
