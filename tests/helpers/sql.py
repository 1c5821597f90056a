"""What the tests read of a database directly: rows of an SQLite file, statements sent."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event

from nonasn_desktop.core.context import AppContext


def sqlite_rows(path: Path, query: str) -> list[tuple[Any, ...]]:
    """The rows of ``query`` on the (plain) SQLite file ``path``, read without the application."""
    connection = sqlite3.connect(path)
    try:
        return list(connection.execute(query).fetchall())
    finally:
        connection.close()


def record_queries(
    ctx: AppContext, call: Callable[[], object], *, also: tuple[str, ...] = ()
) -> tuple[list[tuple[str, Any]], list[str]]:
    """The queries over the records (SELECT or WITH … FROM registration) that ``call`` sends,
    with their parameters, and the statements starting with one of ``also`` (e.g. SET LOCAL),
    in the order sent. The clerk read again by the role check is not among them."""
    sent: list[tuple[str, Any]] = []
    other: list[str] = []

    def remember(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        head = statement.lstrip().upper()
        if head.startswith(("SELECT", "WITH")) and "FROM registration" in statement:
            sent.append((statement, parameters))
        elif also and head.startswith(also):
            other.append(statement)

    event.listen(ctx.db.engine, "before_cursor_execute", remember)
    try:
        call()
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", remember)
    return sent, other
