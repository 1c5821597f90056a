from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from nonasn_desktop.core.context import AppContext, use_session
from nonasn_desktop.errors import DataDirError, StorageError
from nonasn_desktop.startup import open_app
from nonasn_desktop.storage.database import ENV_DATABASE_URL, Database, sqlite_url
from nonasn_desktop.storage.datadir import ENV_DATA_DIR
from nonasn_desktop.storage.models import Clerk

if TYPE_CHECKING:
    from helpers.accounts import FakeClock


def test_open_app_creates_a_ready_data_folder(tmp_path: Path) -> None:
    with open_app(tmp_path / "data", create=True) as ctx:
        assert ctx.data_dir.path == tmp_path / "data"
        assert ctx.data_dir.database_path.is_file()
        assert ctx.blobs.root == ctx.data_dir.documents_dir
        assert ctx.db.current_revision() == Database.head_revision()
        assert ctx.policy.password.min_length >= 8
        assert ctx.now().tzinfo is dt.UTC


def test_reopening_without_create(tmp_path: Path) -> None:
    open_app(tmp_path / "data", create=True).close()
    with open_app(tmp_path / "data") as ctx, ctx.db.session() as session:
        assert session.scalars(select(Clerk)).all() == []


def test_missing_folder_without_create(tmp_path: Path) -> None:
    with pytest.raises(DataDirError, match="nonasn init"):
        open_app(tmp_path / "data")
    assert not (tmp_path / "data").exists()


def test_empty_folder_without_create_is_not_mistaken_for_data(tmp_path: Path) -> None:
    (tmp_path / "mounted-drive").mkdir()
    with pytest.raises(DataDirError, match="belum disiapkan"):
        open_app(tmp_path / "mounted-drive")
    assert list((tmp_path / "mounted-drive").iterdir()) == []


def test_environment_names_the_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_DATA_DIR, str(tmp_path / "env-data"))
    with open_app(create=True) as ctx:
        assert ctx.data_dir.path == tmp_path / "env-data"


def test_explicit_database_url(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.sqlite3"
    (tmp_path / "data").mkdir()
    with open_app(tmp_path / "data", database_url=sqlite_url(elsewhere)) as ctx:
        assert ctx.db.engine.url.database == str(elsewhere)
    assert elsewhere.is_file()
    assert not (tmp_path / "data" / "nonasn.sqlite3").exists()


def test_database_url_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_DATABASE_URL, "sqlite://")
    (tmp_path / "data").mkdir()
    with open_app(tmp_path / "data") as ctx:
        assert ctx.db.engine.url.database is None
        assert ctx.db.current_revision() == Database.head_revision()


def test_injected_clock(app_ctx: AppContext, clock: FakeClock) -> None:
    assert app_ctx.now() == clock.now
    clock.advance(minutes=5)
    assert app_ctx.now() == clock.now


def test_clock_is_normalised_to_utc(tmp_path: Path) -> None:
    jakarta = dt.timezone(dt.timedelta(hours=7))
    with open_app(
        tmp_path / "d", create=True, clock=lambda: dt.datetime(2026, 1, 5, 15, tzinfo=jakarta)
    ) as ctx:
        assert ctx.now() == dt.datetime(2026, 1, 5, 8, tzinfo=dt.UTC)
        assert ctx.now().tzinfo is dt.UTC


def test_naive_clock_is_a_bug(tmp_path: Path) -> None:
    ctx = open_app(tmp_path / "d", create=True, clock=lambda: dt.datetime(2026, 1, 5))  # noqa: DTZ001 (naive on purpose: the context refuses it)
    try:
        with pytest.raises(ValueError, match="naive"):
            ctx.now()
    finally:
        ctx.close()


def test_close_releases_the_database(tmp_path: Path) -> None:
    ctx = open_app(tmp_path / "d", create=True)
    with ctx.db.session() as session:
        session.execute(select(Clerk))
    ctx.close()
    assert ctx.db.engine.pool.checkedout() == 0


def test_a_failed_migration_closes_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed: list[Database] = []
    real_close = Database.close

    def close(self: Database) -> None:
        closed.append(self)
        real_close(self)

    monkeypatch.setattr(Database, "close", close)
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "nonasn.sqlite3").write_bytes(b"not a database" * 100)
    with pytest.raises(StorageError, match="bukan basis data"):
        open_app(folder)
    assert len(closed) == 1
    assert (folder / "nonasn.sqlite3").read_bytes().startswith(b"not a database")


def test_use_session_joins_the_callers_transaction(app_ctx: AppContext) -> None:
    with app_ctx.db.session() as outer:
        outer.add(Clerk(username="ani", full_name="Ani", role="operator", password_hash="h"))
        outer.flush()
        with use_session(app_ctx, outer) as inner:
            assert inner is outer
            assert inner.scalars(select(Clerk.username)).all() == ["ani"]
        # Still open: use_session did not commit or close the caller's session.
        assert outer.is_active
    with use_session(app_ctx) as own:
        assert own.scalars(select(Clerk.username)).all() == ["ani"]
