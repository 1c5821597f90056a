"""The record list on PostgreSQL reaches its own indexes (migrations 0005 and 0007).

Speed is measured by benchmarks/bench_dashboard.py; here the behaviour behind it: each filter
and order the dashboard sends is written so that PostgreSQL *can* answer it from the index
made for it (an expression index is only used when the query's expression matches it, e.g.
``nik COLLATE "C"``). With sequential scans priced out, the plan must name that index.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from helpers.accounts import FakeClock, actor_for
from helpers.postgres import fresh_database
from helpers.sql import postgres_plans, record_queries
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.registration import records
from nonasn_desktop.registration.records import RecordOrder, RecordQuery
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.startup import open_app

POSTGRES_INDEXES = {
    "ix_registration_status_recent",
    "ix_registration_unit_recent",
    "ix_registration_eligible_recent",
    "ix_registration_nik_prefix",
    "ix_registration_name_prefix",
    "ix_registration_account_prefix",
    "ix_registration_name_order",
    "ix_registration_nik_order",
    "ix_registration_unit_order",
    "ix_registration_name_words",
}


# 4,000 records over 20 units, 7 statuses, MS/TMS and 40 names (every 50th with a rarer family
# name, as real offices have), NIKs 3273… and 3171…,
# account numbers 3273-2026-…: enough for the planner's statistics to tell filters apart.
_ROWS_SQL = """
INSERT INTO registration (nik, nama, nama_search, status, current_step, unit_kerja, eligible,
                          account_number, draft, created_at, updated_at)
SELECT CASE WHEN n % 4 = 0 THEN '3171' ELSE '3273' END || lpad(CAST(n AS text), 12, '0'),
       'NAMA ' || (n % 40) || CASE WHEN n % 50 = 0 THEN ' MANURUNG' ELSE ' SANTOSO' END,
       'nama ' || (n % 40) || CASE WHEN n % 50 = 0 THEN ' manurung' ELSE ' santoso' END,
       (ARRAY['draf', 'akun_dibuat', 'pendaftaran_selesai', 'disetujui', 'perlu_perbaikan',
              'ditolak', 'diekspor'])[n % 7 + 1],
       1, 'Dinas ' || (n % 20), n % 3 = 0, '3273-2026-' || lpad(CAST(n AS text), 6, '0'),
       '{}', now(), now() - n * interval '1 minute'
FROM generate_series(1, 4000) AS n
"""


@pytest.fixture(scope="module")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database() as url:
        with open_app(tmp_path_factory.mktemp("pg") / "data", create=True, database_url=url) as ctx:
            with ctx.db.engine.begin() as connection:
                connection.execute(text(_ROWS_SQL))
            with ctx.db.engine.connect().execution_options(
                isolation_level="AUTOCOMMIT"
            ) as connection:
                connection.execute(text("VACUUM ANALYZE registration"))
        yield url


@pytest.fixture
def pg_ctx(postgres_url: str, tmp_path: Path, clock: FakeClock) -> Iterator[AppContext]:
    ctx = open_app(tmp_path / "data", create=True, clock=clock, database_url=postgres_url)
    try:
        yield ctx
    finally:
        ctx.close()


def _index_names(ctx: AppContext) -> set[str]:
    with ctx.db.engine.connect() as connection:
        if ctx.db.is_postgresql:
            rows = connection.execute(
                text("SELECT indexname FROM pg_indexes WHERE tablename = 'registration'")
            )
        else:
            rows = connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'"))
        return {name for (name,) in rows}


def test_the_migration_adds_the_indexes_on_postgresql_only(
    pg_ctx: AppContext, app_ctx: AppContext
) -> None:
    assert _index_names(pg_ctx) >= POSTGRES_INDEXES
    assert not POSTGRES_INDEXES & _index_names(app_ctx)


def _plans(ctx: AppContext, call: Callable[[], object]) -> list[str]:
    """The plans of every SELECT of the records ``call`` sends, with sequential scans priced
    out (the clerk read again by the role check is not the list's).

    The planner settings the call makes (SET LOCAL) are made for the plans too.
    """
    sent, settings = record_queries(ctx, call, also=("SET LOCAL",))
    plans = postgres_plans(ctx, sent, settings=settings)
    assert plans
    return plans


@pytest.mark.parametrize(
    ("query", "index"),
    [
        (RecordQuery(status=RecordStatus.DRAF), "ix_registration_status_recent"),
        (RecordQuery(unit_kerja="Dinas 7"), "ix_registration_unit_recent"),
        (RecordQuery(eligibility="TMS"), "ix_registration_eligible_recent"),
        (RecordQuery(text="3273 0000 0000 12"), "ix_registration_nik_prefix"),
        # A whole NIK: its holder, and a second holder of a flagged pair.
        (RecordQuery(text="3273 0000 0000 0012"), "ix_registration_conflict_nik"),
        (RecordQuery(text="3273-2026-00012"), "ix_registration_account_prefix"),
        (RecordQuery(order=RecordOrder.NAMA_AZ), "ix_registration_name_order"),
        (RecordQuery(order=RecordOrder.NIK_ZA), "ix_registration_nik_order"),
        (RecordQuery(order=RecordOrder.UNIT_AZ), "ix_registration_unit_order"),
    ],
)
def test_each_page_of_the_list_can_be_read_from_its_index(
    pg_ctx: AppContext, query: RecordQuery, index: str
) -> None:
    actor = actor_for(pg_ctx)
    (plan,) = _plans(pg_ctx, lambda: records.search(pg_ctx, query, 0, 200, actor=actor))
    assert index in plan, plan


@pytest.mark.parametrize(
    ("query", "index"),
    [
        # The counting indexes of migration 0009, led by the filter and carrying the status.
        (RecordQuery(unit_kerja="Dinas 7"), "ix_registration_unit_counts"),
        (RecordQuery(eligibility="MS"), "ix_registration_eligible_counts"),
        (RecordQuery(text="3273"), "ix_registration_nik_prefix"),
        # A name most records carry: tested on the narrow "C" index, never read from the table.
        (RecordQuery(text="santo"), "ix_registration_name_prefix"),
    ],
)
def test_the_counts_per_status_are_read_from_the_filters_index(
    pg_ctx: AppContext, query: RecordQuery, index: str
) -> None:
    actor = actor_for(pg_ctx)
    (plan,) = _plans(pg_ctx, lambda: records.counts_by_status(pg_ctx, query, actor=actor))
    assert index in plan, plan
    assert "Index Only Scan" in plan, plan


def test_a_rarer_word_of_the_name_is_found_through_the_trigram_index(pg_ctx: AppContext) -> None:
    query = RecordQuery(text="manu")
    actor = actor_for(pg_ctx)
    (plan,) = _plans(pg_ctx, lambda: records.counts_by_status(pg_ctx, query, actor=actor))
    assert "ix_registration_name_words" in plan, plan
    counts = records.counts_by_status(pg_ctx, query, actor=actor)
    assert sum(counts.values()) == records.count(pg_ctx, query, actor=actor) == 4000 // 50
    rows = records.search(pg_ctx, query, 0, 200, actor=actor)
    assert len(rows) == 80
    assert all((row.nama or "").endswith(" MANURUNG") for row in rows)


def test_the_planner_setting_of_a_name_search_ends_with_its_query(pg_ctx: AppContext) -> None:
    def page_cost() -> str:
        with pg_ctx.db.engine.connect() as connection:
            return str(connection.exec_driver_sql("SHOW random_page_cost").scalar())

    default = page_cost()
    actor = actor_for(pg_ctx)
    records.counts_by_status(pg_ctx, RecordQuery(text="manu"), actor=actor)
    records.search(pg_ctx, RecordQuery(text="manu"), 0, 10, actor=actor)
    assert page_cost() == default
