"""Migration 0009 on a database made by an older version: the single-column unit index is
replaced by the counting indexes, and the record list counts the same records as before."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers.accounts import actor_for
from helpers.sql import sqlite_rows
from nonasn_desktop.registration import records
from nonasn_desktop.registration.records import RecordQuery
from nonasn_desktop.startup import open_app
from nonasn_desktop.storage.datadir import DataDir

FIXTURES = sorted((Path(__file__).parents[1] / "fixtures").glob("schema-*.sqlite3"))
_INDEXES = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'registration'"
_PER_UNIT = "SELECT unit_kerja, status, count(*) FROM registration GROUP BY unit_kerja, status"


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_old_database_gets_the_counting_indexes_and_counts_alike(
    fixture: Path, tmp_path: Path
) -> None:
    data_dir = DataDir(tmp_path / "data").prepare(create=True)
    shutil.copyfile(fixture, data_dir.database_path)
    before = sqlite_rows(data_dir.database_path, _PER_UNIT)
    assert len({unit for unit, _, _ in before if unit}) > 1  # the fixture has several units

    with open_app(data_dir.path) as ctx:
        actor = actor_for(ctx)
        units = records.unit_names(ctx, actor=actor)
        counted = {
            (unit, status.value, number)
            for unit in units
            for status, number in records.counts_by_status(
                ctx, RecordQuery(unit_kerja=unit), actor=actor
            ).items()
            if number
        }

    assert counted == {row for row in before if row[0]}
    assert units == sorted({unit for unit, _, _ in before if unit})
    indexes = {name for (name,) in sqlite_rows(data_dir.database_path, _INDEXES)}
    assert {"ix_registration_unit_counts", "ix_registration_eligible_counts"} <= indexes
    assert "ix_registration_unit_kerja" not in indexes
