from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path
from typing import Any

import pytest

from nonasn_desktop import atomicfile
from nonasn_desktop.errors import DocumentError, StorageError
from nonasn_desktop.storage.blobs import BlobStore

DATA = b"\xff\xd8\xff\xe0 pretend this is a JPEG scan of a KTP"
SHA = hashlib.sha256(DATA).hexdigest()


@pytest.fixture
def store(tmp_path: Path) -> BlobStore:
    return BlobStore(tmp_path / "documents")


def _leftovers(root: Path) -> list[Path]:
    return list(root.rglob(".incoming-*")) if root.exists() else []


def test_put_then_get(store: BlobStore) -> None:
    assert store.put(DATA) == SHA
    assert store.get(SHA) == DATA
    assert store.exists(SHA)
    assert store.verify(SHA)


def test_layout_is_content_addressed(store: BlobStore) -> None:
    store.put(DATA)
    assert store.path(SHA) == store.root / SHA[:2] / SHA[2:4] / SHA
    assert store.path(SHA).read_bytes() == DATA
    assert _leftovers(store.root) == []


def test_put_is_idempotent(store: BlobStore) -> None:
    store.put(DATA)
    before = store.path(SHA).stat().st_mtime_ns
    assert store.put(DATA) == SHA
    assert store.path(SHA).stat().st_mtime_ns == before
    assert [p for p in store.root.rglob("*") if p.is_file()] == [store.path(SHA)]


def test_empty_content_is_storable(store: BlobStore) -> None:
    sha = store.put(b"")
    assert store.get(sha) == b""


def test_missing_document(store: BlobStore) -> None:
    assert not store.exists(SHA)
    assert not store.verify(SHA)
    with pytest.raises(StorageError, match="tidak ditemukan"):
        store.get(SHA, name="KTP NIK 3171014501900001")


def test_damaged_document_is_detected_and_named(store: BlobStore) -> None:
    store.put(DATA)
    path = store.path(SHA)
    damaged = bytearray(DATA)
    damaged[5] ^= 0x01
    path.write_bytes(bytes(damaged))
    assert not store.verify(SHA)
    with pytest.raises(StorageError) as info:
        store.get(SHA, name="KTP NIK 3171014501900001")
    assert "rusak" in str(info.value)
    assert "KTP NIK 3171014501900001" in str(info.value)


def test_truncated_document_is_detected(store: BlobStore) -> None:
    store.put(DATA)
    store.path(SHA).write_bytes(DATA[:10])
    with pytest.raises(StorageError, match="rusak"):
        store.get(SHA)


def test_putting_again_repairs_a_damaged_copy(store: BlobStore) -> None:
    store.put(DATA)
    store.path(SHA).write_bytes(b"garbage")
    store.put(DATA)
    assert store.get(SHA) == DATA


def test_put_file_streams_and_reports_size(store: BlobStore, tmp_path: Path) -> None:
    source = tmp_path / "ijazah.pdf"
    content = os.urandom(3 * 1024 * 1024 + 17)
    source.write_bytes(content)
    sha, size = store.put_file(source)
    assert sha == hashlib.sha256(content).hexdigest()
    assert size == len(content)
    assert store.get(sha) == content
    assert source.read_bytes() == content
    assert _leftovers(store.root) == []
    assert store.put_file(source) == (sha, size)


def test_put_file_of_a_missing_source(store: BlobStore, tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="tidak dapat dibaca"):
        store.put_file(tmp_path / "gone.jpg")
    assert _leftovers(store.root) == []


def test_full_disk_while_writing(store: BlobStore, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_space(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomicfile.os, "fsync", no_space)
    with pytest.raises(StorageError, match="penuh"):
        store.put(DATA)
    monkeypatch.undo()
    assert not store.exists(SHA)
    assert _leftovers(store.root) == []


def test_full_disk_while_streaming(
    store: BlobStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "kk.pdf"
    source.write_bytes(DATA)

    def no_space(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomicfile.os, "fsync", no_space)
    with pytest.raises(StorageError, match="penuh"):
        store.put_file(source)
    monkeypatch.undo()
    assert _leftovers(store.root) == []


@pytest.mark.parametrize("bad", ["", "abc", "G" * 64, SHA.upper(), "../" + SHA[3:]])
def test_malformed_hash_is_a_bug(store: BlobStore, bad: str) -> None:
    with pytest.raises(ValueError, match="SHA-256"):
        store.path(bad)


def test_other_write_errors(store: BlobStore, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(atomicfile.tempfile, "mkstemp", refuse)
    with pytest.raises(StorageError, match="tidak dapat disimpan"):
        store.put(DATA)


def test_put_unsynced_stores_once_and_reads_back(store: BlobStore) -> None:
    path = store.put_unsynced(DATA, SHA)
    assert path == store.path(SHA)
    assert store.put_unsynced(DATA, SHA) is None
    store.sync([path])
    assert store.get(SHA) == DATA
    assert _leftovers(store.root) == []


def test_a_failed_unsynced_write_leaves_nothing(store: BlobStore) -> None:
    def half_then_full(stream: Any) -> None:
        stream.write(DATA[:10])
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(StorageError, match="penuh"):
        store.write_unsynced(SHA, half_then_full)

    def half_then_bug(stream: Any) -> None:
        stream.write(DATA[:10])
        raise RuntimeError("a bug while writing")

    # Not a user's error: raised as it is, and still no half-written file left behind.
    with pytest.raises(RuntimeError, match="a bug"):
        store.write_unsynced(SHA, half_then_bug)
    assert not store.exists(SHA)
    assert _leftovers(store.root) == []
