"""A transfer imported into an encrypted office folder (issue 11): its documents are written
encrypted without a per-file fsync, made durable together, and removed again when the import
fails after storing them."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from helpers.accounts import ADMIN_PASSWORD, FakeClock, actor_for
from helpers.fieldwork import (
    ENROLMENT_PASSPHRASE,
    OFFICE_PASSPHRASE,
    enrol_laptop,
    field_operator,
    make_office,
    office_admin,
    snapshot,
)
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.demo.generate import generate
from nonasn_desktop.errors import ConflictError, StorageError
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.startup import encrypt_new_folder, open_app
from nonasn_desktop.storage import blobs
from nonasn_desktop.storage.docstore import EncryptedFolderDocumentStore
from nonasn_desktop.storage.models import Document
from nonasn_desktop.transfer import merge
from nonasn_desktop.transfer.export import TransferResult, export_transfer
from nonasn_desktop.transfer.merge import import_transfer
from nonasn_desktop.transfer.merger import RecordMerger


@pytest.fixture
def sealed_office(tmp_path: Path, clock: FakeClock) -> Iterator[AppContext]:
    """An office folder encrypted as ``nonasn init`` encrypts it, opened with its key."""
    folder = tmp_path / "kantor"
    make_office(folder, clock).close()
    key = encrypt_new_folder(folder, "admin", ADMIN_PASSWORD).key
    ctx = open_app(folder, key=key, clock=clock)
    assert isinstance(ctx.blobs, EncryptedFolderDocumentStore)
    yield ctx
    ctx.close()


@pytest.fixture
def sent(sealed_office: AppContext, tmp_path: Path, clock: FakeClock) -> TransferResult:
    enrolled = enrol_laptop(sealed_office, tmp_path, clock=clock)
    try:
        laptop = enrolled.laptop
        generate(laptop, 3, RecordStatus.PENDAFTARAN_SELESAI, seed=4, actor=actor_for(laptop))
        return export_transfer(
            laptop,
            tmp_path / "usb",
            passphrase=ENROLMENT_PASSPHRASE,
            actor=field_operator(laptop),
        )
    finally:
        enrolled.laptop.close()


def _documents(ctx: AppContext) -> set[str]:
    with ctx.db.session() as session:
        return set(session.scalars(select(Document.sha256)))


def test_the_documents_arrive_encrypted_and_read_back(
    sealed_office: AppContext, sent: TransferResult
) -> None:
    before = _documents(sealed_office)
    result = import_transfer(
        sealed_office, sent.file, passphrase=OFFICE_PASSPHRASE, actor=office_admin(sealed_office)
    )
    arrived = _documents(sealed_office) - before
    assert result.added == 3
    assert result.documents_added == len(arrived) > 0
    store = sealed_office.blobs
    assert isinstance(store, EncryptedFolderDocumentStore)
    for sha in arrived:
        assert store.path(sha).read_bytes().startswith(b"age-encryption.org/v1")
        assert store.verify(sha)
    assert list(store.root.rglob(".incoming*")) == []


def test_a_failed_import_removes_the_documents_it_wrote(
    sealed_office: AppContext, sent: TransferResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    actor = office_admin(sealed_office)
    before = snapshot(sealed_office)

    def full_disk(self: blobs.BlobStore, paths: list[Path]) -> None:
        assert paths  # the documents were written, and are about to be made durable
        raise StorageError("Penyimpanan penuh: dokumen tidak dapat disimpan.")

    # The disk fills up at the last step, once every document file has been written.
    monkeypatch.setattr(blobs.BlobStore, "sync", full_disk)
    with pytest.raises(StorageError, match="penuh"):
        import_transfer(sealed_office, sent.file, passphrase=OFFICE_PASSPHRASE, actor=actor)
    assert snapshot(sealed_office) == before


def test_a_disk_that_fills_while_documents_are_written_loses_nothing(
    sealed_office: AppContext, sent: TransferResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The files are written by a thread of their own; its failure reaches the import, and the
    # files it had already written (and those still queued) are removed again.
    actor = office_admin(sealed_office)
    before = snapshot(sealed_office)
    write = blobs.BlobStore.write_unsynced
    written: list[Path] = []

    def fills_up(self: blobs.BlobStore, sha: str, fill: Any) -> Path | None:
        if len(written) == 2:
            raise StorageError("Penyimpanan penuh: dokumen tidak dapat disimpan.")
        path = write(self, sha, fill)
        if path is not None:
            written.append(path)
        return path

    monkeypatch.setattr(blobs.BlobStore, "write_unsynced", fills_up)
    with pytest.raises(StorageError, match="penuh"):
        import_transfer(sealed_office, sent.file, passphrase=OFFICE_PASSPHRASE, actor=actor)
    assert len(written) == 2
    assert not any(path.exists() for path in written)
    assert snapshot(sealed_office) == before
    monkeypatch.undo()
    result = import_transfer(sealed_office, sent.file, passphrase=OFFICE_PASSPHRASE, actor=actor)
    assert result.added == 3  # the same file again, once there is room


def test_a_merge_that_fails_while_documents_are_stored_leaves_nothing(
    sealed_office: AppContext, sent: TransferResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The documents are stored while the records merge: a merge that fails stops that, waits
    # for what was being written, and removes it.
    actor = office_admin(sealed_office)
    before = snapshot(sealed_office)

    def refused(self: RecordMerger) -> None:
        raise ConflictError("Rekaman ditolak.")

    monkeypatch.setattr(RecordMerger, "merge_all", refused)
    with pytest.raises(ConflictError, match="ditolak"):
        import_transfer(sealed_office, sent.file, passphrase=OFFICE_PASSPHRASE, actor=actor)
    assert snapshot(sealed_office) == before


def _writers_of_import(
    ctx: AppContext, sent: TransferResult, monkeypatch: pytest.MonkeyPatch, *, slow: bool
) -> tuple[set[str], int, list[str]]:
    """The names of the threads that wrote the documents, how many documents arrived, and the
    hash of every file a writer was asked for."""
    write = blobs.BlobStore.write_unsynced
    threads: set[str] = set()
    written: list[str] = []

    def recorded(self: blobs.BlobStore, sha: str, fill: Any) -> Path | None:
        threads.add(threading.current_thread().name.rsplit("_", 1)[0])
        written.append(sha)
        if slow:
            time.sleep(0.02)  # a disk that takes its time over each new file
        return write(self, sha, fill)

    monkeypatch.setattr(blobs.BlobStore, "write_unsynced", recorded)
    if slow:
        # Behind by more than one document: the import is waiting for the disk.
        monkeypatch.setattr(merge, "_WRITES_IN_FLIGHT_BYTES", 1)
    result = import_transfer(ctx, sent.file, passphrase=OFFICE_PASSPHRASE, actor=office_admin(ctx))
    return threads, result.documents_added, written


def test_a_second_writer_joins_only_when_the_disk_falls_behind(
    sealed_office: AppContext, sent: TransferResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads, arrived, _ = _writers_of_import(sealed_office, sent, monkeypatch, slow=True)
    assert threads == {"documents-1", "documents-2"}
    store = sealed_office.blobs
    assert isinstance(store, EncryptedFolderDocumentStore)
    assert arrived == len(_documents(sealed_office)) > 2
    assert all(store.verify(sha) for sha in _documents(sealed_office))


def test_one_writer_is_enough_for_a_disk_that_keeps_up(
    sealed_office: AppContext, sent: TransferResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads, arrived, _ = _writers_of_import(sealed_office, sent, monkeypatch, slow=False)
    assert threads == {"documents-1"}
    assert arrived > 2


def test_one_document_under_two_member_names_is_written_and_counted_once(
    sealed_office: AppContext, tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A device's file may name the same bytes twice (as a JPEG and as a PDF): with two writers
    # busy, both must not write, nor count, the one file.
    enrolled = enrol_laptop(sealed_office, tmp_path, clock=clock)
    laptop = enrolled.laptop
    try:
        generate(laptop, 2, RecordStatus.PENDAFTARAN_SELESAI, seed=4, actor=actor_for(laptop))
        with laptop.db.session() as session:
            first, second = (
                session.scalars(
                    select(Document).where(Document.registration_id == registration)
                ).first()
                for registration in (1, 2)
            )
            assert first is not None
            assert second is not None
            kinds = {"image/jpeg": "application/pdf", "application/pdf": "image/jpeg"}
            second.sha256, second.size = first.sha256, first.size
            second.media_type = kinds[first.media_type]
            distinct = len(set(session.scalars(select(Document.sha256))))
        sent = export_transfer(
            laptop, tmp_path / "usb", passphrase=ENROLMENT_PASSPHRASE, actor=field_operator(laptop)
        )
    finally:
        laptop.close()
    threads, arrived, written = _writers_of_import(sealed_office, sent, monkeypatch, slow=True)
    assert threads == {"documents-1", "documents-2"}
    assert arrived == distinct
    assert sorted(written) == sorted(set(written))  # each file asked for once
