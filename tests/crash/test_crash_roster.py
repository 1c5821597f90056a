"""SIGKILL while rosters are imported: each file is on the roster completely or not at all."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest
from crash_worker import ADMIN, ROSTER_ROWS, run_and_kill

from helpers.workbooks import people
from nonasn_desktop.office import identity as office
from nonasn_desktop.startup import open_app
from nonasn_desktop.storage.upgrade import integrity_problems

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX"),
]


def _check(data: Path, folder: Path, lines: list[str]) -> int:
    connection = sqlite3.connect(data / "nonasn.sqlite3")
    try:
        assert integrity_problems(connection) == []
        listed = {row[0] for row in connection.execute("SELECT nik FROM roster_entry")}
    finally:
        connection.close()
    reported = {int(line.split()[1]) for line in lines if line.startswith("IMPORTED")}
    assert not [line for line in lines if line.startswith("PARTIAL")]
    files = sorted(int(p.stem.split("-")[1]) for p in folder.glob("daftar-*.csv"))
    for number in files:
        niks = {person["nik"] for person in people(ROSTER_ROWS, ROSTER_ROWS * number)}
        present = len(niks & listed)
        # One transaction per file: all of it, or (killed before the commit) none of it.
        assert present in (0, ROSTER_ROWS), (number, present)
        if number in reported:
            assert present == ROSTER_ROWS, number
    assert len(listed) % ROSTER_ROWS == 0
    return len(reported)


def test_killed_while_importing_rosters(tmp_path: Path) -> None:
    data = tmp_path / "data"
    folder = tmp_path / "daftar"
    folder.mkdir()
    with open_app(data, create=True) as ctx:
        office.initialise(
            ctx, office_code="3273", office_name="BKD Kota Bandung", admin=(ADMIN, "Rahasia2022")
        )
    imported = 0
    for delay in (0.0, 0.07, 0.23):
        lines = run_and_kill(
            ["roster", str(data), str(folder)],
            after="IMPORTED",
            delay=delay,
            log=tmp_path / "worker.log",
        )
        imported += _check(data, folder, lines)
    assert imported >= 3
