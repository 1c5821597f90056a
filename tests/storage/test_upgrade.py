"""Safe upgrades: older databases are archived, then migrated all-or-nothing.

The fixtures in tests/fixtures/schema-*.sqlite3 were made by older versions (see
make_fixture_db.py); each is migrated to the newest revision here, so every future migration
is tried against real old data.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic.config import Config

from nonasn_desktop.accounts import users
from nonasn_desktop.backup import archive as backup_service
from nonasn_desktop.backup import verify as backup_verify
from nonasn_desktop.errors import StorageError
from nonasn_desktop.registration import store as registrations
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.startup import open_app
from nonasn_desktop.storage import upgrade as upgrade_module
from nonasn_desktop.storage.database import Database, alembic_config, sqlite_url
from nonasn_desktop.storage.datadir import DataDir
from nonasn_desktop.storage.upgrade import (
    UpgradeError,
    integrity_problems,
    known_revision,
    upgrade_safely,
)

FIXTURES = sorted((Path(__file__).parents[1] / "fixtures").glob("schema-*.sqlite3"))
FIXTURE_ADMIN_PASSWORD = "FixtureAdmin2022"


def _install(fixture: Path, tmp_path: Path) -> DataDir:
    """A data folder whose database is a copy of ``fixture``."""
    data_dir = DataDir(tmp_path / "data").prepare(create=True)
    shutil.copyfile(fixture, data_dir.database_path)
    return data_dir


def _tables(path: Path) -> dict[str, int]:
    connection = sqlite3.connect(path)
    try:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                " AND name != 'alembic_version'"
            )
        ]
        return {
            name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # noqa: S608
            for name in names
        }
    finally:
        connection.close()


def _registration_identities(path: Path) -> list[tuple[object, ...]]:
    # A migration that deliberately transforms these columns must say so here.
    connection = sqlite3.connect(path)
    try:
        return connection.execute(
            "SELECT id, nik, nama, status, account_number FROM registration ORDER BY id"
        ).fetchall()
    finally:
        connection.close()


def _dump(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def _revision(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return str(connection.execute("SELECT version_num FROM alembic_version").fetchone()[0])
    finally:
        connection.close()


def test_there_is_a_fixture_of_the_first_schema() -> None:
    assert [f.name for f in FIXTURES][:1] == ["schema-0001_initial.sqlite3"]
    for fixture in FIXTURES:
        # The name says which schema the file holds; a mislabelled fixture tests nothing.
        assert fixture.name == f"schema-{_revision(fixture)}.sqlite3"
        assert known_revision(_revision(fixture))


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.stem)
def test_every_fixture_upgrades_to_head_keeping_every_row(fixture: Path, tmp_path: Path) -> None:
    before = _tables(fixture)
    identities = _registration_identities(fixture)
    old_revision = _revision(fixture)
    data_dir = _install(fixture, tmp_path)

    with open_app(data_dir.path) as ctx:
        assert ctx.db.current_revision() == Database.head_revision()
        counts = registrations.count_by_status(ctx)

    after = _tables(data_dir.database_path)
    for table, rows in before.items():
        assert after.get(table) == rows, f"table {table}: {rows} rows before, {after.get(table)}"
    assert _registration_identities(data_dir.database_path) == identities
    assert sum(counts.values()) == before["registration"]
    assert counts[RecordStatus.DISETUJUI] == 2
    with open_app(data_dir.path) as ctx:
        # The migrated data is usable by today's services.
        admin = users.authenticate(ctx, "admin", FIXTURE_ADMIN_PASSWORD)
        first = identities[0][0]
        assert isinstance(first, int)
        assert registrations.SqlFlowStore(ctx, actor=admin.actor).load(first).values
    connection = sqlite3.connect(data_dir.database_path)
    try:
        assert integrity_problems(connection) == []
    finally:
        connection.close()

    archives = sorted(data_dir.backups_dir.glob("sebelum-pembaruan-*.zip"))
    if old_revision == Database.head_revision():
        assert archives == []
    else:
        # The old database was archived before it was migrated, and the archive is sound.
        assert len(archives) == 1
        assert archives[0].name.startswith(f"sebelum-pembaruan-{old_revision}-")
        info = backup_verify.verify_backup(archives[0])
        assert info.schema_revision == old_revision
        assert info.registrations == before["registration"]


def test_a_current_database_is_neither_backed_up_nor_migrated_again(tmp_path: Path) -> None:
    data = tmp_path / "data"
    open_app(data, create=True).close()
    with open_app(data) as ctx:
        assert ctx.db.current_revision() == Database.head_revision()
    assert list(DataDir(data).backups_dir.iterdir()) == []


# -- migrations written for the test, added to the installed ones ------------------------------


def _config_with(tmp_path: Path, body: str, revision: str = "9999_test") -> Config:
    """The installed migrations plus one more, after the current head."""
    versions = tmp_path / "extra_versions"
    versions.mkdir(exist_ok=True)
    (versions / f"{revision}.py").write_text(
        "import sqlalchemy as sa\n"
        "from alembic import op\n\n"
        f"revision = {revision!r}\n"
        f"down_revision = {Database.head_revision()!r}\n"
        "branch_labels = None\n"
        "depends_on = None\n\n\n"
        "def upgrade():\n" + "".join(f"    {line}\n" for line in body.strip().splitlines()),
        encoding="utf-8",
    )
    config = alembic_config()
    installed = Path(config.get_main_option("script_location") or "") / "versions"
    config.set_main_option("version_locations", f"{installed}{os.pathsep}{versions}")
    return config


ADDS_A_COLUMN = """
op.add_column("registration", sa.Column("catatan", sa.Text(), nullable=True))
op.execute("UPDATE registration SET catatan = 'dimigrasi'")
"""
BREAKS_HALFWAY = ADDS_A_COLUMN + "\n".join(
    [
        'op.execute("DELETE FROM roster_entry WHERE roster_entry.id > 3")',
        'raise RuntimeError("migration bug")',
    ]
)
LEAVES_A_DANGLING_REFERENCE = """
op.execute("PRAGMA defer_foreign_keys = ON")
op.execute("INSERT INTO work_history (registration_id, seq) VALUES (999999, 1)")
"""


@pytest.fixture
def current_db(tmp_path: Path) -> DataDir:
    """The first fixture, brought to today's head: the starting point of a new migration."""
    data_dir = _install(FIXTURES[0], tmp_path)
    open_app(data_dir.path).close()
    for archive in data_dir.backups_dir.iterdir():
        archive.unlink()
    return data_dir


def _maker(data_dir: DataDir, calls: list[tuple[Path, str | None]]) -> Callable[..., Path]:
    def make(db_file: Path, revision: str | None) -> Path:
        calls.append((db_file, revision))
        return backup_service.backup_before_upgrade(
            data_dir, db_file, revision, now=dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
        )

    return make


def test_an_older_database_is_backed_up_then_migrated(current_db: DataDir, tmp_path: Path) -> None:
    config = _config_with(tmp_path, ADDS_A_COLUMN)
    old_head = _revision(current_db.database_path)
    before = _tables(current_db.database_path)
    calls: list[tuple[Path, str | None]] = []
    with Database.open(sqlite_url(current_db.database_path)) as db:
        result = upgrade_safely(db, backup=_maker(current_db, calls), config=config)
    assert calls == [(current_db.database_path, old_head)]
    assert result.migrated
    assert (result.from_revision, result.to_revision) == (old_head, "9999_test")
    assert result.backup is not None
    assert backup_verify.verify_backup(result.backup).schema_revision == old_head
    assert _tables(current_db.database_path) == before
    connection = sqlite3.connect(current_db.database_path)
    try:
        notes = connection.execute("SELECT DISTINCT catatan FROM registration").fetchall()
    finally:
        connection.close()
    assert notes == [("dimigrasi",)]


@pytest.mark.parametrize(
    "body",
    [BREAKS_HALFWAY, LEAVES_A_DANGLING_REFERENCE],
    ids=["raises-halfway", "fails-its-integrity-check"],
)
def test_a_failed_migration_leaves_the_database_untouched(
    current_db: DataDir, tmp_path: Path, body: str
) -> None:
    config = _config_with(tmp_path, body)
    before = _dump(current_db.database_path)
    old_head = _revision(current_db.database_path)
    calls: list[tuple[Path, str | None]] = []
    with (
        Database.open(sqlite_url(current_db.database_path)) as db,
        pytest.raises(UpgradeError) as caught,
    ):
        upgrade_safely(db, backup=_maker(current_db, calls), config=config)
    message = str(caught.value)
    assert "gagal" in message
    assert "data lama tidak diubah" in message
    assert "sebelum-pembaruan" in message  # where the backup is
    assert "Traceback" not in message
    assert _dump(current_db.database_path) == before
    assert _revision(current_db.database_path) == old_head
    assert len(calls) == 1


def test_a_failed_migration_at_start_up_says_so_and_the_data_still_opens(
    current_db: DataDir, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _config_with(tmp_path, BREAKS_HALFWAY)
    before = _dump(current_db.database_path)
    monkeypatch.setattr(upgrade_module, "alembic_config", lambda: config)
    # A release with a new migration also names it as the head (test_database checks that).
    monkeypatch.setattr(upgrade_module, "HEAD_REVISION", "9999_test")
    with pytest.raises(UpgradeError, match="data lama tidak diubah"):
        open_app(current_db.path)
    monkeypatch.undo()
    assert _dump(current_db.database_path) == before
    archives = list(current_db.backups_dir.glob("sebelum-pembaruan-*.zip"))
    assert len(archives) == 1
    with open_app(current_db.path) as ctx:
        assert sum(registrations.count_by_status(ctx).values()) == 11


def test_a_failed_backup_stops_the_upgrade(current_db: DataDir, tmp_path: Path) -> None:
    config = _config_with(tmp_path, ADDS_A_COLUMN)
    before = _dump(current_db.database_path)

    def no_room(_db_file: Path, _revision: str | None) -> Path:
        raise backup_service.BackupError("Penyimpanan penuh; cadangan tidak dibuat.")

    with (
        Database.open(sqlite_url(current_db.database_path)) as db,
        pytest.raises(backup_service.BackupError),
    ):
        upgrade_safely(db, backup=no_room, config=config)
    assert _dump(current_db.database_path) == before


def test_a_database_of_a_newer_version_is_refused_untouched(current_db: DataDir) -> None:
    connection = sqlite3.connect(current_db.database_path)
    with connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_dari_masa_depan'")
    connection.close()
    before = _dump(current_db.database_path)
    with pytest.raises(StorageError, match="versi aplikasi yang lebih baru") as caught:
        open_app(current_db.path)
    assert "Pasang versi aplikasi yang terbaru" in str(caught.value)
    assert _dump(current_db.database_path) == before
    assert list(current_db.backups_dir.iterdir()) == []


def test_a_new_empty_database_is_migrated_without_a_backup(tmp_path: Path) -> None:
    calls: list[tuple[Path, str | None]] = []
    data_dir = DataDir(tmp_path / "data").prepare(create=True)
    with Database.open(sqlite_url(data_dir.database_path)) as db:
        result = upgrade_safely(db, backup=_maker(data_dir, calls))
    assert calls == []
    assert result.from_revision is None
    assert result.to_revision == Database.head_revision()
    assert result.backup is None


def test_integrity_problems_names_a_dangling_reference(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    connection = sqlite3.connect(path)
    connection.executescript(
        "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
        "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id));"
        "INSERT INTO child VALUES (1, 42);"
    )
    problems = integrity_problems(connection)
    connection.close()
    assert problems == ["baris 1 tabel child menunjuk parent yang tidak ada"]
