"""SIGKILL while batches are exported: what the database says was exported exists, signed."""

from __future__ import annotations

import hashlib
import re
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest
from crash_worker import PASSPHRASE, run_and_kill

from helpers.accounts import actor_for
from helpers.batches import PASSPHRASE as HELPER_PASSPHRASE
from helpers.batches import prepared_data_folder
from nonasn_desktop.batch.export import export_batch
from nonasn_desktop.crypto.minisign import Signature, verify_digest
from nonasn_desktop.demo import generate as demo
from nonasn_desktop.office import keys
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.startup import open_app
from nonasn_desktop.storage.upgrade import integrity_problems

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX"),
]
_SEQUENCE = re.compile(r"nonasn-\d+-(\d{6})\.zip$")


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prepared_data_folder(tmp_path_factory.mktemp("kantor"), approved=2)


def _verify_files(data: Path, out: Path, file_name: str) -> None:
    batch_file = out / file_name
    with open_app(data) as ctx:
        public = keys.public_key(ctx)
    signature = Signature.load(out / f"{file_name}.minisig")
    digest = hashlib.blake2b(batch_file.read_bytes()).digest()
    verify_digest(signature, public, digest, name=file_name)
    assert (out / file_name.replace(".zip", ".sptjm.pdf")).stat().st_size > 0


def _check(data: Path, out: Path, lines: list[str]) -> None:
    connection = sqlite3.connect(data / "nonasn.sqlite3")
    try:
        assert integrity_problems(connection) == []
        batches = dict(connection.execute("SELECT sequence, file_name FROM batch").fetchall())
        members = dict(
            connection.execute(
                "SELECT b.sequence, count(r.id) FROM batch b "
                "LEFT JOIN registration r ON r.batch_id = b.id GROUP BY b.sequence"
            ).fetchall()
        )
        counts = dict(connection.execute("SELECT sequence, record_count FROM batch").fetchall())
        strays = connection.execute(
            "SELECT count(*) FROM registration WHERE (status = 'diekspor') != "
            "(batch_id IS NOT NULL)"
        ).fetchone()[0]
    finally:
        connection.close()
    assert strays == 0  # exported means in a batch, and the other way round
    for line in lines:
        if line.startswith("EXPORTED"):
            _word, sequence, file_name = line.split()
            assert batches.get(int(sequence)) == file_name, line
    for sequence, file_name in batches.items():
        # Everything the database calls exported is on disk, complete and signed.
        assert members[sequence] == counts[sequence]
        _verify_files(data, out, file_name)
    # A batch file the database does not know can only be the one whose commit the kill
    # prevented; the next export takes the same number and replaces it.
    for path in out.glob("nonasn-*.zip"):
        match = _SEQUENCE.search(path.name)
        assert match is not None
        sequence = int(match.group(1))
        assert sequence in batches or sequence == max(batches, default=0) + 1, path.name


def test_killed_while_exporting_batches(prepared: Path, tmp_path: Path) -> None:
    assert PASSPHRASE == HELPER_PASSPHRASE
    data = tmp_path / "data"
    shutil.copytree(prepared, data)
    out = tmp_path / "batch"
    out.mkdir()
    for delay in (0.0, 0.25, 0.6):
        lines = run_and_kill(
            ["export", str(data), str(out)],
            after="APPROVED",
            delay=delay,
            log=tmp_path / "worker.log",
        )
        _check(data, out, lines)
    # After all that, the next export works and leaves no stranger behind.
    with open_app(data) as ctx:
        demo.generate(ctx, 1, RecordStatus.DISETUJUI, seed=99, actor=actor_for(ctx))
        result = export_batch(ctx, out, passphrase=PASSPHRASE, actor=actor_for(ctx))
    _check(data, out, [f"EXPORTED {result.sequence} {result.file.name}"])
