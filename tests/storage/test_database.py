from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from nonasn_desktop.errors import DataDirError, StorageError
from nonasn_desktop.rules.roles import Role
from nonasn_desktop.storage.database import (
    BUSY_TIMEOUT_MS,
    ENV_DATABASE_URL,
    HEAD_REVISION,
    Database,
    alembic_config,
    sqlite_url,
    translate_error,
)
from nonasn_desktop.storage.datadir import DataDir
from nonasn_desktop.storage.models import (
    AuditLog,
    Clerk,
    Document,
    Registration,
    RosterEntry,
    WorkHistory,
    metadata,
)

NOW = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)
NIK = "3171014501900001"


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(sqlite_url(tmp_path / "test.sqlite3"))
    database.upgrade()
    try:
        yield database
    finally:
        database.close()


def _clerk(username: str = "budi") -> Clerk:
    return Clerk(
        username=username,
        full_name="Budi",
        role=Role.OPERATOR,
        password_hash="x",
        created_at=NOW,
    )


def test_revision_chain_is_linear() -> None:
    scripts = ScriptDirectory.from_config(alembic_config())
    revisions = list(scripts.walk_revisions())
    assert len(scripts.get_heads()) == 1
    assert len(scripts.get_bases()) == 1
    for revision in revisions:
        down = revision.down_revision
        assert down is None or isinstance(down, str), f"{revision.revision} merges {down}"
    assert revisions[-1].revision == "0001_initial"


def test_migrated_database_matches_models(db: Database) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_check_constraints_match_models(db: Database) -> None:
    # Autogenerate does not compare CHECK constraints; the models and migration must agree.
    inspector = inspect(db.engine)
    for table in metadata.sorted_tables:
        reflected = {c["name"] for c in inspector.get_check_constraints(table.name)}
        declared = {
            str(c.name)
            for c in table.constraints
            if c.__class__.__name__ == "CheckConstraint" and c.name is not None
        }
        assert reflected == declared, table.name


def test_every_constraint_is_named(db: Database) -> None:
    inspector = inspect(db.engine)
    for table in metadata.sorted_tables:
        for fk in inspector.get_foreign_keys(table.name):
            assert fk["name"], f"unnamed foreign key on {table.name}"
        for unique in inspector.get_unique_constraints(table.name):
            assert unique["name"], f"unnamed unique constraint on {table.name}"
        for index in inspector.get_indexes(table.name):
            assert index["name"]


def test_upgrade_is_repeatable_and_reaches_head(db: Database) -> None:
    db.upgrade()
    assert db.current_revision() == Database.head_revision() == "0010_document_blob_sealed"


def test_the_head_revision_constant_is_the_real_head() -> None:
    # A new migration must update HEAD_REVISION, or start-up would skip it.
    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == HEAD_REVISION


def test_the_revision_is_read_without_alembic_and_none_before_migrating(tmp_path: Path) -> None:
    with Database.open(sqlite_url(tmp_path / "new.sqlite3")) as fresh:
        assert fresh.current_revision() is None
        fresh.upgrade()
        with fresh.engine.connect() as connection:
            expected = MigrationContext.configure(connection).get_current_revision()
        assert fresh.current_revision() == expected == HEAD_REVISION


_OPEN_CURRENT = """
import sys
from pathlib import Path
from nonasn_desktop.startup import open_app

with open_app(Path(sys.argv[1])) as ctx:
    ctx.db.upgrade()
    assert ctx.db.current_revision() == sys.argv[2]
loaded = sorted(name for name in sys.modules if name.split(".")[0] == "alembic")
print(",".join(loaded) or "-")
"""


def test_an_up_to_date_database_opens_without_importing_alembic(tmp_path: Path) -> None:
    from nonasn_desktop.startup import open_app

    folder = tmp_path / "data"
    open_app(folder, create=True).close()
    run = subprocess.run(
        [sys.executable, "-c", _OPEN_CURRENT, str(folder), HEAD_REVISION],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "-"


def test_sqlite_is_set_up_for_crash_safety(db: Database) -> None:
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == BUSY_TIMEOUT_MS


def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(IntegrityError), db.session() as session:
        session.add(Registration(nik=NIK, roster_entry_id=999, created_at=NOW, updated_at=NOW))


def test_deleting_a_roster_entry_keeps_the_registration(db: Database) -> None:
    with db.session() as session:
        entry = RosterEntry(nik=NIK, nama="Siti", created_at=NOW, updated_at=NOW)
        session.add(entry)
        session.flush()
        session.add(Registration(nik=NIK, roster_entry_id=entry.id, created_at=NOW, updated_at=NOW))
    with db.engine.begin() as connection:
        connection.execute(text("DELETE FROM roster_entry"))
        assert connection.execute(text("SELECT roster_entry_id FROM registration")).all() == [
            (None,)
        ]


def test_deleting_a_registration_cascades_to_its_rows(db: Database) -> None:
    with db.session() as session:
        registration = Registration(nik=NIK, created_at=NOW, updated_at=NOW)
        registration.work_history.append(WorkHistory(seq=1, unit_kerja="Dinas Pendidikan"))
        session.add(registration)
        session.flush()
        original = Document(
            registration_id=registration.id,
            kind="ktp",
            original_name="ktp.jpg",
            size=10,
            media_type="image/jpeg",
            sha256="a" * 64,
            created_at=NOW,
        )
        session.add(original)
        session.flush()
        session.add(
            Document(
                registration_id=registration.id,
                kind="ktp",
                original_name="ktp.jpg",
                size=5,
                media_type="image/jpeg",
                sha256="b" * 64,
                is_compliant_copy=True,
                source_document_id=original.id,
                created_at=NOW,
            )
        )
    with db.engine.begin() as connection:
        connection.execute(text("DELETE FROM registration"))
        assert connection.execute(text("SELECT count(*) FROM work_history")).scalar() == 0
        assert connection.execute(text("SELECT count(*) FROM document")).scalar() == 0


def test_work_history_sequence_is_unique_per_registration(db: Database) -> None:
    registration = Registration(nik=NIK, created_at=NOW, updated_at=NOW)
    registration.work_history.extend([WorkHistory(seq=1), WorkHistory(seq=1)])
    with pytest.raises(IntegrityError), db.session() as session:
        session.add(registration)


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO registration (nik, status, current_step, draft, created_at, updated_at) "
        "VALUES ('3171014501900001', 'draf', 25, '{}', '2026-01-01', '2026-01-01')",
        "INSERT INTO registration (nik, status, current_step, draft, created_at, updated_at) "
        "VALUES ('3171014501900001', 'hilang', 1, '{}', '2026-01-01', '2026-01-01')",
        "INSERT INTO registration (nik, status, current_step, draft, created_at, updated_at) "
        "VALUES ('317101450190', 'draf', 1, '{}', '2026-01-01', '2026-01-01')",
        "INSERT INTO clerk (username, full_name, role, password_hash, active, failed_attempts,"
        " created_at) VALUES ('x', 'X', 'superuser', 'h', 1, 0, '2026-01-01')",
        "INSERT INTO office (id, code, name, created_at) VALUES (2, 'A1', 'B', '2026-01-01')",
    ],
    ids=["step-25", "unknown-status", "short-nik", "unknown-role", "second-office"],
)
def test_check_constraints_refuse_bad_rows(db: Database, statement: str) -> None:
    with pytest.raises(IntegrityError, match="CHECK constraint failed"), db.engine.begin() as c:
        c.execute(text(statement))


def test_audit_log_is_append_only(db: Database) -> None:
    with db.session() as session:
        session.add(AuditLog(at=NOW, actor="system", action="test", entity="x", entity_id="1"))
    for statement in ("UPDATE audit_log SET actor = 'eve'", "DELETE FROM audit_log"):
        with pytest.raises(IntegrityError, match="hanya dapat ditambah"), db.engine.begin() as c:
            c.execute(text(statement))
    with db.session() as session:
        assert session.scalars(select(AuditLog.actor)).all() == ["system"]


def test_timestamps_come_back_aware_utc(db: Database) -> None:
    jakarta = dt.timezone(dt.timedelta(hours=7))
    with db.session() as session:
        session.add(_clerk())
        clerk = session.scalars(select(Clerk)).one()
        clerk.last_login_at = dt.datetime(2026, 1, 5, 15, 0, tzinfo=jakarta)
    with db.session() as session:
        clerk = session.scalars(select(Clerk)).one()
        assert clerk.last_login_at == dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)
        assert clerk.last_login_at is not None
        assert clerk.last_login_at.tzinfo is dt.UTC
        assert clerk.role is Role.OPERATOR


def test_session_commits_on_success_and_rolls_back_on_error(db: Database) -> None:
    with db.session() as session:
        session.add(_clerk("ani"))

    def fail_after_writing() -> None:
        with db.session() as session:
            session.add(_clerk("budi"))
            session.flush()
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        fail_after_writing()
    with db.session() as session:
        assert session.scalars(select(Clerk.username)).all() == ["ani"]


def test_in_memory_database_is_shared_between_sessions() -> None:
    database = Database.open("sqlite://")
    try:
        database.upgrade()
        with database.session() as session:
            session.add(_clerk())
        with database.session() as session:
            assert session.scalars(select(Clerk.username)).all() == ["budi"]
    finally:
        database.close()


def test_environment_url_overrides_the_data_folder_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "elsewhere.sqlite3"
    monkeypatch.setenv(ENV_DATABASE_URL, sqlite_url(other))
    database = Database.for_data_dir(DataDir(tmp_path / "data"))
    try:
        assert database.engine.url.database == str(other)
    finally:
        database.close()


def test_data_folder_database_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_DATABASE_URL, raising=False)
    folder = DataDir(tmp_path)
    database = Database.for_data_dir(folder)
    try:
        database.upgrade()
        assert folder.database_path.is_file()
    finally:
        database.close()


# --- errors the user can act on -------------------------------------------------------------


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "nonasn.sqlite3"
    path.write_bytes(b"this is a spreadsheet, not a database" * 200)
    database = Database.open(sqlite_url(path))
    try:
        with pytest.raises(StorageError) as info:
            database.upgrade()
        assert "bukan basis data" in str(info.value)
        assert "cadangan" in str(info.value)
    finally:
        database.close()
    assert path.read_bytes().startswith(b"this is a spreadsheet")


def test_a_missing_folder_cannot_be_opened(tmp_path: Path) -> None:
    database = Database.open(sqlite_url(tmp_path / "missing" / "nonasn.sqlite3"))
    try:
        with pytest.raises(DataDirError, match="tidak dapat dibuka"):
            database.upgrade()
    finally:
        database.close()


def test_a_read_only_database(tmp_path: Path) -> None:
    path = tmp_path / "nonasn.sqlite3"
    writable = Database.open(sqlite_url(path))
    writable.upgrade()
    writable.close()
    read_only = Database.open(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        with pytest.raises(DataDirError, match="hanya dapat dibaca"), read_only.session() as s:
            s.add(_clerk())
    finally:
        read_only.close()


def test_a_full_disk(db: Database) -> None:
    def write_more_than_fits() -> None:
        with db.session() as session:
            connection = session.connection()
            pages = connection.exec_driver_sql("PRAGMA page_count").scalar()
            # The database may not grow: the next large write finds the "disk" full.
            connection.exec_driver_sql(f"PRAGMA max_page_count = {pages}")
            session.add(
                AuditLog(at=NOW, actor="x", action="big", entity="x", changes="x" * 500_000)
            )

    with pytest.raises(StorageError) as info:
        write_more_than_fits()
    assert "Penyimpanan penuh" in str(info.value)


@pytest.mark.parametrize(
    ("message", "kind", "words"),
    [
        ("database or disk is full", StorageError, "penuh"),
        ("attempt to write a readonly database", DataDirError, "hanya dapat dibaca"),
        ("unable to open database file", DataDirError, "tidak dapat dibuka"),
        ("file is not a database", StorageError, "bukan basis data"),
        ("database disk image is malformed", StorageError, "bukan basis data"),
        ("database is locked", StorageError, "dipakai program lain"),
        ("disk I/O error", StorageError, "kesalahan disk"),
    ],
)
def test_error_translation(message: str, kind: type[Exception], words: str) -> None:
    exc = OperationalError("INSERT", {}, sqlite3.OperationalError(message))
    translated = translate_error(exc, "/data/nonasn.sqlite3")
    assert type(translated) is kind
    assert words in str(translated)
    assert "/data/nonasn.sqlite3" in str(translated)


def test_other_errors_are_bugs() -> None:
    exc = OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: x"))
    assert translate_error(exc, "db") is None
    assert translate_error(ValueError("x"), "db") is None


def test_drafts_without_a_valid_nik_yet(db: Database) -> None:
    with db.session() as session:
        session.add_all(
            [
                Registration(nik=None, draft='{"nik": "3171"}', created_at=NOW, updated_at=NOW),
                Registration(nik=None, draft='{"nik": "31"}', created_at=NOW, updated_at=NOW),
            ]
        )
    with db.session() as session:
        assert session.scalars(select(Registration.nik)).all() == [None, None]


def test_sql_parameters_never_reach_exception_texts() -> None:
    db = Database.open("sqlite://")
    try:
        with pytest.raises(OperationalError) as failed, db.engine.connect() as connection:
            connection.execute(text("SELECT * FROM tidak_ada WHERE nama = :n"), {"n": "SITI"})
        assert "SITI" not in str(failed.value)
        assert "hidden due to hide_parameters" in str(failed.value)
    finally:
        db.close()


def test_an_encrypted_database_keeps_every_pragma_and_hides_its_contents(tmp_path: Path) -> None:
    key = bytes(range(32))
    path = tmp_path / "enc.sqlite3"
    with Database.open(sqlite_url(path), key=key) as database:
        database.upgrade()
        with database.session() as session:
            session.add(_clerk("siti_aminah"))
        with database.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    wal = Path(f"{path}-wal")
    raw = path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    assert not raw.startswith(b"SQLite format 3")
    assert b"siti_aminah" not in raw
    with Database.open(sqlite_url(path), key=key) as database:
        assert database.current_revision() == HEAD_REVISION


def test_a_wrong_key_or_no_key_is_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "enc.sqlite3"
    with Database.open(sqlite_url(path), key=bytes(32)) as database:
        database.upgrade()
    wrong = Database.open(sqlite_url(path), key=bytes(range(32)))
    with wrong, pytest.raises(StorageError, match="tidak dapat dibuka dengan kunci folder data"):
        wrong.current_revision()
    plain = Database.open(sqlite_url(path))
    with plain, pytest.raises(StorageError, match="bukan basis data yang utuh"):
        plain.current_revision()
