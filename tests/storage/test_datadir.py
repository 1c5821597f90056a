from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest

from nonasn_desktop.errors import DataDirError
from nonasn_desktop.storage import datadir
from nonasn_desktop.storage.datadir import (
    DATABASE_FILE,
    ENV_DATA_DIR,
    MIN_FREE_BYTES,
    DataDir,
    resolve_data_dir,
)


def test_layout_inside_the_folder(tmp_path: Path) -> None:
    folder = DataDir(tmp_path)
    assert folder.database_path == tmp_path / "nonasn.sqlite3"
    assert folder.documents_dir == tmp_path / "documents"
    assert folder.logs_dir == tmp_path / "logs"
    assert folder.backups_dir == tmp_path / "backups"


def test_explicit_folder_beats_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_DATA_DIR, str(tmp_path / "from-env"))
    assert resolve_data_dir(tmp_path / "explicit") == tmp_path / "explicit"


def test_environment_beats_platform_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_DATA_DIR, str(tmp_path / "from-env"))
    assert resolve_data_dir(None) == tmp_path / "from-env"


def test_platform_default_when_nothing_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_DATA_DIR, raising=False)
    resolved = resolve_data_dir(None)
    assert "nonasn-desktop" in resolved.parts
    assert resolved.is_absolute()


def test_blank_environment_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_DATA_DIR, "   ")
    assert "nonasn-desktop" in resolve_data_dir(None).parts


def test_prepare_creates_folder_and_subfolders(tmp_path: Path) -> None:
    folder = DataDir(tmp_path / "a" / "b")
    assert folder.prepare(create=True) is folder
    for sub in (folder.path, folder.documents_dir, folder.logs_dir, folder.backups_dir):
        assert sub.is_dir()


def test_missing_folder_without_create_says_how_to_prepare(tmp_path: Path) -> None:
    folder = DataDir(tmp_path / "missing")
    with pytest.raises(DataDirError) as info:
        folder.prepare(create=False)
    text = str(info.value)
    assert "belum disiapkan" in text
    assert "nonasn init" in text
    assert str(folder.path) in text
    assert not folder.path.exists()


def test_folder_without_database_is_not_prepared_when_database_required(tmp_path: Path) -> None:
    folder = DataDir(tmp_path)
    with pytest.raises(DataDirError, match="belum disiapkan"):
        folder.prepare(create=False, require_database=True)
    folder.database_path.write_bytes(b"")
    folder.prepare(create=False, require_database=True)


def test_a_file_is_not_a_data_folder(tmp_path: Path) -> None:
    target = tmp_path / "data"
    target.write_text("catatan penting", encoding="utf-8")
    with pytest.raises(DataDirError, match="bukan folder"):
        DataDir(target).prepare(create=True)
    assert target.read_text(encoding="utf-8") == "catatan penting"


def test_a_file_where_a_subfolder_belongs(tmp_path: Path) -> None:
    (tmp_path / "documents").write_text("x", encoding="utf-8")
    with pytest.raises(DataDirError, match="bukan folder"):
        DataDir(tmp_path).prepare(create=True)
    assert (tmp_path / "documents").read_text(encoding="utf-8") == "x"


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0,
    reason="running as root: permission bits do not stop root from writing; "
    "see test_read_only_folder_simulated",
)
@pytest.mark.skipif(os.name != "posix", reason="chmod read-only folders is POSIX behaviour")
def test_read_only_folder_real(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(DataDirError, match="tidak dapat ditulis"):
            DataDir(folder).prepare(create=False)
    finally:
        folder.chmod(stat.S_IRWXU)


def test_read_only_folder_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(datadir.tempfile, "mkstemp", refuse)
    with pytest.raises(DataDirError) as info:
        DataDir(tmp_path).prepare(create=False)
    assert "tidak dapat ditulis" in str(info.value)
    assert "(izin ditolak)" in str(info.value)  # the reason in Indonesian, not strerror
    assert str(tmp_path) in str(info.value)


def test_a_read_only_disk_is_named_as_such(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(datadir.tempfile, "mkstemp", refuse)
    with pytest.raises(DataDirError, match=r"tidak dapat ditulis \(disk atau folder itu hanya"):
        DataDir(tmp_path).prepare(create=False)


def test_probe_leaves_nothing_behind(tmp_path: Path) -> None:
    DataDir(tmp_path).prepare(create=False)
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".write-probe")]
    assert leftovers == []


def test_full_disk_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = shutil.disk_usage(tmp_path)
    almost_full = type(real)(total=real.total, used=real.total, free=10 * 1024 * 1024)
    monkeypatch.setattr(datadir.shutil, "disk_usage", lambda _path: almost_full)
    with pytest.raises(DataDirError) as info:
        DataDir(tmp_path).prepare(create=True)
    text = str(info.value)
    assert "Ruang kosong" in text
    assert "10 MB" in text
    assert f"{MIN_FREE_BYTES // (1024 * 1024)} MB" in text


def test_prepare_never_deletes_anything(tmp_path: Path) -> None:
    (tmp_path / DATABASE_FILE).write_bytes(b"db")
    (tmp_path / "documents").mkdir()
    (tmp_path / "documents" / "keep").write_bytes(b"doc")
    (tmp_path / "other.txt").write_text("x", encoding="utf-8")
    DataDir(tmp_path).prepare(create=True)
    DataDir(tmp_path).prepare(create=False, require_database=True)
    assert (tmp_path / DATABASE_FILE).read_bytes() == b"db"
    assert (tmp_path / "documents" / "keep").read_bytes() == b"doc"
    assert (tmp_path / "other.txt").exists()


def test_uncreatable_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(DataDirError, match="tidak dapat dibuat"):
        DataDir(blocker / "data").prepare(create=True)


def test_a_probe_left_by_a_killed_process_is_removed(tmp_path: Path) -> None:
    stale = tmp_path / ".write-probe-abc123"
    stale.write_bytes(b"ok")
    DataDir(tmp_path).prepare(create=True)
    assert not stale.exists()
