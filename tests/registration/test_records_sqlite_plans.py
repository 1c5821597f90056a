"""Which index SQLite reads for the record list's filters (migrations 0002 and 0009).

Speed is measured by benchmarks/bench_dashboard.py; here the behaviour behind it. SQLite plans
without statistics, so the form of each term decides the index: a count of a work unit or an
eligibility reads the small counting index of its filter, and a page of the same filter walks
the list index in update order (its own index would make SQLite read and sort every matching
wide row; that made the TMS filter 3-8x slower in an encrypted folder).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from helpers.accounts import actor_for
from helpers.sql import record_queries
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.registration import records
from nonasn_desktop.registration.records import RecordQuery
from nonasn_desktop.rules.status import RecordStatus


def _plans(ctx: AppContext, call: Callable[[], object]) -> list[str]:
    """SQLite's query plan of every query over the records that ``call`` sends."""
    sent, _ = record_queries(ctx, call)
    plans = []
    with ctx.db.engine.connect() as connection:
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        for statement, parameters in sent:
            cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
            plans.append("\n".join(str(row[-1]) for row in cursor.fetchall()))
        cursor.close()
    assert plans
    return plans


FILTERS = [
    pytest.param(
        RecordQuery(unit_kerja="Dinas Kesehatan"), "ix_registration_unit_counts", id="unit"
    ),
    pytest.param(RecordQuery(eligibility="TMS"), "ix_registration_eligible_counts", id="tms"),
    pytest.param(
        RecordQuery(unit_kerja="Dinas Kesehatan", eligibility="MS"),
        "ix_registration_unit_counts",
        id="unit-and-ms",
    ),
]


@pytest.mark.parametrize(("query", "index"), FILTERS)
def test_counting_a_filter_reads_its_own_small_index(
    app_ctx: AppContext, query: RecordQuery, index: str
) -> None:
    actor = actor_for(app_ctx)
    for call in (
        lambda: records.counts_by_status(app_ctx, query, actor=actor),
        lambda: records.count(app_ctx, query, actor=actor),
        lambda: records.count(app_ctx, replace(query, status=RecordStatus.DRAF), actor=actor),
    ):
        (plan,) = _plans(app_ctx, call)
        assert f"COVERING INDEX {index}" in plan, plan


@pytest.mark.parametrize(("query", "index"), FILTERS)
def test_a_page_of_a_filter_walks_the_list_index_in_update_order(
    app_ctx: AppContext, query: RecordQuery, index: str
) -> None:
    actor = actor_for(app_ctx)
    (plan,) = _plans(app_ctx, lambda: records.search(app_ctx, query, 0, 50, actor=actor))
    assert "COVERING INDEX ix_registration_list" in plan, plan
    assert index not in plan, plan


def test_a_count_with_a_search_text_stays_on_the_list_index(app_ctx: AppContext) -> None:
    # "3273" is the office's own regency: most NIKs start with it, so no prefix range.
    query = RecordQuery(text="3273", unit_kerja="Dinas Kesehatan")
    actor = actor_for(app_ctx)
    (plan,) = _plans(app_ctx, lambda: records.counts_by_status(app_ctx, query, actor=actor))
    assert "COVERING INDEX ix_registration_list" in plan, plan


def test_the_work_units_are_looked_up_one_by_one(app_ctx: AppContext) -> None:
    actor = actor_for(app_ctx)
    (plan,) = _plans(app_ctx, lambda: records.unit_names(app_ctx, actor=actor))
    assert "SCAN registration" not in plan, plan
    assert "SEARCH later USING COVERING INDEX ix_registration_unit_counts" in plan, plan
