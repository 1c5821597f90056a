"""What the tests read of a database directly: rows of an SQLite file, statements sent."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event, select

from nonasn_desktop.core.context import AppContext
from nonasn_desktop.storage.models import AuditLog


def sqlite_rows(path: Path, query: str) -> list[tuple[Any, ...]]:
    """The rows of ``query`` on the (plain) SQLite file ``path``, read without the application."""
    connection = sqlite3.connect(path)
    try:
        return list(connection.execute(query).fetchall())
    finally:
        connection.close()


def record_queries(
    ctx: AppContext,
    call: Callable[[], object],
    *,
    also: tuple[str, ...] = (),
    table: str = "registration",
) -> tuple[list[tuple[str, Any]], list[str]]:
    """The queries over the records (SELECT or WITH … FROM ``table``) that ``call`` sends,
    with their parameters, and the statements starting with one of ``also`` (e.g. SET LOCAL),
    in the order sent. The clerk read again by the role check is not among them."""
    sent: list[tuple[str, Any]] = []
    other: list[str] = []

    def remember(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        head = statement.lstrip().upper()
        if head.startswith(("SELECT", "WITH")) and f"FROM {table}" in statement:
            sent.append((statement, parameters))
        elif also and head.startswith(also):
            other.append(statement)

    event.listen(ctx.db.engine, "before_cursor_execute", remember)
    try:
        call()
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", remember)
    return sent, other


def postgres_plans(
    ctx: AppContext, sent: list[tuple[str, Any]], *, settings: list[str] | None = None
) -> list[str]:
    """PostgreSQL's plans of the queries ``sent`` (from :func:`record_queries`), with
    sequential scans priced out: over a test's few rows a scan is cheaper, over an office's
    thousands not, and the question is whether an index serves the query. ``settings``: the
    planner settings the call made (SET LOCAL), made for the plans too."""
    plans = []
    with ctx.db.engine.connect() as connection:
        connection.exec_driver_sql("SET enable_seqscan = off")
        for setting in settings or []:
            connection.exec_driver_sql(setting)
        for statement, parameters in sent:
            cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            cursor.execute("EXPLAIN " + statement, parameters)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
            cursor.close()
    return plans


def audit_actions(ctx: AppContext, action: str) -> list[tuple[str, str | None]]:
    """(actor, reason) of every audit entry of ``action``, oldest first."""
    with ctx.db.session() as session:
        rows = session.execute(
            select(AuditLog.actor, AuditLog.reason)
            .where(AuditLog.action == action)
            .order_by(AuditLog.id)
        )
        return [(actor, reason) for actor, reason in rows]
