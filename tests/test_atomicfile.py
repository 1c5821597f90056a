"""Atomic writes: the final name holds the whole new content or the old one, never a part."""

from __future__ import annotations

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
