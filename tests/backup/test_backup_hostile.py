"""Hostile backup archives: bounded before anything is unpacked, and nothing changes."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from nonasn_desktop.backup.archive import MANIFEST_NAME, BackupError
from nonasn_desktop.backup.verify import verify_backup
from nonasn_desktop.policy import BackupLimits, default_policy
from nonasn_desktop.storage.datadir import DATABASE_FILE

SMALL = BackupLimits(
    max_members=5,
    max_manifest_bytes=4096,
    max_database_bytes=1024 * 1024,
    max_document_bytes=1024 * 1024,
    max_total_bytes=2 * 1024 * 1024,
)


def _archive(
    path: Path, members: dict[str, bytes], *, promised: dict[str, int] | None = None
) -> Path:
    """An archive in this program's format; ``promised`` overrides sizes in the manifest."""
    promised = promised or {}
    manifest = {
        "format": "nonasn-cadangan",
        "format_version": 1,
        "app_version": "0",
        "schema_revision": None,
        "created_at": "2026-01-01T00:00:00+00:00",
        "reason": "manual",
        "office": None,
        "registrations": 0,
        "documents": len(members) - 1,
        "database_ok": True,
        "database_problems": [],
        "damaged_documents": [],
        "members": [
            {
                "name": name,
                "size": promised.get(name, len(data)),
                "sha256": hashlib.sha256(data).hexdigest(),
            }
            for name, data in members.items()
        ],
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        archive.writestr(MANIFEST_NAME, json.dumps(manifest))
    return path


def test_the_installed_limits_are_loaded_and_consistent() -> None:
    limits = default_policy().backup_limits
    assert limits.max_members >= 700_000
    assert limits.max_total_bytes >= limits.max_database_bytes >= limits.max_document_bytes


def test_too_many_members_are_refused_before_the_directory_is_read(tmp_path: Path) -> None:
    members = {DATABASE_FILE: b"x"} | {f"documents/{i:02d}": b"d" for i in range(8)}
    bad = _archive(tmp_path / "banyak.zip", members)
    with pytest.raises(BackupError, match="lebih dari batas 5"):
        verify_backup(bad, limits=SMALL)


def test_a_member_that_inflates_beyond_its_promise_is_cut_off(tmp_path: Path) -> None:
    # 8 MB of zeros compress to a few KB; the manifest promises 1 KB.
    bomb = bytes(8 * 1024 * 1024)
    bad = _archive(tmp_path / "bom.zip", {DATABASE_FILE: bomb}, promised={DATABASE_FILE: 1024})
    assert bad.stat().st_size < 100_000
    with pytest.raises(BackupError, match="lebih besar dari yang tercantum"):
        verify_backup(bad, limits=SMALL)


def test_a_promise_beyond_the_limits_is_refused_before_unpacking(tmp_path: Path) -> None:
    too_big = _archive(
        tmp_path / "besar.zip", {DATABASE_FILE: b"x"}, promised={DATABASE_FILE: 2 * 1024 * 1024}
    )
    with pytest.raises(BackupError, match=r"nonasn\.sqlite3 di dalamnya berukuran"):
        verify_backup(too_big, limits=SMALL)
    documents = {DATABASE_FILE: b"x"} | {f"documents/{i}": b"d" for i in range(3)}
    promised = {f"documents/{i}": 1024 * 1024 for i in range(3)}
    total = _archive(tmp_path / "total.zip", documents, promised=promised)
    with pytest.raises(BackupError, match="setelah dibuka, lebih dari batas"):
        verify_backup(total, limits=SMALL)
    negative = _archive(
        tmp_path / "negatif.zip", {DATABASE_FILE: b"x"}, promised={DATABASE_FILE: -1}
    )
    with pytest.raises(BackupError, match="berukuran"):
        verify_backup(negative, limits=SMALL)


def test_a_manifest_that_inflates_beyond_its_limit_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "daftar.zip"
    with zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(DATABASE_FILE, b"x")
        archive.writestr(MANIFEST_NAME, b" " * (1024 * 1024))
    limits = dataclasses.replace(SMALL, max_manifest_bytes=4096)
    with pytest.raises(BackupError, match=r"manifest\.json\) lebih besar dari batas"):
        verify_backup(bad, limits=limits)
