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

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from nonasn_desktop.accounts.users import require_role
from nonasn_desktop.core import audit
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.crypto.envelope import transfer_identity
from nonasn_desktop.errors import ConflictError
from nonasn_desktop.office.fielddevice import require_office_side
from nonasn_desktop.office.keys import unlock_office_key
from nonasn_desktop.rules.roles import Role
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.storage import jsontext
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


class _Merger:
    def __init__(
        self, ctx: AppContext, session: Session, contents: TransferContents, actor: str
    ) -> None:
        self.ctx = ctx
        self.session = session
        self.contents = contents
        self.checked = contents.checked
        self.actor = actor
        self.clerks = _clerk_ids(session)
        self.now = ctx.now()
        self.added = self.updated = self.unchanged = self.kept = self.documents = 0
        self.conflicts: list[str] = []
        self.ids: dict[str, int] = {}

    # -- records ---------------------------------------------------------------------------

    def merge(self, record: IncomingRecord) -> None:
        session = self.session
        row = session.scalars(
            select(Registration).where(Registration.uid == record.uid)
        ).one_or_none()
        incoming_at: dt.datetime = record.registration["updated_at"]
        if row is None:
            row = Registration(uid=record.uid, created_at=self.now, updated_at=self.now)
            session.add(row)
            self._fill(row, record)
            session.flush()
            self.added += 1
            action = "transfer.record_added"
        else:
            self.ids[record.uid] = row.id
            if row.origin_device != self.checked.device.code:
                raise ConflictError(
                    f"{record.describe()} di berkas {self.checked.path.name} adalah data "
                    f"perangkat {row.origin_device or 'kantor'}, bukan {self.checked.device.code}; "
                    "berkas ditolak, tidak ada yang diubah.",
                )
            if row.source_updated_at is not None and incoming_at <= row.source_updated_at:
                self.unchanged += 1
                return
            decided_after = row.decided_at is not None and row.decided_at >= incoming_at
            if RecordStatus(row.status) in _DECIDED or decided_after:
                self.kept += 1
                audit.record(
                    session,
                    actor=self.actor,
                    action="transfer.record_kept_office",
                    entity=ENTITY,
                    entity_id=row.id,
                    reason=f"kantor sudah memutuskan; versi perangkat {self.checked.device.code} "
                    "dicatat di jejak audit, tidak menggantikan",
                    at=self.now,
                )
                return
            self._fill(row, record)
            row.returned_to_device = None
            self.updated += 1
            action = "transfer.record_updated"
        self.ids[record.uid] = row.id
        self._children(row, record)
        self._nik(row, record)
        audit.record(
            session,
            actor=self.actor,
            action=action,
            entity=ENTITY,
            entity_id=row.id,
            changes={"status": (None, RecordStatus(row.status).value)},
            reason=f"transfer {self.checked.path.name} dari perangkat {self.checked.device.code}",
            at=self.now,
        )

    def _fill(self, row: Registration, record: IncomingRecord) -> None:
        for key, value in record.registration.items():
            if key not in ("uid", "nik", "created_at", "updated_at"):
                setattr(row, key, value)
        row.created_at = record.registration["created_at"]
        row.updated_at = self.now
        row.source_updated_at = record.registration["updated_at"]
        for key in ("created_by", "updated_by", "decided_by"):
            username = record.clerks.get(key)
            setattr(row, key, self.clerks.get(username) if username else None)
        nik = record.registration["nik"]
        if nik is not None and row.roster_entry_id is None:
            row.roster_entry_id = self.session.scalar(
                select(RosterEntry.id).where(RosterEntry.nik == nik)
            )

    def _children(self, row: Registration, record: IncomingRecord) -> None:
        session = self.session
        session.execute(delete(WorkHistory).where(WorkHistory.registration_id == row.id))
        session.add_all(
            WorkHistory(registration_id=row.id, **entry) for entry in record.work_history
        )
        existing = {
            (doc.kind, doc.sha256, doc.created_at): doc
            for doc in session.scalars(select(Document).where(Document.registration_id == row.id))
        }
        local_ids: dict[int, int] = {}
        for incoming in record.documents:
            local_id = incoming["id"]
            values = {k: v for k, v in incoming.items() if k != "id"}
            key = (values["kind"], values["sha256"], values["created_at"])
            doc = existing.get(key)
            if doc is None:
                self._store_blob(values["sha256"], values["media_type"])
                doc = Document(registration_id=row.id, **values)
                session.add(doc)
                session.flush()
            else:
                doc.active = values["active"]
                doc.check_passed = values["check_passed"]
            if isinstance(local_id, int):
                local_ids[local_id] = doc.id
        row.draft = jsontext.dumps(self._draft(record.draft, row.id, local_ids))

    def _store_blob(self, sha: str, media_type: str) -> None:
        if self.ctx.blobs.exists(sha):
            return
        data = self.contents.document(sha, media_type)
        stored = self.ctx.blobs.put(data, session=self.session)
        assert stored == sha
        self.documents += 1

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
        """Give the record its NIK, or flag both records when another already holds it."""
        nik = record.registration["nik"]
        if nik is None or nik in (row.nik, row.conflict_nik):
            return
        session = self.session
        other = session.scalars(
            select(Registration)
            .where(
                or_(Registration.nik == nik, Registration.conflict_nik == nik),
                Registration.id != row.id,
            )
            .order_by(Registration.id)
            .limit(1)
        ).one_or_none()
        if other is None:
            row.nik = nik
            row.conflict_nik = None
            return
        row.nik = None
        row.conflict_nik = nik
        row.nik_conflict = True
        row.nik_conflict_with = other.id
        other.nik_conflict = True
        if other.nik_conflict_with is None:
            other.nik_conflict_with = row.id
        session.flush()
        self.conflicts.append(f"{record.describe()}: NIK sama dengan data nomor {other.id}")
        for subject, partner in ((row, other), (other, row)):
            audit.record(
                session,
                actor=self.actor,
                action="registration.nik_conflict",
                entity=ENTITY,
                entity_id=subject.id,
                changes={"nik_conflict_with": (None, partner.id)},
                reason="NIK yang sama terdaftar di kantor/perangkat lain; keduanya disimpan dan "
                "ditandai untuk verifikator",
                at=self.now,
            )

    # -- audit trail -----------------------------------------------------------------------

    def audit_trail(self) -> int:
        device = self.checked.device.code
        refs = [f"{device}:{item.origin_id}" for item in self.checked.audit]
        known: set[str] = set()
        for start in range(0, len(refs), 500):
            known |= set(
                self.session.scalars(
                    select(AuditLog.origin_ref).where(
                        AuditLog.origin_ref.in_(refs[start : start + 500])
                    )
                )
            )
        added = 0
        for item, ref in zip(self.checked.audit, refs, strict=True):
            if ref in known or item.record_uid not in self.ids:
                continue
            entry = dict(item.entry)
            entry["entity_id"] = str(self.ids[item.record_uid])
            entry["device"] = entry.get("device") or device
            self.session.add(AuditLog(origin_ref=ref, **entry))
            added += 1
        return added


def import_transfer(ctx: AppContext, path: Path, *, passphrase: str, actor: str) -> ImportResult:
    """Verify ``path`` completely, then merge it in one transaction (see the module docstring).

    ``passphrase`` opens the office key, from which the transfer identity is derived.
    """
    require_office_side(ctx, "Impor berkas transfer")
    with ctx.db.session() as session:
        require_role(session, actor, [Role.ADMIN])
    identity = transfer_identity(unlock_office_key(ctx, passphrase).seed())
    with open_transfer(ctx, Path(path), identity) as contents:
        contents.read_manifest()
        checked = contents.checked
        with ctx.db.session() as session:
            if _replay(session, checked) is not None:
                return ImportResult(
                    device_code=checked.device.code,
                    device_name=checked.device.name,
                    sequence=checked.facts.sequence,
                    already_imported=True,
                )
        contents.verify()
        with ctx.db.session() as session:
            # Checked again inside the transaction: two admins importing the same file at
            # two desks at once; the unique (device, sequence) settles the race.
            if _replay(session, checked) is not None:
                return ImportResult(
                    checked.device.code,
                    checked.device.name,
                    checked.facts.sequence,
                    already_imported=True,
                )
            merger = _Merger(ctx, session, contents, actor)
            for record in checked.records:
                merger.merge(record)
            audit_added = merger.audit_trail()
            device = session.get(Device, checked.device.id)
            assert device is not None
            device.last_sequence = max(device.last_sequence, checked.facts.sequence)
            device.last_sha256 = checked.file_sha256
            session.add(
                DeviceTransfer(
                    device_id=device.id,
                    sequence=checked.facts.sequence,
                    manifest_sha256=checked.manifest_sha256,
                    file_sha256=checked.file_sha256,
                    file_name=checked.path.name[:255],
                    imported_at=merger.now,
                    imported_by=actor,
                    record_count=len(checked.records),
                )
            )
            audit.record(
                session,
                actor=actor,
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
                documents_added=merger.documents,
                audit_added=audit_added,
            )


def flagged_pairs(ctx: AppContext) -> list[tuple[int, int]]:
    """(record, the record it conflicts with) for every record flagged with a NIK conflict."""
    with ctx.db.session() as session:
        rows: Iterable[Any] = session.execute(
            select(Registration.id, Registration.nik_conflict_with)
            .where(Registration.nik_conflict.is_(True))
            .order_by(Registration.id)
        )
        return [(row.id, row.nik_conflict_with) for row in rows]
