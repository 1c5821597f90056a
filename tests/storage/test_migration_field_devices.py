"""Migration 0005 on a database made by an older version: every record gets its own uid, none
is flagged, no document or work history row is lost, and the NIK stays unique."""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from pathlib import Path

import pytest

from nonasn_desktop.startup import open_app
from nonasn_desktop.storage.datadir import DataDir

FIXTURES = sorted((Path(__file__).parents[1] / "fixtures").glob("schema-*.sqlite3"))


def _count(path: Path, table: str) -> int:
    connection = sqlite3.connect(path)
    try:
        return int(connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])  # noqa: S608
    finally:
        connection.close()


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_old_records_get_uids_and_keep_their_children(fixture: Path, tmp_path: Path) -> None:
    data_dir = DataDir(tmp_path / "data").prepare(create=True)
    shutil.copyfile(fixture, data_dir.database_path)
    before = {t: _count(data_dir.database_path, t) for t in ("document", "work_history")}
    open_app(data_dir.path).close()
    connection = sqlite3.connect(data_dir.database_path)
    try:
        rows = connection.execute(
            "SELECT uid, nik_conflict, conflict_nik FROM registration"
        ).fetchall()
        assert rows
        uids = [row[0] for row in rows]
        assert len(set(uids)) == len(uids)
        assert all(uuid.UUID(uid).version == 4 for uid in uids)
        assert {row[1:] for row in rows} == {(None, None)}
        with pytest.raises(sqlite3.IntegrityError):
            connection.execute("UPDATE registration SET uid = ? ", (uids[0],))
    finally:
        connection.close()
    after = {t: _count(data_dir.database_path, t) for t in ("document", "work_history")}
    assert after == before
