"""The record list: search, filters, counts and pages over the registrations.

Built for the dashboard over a large office (100,000 records): every query reads only the
columns the list shows (never the JSON drafts), filters and orders through indexes, and is
paged with ``offset``/``limit`` so nothing ever loads all rows.

What the search box understands (:func:`parse_search_text`):

- digits, with or without spaces, dots or dashes: the start of a NIK (``3273 01`` finds
  ``327301…``);
- an account number or its start (``3273-2026-0001``, ``BKD-2026``);
- anything else: a name, case-insensitive, matched at the start of the name or of any word in
  it (``sant`` finds ``BUDI SANTOSO``).
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, Integer, String, and_, func, or_, select, text, type_coerce
from sqlalchemy.orm import Session

from nonasn_desktop.accounts.authz import Actor, require
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.registration.store import RecordRow
from nonasn_desktop.rules.permissions import Permission
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.storage.models import NIK_LENGTH, Registration

__all__ = [
    "Eligibility",
    "RecordOrder",
    "RecordQuery",
    "RecordRow",
    "SearchTerm",
    "count",
    "counts_by_status",
    "parse_search_text",
    "search",
    "unit_names",
]

Eligibility = Literal["MS", "TMS"]
MAX_PAGE = 1000
MAX_TEXT = 100
# From 8 digits (province, regency, district, birth day) a NIK prefix is rare enough for an
# index range; shorter ones are shared by most of an office's records.
SELECTIVE_NIK_PREFIX = 8

# Sorts after every character a NIK, name or account number can hold: the upper bound of a
# prefix range, so "starts with" is an index range instead of a LIKE that scans the table.
_AFTER_ALL = "\U0010ffff"
_NIK_SEPARATORS = re.compile(r"[\s.\-]+")
# Account numbers are <office code>-<year>-<sequence>. With the year and its dash typed it is
# surely one; an office code with letters ("BKD-20") is one from the first dash.
_ACCOUNT_FULL = re.compile(r"[A-Za-z0-9]{2,12}-\d{4}-\d{0,6}")
_ACCOUNT_START = re.compile(r"[A-Za-z0-9]{2,12}-\d{0,4}")
_LIKE_SPECIAL = re.compile(r"([\\%_])")


class RecordOrder(enum.StrEnum):
    """Orders of the list; each is served by an index, with the id as tie-breaker."""

    TERBARU = "terbaru"
    TERLAMA = "terlama"
    NAMA_AZ = "nama_az"
    NAMA_ZA = "nama_za"
    NIK_AZ = "nik_az"
    NIK_ZA = "nik_za"
    UNIT_AZ = "unit_az"
    UNIT_ZA = "unit_za"

    @property
    def label(self) -> str:
        return _ORDER_LABELS[self]


_ORDER_LABELS = {
    RecordOrder.TERBARU: "Terakhir diperbarui",
    RecordOrder.TERLAMA: "Paling lama diperbarui",
    RecordOrder.NAMA_AZ: "Nama (A–Z)",
    RecordOrder.NAMA_ZA: "Nama (Z–A)",
    RecordOrder.NIK_AZ: "NIK (naik)",
    RecordOrder.NIK_ZA: "NIK (turun)",
    RecordOrder.UNIT_AZ: "Unit kerja (A–Z)",
    RecordOrder.UNIT_ZA: "Unit kerja (Z–A)",
}


@dataclass(frozen=True)
class RecordQuery:
    """What the list shows. Empty ``text`` and None filters mean "all"."""

    text: str = ""
    status: RecordStatus | None = None
    unit_kerja: str | None = None
    eligibility: Eligibility | None = None
    order: RecordOrder = RecordOrder.TERBARU

    def without_status(self) -> RecordQuery:
        """The same query for every status: the base of the counts per status."""
        return dataclasses.replace(self, status=None)


@dataclass(frozen=True)
class SearchTerm:
    """What the typed search text was understood as."""

    kind: Literal["none", "nik", "account", "name"]
    value: str


def parse_search_text(text: str) -> SearchTerm:
    """Classify the search box's text (see the module documentation)."""
    typed = " ".join(text.split())[:MAX_TEXT]
    if not typed:
        return SearchTerm("none", "")
    compact = typed.replace(" ", "")
    if _ACCOUNT_FULL.fullmatch(compact) or (
        _ACCOUNT_START.fullmatch(compact) and not compact.split("-")[0].isdigit()
    ):
        return SearchTerm("account", compact.upper())
    digits = _NIK_SEPARATORS.sub("", typed)
    if digits.isdigit() and digits.isascii():
        return SearchTerm("nik", digits)
    return SearchTerm("name", typed.casefold())


def _starts_with(column: Any, prefix: str) -> ColumnElement[bool]:
    """An index range: fast when the prefix is selective (few records share it)."""
    return and_(column >= prefix, column < prefix + _AFTER_ALL)


def _begins(column: Any, prefix: str) -> ColumnElement[bool]:
    """The same test written so SQLite does not use the column's own index.

    For a prefix most records share ("3273", the office's own regency) an index range would
    read nearly every row; this form lets the covering list index answer instead.
    """
    return func.substr(column, 1, len(prefix)) == prefix


def _unindexed(column: Any) -> ColumnElement[str]:
    """The column's value in a form SQLite cannot look up in the column's own index."""
    return type_coerce(column, String()).concat("")


def _like_escape(text: str) -> str:
    return _LIKE_SPECIAL.sub(r"\\\1", text)


def _conditions(
    query: RecordQuery, *, postgresql: bool = False, counting: bool = False
) -> list[ColumnElement[bool]]:
    """WHERE terms of the query, written for the database that runs them.

    SQLite's planner has no statistics to tell a selective filter from one most records pass,
    so its terms are written to steer it to the covering list index. PostgreSQL's planner has
    them (ANALYZE, autovacuum) and its own indexes for these filters (migration 0005); it gets
    the plain terms, which those hidden forms would only blind.

    ``counting``: the terms of a count, which needs no order. Without a search text SQLite
    then counts through the small index of its filter (migration 0009) instead of the whole
    list index, which is larger than the page cache: each count would read (and, in an
    encrypted folder, decrypt) all of it again.
    """
    if postgresql:
        return _postgresql_conditions(query)
    term = parse_search_text(query.text)
    if counting and term.kind == "none":
        return _filters(query)
    conditions: list[ColumnElement[bool]] = []
    if term.kind == "nik" and len(term.value) == NIK_LENGTH:
        conditions.append(_whole_nik(term.value))
    elif term.kind == "nik":
        if len(term.value) >= SELECTIVE_NIK_PREFIX:
            conditions.append(_starts_with(Registration.nik, term.value))
        else:
            conditions.append(_begins(Registration.nik, term.value))
    elif term.kind == "account":
        # Every account number of the office starts with the same code and year.
        conditions.append(_begins(Registration.account_number, term.value))
    elif term.kind == "name":
        # Start of the name (an index range) or start of a later word.
        conditions.append(
            or_(
                _starts_with(Registration.nama_search, term.value),
                Registration.nama_search.like(f"% {_like_escape(term.value)}%", escape="\\"),
            )
        )
    # Status and unit through the list index, not their own: their own index finds the rows
    # but then every one of them is read to order them (20,000 rows of a large status); the
    # list index, walked in update order, stops as soon as a page is found.
    if query.status is not None:
        conditions.append(_unindexed(Registration.status) == query.status.value)
    if query.unit_kerja is not None:
        conditions.append(_unindexed(Registration.unit_kerja) == query.unit_kerja)
    conditions.extend(_eligibility(query, indexed=False))
    return conditions


def _whole_nik(nik: str) -> ColumnElement[bool]:
    """Both records of a NIK registered twice: the second holds it in ``conflict_nik`` (its
    ``nik`` must stay unique) until the pair is settled. Two index lookups on either database.
    A shorter prefix finds only the first holder: it would otherwise cost every prefix search
    a second index range for a few flagged pairs (Data › NIK Ganda lists them all)."""
    return or_(Registration.nik == nik, Registration.conflict_nik == nik)


def _eligibility(query: RecordQuery, *, indexed: bool = True) -> list[ColumnElement[bool]]:
    """MS: eligible; TMS: not eligible (a record not yet checked is neither).

    ``indexed=False``: compared as a number (``eligible + 0``), which SQLite cannot look up
    in the eligibility index, so a page in update order walks the list index as the other
    filters do instead of sorting every TMS record it would read from the wide rows.
    """
    if query.eligibility is None:
        return []
    wanted = query.eligibility == "MS"
    if not indexed:
        return [type_coerce(Registration.eligible, Integer()) + 0 == int(wanted)]
    return [Registration.eligible.is_(wanted)]


def _c_prefix(column: Any, prefix: str) -> ColumnElement[bool]:
    """Starts with ``prefix``, compared byte by byte (collation "C").

    In the server's own collation (an Indonesian or English locale) a range is no prefix test:
    such collations skip spaces and punctuation at first, so ``"budi s"`` would sort among
    ``"budis…"``. In "C" it is exact, and it is the collation of the prefix indexes of
    migration 0005, so the range is an index range there.
    """
    collated = column.collate("C")
    return and_(collated >= prefix, collated < prefix + _AFTER_ALL)


def _postgresql_conditions(query: RecordQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    term = parse_search_text(query.text)
    if term.kind == "nik" and len(term.value) == NIK_LENGTH:
        conditions.append(_whole_nik(term.value))
    elif term.kind == "nik":
        conditions.append(_c_prefix(Registration.nik, term.value))
    elif term.kind == "account":
        conditions.append(_c_prefix(Registration.account_number, term.value))
    elif term.kind == "name":
        conditions.append(
            or_(
                _c_prefix(Registration.nama_search, term.value),
                Registration.nama_search.like(f"% {_like_escape(term.value)}%", escape="\\"),
            )
        )
    return [*conditions, *_filters(query)]


def _filters(query: RecordQuery) -> list[ColumnElement[bool]]:
    """The status, work unit and eligibility terms, in the form their own indexes answer."""
    conditions: list[ColumnElement[bool]] = []
    if query.status is not None:
        conditions.append(Registration.status == query.status)
    if query.unit_kerja is not None:
        conditions.append(Registration.unit_kerja == query.unit_kerja)
    conditions.extend(_eligibility(query))
    return conditions


# Planner cost of reading a table page out of order, for name searches on PostgreSQL only.
# The default (4) prices every page as a disk seek; the rows a word of the name matches (found
# by the trigram index of migration 0007) lie scattered over the table, so at 4 the planner
# prefers testing the pattern on all 100,000 entries of the name index (26 ms) to reading the
# 3,500 matching rows (6 ms). An office database (about 120 MB per 100,000 records) stays in
# the server's memory, where a scattered page costs little more than the next one: 1.1, the
# usual value for SSDs. SET LOCAL keeps it to the transaction of that one query.
_NAME_SEARCH_PAGE_COST = "1.1"


def _plan_for(session: Session, query: RecordQuery) -> None:
    """Tell PostgreSQL's planner, for this transaction, what a name search reads."""
    postgresql = session.get_bind().dialect.name == "postgresql"
    if postgresql and parse_search_text(query.text).kind == "name":
        session.execute(text(f"SET LOCAL random_page_cost = {_NAME_SEARCH_PAGE_COST}"))


def _ordering(order: RecordOrder, *, filtered: bool, postgresql: bool = False) -> Sequence[Any]:
    """ORDER BY terms. ``filtered``: the query has conditions.

    Update time is the list index's first column, so that order is a walk of it. The other
    orders have their own index, but it holds none of the filter columns: with a filter, each
    entry walked would read its row. Then the column is ordered in a form its index cannot
    serve, so SQLite scans the covering list index and sorts only the matches.
    """
    column: Any
    column, descending = {
        RecordOrder.TERBARU: (Registration.updated_at, True),
        RecordOrder.TERLAMA: (Registration.updated_at, False),
        # nama_search: case-insensitive, and its index also answers name searches.
        RecordOrder.NAMA_AZ: (Registration.nama_search, False),
        RecordOrder.NAMA_ZA: (Registration.nama_search, True),
        RecordOrder.NIK_AZ: (Registration.nik, False),
        RecordOrder.NIK_ZA: (Registration.nik, True),
        RecordOrder.UNIT_AZ: (Registration.unit_kerja, False),
        RecordOrder.UNIT_ZA: (Registration.unit_kerja, True),
    }[order]
    by_update = order in (RecordOrder.TERBARU, RecordOrder.TERLAMA)
    if postgresql and not by_update:
        # Records without the value first, as SQLite sorts NULL (PostgreSQL puts it last);
        # the order indexes of migration 0005 are built the same way.
        if descending:
            return (column.desc().nulls_last(), Registration.id.desc())
        return (column.asc().nulls_first(), Registration.id.asc())
    if filtered and not postgresql and not by_update:
        column = _unindexed(column)
    if descending:
        return (column.desc(), Registration.id.desc())
    return (column.asc(), Registration.id.asc())


_ROW_COLUMNS = (
    Registration.id,
    Registration.nik,
    Registration.nama,
    Registration.status,
    Registration.current_step,
    Registration.unit_kerja,
    Registration.eligible,
    Registration.failed_criteria,
    Registration.account_number,
    Registration.updated_at,
    Registration.nik_conflict,
    Registration.conflict_nik,
)


def search(
    ctx: AppContext, query: RecordQuery, offset: int, limit: int, *, actor: Actor
) -> list[RecordRow]:
    """Rows ``offset`` to ``offset + limit`` of the list (at most MAX_PAGE at once)."""
    if offset < 0 or limit < 0:
        raise ValueError(f"negative offset {offset} or limit {limit}")
    postgresql = ctx.db.is_postgresql
    conditions = _conditions(query, postgresql=postgresql)
    ordering = _ordering(query.order, filtered=bool(conditions), postgresql=postgresql)
    # Find the page's ids first (the index alone answers that, also far down the list), then
    # read only those rows: skipping rows by OFFSET never touches the wide rows.
    page_ids = (
        select(Registration.id)
        .where(*conditions)
        .order_by(*ordering)
        .offset(offset)
        .limit(min(limit, MAX_PAGE))
    )
    statement = select(*_ROW_COLUMNS).where(Registration.id.in_(page_ids)).order_by(*ordering)
    with ctx.db.session() as session:
        require(session, ctx, actor, Permission.RECORD_LIST)
        _plan_for(session, query)
        rows = session.execute(statement).all()
    return [RecordRow.of(row) for row in rows]


def count(ctx: AppContext, query: RecordQuery, *, actor: Actor) -> int:
    """How many records the query finds."""
    # count(*), not count(id): PostgreSQL's covering index holds no id (SQLite's holds the
    # rowid), and counting a column would send it to the table for every row.
    conditions = _conditions(query, postgresql=ctx.db.is_postgresql, counting=True)
    statement = select(func.count()).select_from(Registration).where(*conditions)
    with ctx.db.session() as session:
        require(session, ctx, actor, Permission.RECORD_LIST)
        _plan_for(session, query)
        return session.scalar(statement) or 0


def counts_by_status(
    ctx: AppContext, query: RecordQuery, *, actor: Actor
) -> dict[RecordStatus, int]:
    """Records per status for the query, whatever status it filters on (every status listed)."""
    statuses = list(RecordStatus)
    postgresql = ctx.db.is_postgresql
    conditions = _conditions(query.without_status(), postgresql=postgresql, counting=True)
    counts = dict.fromkeys(statuses, 0)
    with ctx.db.session() as session:
        require(session, ctx, actor, Permission.RECORD_LIST)
        _plan_for(session, query)
        if not conditions or postgresql:
            # Everything: grouping walks the status index alone. PostgreSQL, filtered: its
            # index for each filter carries the status (migration 0005), so one grouped scan
            # of that index counts every status.
            grouped = session.execute(
                select(Registration.status, func.count())
                .where(*conditions)
                .group_by(Registration.status)
            ).all()
            for status, number in grouped:
                counts[RecordStatus(status)] = number
            return counts
        # SQLite, filtered: one count per status rather than GROUP BY, which would make SQLite
        # walk the status index and read every row for the other conditions; this way a
        # covering index scan answers everything.
        numbers = session.execute(
            select(
                *(func.count().filter(Registration.status == status) for status in statuses)
            ).where(*conditions)
        ).one()
    for status, number in zip(statuses, numbers, strict=True):
        counts[status] = int(number or 0)
    return counts


def unit_names(ctx: AppContext, *, actor: Actor) -> list[str]:
    """Every work unit that appears on a record, sorted, for the unit filter."""
    with ctx.db.session() as session:
        require(session, ctx, actor, Permission.RECORD_LIST)
        return [name for name in session.scalars(_UNIT_NAMES) if name]


# Each work unit by one lookup in the unit index ("the smallest unit after the last one"), a
# loose index scan: a few pages per unit, where SELECT DISTINCT would read the whole index
# (100,000 entries, and in an encrypted folder decrypt each of its pages) at every start.
_UNIT_NAMES = text(
    """
    WITH RECURSIVE unit(name) AS (
      SELECT min(unit_kerja) FROM registration
      UNION ALL
      SELECT (SELECT min(later.unit_kerja) FROM registration AS later
              WHERE later.unit_kerja > unit.name)
      FROM unit WHERE unit.name IS NOT NULL
    )
    SELECT name FROM unit WHERE name IS NOT NULL
    """
)
