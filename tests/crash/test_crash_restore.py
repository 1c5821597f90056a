"""SIGKILL while a backup is restored: the next start finds the old data or the new, whole."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest
from crash_worker import ADMIN, run_and_kill

from helpers.accounts import actor_for
from nonasn_desktop.backup import archive as backup
from nonasn_desktop.demo import generate as demo
from nonasn_desktop.office import identity as office
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.startup import open_app
from nonasn_desktop.storage.blobs import BlobStore
from nonasn_desktop.storage.upgrade import integrity_problems

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX"),
]


def test_killed_while_restoring(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with open_app(data, create=True) as ctx:
        office.initialise(
            ctx, office_code="3273", office_name="BKD Kota Bandung", admin=(ADMIN, "Rahasia2022")
        )
        demo.generate(ctx, 2, RecordStatus.PENDAFTARAN_SELESAI, seed=1, actor=actor_for(ctx))
        small = backup.create_backup(ctx, tmp_path / "kecil.zip", actor=actor_for(ctx)).path
        demo.generate(ctx, 3, RecordStatus.DRAF, seed=2, actor=actor_for(ctx))
        large = backup.create_backup(ctx, tmp_path / "besar.zip", actor=actor_for(ctx)).path

    for delay in (0.0, 0.05, 0.11, 0.2, 0.35):
        lines = run_and_kill(
            ["restore", str(data), str(small), str(large)],
            after="RESTORED",
            delay=delay,
            log=tmp_path / "worker.log",
        )
        assert any(line.startswith("RESTORED") for line in lines)
        open_app(data).close()  # the next start rolls back an unfinished swap
        connection = sqlite3.connect(data / "nonasn.sqlite3")
        try:
            assert integrity_problems(connection) == []
            count = connection.execute("SELECT count(*) FROM registration").fetchone()[0]
            shas = [row[0] for row in connection.execute("SELECT sha256 FROM document")]
        finally:
            connection.close()
        # The data of one archive or of the other, never a mixture.
        assert count in (2, 5)
        blobs = BlobStore(data / "documents")
        assert all(blobs.verify(sha) for sha in shas)
        leftovers = [p.name for p in data.iterdir() if p.name.startswith(".")]
        assert leftovers == []
