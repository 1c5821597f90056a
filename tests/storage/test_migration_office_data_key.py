"""Migration 0008 on a database made by an older version: the office data key's slot table is
there and empty (the office's documents are encrypted only when an admin converts them), and
no document row is touched."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers.sql import sqlite_rows
from nonasn_desktop.startup import open_app
from nonasn_desktop.storage.database import HEAD_REVISION
from nonasn_desktop.storage.datadir import DataDir

FIXTURES = sorted((Path(__file__).parents[1] / "fixtures").glob("schema-*.sqlite3"))


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_old_database_gets_an_empty_slot_table(fixture: Path, tmp_path: Path) -> None:
    data_dir = DataDir(tmp_path / "data").prepare(create=True)
    shutil.copyfile(fixture, data_dir.database_path)
    documents = "SELECT id, sha256 FROM document ORDER BY id"
    before = sqlite_rows(data_dir.database_path, documents)
    open_app(data_dir.path).close()
    assert sqlite_rows(data_dir.database_path, "SELECT count(*) FROM office_data_key_slot") == [
        (0,)
    ]
    assert sqlite_rows(data_dir.database_path, "SELECT version_num FROM alembic_version") == [
        (HEAD_REVISION,)
    ]
    assert sqlite_rows(data_dir.database_path, documents) == before
