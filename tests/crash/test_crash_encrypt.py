"""SIGKILL in the middle of converting a plain folder to encryption at rest (issue 11): the
folder is either the old plain one or the complete new one, and the next start finishes."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from crash_worker import run_and_kill

from helpers.accounts import ADMIN_PASSWORD, ADMIN_USERNAME
from helpers.folders import make_office_folder
from nonasn_desktop.registration import store as registrations
from nonasn_desktop.rules.roles import Role
from nonasn_desktop.startup import (
    is_encrypted,
    open_app,
    pending_recovery_key,
    unlock,
    unlock_with_recovery_key,
)
from nonasn_desktop.storage import cipher, convert, vault
from nonasn_desktop.storage.datadir import DataDir

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX"),
]
RECORDS = 3


@pytest.fixture(scope="module")
def plain_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_office_folder(tmp_path_factory.mktemp("plain") / "data", records=RECORDS, seed=7)


def _records(data: Path, key: object = None) -> int:
    with open_app(data, key=key) as ctx:  # type: ignore[arg-type]
        return sum(registrations.count_by_status(ctx).values())


@pytest.mark.parametrize(
    ("point", "committed"),
    [("database", False), ("documents", False), ("commit", True), ("swap-database", True)],
)
def test_killed_while_encrypting(
    plain_template: Path, tmp_path: Path, point: str, committed: bool
) -> None:
    data = tmp_path / "data"
    shutil.copytree(plain_template, data)
    folder = DataDir(data)
    lines = run_and_kill(
        ["encrypt", str(data), point], after="AT", delay=0.1, log=tmp_path / "worker.log"
    )
    assert f"AT {point}" in lines
    assert "ENCRYPTED" not in lines
    if not committed:
        # Before the commit point: the old plain folder, as it was, still opens without a key
        # (the next start throws the half-made copies away).
        assert _records(data) == RECORDS
        assert not is_encrypted(data)
        assert cipher.is_plain_sqlite(folder.database_path)
    else:
        # After it: the next start finishes the job; the admin's password opens the result.
        unlocked = unlock(data, ADMIN_USERNAME, ADMIN_PASSWORD)
        assert unlocked.key is not None
        assert _records(data, unlocked.key) == RECORDS
        assert not cipher.is_plain_sqlite(folder.database_path)
    left = sorted(p.name for p in data.iterdir())
    assert convert.JOURNAL_FILE not in left
    assert not [n for n in left if n.endswith((convert.PLAIN_SUFFIX, convert.ENCRYPTED_SUFFIX))]


@pytest.mark.parametrize("point", ["commit", "swap", "converted"])
def test_a_recovery_key_not_yet_shown_survives_the_kill(
    plain_template: Path, tmp_path: Path, point: str
) -> None:
    data = tmp_path / "data"
    shutil.copytree(plain_template, data)
    lines = run_and_kill(
        ["encrypt", str(data), point], after="AT", delay=0.1, log=tmp_path / "worker.log"
    )
    assert f"AT {point}" in lines
    made = next(line.removeprefix("RECOVERY ") for line in lines if line.startswith("RECOVERY"))
    # The next admin sign-in finishes the conversion and is given the very same key.
    unlocked = unlock(data, ADMIN_USERNAME, ADMIN_PASSWORD)
    assert unlocked.key is not None
    with open_app(data, key=unlocked.key) as ctx:
        assert pending_recovery_key(ctx, Role.OPERATOR) is None
        assert pending_recovery_key(ctx, Role.ADMIN) == made
    # And it really opens the folder; having been used, it is no longer kept.
    assert unlock_with_recovery_key(data, made) == unlocked.key
    assert not vault.pending_recovery_path(DataDir(data)).exists()
