"""SIGKILL in the middle of a migration: the database is exactly as it was before."""

from __future__ import annotations

import shutil
import sqlite3
import sys
from pathlib import Path

import pytest
from crash_worker import run_and_kill

from nonasn_desktop.backup import verify as backup_verify
from nonasn_desktop.startup import open_app
from nonasn_desktop.storage.database import Database
from nonasn_desktop.storage.upgrade import integrity_problems

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX"),
]
FIXTURE = Path(__file__).parents[1] / "fixtures" / "schema-0001_initial.sqlite3"
# Changes the schema and every row, then says so and takes its time: the kill comes now.
SLOW_MIGRATION = """\
import time

import sqlalchemy as sa
from alembic import op

revision = "9999_slow"
down_revision = HEAD
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("registration", sa.Column("catatan", sa.Text(), nullable=True))
    op.execute("UPDATE registration SET catatan = 'setengah jalan'")
    print("MIGRATING", flush=True)
    time.sleep(60)
"""


def _dump(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def test_killed_while_migrating(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copyfile(FIXTURE, data / "nonasn.sqlite3")
    open_app(data).close()  # today's schema: the starting point of the next migration
    for archive in (data / "backups").iterdir():
        archive.unlink()
    before = _dump(data / "nonasn.sqlite3")
    versions = tmp_path / "versions"
    versions.mkdir()
    migration = SLOW_MIGRATION.replace("HEAD", repr(Database.head_revision()))
    (versions / "9999_slow.py").write_text(migration, encoding="utf-8")

    lines = run_and_kill(
        ["migrate", str(data), str(versions)],
        after="MIGRATING",
        delay=0.2,
        log=tmp_path / "worker.log",
    )
    assert "MIGRATED" not in lines

    # The next start (of the version without that migration) finds the database untouched.
    with open_app(data) as ctx:
        assert ctx.db.current_revision() == Database.head_revision()
    assert _dump(data / "nonasn.sqlite3") == before
    connection = sqlite3.connect(data / "nonasn.sqlite3")
    try:
        assert integrity_problems(connection) == []
    finally:
        connection.close()
    # The backup taken before the migration began is complete.
    archives = list((data / "backups").glob("sebelum-pembaruan-*.zip"))
    assert len(archives) == 1
    assert backup_verify.verify_backup(archives[0]).registrations == 11
