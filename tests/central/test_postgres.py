"""Ingest into a real PostgreSQL server (the central office's production database).

The server and the database come from ``.ci/install-tools``. The URL is NONASN_TEST_PG_URL;
in CI (``CI`` set) it defaults to the database install-tools creates, and the test must run.
Elsewhere, without the variable, it is skipped with the reason.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from helpers.batches import Exported
from helpers.tools import in_ci
from nonasn_desktop.central.conflicts import find_conflicts
from nonasn_desktop.central.db import CentralDb, open_central
from nonasn_desktop.central.ingest import ingest_files
from nonasn_desktop.central.models import CentralBatch, CentralRecord, central_metadata

CI_DEFAULT_URL = "postgresql:///nonasn_test?host=/var/run/postgresql"


def _url() -> str:
    url = os.environ.get("NONASN_TEST_PG_URL", "").strip()
    if url:
        return url
    if in_ci():
        return CI_DEFAULT_URL
    pytest.skip(
        "NONASN_TEST_PG_URL is not set: no PostgreSQL server to test against "
        "(run .ci/install-tools as root, then set NONASN_TEST_PG_URL=" + CI_DEFAULT_URL + ")"
    )


@pytest.fixture
def pg_central(tmp_path: Path) -> Iterator[CentralDb]:
    central = open_central(_url(), documents=tmp_path / "dokumen", cwd=tmp_path)
    assert make_url(central.db.engine.url).get_backend_name() == "postgresql"
    central_metadata.drop_all(central.db.engine)
    central_metadata.create_all(central.db.engine)
    try:
        yield central
    finally:
        central_metadata.drop_all(central.db.engine)
        central.close()


def _records(central: CentralDb) -> int:
    with central.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(CentralRecord)) or 0)


def test_ingest_into_postgresql(
    pg_central: CentralDb, batch_a: Exported, batch_b: Exported, tmp_path: Path
) -> None:
    trust = batch_a.trust_store()
    good = batch_a.copy(tmp_path / "a")
    tampered = batch_b.copy(tmp_path / "b")
    data = bytearray(tampered.read_bytes())
    data[-100] ^= 0x10
    tampered.write_bytes(bytes(data))

    outcomes = ingest_files(pg_central, [tampered, good], trust, batch_a.identities)
    assert [o.status for o in outcomes] == ["refused", "loaded"]
    assert _records(pg_central) == batch_a.encrypted.record_count

    again = ingest_files(pg_central, [batch_a.copy(tmp_path / "again")], trust, batch_a.identities)
    assert [o.status for o in again] == ["already_loaded"]
    assert _records(pg_central) == batch_a.encrypted.record_count

    other = ingest_files(pg_central, [batch_b.copy(tmp_path / "b2")], trust, batch_b.identities)
    assert other[0].status == "loaded"
    assert len(other[0].conflicts) == batch_b.encrypted.record_count
    assert len(find_conflicts(pg_central)) == 2 * batch_b.encrypted.record_count
    with pg_central.db.session() as session:
        offices = set(session.scalars(select(CentralBatch.office_code)))
    assert offices == {"3273", "327399"}
