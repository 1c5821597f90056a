"""Ingest into a real PostgreSQL server (the central office's production database).

The server and the database come from ``.ci/install-tools``. The URL is NONASN_TEST_PG_URL;
in CI (``CI`` set) it defaults to the database install-tools creates, and the test must run.
Elsewhere, without the variable, it is skipped with the reason.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from helpers.batches import Exported, read_members
from helpers.hostile import HOSTILE, hostile_batch
from helpers.tools import in_ci
from nonasn_desktop.central import format as fmt
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


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_values_are_a_refused_batch_on_postgresql(
    pg_central: CentralDb, batch_a: Exported, tmp_path: Path, case: str
) -> None:
    path = hostile_batch(batch_a, tmp_path / "in", case)
    (outcome,) = ingest_files(pg_central, [path], batch_a.trust_store())
    assert outcome.status == "refused"
    assert HOSTILE[case][2] in outcome.message
    assert _records(pg_central) == 0


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("name of 150 characters", "StringDataRightTruncation 22001"),
        ("NUL in a name", "DataError"),
        ("office name of 200 characters", "StringDataRightTruncation 22001"),
        ("sequence of 10^20", "NumericValueOutOfRange 22003"),
    ],
)
def test_what_postgresql_still_refuses_is_a_refused_batch(
    pg_central: CentralDb,
    batch_a: Exported,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    case: str,
    reason: str,
) -> None:
    """With the format's bounds switched off, PostgreSQL's own refusal ends as a refused file:
    nothing written, and neither the message nor the log holds a value of the batch."""
    monkeypatch.setattr(fmt, "text_problem", lambda value, limit: None)
    monkeypatch.setattr(fmt, "MAX_INTEGER", 10**30)
    monkeypatch.setattr(fmt, "_FORBIDDEN_CHARACTERS", re.compile(r"(?!)"))
    path = hostile_batch(batch_a, tmp_path / "in", case)
    with caplog.at_level(logging.DEBUG):
        (outcome,) = ingest_files(pg_central, [path], batch_a.trust_store())
    assert outcome.status == "refused"
    assert "Basis data pusat menolak isi batch" in outcome.message
    assert reason in outcome.message, outcome.message
    assert _records(pg_central) == 0
    with pg_central.db.session() as session:
        assert session.scalar(select(func.count()).select_from(CentralBatch)) == 0
    record = json.loads(read_members(batch_a.plain.file)[fmt.RECORDS_MEMBER].splitlines()[0])
    for value in (record["identity"]["nik"], record["identity"]["nama"]):
        assert value not in outcome.message
        assert value not in caplog.text
