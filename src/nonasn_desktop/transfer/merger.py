"""The records of a verified transfer file merged into the office's database.

One :class:`RecordMerger` per import, inside the import's transaction (``transfer.merge``
holds the operation and the rules, docs/offices.md "Merging a transfer"): new records in bulk,
known ones updated unless the office has decided on them, NIK clashes kept and flagged on both
records, and the device's audit entries appended once each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from nonasn_desktop.core import audit
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import ConflictError
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.storage import jsontext
from nonasn_desktop.storage.database import SESSION_DEVICE
from nonasn_desktop.storage.models import (
    AuditLog,
    Clerk,
    Document,
    Registration,
    RosterEntry,
    WorkHistory,
)
from nonasn_desktop.transfer import format as fmt
from nonasn_desktop.transfer.verify import Checked, IncomingRecord

ENTITY = "registration"
# Decided at the office: the device's later edits never replace these.
_DECIDED = (RecordStatus.DISETUJUI, RecordStatus.DITOLAK, RecordStatus.DIEKSPOR)


def _clerk_ids(session: Session) -> dict[str, int]:
    return {row.username: row.id for row in session.scalars(select(Clerk))}


def _chunks(values: list[Any], size: int = 500) -> Iterable[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


class RecordMerger:
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
        values, clashes = self._new_rows(records)
        # Plain executemany inserts (no RETURNING, which SQLite batches slowly); the new ids
        # are read back by uid, and each record's documents by insertion order.
        connection = self.session.connection()
        connection.execute(insert(_table(Registration)), values)
        ids = self._ids_by_uid(connection, records)
        work = [
            dict(entry, registration_id=row_id)
            for record, row_id in zip(records, ids, strict=True)
            for entry in record.work_history
        ]
        if work:
            connection.execute(insert(_table(WorkHistory)), work)
        local_ids = self._insert_documents(connection, records, ids)
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
        self._link_clashes(records, ids, clashes)
        self.added += len(records)
        self._entries(ids, "transfer.record_added")

    def _new_rows(
        self, records: list[IncomingRecord]
    ) -> tuple[list[dict[str, Any]], list[tuple[int, Registration]]]:
        """The registration rows to insert, and (index, holder) of those whose NIK another
        record already holds (both are flagged)."""
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
        return values, clashes

    @staticmethod
    def _ids_by_uid(connection: Connection, records: list[IncomingRecord]) -> list[int]:
        """The ids the database gave the new records, in the records' order."""
        by_uid: dict[str, int] = {}
        for group in _chunks([record.uid for record in records]):
            for uid, row_id in connection.execute(
                select(Registration.uid, Registration.id).where(Registration.uid.in_(group))
            ):
                by_uid[str(uid)] = row_id
        return [by_uid[record.uid] for record in records]

    @staticmethod
    def _insert_documents(
        connection: Connection, records: list[IncomingRecord], ids: list[int]
    ) -> dict[int, dict[int, int]]:
        """The new records' document rows; returns, per record id, the device's document id
        → the office's (the drafts name documents by id)."""
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
        return local_ids

    def _link_clashes(
        self,
        records: list[IncomingRecord],
        ids: list[int],
        clashes: list[tuple[int, Registration]],
    ) -> None:
        """Each new record that met a held NIK and its holder point at each other."""
        for index, other in clashes:
            record, row_id = records[index], ids[index]
            self.session.execute(
                update(Registration)
                .where(Registration.id == row_id)
                .values(nik_conflict_with=other.id)
            )
            if other.nik_conflict_with is None:
                other.nik_conflict_with = row_id
            self._conflict_entries(record, row_id, other.id)

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
