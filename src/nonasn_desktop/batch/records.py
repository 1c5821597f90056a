"""What goes into a batch: the plan of one export and each record's serialisation.

A record is read from the database as plain rows (registration, work history, active documents
and the audit entries of its status changes) and turned into the JSON object that
``records.jsonl`` holds (schema: :mod:`nonasn_desktop.central.format`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import select

from nonasn_desktop.central import format as fmt
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.crypto.age import Recipient
from nonasn_desktop.errors import ConflictError
from nonasn_desktop.office.identity import OfficeInfo
from nonasn_desktop.registration.store import ENTITY
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.storage import jsontext
from nonasn_desktop.storage.models import AuditLog, Document, Registration, WorkHistory

RECORD_GROUP = 200
ID_GROUP = 500
# Audit actions that change a record's status (its history in the batch).
_HISTORY_ACTIONS = (
    "registration.create",
    "registration.account_created",
    "registration.completed",
)


def chunks(values: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# -- what goes into a batch ---------------------------------------------------------------------


class SptjmLine(NamedTuple):
    """What the SPTJM lists of one record (printing.sptjm.SptjmRow, without importing it)."""

    unit_kerja: str | None
    nama: str
    nik: str
    jabatan: str | None
    account_number: str | None
    eligible: bool | None


@dataclass
class Plan:
    batch_id: str
    sequence: int
    created_at: dt.datetime
    app_version: str
    office: OfficeInfo
    record_ids: list[int]
    recipients: list[Recipient]
    rewrite_of: int | None = None
    expected_manifest_sha256: str | None = None
    sptjm_lines: list[SptjmLine] = field(default_factory=list)

    @property
    def created_text(self) -> str:
        return fmt.utc_text(self.created_at)

    @property
    def file_name(self) -> str:
        return fmt.container_name(self.office.code, self.sequence, encrypted=bool(self.recipients))

    @property
    def base_name(self) -> str:
        return fmt.base_name(self.office.code, self.sequence)


def _text(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return fmt.utc_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _history(entries: list[AuditLog]) -> list[dict[str, Any]]:
    history = []
    for entry in entries:
        changes = jsontext.loads(entry.changes) or {}
        status = changes.get("status") or [None, None]
        history.append(
            {
                "at": fmt.utc_text(entry.at),
                "action": entry.action,
                "actor": entry.actor,
                "from_status": status[0],
                "to_status": status[1],
                "reason": entry.reason,
            }
        )
    return history


def _eligibility(row: Any) -> dict[str, Any]:
    detail = jsontext.loads(row.eligibility_detail) or {}
    criteria = [
        {
            "code": str(item.get("code")),
            "title": item.get("title"),
            "met": bool(item.get("met")),
            "reason": item.get("reason"),
        }
        for item in detail.get("criteria", [])
        if isinstance(item, dict)
    ]
    outcome = None if row.eligible is None else ("MS" if row.eligible else "TMS")
    return {"outcome": outcome, "failed_criteria": row.failed_criteria, "criteria": criteria}


def _position(entry: Any) -> dict[str, Any]:
    """One work history row of a record."""
    return {
        "seq": entry.seq,
        "unit_kerja": entry.unit_kerja,
        "jabatan": entry.jabatan,
        "nomor_sk": entry.nomor_sk,
        "tanggal_sk": _text(entry.tanggal_sk),
        "tmt": _text(entry.tmt),
        "tanggal_selesai": _text(entry.tanggal_selesai),
        "pejabat_penandatangan": entry.pejabat_penandatangan,
        "sumber_gaji": entry.sumber_gaji,
        "melalui_pengadaan": entry.melalui_pengadaan,
        "gaji_bulanan": entry.gaji_bulanan,
    }


def _document(document: Any) -> dict[str, Any]:
    """One active document row of a record, with its member name in the container."""
    return {
        "kind": document.kind,
        "variant": document.variant,
        "original_name": document.original_name,
        "media_type": document.media_type,
        "size": document.size,
        "sha256": document.sha256,
        "member": fmt.document_member(document.sha256, document.media_type),
        "compliant_copy": document.is_compliant_copy,
    }


def _record(
    row: Any, entries: list[AuditLog], work: list[Any], active: list[Any]
) -> dict[str, Any]:
    """One record of the batch (schema: :mod:`nonasn_desktop.central.format`).

    ``work``: its work history rows by ``seq``; ``active``: its active document rows by kind.
    """
    verval = [e for e in entries if e.action.startswith("verval.")]
    decider = verval[-1].actor if verval else None
    return {
        "record_schema": fmt.RECORD_SCHEMA_VERSION,
        "identity": {
            "nik": row.nik,
            "nomor_kk": row.nomor_kk,
            "nama": row.nama,
            "tempat_lahir": row.tempat_lahir,
            "tanggal_lahir": _text(row.tanggal_lahir),
            "jenis_kelamin": row.jenis_kelamin,
            "nomor_hp": row.nomor_hp,
            "email": row.email,
            "nomor_thk2": row.nomor_thk2,
        },
        # Never the password or the security answer, not even their hashes.
        "account": {
            "account_number": row.account_number,
            "account_created_at": _text(row.account_created_at),
            "pertanyaan_pengaman": row.pertanyaan_pengaman,
        },
        "biodata": {
            "agama": row.agama,
            "status_perkawinan": row.status_perkawinan,
            "alamat": row.alamat,
        },
        "education": {
            "pendidikan_jenjang": row.pendidikan_jenjang,
            "nama_sekolah": row.nama_sekolah,
            "jurusan": row.jurusan,
            "nomor_ijazah": row.nomor_ijazah,
            "tanggal_ijazah": _text(row.tanggal_ijazah),
        },
        "employment": {
            "masih_aktif": row.masih_aktif,
            "bentuk_sk": row.bentuk_sk,
            "unit_kerja": row.unit_kerja,
        },
        "work_history": [_position(entry) for entry in work],
        "eligibility": _eligibility(row),
        "verval": {
            "decision": RecordStatus.DISETUJUI.value,
            "reason": row.decision_reason,
            "decided_at": _text(row.decided_at),
            "decided_by": decider,
        },
        "history": _history(entries),
        "registration": {
            "created_at": _text(row.created_at),
            "declaration_at": _text(row.declaration_at),
            "completed_at": _text(row.completed_at),
        },
        "documents": [_document(document) for document in active],
    }


def current_jabatan(work_history: list[dict[str, Any]]) -> str | None:
    """The position of the entry with the latest TMT (the person's present job)."""
    if not work_history:
        return None
    # TMT is an ISO date (text), so text order is date order.
    dated = [entry for entry in work_history if entry["tmt"]]
    if not dated:
        return str(work_history[-1]["jabatan"] or "") or None
    current = max(dated, key=lambda entry: (entry["tmt"], entry["seq"]))
    return str(current["jabatan"] or "") or None


def iter_records(ctx: AppContext, plan: Plan) -> Iterator[tuple[Any, dict[str, Any]]]:
    """Every record of the plan, in id order, a small group at a time.

    Read as plain rows (with the columns' types applied), not ORM objects: a thousand records
    carry several thousand work history and document rows, and building objects would
    dominate the time.
    """
    for group in chunks(plan.record_ids, RECORD_GROUP):
        with ctx.db.session() as session:
            rows = session.execute(
                select(Registration.__table__)
                .where(Registration.id.in_(group))
                .order_by(Registration.id)
            ).all()
            if len(rows) != len(group):
                raise ConflictError(
                    "Sebagian data batch terhapus selama ekspor; ekspor dihentikan.",
                    hint="Ulangi ekspor.",
                )
            work: dict[int, list[Any]] = {row.id: [] for row in rows}
            for position in session.execute(
                select(WorkHistory.__table__)
                .where(WorkHistory.registration_id.in_(group))
                .order_by(WorkHistory.registration_id, WorkHistory.seq)
            ):
                work[position.registration_id].append(position)
            documents: dict[int, list[Any]] = {row.id: [] for row in rows}
            for document in session.execute(
                select(Document.__table__)
                .where(Document.registration_id.in_(group), Document.active.is_(True))
                .order_by(Document.registration_id, Document.kind, Document.id)
            ):
                documents[document.registration_id].append(document)
            entries: dict[int, list[AuditLog]] = {row.id: [] for row in rows}
            history = session.scalars(
                select(AuditLog)
                .where(
                    AuditLog.entity == ENTITY,
                    AuditLog.entity_id.in_([str(i) for i in group]),
                    AuditLog.action.in_(_HISTORY_ACTIONS) | AuditLog.action.startswith("verval."),
                )
                .order_by(AuditLog.at, AuditLog.id)
            )
            for entry in history:
                entries[int(entry.entity_id or 0)].append(entry)
            for row in rows:
                yield row, _record(row, entries[row.id], work[row.id], documents[row.id])


def documents_of(ctx: AppContext, record_ids: Sequence[int]) -> list[tuple[str, str, int]]:
    """(sha256, media type, size) of every active document of the records, once, by hash."""
    found: dict[str, tuple[str, int]] = {}
    with ctx.db.session() as session:
        for group in chunks(record_ids, ID_GROUP):
            rows = session.execute(
                select(Document.sha256, Document.media_type, Document.size).where(
                    Document.registration_id.in_(group), Document.active.is_(True)
                )
            )
            for sha, media_type, size in rows:
                found.setdefault(sha, (media_type, size))
    return [(sha, media, size) for sha, (media, size) in sorted(found.items())]
