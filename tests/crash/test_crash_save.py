"""SIGKILL while registrations are saved: after a restart everything committed is there."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest
from crash_worker import ADMIN, run_and_kill

from nonasn_desktop.office import identity as office
from nonasn_desktop.startup import open_app
from nonasn_desktop.storage import jsontext
from nonasn_desktop.storage.upgrade import integrity_problems

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX"),
]


def _check(data: Path, lines: list[str]) -> None:
    connection = sqlite3.connect(data / "nonasn.sqlite3")
    try:
        assert integrity_problems(connection) == []
        drafts = dict(connection.execute("SELECT id, draft FROM registration").fetchall())
        documents = dict(connection.execute("SELECT id, sha256 FROM document").fetchall())
    finally:
        connection.close()
    saved = 0
    for line in lines:
        kind, *fields = line.split()
        if kind == "SAVED":
            registration_id, counter = int(fields[0]), int(fields[1])
            assert registration_id in drafts, line
            address = jsontext.loads(drafts[registration_id])["values"]["alamat"]
            # Later saves of the same record may have committed after the last report.
            assert int(address.rsplit(" ", 1)[1]) >= counter, (line, address)
            saved += 1
        elif kind == "DOCUMENT":
            assert int(fields[1]) in documents, line
    assert saved > 0
    # Every document row points at a complete file: the file is written before the row.
    with open_app(data) as ctx:
        for sha in documents.values():
            assert ctx.blobs.verify(sha), sha


def test_killed_while_saving_drafts(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with open_app(data, create=True) as ctx:
        office.initialise(
            ctx, office_code="3273", office_name="BKD Kota Bandung", admin=(ADMIN, "Rahasia2022")
        )
    for delay in (0.0, 0.13, 0.41):
        lines = run_and_kill(
            ["save", str(data)], after="DOCUMENT", delay=delay, log=tmp_path / "worker.log"
        )
        _check(data, lines)
