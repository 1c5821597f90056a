"""A real PostgreSQL server for the tests that need one, and a fresh database per test.

The server comes from ``.ci/install-tools``; its URL is NONASN_TEST_PG_URL. In CI (``CI`` set)
it defaults to the database install-tools creates, and the tests must run; elsewhere, without
the variable, they are skipped with the reason. :func:`fresh_database` makes a database of its
own next to that one (the role may CREATEDB) and drops it afterwards, so tests never share
state, nor collide with other people's tests on the same server.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy.engine import make_url

from helpers.tools import in_ci

CI_DEFAULT_URL = "postgresql:///nonasn_test?host=/var/run/postgresql"
DROP_ATTEMPTS = 25


def server_url() -> str:
    """The test server's URL; skips (or, in CI, uses the default) when none is configured."""
    url = os.environ.get("NONASN_TEST_PG_URL", "").strip()
    if url:
        return url
    if in_ci():
        return CI_DEFAULT_URL
    pytest.skip(
        "NONASN_TEST_PG_URL is not set: no PostgreSQL server to test against "
        "(run .ci/install-tools as root, then set NONASN_TEST_PG_URL=" + CI_DEFAULT_URL + ")"
    )


def _admin_connection(url: str):  # type: ignore[no-untyped-def]
    import psycopg

    parsed = make_url(url)
    params = {key: value for key, value in parsed.query.items() if isinstance(value, str)}
    return psycopg.connect(
        dbname=parsed.database or "postgres",
        user=parsed.username,
        password=parsed.password,
        host=parsed.host or params.pop("host", None),
        port=parsed.port,
        autocommit=True,
        **params,
    )


@contextmanager
def fresh_database() -> Iterator[str]:
    """The URL of a new, empty database on the test server, dropped when the block ends."""
    base = server_url()
    name = f"nonasn_t_{secrets.token_hex(4)}"
    with _admin_connection(base) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        _drop(base, name)


def _drop(base: str, name: str) -> None:
    import psycopg

    # Plain DROP: it stops an autovacuum worker itself (WITH (FORCE) would need rights over
    # the server's own processes); a connection a test forgot to close makes it fail loudly.
    for attempt in range(DROP_ATTEMPTS):
        try:
            with _admin_connection(base) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            return
        except psycopg.errors.ObjectInUse:
            if attempt == DROP_ATTEMPTS - 1:
                raise
            time.sleep(0.2)
