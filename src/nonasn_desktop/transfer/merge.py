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

import concurrent.futures
import contextlib
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, or_, select, update
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
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.storage import jsontext
from nonasn_desktop.storage.database import SESSION_DEVICE
from nonasn_desktop.storage.docstore import FolderDocumentStore
from nonasn_desktop.storage.models import (
    AuditLog,
    Clerk,
    Device,
    DeviceTransfer,
    Document,
    Registration,
    RosterEntry,
    WorkHistory,
)
from nonasn_desktop.transfer import format as fmt
from nonasn_desktop.transfer.verify import (
    Checked,
    IncomingRecord,
    TransferContents,
    open_transfer,
)

ENTITY = "registration"
# Decided at the office: the device's later edits never replace these.
_DECIDED = (RecordStatus.DISETUJUI, RecordStatus.DITOLAK, RecordStatus.DIEKSPOR)


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


def _clerk_ids(session: Session) -> dict[str, int]:
    return {row.username: row.id for row in session.scalars(select(Clerk))}


def _chunks(values: list[Any], size: int = 500) -> Iterable[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


class _Documents:
    """Stores a transfer's documents before any row is written, and undoes that on failure.

    The data folder's store writes every new file complete but without a per-file fsync, and
    makes them durable together (:meth:`sync`) before the transaction commits; when the import
    fails, the files it added are removed again, so a refused transfer leaves the documents
    folder as it was. The office database's store writes in the import's transaction.
    """

    def __init__(self, ctx: AppContext, session: Session) -> None:
        self._ctx = ctx
        self._session = session
        self._folder = ctx.blobs if isinstance(ctx.blobs, FolderDocumentStore) else None
        self.created: list[Path] = []
        self.count = 0

    def store(self, contents: TransferContents) -> None:
        for sha, data in contents.documents():
            if self._folder is not None:
                path = self._folder.put_unsynced(data, sha)
                if path is not None:
                    self.created.append(path)
                    self.count += 1
            elif not self._ctx.blobs.exists(sha):
                self._ctx.blobs.put(data, session=self._session)
                self.count += 1

    def sync(self) -> None:
        if self._folder is not None:
            self._folder.sync(self.created)

    def undo(self) -> None:
        for path in self.created:
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)


class _Merger:
    def __init__(self, ctx: AppContext, session: Session, checked: Checked, actor: str) -> None:
        self.ctx = ctx
        self.session = session
        self.checked = checked
        self.device = checked.device.code
        self.actor = actor
        self.clerks = _clerk_ids(session)
        self.now = ctx.now()
        self.added = self.updated = self.unchanged = self.kept = 0
        self.conflicts: list[str] = []
        self.ids: dict[str, int] = {}
        # Rows that met a NIK another record holds (by id() of the row), until both have ids.
        self.clashes: dict[int, Registration] = {}
        records = checked.records
        uids = [record.uid for record in records]
        niks = [r.registration["nik"] for r in records if r.registration["nik"] is not None]
        self.rows: dict[str | None, Registration] = {}
        for group in _chunks(uids):
            for row in session.scalars(select(Registration).where(Registration.uid.in_(group))):
                self.rows[row.uid] = row
        self.holders: dict[str, Registration] = {}
        self.roster: dict[str, int] = {}
        for group in _chunks(niks):
            for row in session.scalars(
                select(Registration).where(
                    or_(Registration.nik.in_(group), Registration.conflict_nik.in_(group))
                )
            ):
                self.holders.setdefault(row.nik or row.conflict_nik or "", row)
            for nik, roster_id in session.execute(
                select(RosterEntry.nik, RosterEntry.id).where(RosterEntry.nik.in_(group))
            ):
                self.roster[nik] = roster_id

    # -- records ---------------------------------------------------------------------------

    def merge_all(self) -> None:
        with self.session.no_autoflush:
            for group in _chunks(self.checked.records, 200):
                new = [record for record in group if record.uid not in self.rows]
                if new:
                    self._insert(new)
                pending: list[tuple[Registration, IncomingRecord, list[Document], str]] = []
                for record in group:
                    if record.uid in self.rows:
                        merged = self._merge(record)
                        if merged is not None:
                            pending.append(merged)
                if pending:
                    self.session.flush()
                for row, record, documents, action in pending:
                    self._finish(row, record, documents, action)
            self.session.flush()

    def _insert(self, records: list[IncomingRecord]) -> None:
        """New records, in bulk (Core inserts: a thousand records are ten thousand rows)."""
        session = self.session
        values = []
        clashes: list[tuple[int, Registration]] = []
        for index, record in enumerate(records):
            row = {k: v for k, v in record.registration.items() if k != "nik"}
            row["updated_at"] = self.now
            row["source_updated_at"] = record.registration["updated_at"]
            for key in fmt.CLERK_KEYS:
                username = record.clerks.get(key)
                row[key] = self.clerks.get(username) if username else None
            nik = record.registration["nik"]
            row["roster_entry_id"] = self.roster.get(nik) if nik else None
            other = self.holders.get(nik) if nik else None
            # executemany needs the same keys in every row.
            row.update(nik=nik, conflict_nik=None, nik_conflict=None)
            if other is not None:
                row.update(nik=None, conflict_nik=nik, nik_conflict=True)
                other.nik_conflict = True
                clashes.append((index, other))
            values.append(row)
        # Plain executemany inserts (no RETURNING, which SQLite batches slowly); the new ids
        # are read back by uid, and each record's documents by insertion order.
        connection = session.connection()
        connection.execute(insert(_table(Registration)), values)
        by_uid: dict[str, int] = {}
        for group in _chunks([record.uid for record in records]):
            for uid, row_id in connection.execute(
                select(Registration.uid, Registration.id).where(Registration.uid.in_(group))
            ):
                by_uid[str(uid)] = row_id
        ids = [by_uid[record.uid] for record in records]
        work = [
            dict(entry, registration_id=row_id)
            for record, row_id in zip(records, ids, strict=True)
            for entry in record.work_history
        ]
        if work:
            connection.execute(insert(_table(WorkHistory)), work)
        documents = [
            (doc, row_id)
            for record, row_id in zip(records, ids, strict=True)
            for doc in record.documents
        ]
        doc_ids: list[int] = []
        if documents:
            connection.execute(
                insert(_table(Document)),
                [
                    {k: v for k, v in doc.items() if k != "id"} | {"registration_id": row_id}
                    for doc, row_id in documents
                ],
            )
            stored: dict[int, list[int]] = {}
            for group in _chunks(ids):
                for doc_id, row_id in connection.execute(
                    select(Document.id, Document.registration_id)
                    .where(Document.registration_id.in_(group))
                    .order_by(Document.id)
                ):
                    stored.setdefault(row_id, []).append(doc_id)
            doc_ids = [doc_id for row_id in ids for doc_id in stored.get(row_id, [])]
        local_ids: dict[int, dict[int, int]] = {}
        for (doc, row_id), doc_id in zip(documents, doc_ids, strict=True):
            if isinstance(doc["id"], int):
                local_ids.setdefault(row_id, {})[doc["id"]] = doc_id
        table = _table(Registration)
        connection.execute(
            update(table).where(table.c.id == bindparam("row_id")),
            [
                {
                    "row_id": row_id,
                    "draft": jsontext.dumps(
                        self._draft(record.draft, row_id, local_ids.get(row_id, {}))
                    ),
                }
                for record, row_id in zip(records, ids, strict=True)
            ],
        )
        # (A NIK appears on one record of a file at most: verify refuses the file otherwise.)
        for record, row_id in zip(records, ids, strict=True):
            self.ids[record.uid] = row_id
        for index, other in clashes:
            record, row_id = records[index], ids[index]
            session.execute(
                update(Registration)
                .where(Registration.id == row_id)
                .values(nik_conflict_with=other.id)
            )
            if other.nik_conflict_with is None:
                other.nik_conflict_with = row_id
            self._conflict_entries(record, row_id, other.id)
        self.added += len(records)
        self._entries(ids, "transfer.record_added")

    def _entries(self, ids: list[int], action: str) -> None:
        device = self.session.info.get(SESSION_DEVICE)
        reason = f"transfer {self.checked.path.name} dari perangkat {self.device}"
        self.session.connection().execute(
            insert(_table(AuditLog)),
            [
                {
                    "at": self.now,
                    "actor": self.actor,
                    "action": action,
                    "entity": ENTITY,
                    "entity_id": str(row_id),
                    "changes": None,
                    "reason": reason,
                    "device": device,
                }
                for row_id in ids
            ],
        )

    def _conflict_entries(self, record: IncomingRecord, row_id: int, other_id: int) -> None:
        self.conflicts.append(f"{record.describe()}: NIK sama dengan data nomor {other_id}")
        for subject, partner in ((row_id, other_id), (other_id, row_id)):
            audit.record(
                self.session,
                actor=self.actor,
                action="registration.nik_conflict",
                entity=ENTITY,
                entity_id=subject,
                changes={"nik_conflict_with": (None, partner)},
                reason="NIK yang sama terdaftar di kantor/perangkat lain; keduanya disimpan dan "
                "ditandai untuk verifikator",
                at=self.now,
            )

    def _merge(
        self, record: IncomingRecord
    ) -> tuple[Registration, IncomingRecord, list[Document], str] | None:
        row = self.rows[record.uid]
        incoming_at: dt.datetime = record.registration["updated_at"]
        self.ids[record.uid] = row.id
        if row.origin_device != self.device:
            raise ConflictError(
                f"{record.describe()} di berkas {self.checked.path.name} adalah data perangkat "
                f"{row.origin_device or 'kantor'}, bukan {self.device}; berkas ditolak, tidak "
                "ada yang diubah.",
            )
        if row.source_updated_at is not None and incoming_at <= row.source_updated_at:
            self.unchanged += 1
            return None
        decided_after = row.decided_at is not None and row.decided_at >= incoming_at
        if RecordStatus(row.status) in _DECIDED or decided_after:
            self.kept += 1
            audit.record(
                self.session,
                actor=self.actor,
                action="transfer.record_kept_office",
                entity=ENTITY,
                entity_id=row.id,
                reason=f"kantor sudah memutuskan; versi perangkat {self.device} dicatat di "
                "jejak audit, tidak menggantikan",
                at=self.now,
            )
            return None
        self._fill(row, record)
        row.returned_to_device = None
        self.session.execute(delete(WorkHistory).where(WorkHistory.registration_id == row.id))
        row.work_history = [WorkHistory(**entry) for entry in record.work_history]
        known = {(doc.kind, doc.sha256, doc.created_at): doc for doc in row.documents}
        documents = []
        for incoming in record.documents:
            values = {k: v for k, v in incoming.items() if k != "id"}
            doc = known.get((values["kind"], values["sha256"], values["created_at"]))
            if doc is None:
                doc = Document(**values)
                row.documents.append(doc)
            else:
                doc.active = values["active"]
                doc.check_passed = values["check_passed"]
            documents.append(doc)
        self._nik(row, record)
        self.updated += 1
        return row, record, documents, "transfer.record_updated"

    def _fill(self, row: Registration, record: IncomingRecord) -> None:
        for key, value in record.registration.items():
            if key not in ("uid", "nik", "updated_at"):
                setattr(row, key, value)
        row.updated_at = self.now
        row.source_updated_at = record.registration["updated_at"]
        for key in fmt.CLERK_KEYS:
            username = record.clerks.get(key)
            setattr(row, key, self.clerks.get(username) if username else None)
        nik = record.registration["nik"]
        if nik is not None and row.roster_entry_id is None:
            row.roster_entry_id = self.roster.get(nik)

    def _finish(
        self, row: Registration, record: IncomingRecord, documents: list[Document], action: str
    ) -> None:
        """After the group's flush: ids are known; the draft, the conflict audit, the entry."""
        self.ids[record.uid] = row.id
        local_ids = {
            incoming["id"]: doc.id
            for incoming, doc in zip(record.documents, documents, strict=True)
            if isinstance(incoming["id"], int)
        }
        row.draft = jsontext.dumps(self._draft(record.draft, row.id, local_ids))
        other = self.clashes.pop(id(row), None)
        if other is not None:
            row.nik_conflict_with = other.id
            if other.nik_conflict_with is None:
                other.nik_conflict_with = row.id
            self._conflict_entries(record, row.id, other.id)
        audit.record(
            self.session,
            actor=self.actor,
            action=action,
            entity=ENTITY,
            entity_id=row.id,
            changes={"status": (None, RecordStatus(row.status).value)},
            reason=f"transfer {self.checked.path.name} dari perangkat {self.device}",
            at=self.now,
        )

    @staticmethod
    def _draft(draft: dict[str, Any], row_id: int, local_ids: dict[int, int]) -> dict[str, Any]:
        """The draft with the office's ids for the record and its documents."""
        draft = dict(draft, registration_id=row_id)
        documents = draft.get("documents")
        if isinstance(documents, dict):
            remapped: dict[str, Any] = {}
            for kind, ref in documents.items():
                local = ref.get("document_id") if isinstance(ref, dict) else None
                if isinstance(local, int) and local in local_ids:
                    ref = dict(ref, document_id=local_ids[local])
                remapped[kind] = ref
            draft["documents"] = remapped
        return draft

    def _nik(self, row: Registration, record: IncomingRecord) -> None:
        """Give the record its NIK, or flag both records when another already holds it (the
        pointers are set in :meth:`_finish`, once both have ids)."""
        nik = record.registration["nik"]
        if nik is None or nik in (row.nik, row.conflict_nik):
            return
        other = self.holders.get(nik)
        if other is None or other is row:
            row.nik = nik
            row.conflict_nik = None
            self.holders[nik] = row
            return
        row.nik = None
        row.conflict_nik = nik
        row.nik_conflict = True
        other.nik_conflict = True
        self.clashes[id(row)] = other

    # -- audit trail -----------------------------------------------------------------------

    def audit_trail(self) -> int:
        refs = [f"{self.device}:{item.origin_id}" for item in self.checked.audit]
        known: set[str | None] = set()
        for group in _chunks(refs):
            known |= set(
                self.session.scalars(
                    select(AuditLog.origin_ref).where(AuditLog.origin_ref.in_(group))
                )
            )
        rows = []
        for item, ref in zip(self.checked.audit, refs, strict=True):
            if ref in known or item.record_uid not in self.ids:
                continue
            entry = dict(item.entry)
            entry["entity_id"] = str(self.ids[item.record_uid])
            entry["device"] = entry.get("device") or self.device
            entry["origin_ref"] = ref
            rows.append(entry)
        for group in _chunks(rows):
            self.session.connection().execute(insert(_table(AuditLog)), group)
        return len(rows)


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
                merger = _Merger(ctx, session, checked, actor)
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
    session: Session, merger: _Merger, checked: Checked, documents: int, audit_added: int
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
