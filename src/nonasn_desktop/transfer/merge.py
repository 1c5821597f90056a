"""``nonasn transfer import`` at the office: a verified transfer file merged in one transaction.

Rules (docs/offices.md, "Merging a transfer"):

- the same file again (same device and sequence, same manifest) adds nothing and says so;
  another file under a sequence already imported is refused (replayed and altered);
- a record is the same record when its ``uid`` is: a new uid adds a record; a known one is
  updated when the device's version is newer than the one merged last (``source_updated_at``)
  and the office has not decided on it since (approved, rejected, exported, or any decision
  taken after the device's version was made): then the office's version stays, the device's
  audit entries still arrive, and the import says how many were kept;
- a NIK that another record (of the office or another device) already holds keeps both
  records: the incoming one holds the NIK in ``conflict_nik``, both are flagged
  (``nik_conflict``) and point at each other, and the verifier sees them side by side;
- documents go into ``ctx.blobs`` (checked against their SHA-256), in the import's transaction
  where the store is the database;
- the device's audit entries are appended as the device wrote them (time, clerk, device code),
  each once (``origin_ref``); the import itself is one more entry, by the importing admin.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from nonasn_desktop.accounts.authz import Actor, authorise
from nonasn_desktop.core import audit
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.crypto.age import Identity
from nonasn_desktop.crypto.envelope import transfer_identity
from nonasn_desktop.crypto.minisign import SecretKey
from nonasn_desktop.errors import ConflictError
from nonasn_desktop.office.fielddevice import require_office_side
from nonasn_desktop.office.keys import unlock_office_key
from nonasn_desktop.rules.permissions import Permission
from nonasn_desktop.storage.docstore import EncryptedFolderDocumentStore, FolderDocumentStore
from nonasn_desktop.storage.models import Device, DeviceTransfer, Registration
from nonasn_desktop.transfer.merger import RecordMerger
from nonasn_desktop.transfer.verify import Checked, TransferContents, open_transfer


@dataclass(frozen=True)
class ImportResult:
    device_code: str
    device_name: str
    sequence: int
    already_imported: bool
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_office: int = 0
    conflicts: tuple[str, ...] = ()
    documents_added: int = 0
    audit_added: int = 0


def _replay(session: Session, checked: Checked) -> DeviceTransfer | None:
    known = session.scalars(
        select(DeviceTransfer).where(
            DeviceTransfer.device_id == checked.device.id,
            DeviceTransfer.sequence == checked.facts.sequence,
        )
    ).one_or_none()
    if known is not None and known.manifest_sha256 != checked.manifest_sha256:
        raise ConflictError(
            f"Berkas transfer nomor urut {checked.facts.sequence} dari perangkat "
            f"{checked.device.code} sudah diimpor pada {known.imported_at:%d-%m-%Y} dengan isi "
            f"lain; berkas {checked.path.name} ditolak, tidak ada yang diubah.",
            hint="Berkas ini diputar ulang atau diubah. Minta perangkat membuat berkas baru "
            "(nonasn transfer export --all).",
        )
    return known


# Bytes of documents handed to the writing threads and not yet written: enough to keep them busy
# while the next documents are read, decrypted and checked, small beside the import's memory
# target (benchmarks/bench_transfer.py: < 150 MB for 410 MB of documents).
_WRITES_IN_FLIGHT_BYTES = 16 * 1024 * 1024
# Threads writing the files at most. A second one starts when the first falls behind by the
# whole allowance above: a disk that takes its time over each new file and folder (a laptop's
# hard disk, a busy virtual one) then has two being created at once, which took a sixth off
# the import there (bench_transfer's data on the build machine's virtual disk: 3.4-3.7 s ->
# 2.9-3.0 s). Where the first keeps up (an SSD, a RAM disk) there is no second, which would
# only contend for the interpreter lock. A third gained nothing.
_WRITERS = 2


class _Documents:
    """Stores a transfer's documents before any row is written, and undoes that on failure.

    The data folder's store, plain or encrypted, writes every new file complete but without a
    per-file fsync, and makes them durable together (:meth:`sync`) before the transaction
    commits; when the import fails, the files it added are removed again, so a refused
    transfer leaves the documents folder as it was. The office database's store writes in
    the import's transaction.

    A data folder's files are written by a thread of their own (two when the disk is slow:
    :data:`_WRITERS`) while this one reads, decrypts and checks the next documents from the
    transfer file: creating a file and its folders costs the disk about a millisecond, and
    that thread spends it outside the interpreter lock (so do the encryption and the write).
    At most :data:`_WRITES_IN_FLIGHT_BYTES` wait for them.
    """

    def __init__(self, ctx: AppContext, session: Session) -> None:
        self._ctx = ctx
        self._session = session
        folders = (FolderDocumentStore, EncryptedFolderDocumentStore)
        self._folder = ctx.blobs if isinstance(ctx.blobs, folders) else None
        self._writers: list[concurrent.futures.ThreadPoolExecutor] = []
        self._pending: collections.deque[tuple[concurrent.futures.Future[Path | None], int]] = (
            collections.deque()
        )
        self._pending_bytes = 0
        self.created: list[Path] = []
        self.count = 0

    def store(self, contents: TransferContents) -> None:
        """Store every document of ``contents``; when it returns, all are written (not yet
        durable: :meth:`sync`)."""
        if self._folder is None:
            for sha, data in contents.documents():
                if not self._ctx.blobs.exists(sha):
                    self._ctx.blobs.put(data, session=self._session)
                    self.count += 1
            return
        folder = self._folder
        self._add_writer()
        try:
            submitted: set[str] = set()
            for sha, data in contents.documents():
                if sha in submitted:
                    # The same bytes under a second member name: two writers must not both
                    # write (and count) one file.
                    continue
                submitted.add(sha)
                writer = self._writers[len(submitted) % len(self._writers)]
                self._pending.append((writer.submit(folder.put_unsynced, data, sha), len(data)))
                self._pending_bytes += len(data)
                while self._pending_bytes > _WRITES_IN_FLIGHT_BYTES:
                    if not self._pending[0][0].done() and len(self._writers) < _WRITERS:
                        self._add_writer()  # The disk is the slower side: see _WRITERS.
                    self._collect()
            while self._pending:
                self._collect()
        finally:
            for writer in self._writers:
                writer.shutdown(wait=True)

    def _add_writer(self) -> None:
        name = f"documents-{len(self._writers) + 1}"
        self._writers.append(concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix=name))

    def _collect(self) -> None:
        """Wait for the oldest write; raises what it raised (a full disk: StorageError)."""
        future, size = self._pending.popleft()
        self._pending_bytes -= size
        path = future.result()
        if path is not None:
            self.created.append(path)
            self.count += 1

    def sync(self) -> None:
        if self._folder is not None:
            self._folder.sync(self.created)

    def undo(self) -> None:
        """Remove the files this import added, also those still being written when it failed."""
        for future, _ in self._pending:
            future.cancel()
        for writer in self._writers:
            writer.shutdown(wait=True)
        for future, _ in self._pending:
            if not future.cancelled() and future.exception() is None:
                path = future.result()
                if path is not None:
                    self.created.append(path)
        self._pending.clear()
        for path in self.created:
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)


def import_transfer(ctx: AppContext, path: Path, *, passphrase: str, actor: Actor) -> ImportResult:
    """Verify ``path`` completely, then merge it in one transaction (see the module docstring).

    ``passphrase`` opens the office key, from which the transfer identity is derived.
    """
    require_office_side(ctx, "Impor berkas transfer")
    authorise(ctx, actor, Permission.TRANSFER_IMPORT)
    # The office key's argon2id and the signature's pass over the whole file both release the
    # interpreter lock: the key is opened while the file is hashed. Nothing of the file is
    # decrypted or parsed before its signature has been verified.
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="office-key") as pool:
        unlocking = pool.submit(unlock_office_key, ctx, passphrase)
        try:
            return _import(ctx, Path(path), actor.username, lambda: _identity(unlocking))
        finally:
            # A refused file leaves the derivation running: let it end before returning.
            concurrent.futures.wait([unlocking])


def _identity(unlocking: concurrent.futures.Future[SecretKey]) -> Identity:
    return transfer_identity(unlocking.result().seed())


def _import(
    ctx: AppContext, path: Path, actor: str, identity: Callable[[], Identity]
) -> ImportResult:
    with open_transfer(ctx, path, identity) as contents:
        contents.read_manifest()
        checked = contents.checked
        with ctx.db.session() as session:
            if _replay(session, checked) is not None:
                return _already(checked)
        contents.verify()
        documents: _Documents | None = None
        try:
            with ctx.db.session() as session:
                # Checked again inside the transaction: two admins importing the same file at
                # two desks at once; the unique (device, sequence) settles the race.
                if _replay(session, checked) is not None:
                    return _already(checked)
                documents = _Documents(ctx, session)
                documents.store(contents)
                merger = RecordMerger(ctx, session, checked, actor)
                merger.merge_all()
                result = _close(session, merger, checked, documents.count, merger.audit_trail())
                documents.sync()
            return result
        except BaseException:
            if documents is not None:
                documents.undo()
            raise


def _already(checked: Checked) -> ImportResult:
    return ImportResult(
        device_code=checked.device.code,
        device_name=checked.device.name,
        sequence=checked.facts.sequence,
        already_imported=True,
    )


def _close(
    session: Session, merger: RecordMerger, checked: Checked, documents: int, audit_added: int
) -> ImportResult:
    device = session.get(Device, checked.device.id)
    assert device is not None
    device.last_sequence = max(device.last_sequence, checked.facts.sequence)
    device.last_sha256 = checked.manifest_sha256
    session.add(
        DeviceTransfer(
            device_id=device.id,
            sequence=checked.facts.sequence,
            manifest_sha256=checked.manifest_sha256,
            file_blake2b=checked.file_blake2b,
            file_name=checked.path.name[:255],
            imported_at=merger.now,
            imported_by=merger.actor,
            record_count=len(checked.records),
        )
    )
    audit.record(
        session,
        actor=merger.actor,
        action="transfer.import",
        entity="device",
        entity_id=device.code,
        changes={
            "sequence": (None, checked.facts.sequence),
            "added": (None, merger.added),
            "updated": (None, merger.updated),
            "kept_office": (None, merger.kept),
            "nik_conflicts": (None, len(merger.conflicts)),
        },
        reason=checked.path.name,
        at=merger.now,
    )
    return ImportResult(
        device_code=device.code,
        device_name=device.name,
        sequence=checked.facts.sequence,
        already_imported=False,
        added=merger.added,
        updated=merger.updated,
        unchanged=merger.unchanged,
        kept_office=merger.kept,
        conflicts=tuple(merger.conflicts),
        documents_added=documents,
        audit_added=audit_added,
    )


def describe_import(result: ImportResult) -> list[str]:
    """The import's outcome in the words the command line and the GUI show."""
    source = f"perangkat {result.device_code} ({result.device_name}), nomor {result.sequence}"
    if result.already_imported:
        return [f"Berkas transfer {source} sudah pernah diimpor; tidak ada yang ditambahkan."]
    lines = [
        f"Berkas transfer {source} diimpor: {result.added} data baru, {result.updated} "
        f"diperbarui, {result.unchanged} tidak berubah, {result.documents_added} dokumen, "
        f"{result.audit_added} catatan audit."
    ]
    if result.kept_office:
        lines.append(
            f"{result.kept_office} data sudah diputuskan kantor; versi kantor dipertahankan "
            "(perubahan perangkat tercatat di jejak audit)."
        )
    if result.conflicts:
        lines.append(
            f"{len(result.conflicts)} NIK sudah terdaftar di data lain: kedua data disimpan dan "
            "ditandai untuk verifikator."
        )
        lines.extend(f"  - {conflict}" for conflict in result.conflicts)
    return lines


def flagged_pairs(ctx: AppContext) -> list[tuple[int, int]]:
    """(record, the record it conflicts with) for every record flagged with a NIK conflict."""
    with ctx.db.session() as session:
        rows: Iterable[Any] = session.execute(
            select(Registration.id, Registration.nik_conflict_with)
            .where(Registration.nik_conflict.is_(True))
            .order_by(Registration.id)
        )
        return [(row.id, row.nik_conflict_with) for row in rows]
