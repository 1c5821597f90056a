"""Migration 0007: the trigram index for a word of the name, on PostgreSQL, and its fallback.

An office database made by 0006 (records in it) gets the index when upgraded; a server that
refuses the extension still upgrades, keeps every record and finds the same names (through the
0005 indexes), and the log names what a server administrator can run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from helpers.accounts import actor_for
from helpers.postgres import fresh_database
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.registration import records
from nonasn_desktop.registration.records import RecordQuery
from nonasn_desktop.startup import open_app
from nonasn_desktop.storage import namesearch
from nonasn_desktop.storage.database import HEAD_REVISION, Database, alembic_config

_NAMES = ("BUDI SANTOSO", "SITI MANURUNG", "MANURUNG JAYA", "ANDI")
_ROWS_SQL = """
INSERT INTO registration (nik, nama, nama_search, status, current_step, draft, created_at,
                          updated_at)
VALUES (:nik, :nama, :search, 'draf', 1, '{}', now(), now())
"""


@pytest.fixture
def database_at_0006() -> Iterator[str]:
    """A fresh office database migrated up to 0006 only, holding four records."""
    with fresh_database() as url, Database.open(url) as db:
        config = alembic_config()
        with db.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0006_field_devices")
            for number, name in enumerate(_NAMES):
                values = {"nik": f"327301010190{number:04d}", "nama": name, "search": name.lower()}
                connection.execute(text(_ROWS_SQL), values)
        yield url


def _found(url: str, folder: Path, typed: str) -> set[str]:
    with open_app(folder, create=True, database_url=url) as ctx:
        rows = records.search(ctx, RecordQuery(text=typed), 0, 100, actor=actor_for(ctx))
        return {row.nama or "" for row in rows}


def test_upgrading_an_office_database_adds_the_index(database_at_0006: str, tmp_path: Path) -> None:
    with Database.open(database_at_0006) as db:
        with db.engine.connect() as connection:
            assert not namesearch.has_name_index(connection)
        db.upgrade()
        assert db.current_revision() == HEAD_REVISION
        with db.engine.connect() as connection:
            assert namesearch.has_name_index(connection)
            (count,) = connection.execute(text("SELECT count(*) FROM registration")).one()
    assert count == len(_NAMES)
    found = _found(database_at_0006, tmp_path / "desk", "manu")
    assert found == {"SITI MANURUNG", "MANURUNG JAYA"}


def test_a_refused_extension_still_upgrades_and_finds_the_same_names(
    database_at_0006: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # An extension the server does not have: CREATE EXTENSION fails as a refused one does.
    monkeypatch.setattr(namesearch, "EXTENSION", "nonasn_no_such_extension")
    with (
        caplog.at_level(logging.WARNING, logger=namesearch.__name__),
        Database.open(database_at_0006) as db,
    ):
        db.upgrade()
        assert db.current_revision() == HEAD_REVISION
        with db.engine.connect() as connection:
            assert not namesearch.has_name_index(connection)
            (count,) = connection.execute(text("SELECT count(*) FROM registration")).one()
    assert count == len(_NAMES)
    (warning,) = [r for r in caplog.records if r.name == namesearch.__name__]
    assert "nonasn_no_such_extension" in warning.getMessage()
    assert namesearch.CREATE_INDEX in warning.getMessage()
    assert _found(database_at_0006, tmp_path / "desk", "manu") == {"SITI MANURUNG", "MANURUNG JAYA"}
    assert _found(database_at_0006, tmp_path / "desk", "sant") == {"BUDI SANTOSO"}


def test_the_refused_extension_leaves_the_transaction_usable(database_at_0006: str) -> None:
    with Database.open(database_at_0006) as db, db.engine.begin() as connection:
        assert not namesearch.create_extension(connection, "nonasn_no_such_extension")
        connection.execute(text("UPDATE registration SET nama = 'ANDI' WHERE nama = 'ANDI'"))
        assert namesearch.create_extension(connection, namesearch.EXTENSION)


def test_sqlite_gets_no_index(app_ctx: AppContext) -> None:
    assert app_ctx.db.current_revision() == HEAD_REVISION
    with app_ctx.db.engine.connect() as connection:
        assert not namesearch.has_name_index(connection)
        assert not namesearch.create_name_index(connection)
