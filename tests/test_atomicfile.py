"""Atomic writes: the final name holds the whole new content or the old one, never a part."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from nonasn_desktop import atomicfile


def test_writes_and_replaces_without_leftovers(tmp_path: Path) -> None:
    target = tmp_path / "hasil.pdf"
    atomicfile.write_bytes_atomically(target, b"pertama")
    atomicfile.write_bytes_atomically(target, b"kedua")
    assert target.read_bytes() == b"kedua"
    assert [p.name for p in tmp_path.iterdir()] == ["hasil.pdf"]


def test_a_failed_write_keeps_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "hasil.pdf"
    target.write_bytes(b"lama")

    def full_disk(_fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomicfile.os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space"):
        atomicfile.write_bytes_atomically(target, b"baru")
    assert target.read_bytes() == b"lama"
    assert [p.name for p in tmp_path.iterdir()] == ["hasil.pdf"]


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX; Windows: the profile ACL")
def test_files_are_private_to_the_user(tmp_path: Path) -> None:
    target = tmp_path / "kunci.txt"
    atomicfile.write_bytes_atomically(target, b"rahasia")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    public = tmp_path / "publik.pub"
    atomicfile.write_bytes_atomically(public, b"kunci publik", mode=0o644)
    assert stat.S_IMODE(public.stat().st_mode) == 0o644


def test_several_files_finished_first_and_installed_together(tmp_path: Path) -> None:
    first = atomicfile.AtomicFile(tmp_path / "a.zip", temp=tmp_path / ".a.zip.partial")
    second = atomicfile.AtomicFile(tmp_path / "a.zip.minisig")
    first.stream.write(b"isi")
    second.stream.write(b"tanda tangan")
    first.finish()
    second.finish()
    assert not (tmp_path / "a.zip").exists()
    assert (tmp_path / ".a.zip.partial").read_bytes() == b"isi"
    first.install(sync_folder=False)
    second.install()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.zip", "a.zip.minisig"]


def test_a_fixed_temporary_name_that_exists_is_refused(tmp_path: Path) -> None:
    (tmp_path / ".a.zip.partial").write_bytes(b"ekspor lain")
    with pytest.raises(FileExistsError):
        atomicfile.AtomicFile(tmp_path / "a.zip", temp=tmp_path / ".a.zip.partial")


def test_discard_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "hasil.pdf"
    target.write_bytes(b"lama")

    def write_half() -> None:
        with atomicfile.atomic_write(target) as stream:
            stream.write(b"setengah")
            raise RuntimeError("listrik padam")

    with pytest.raises(RuntimeError):
        write_half()
    assert target.read_bytes() == b"lama"
    assert [p.name for p in tmp_path.iterdir()] == ["hasil.pdf"]
