"""Signed, optionally encrypted batch files of approved records for the central office.

One export writes, into the chosen folder, for the next batch sequence number ``N``:

- ``nonasn-<office>-<N:06d>.zip`` (or ``.zip.age`` when encrypted to age recipients): a ZIP
  container, every member stored (no compression), holding ``records.jsonl`` (one record per
  line), every active document once under ``documents/<sha256>.<ext>``, and ``manifest.json``
  written last with the SHA-256 of every other member;
- ``<that name>.minisig``: a minisign signature by the office key over the file as written
  (the encrypted bytes when encrypted), whose trusted comment names office, batch id and
  sequence number;
- ``nonasn-<office>-<N:06d>.sptjm.pdf``: the SPTJM for the PPK to sign.

The container is produced in one streaming pass: records are read from the database in small
groups, documents are copied from the document store in 1 MiB pieces (each checked against its
SHA-256 on the way), the encryption works chunk by chunk, and the BLAKE2b digest the signature
needs is computed over the bytes as they go to disk. Memory does not grow with the documents'
size; what it keeps per batch is one short line per record (for the SPTJM) and per document
(for the manifest).

Crash safety: every file is first written under a temporary name (``.<name>.partial``),
flushed and fsync'd; only when all three are complete are they renamed into place, the
signature last (a batch file without its signature is refused by the centre). The records are
marked exported and the batch row written in the same database transaction as those renames;
if it fails, the renamed files are removed again. An interrupted or cancelled export leaves at
most ``.partial`` files (cleaned up by the next export into that folder) and marks nothing.

A lost batch is written again (:func:`rewrite_batch`) from its recorded membership with the
same batch id, sequence number, creation time and app version: the container's content (and
its manifest hash, which is checked) is identical; only the encryption differs (a fresh file
key), and so the signature.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from nonasn_desktop import __version__
from nonasn_desktop.accounts.authz import Actor, authorise
from nonasn_desktop.batch import files
from nonasn_desktop.batch.files import Written, clean_stale_partials, prepare_folder
from nonasn_desktop.batch.records import ID_GROUP, Plan, chunks
from nonasn_desktop.batch.writing import (
    PHASE_DOCUMENTS,
    PHASE_FINISH,
    PHASE_RECORDS,
    ExportCancelledError,
    Reporter,
    write_files,
)
from nonasn_desktop.core import audit
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.core.progress import Cancelled, Progress
from nonasn_desktop.crypto.age import Recipient
from nonasn_desktop.crypto.minisign import SecretKey, key_id_hex
from nonasn_desktop.errors import ConflictError, NotFoundError, UserError
from nonasn_desktop.office.fielddevice import require_office_side
from nonasn_desktop.office.identity import OfficeInfo, get_office
from nonasn_desktop.office.keys import unlock_office_key
from nonasn_desktop.registration.store import ENTITY
from nonasn_desktop.rules.permissions import Permission
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.storage import jsontext
from nonasn_desktop.storage.models import AuditLog, Batch, Registration

__all__ = [
    "PHASE_DOCUMENTS",
    "PHASE_FINISH",
    "PHASE_RECORDS",
    "BatchInfo",
    "BatchResult",
    "ExportCancelledError",
    "NothingToExportError",
    "clean_stale_partials",
    "export_batch",
    "find_batch",
    "list_batches",
    "parse_recipients",
    "pending_count",
    "rewrite_batch",
]


@dataclass(frozen=True)
class BatchResult:
    batch_id: str
    sequence: int
    record_count: int
    document_count: int
    file: Path
    signature: Path
    sptjm: Path
    size: int
    encrypted: bool
    recipients: tuple[str, ...]
    key_id: str
    manifest_sha256: str
    rewritten: bool


@dataclass(frozen=True)
class BatchInfo:
    id: int
    batch_id: str
    sequence: int
    created_at: dt.datetime
    record_count: int
    file_name: str | None
    encrypted: bool
    recipients: tuple[str, ...]
    key_id: str | None


class NothingToExportError(UserError):
    """No approved record is waiting for export."""


def parse_recipients(texts: Sequence[str]) -> list[Recipient]:
    """age recipients from text (``age1…``), without duplicates, in the order given."""
    recipients: list[Recipient] = []
    for text in texts:
        if not text.strip():
            continue
        recipient = Recipient.parse(text)
        if recipient not in recipients:
            recipients.append(recipient)
    return recipients


def _result(plan: Plan, written: Written, key: SecretKey) -> BatchResult:
    return BatchResult(
        batch_id=plan.batch_id,
        sequence=plan.sequence,
        record_count=written.manifest.record_count,
        document_count=written.manifest.document_count,
        file=written.final("data"),
        signature=written.final("signature"),
        sptjm=written.final("sptjm"),
        size=written.size,
        encrypted=bool(plan.recipients),
        recipients=tuple(str(r) for r in plan.recipients),
        key_id=key_id_hex(key.key_id),
        manifest_sha256=written.manifest_sha256,
        rewritten=plan.rewrite_of is not None,
    )


def _require_office(ctx: AppContext) -> OfficeInfo:
    # Only the office signs batches for the centre; a field laptop hands its work to the office.
    require_office_side(ctx, "Ekspor batch ke kantor pusat")
    office = get_office(ctx)
    if office is None:
        raise ConflictError(
            "Kantor belum disiapkan.",
            hint="Jalankan dulu: nonasn init --office-code KODE --office-name NAMA",
        )
    return office


# -- public API ---------------------------------------------------------------------------------


def pending_count(ctx: AppContext) -> int:
    """How many approved records wait for the next batch."""
    with ctx.db.session() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(Registration)
                .where(
                    Registration.status == RecordStatus.DISETUJUI,
                    Registration.batch_id.is_(None),
                    # A NIK held by two records waits until the verifier has settled it.
                    Registration.nik_conflict.is_not(True),
                )
            )
            or 0
        )


def _batch_info(row: Batch) -> BatchInfo:
    recipients = tuple(jsontext.loads(row.recipients) or ())
    return BatchInfo(
        id=row.id,
        batch_id=row.batch_uuid,
        sequence=row.sequence,
        created_at=row.created_at,
        record_count=row.record_count,
        file_name=row.file_name,
        encrypted=bool(recipients),
        recipients=recipients,
        key_id=row.key_id,
    )


def list_batches(ctx: AppContext) -> list[BatchInfo]:
    """Every batch written so far, newest first."""
    with ctx.db.session() as session:
        rows = session.scalars(select(Batch).order_by(Batch.sequence.desc())).all()
        return [_batch_info(row) for row in rows]


def _find_batch(session: Session, ref: str) -> Batch:
    text = ref.strip()
    query = select(Batch)
    if text.isdigit():
        query = query.where(Batch.sequence == int(text))
    else:
        query = query.where(Batch.batch_uuid == text.lower())
    row = session.scalars(query).one_or_none()
    if row is None:
        raise NotFoundError(
            f"Batch '{text}' tidak ditemukan.",
            hint="Sebutkan ID batch (UUID) atau nomor urutnya; lihat: nonasn batch list",
        )
    return row


def find_batch(ctx: AppContext, ref: str) -> BatchInfo:
    """A batch by its id (UUID) or sequence number."""
    with ctx.db.session() as session:
        return _batch_info(_find_batch(session, ref))


def _waiting_ids(session: Session) -> list[int]:
    """Every approved record not yet in a batch, in id order."""
    return list(
        session.scalars(
            select(Registration.id)
            .where(
                Registration.status == RecordStatus.DISETUJUI,
                Registration.batch_id.is_(None),
                # A NIK held by two records waits until the verifier has settled it.
                Registration.nik_conflict.is_not(True),
            )
            .order_by(Registration.id)
        )
    )


def _mark_exported(
    session: Session, plan: Plan, batch_row_id: int, actor: str, now: dt.datetime
) -> None:
    """Mark the plan's records exported into the batch row, each with its audit entry.

    A record that changed since the plan was made (exported from another window, sent back)
    fails the whole batch: the caller's transaction is rolled back and its files removed.
    """
    for group in chunks(plan.record_ids, ID_GROUP):
        changed = session.execute(
            update(Registration)
            .where(
                Registration.id.in_(group),
                Registration.status == RecordStatus.DISETUJUI,
                Registration.batch_id.is_(None),
            )
            .values(status=RecordStatus.DIEKSPOR, batch_id=batch_row_id, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if changed.rowcount != len(group):  # type: ignore[attr-defined]
            raise ConflictError(
                "Sebagian data batch ini sudah diekspor atau berubah selama ekspor "
                "(mungkin dari jendela lain); batch dibatalkan.",
                hint="Ulangi ekspor; data yang belum diekspor akan masuk batch baru.",
            )
        for registration_id in group:
            audit.record(
                session,
                actor=actor,
                action="registration.exported",
                entity=ENTITY,
                entity_id=registration_id,
                changes={
                    "status": (RecordStatus.DISETUJUI.value, RecordStatus.DIEKSPOR.value),
                    "batch": (None, plan.batch_id),
                },
                at=now,
            )


def _commit_export(
    ctx: AppContext, plan: Plan, written: Written, key: SecretKey, actor: str
) -> None:
    """Record the batch and mark its records in one transaction, installing the files inside
    it: either the files are in place and the records marked, or neither."""
    try:
        with ctx.db.session() as session:
            batch = Batch(
                batch_uuid=plan.batch_id,
                sequence=plan.sequence,
                created_at=plan.created_at,
                record_count=written.manifest.record_count,
                file_name=plan.file_name,
                app_version=plan.app_version,
                manifest_sha256=written.manifest_sha256,
                key_id=key_id_hex(key.key_id),
                recipients=jsontext.dumps([str(r) for r in plan.recipients])
                if plan.recipients
                else None,
            )
            session.add(batch)
            session.flush()
            now = ctx.now()
            _mark_exported(session, plan, batch.id, actor, now)
            audit.record(
                session,
                actor=actor,
                action="batch.export",
                entity="batch",
                entity_id=plan.batch_id,
                changes={
                    "sequence": (None, plan.sequence),
                    "record_count": (None, written.manifest.record_count),
                    "file_name": (None, plan.file_name),
                    "encrypted": (None, bool(plan.recipients)),
                    # As named in the manifest: a rewrite names the office the same way even
                    # if it was renamed since.
                    "office_name": (None, plan.office.name),
                    "instansi_name": (None, plan.office.instansi_name),
                },
                at=now,
            )
            session.flush()
            files.install(written)
    except BaseException:
        files.remove(written)
        raise


def export_batch(
    ctx: AppContext,
    out_dir: Path,
    *,
    passphrase: str,
    recipients: Sequence[str] = (),
    actor: Actor,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> BatchResult:
    """Write the next batch of every approved record not yet exported into ``out_dir``.

    ``recipients``: age recipients (``age1…``) to encrypt to; none: the file is signed only.
    Raises NothingToExportError when no record waits, WrongPassphraseError for a wrong
    passphrase (before anything is written), ExportCancelledError when ``cancelled()`` turns true.
    """
    printed_by = authorise(ctx, actor, Permission.BATCH_EXPORT)
    office = _require_office(ctx)
    parsed = parse_recipients(recipients)
    key = unlock_office_key(ctx, passphrase)
    folder = prepare_folder(out_dir)
    clean_stale_partials(folder)
    with ctx.db.session() as session:
        ids = _waiting_ids(session)
        last = session.scalar(select(func.max(Batch.sequence)))
    if not ids:
        raise NothingToExportError(
            "Tidak ada data berstatus Disetujui yang belum diekspor.",
            hint="Data masuk ke batch setelah disetujui verifikator.",
        )
    plan = Plan(
        batch_id=str(uuid.uuid4()),
        sequence=(last or 0) + 1,
        created_at=ctx.now(),
        app_version=__version__,
        office=office,
        record_ids=ids,
        recipients=parsed,
    )
    reporter = Reporter(progress, cancelled)
    written = write_files(ctx, plan, key, folder, reporter, printed_by)
    _commit_export(ctx, plan, written, key, actor.username)
    return _result(plan, written, key)


def _office_at_export(session: Session, batch_id: str, office: OfficeInfo) -> OfficeInfo:
    """The office as the batch's manifest named it (from the export's audit entry)."""
    entry = session.scalars(
        select(AuditLog).where(
            AuditLog.entity == "batch",
            AuditLog.entity_id == batch_id,
            AuditLog.action == "batch.export",
        )
    ).first()
    changes = jsontext.loads(entry.changes) if entry is not None else None
    if not changes or "office_name" not in changes:
        return office
    return dataclasses.replace(
        office,
        name=changes["office_name"][1],
        instansi_name=changes.get("instansi_name", [None, office.instansi_name])[1],
    )


def rewrite_batch(
    ctx: AppContext,
    batch_ref: str,
    out_dir: Path,
    *,
    passphrase: str,
    recipients: Sequence[str] | None = None,
    actor: Actor,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> BatchResult:
    """Write a batch again (lost USB stick) with the same id, sequence and records.

    ``recipients``: None encrypts to the recipients of the original export; a list replaces
    them (an empty list writes the file unencrypted).
    """
    printed_by = authorise(ctx, actor, Permission.BATCH_EXPORT)
    office = _require_office(ctx)
    key = unlock_office_key(ctx, passphrase)
    folder = prepare_folder(out_dir)
    clean_stale_partials(folder)
    with ctx.db.session() as session:
        batch = _find_batch(session, batch_ref)
        ids = list(
            session.scalars(
                select(Registration.id)
                .where(Registration.batch_id == batch.id)
                .order_by(Registration.id)
            )
        )
        recorded = [str(r) for r in jsontext.loads(batch.recipients) or []]
        plan = Plan(
            batch_id=batch.batch_uuid,
            sequence=batch.sequence,
            created_at=batch.created_at,
            app_version=batch.app_version or __version__,
            office=_office_at_export(session, batch.batch_uuid, office),
            record_ids=ids,
            recipients=parse_recipients(recorded if recipients is None else recipients),
            rewrite_of=batch.id,
            expected_manifest_sha256=batch.manifest_sha256,
        )
    if not ids:
        raise NotFoundError(f"Batch nomor urut {plan.sequence} tidak memuat data apa pun.")
    written = write_files(ctx, plan, key, folder, Reporter(progress, cancelled), printed_by)
    try:
        files.install(written)
        with ctx.db.session() as session:
            row = session.get(Batch, plan.rewrite_of)
            assert row is not None
            row.recipients = (
                jsontext.dumps([str(r) for r in plan.recipients]) if plan.recipients else None
            )
            row.key_id = key_id_hex(key.key_id)
            row.file_name = plan.file_name
            audit.record(
                session,
                actor=actor.username,
                action="batch.rewrite",
                entity="batch",
                entity_id=plan.batch_id,
                changes={
                    "folder": (None, str(folder)),
                    "encrypted": (None, bool(plan.recipients)),
                },
                at=ctx.now(),
            )
    except BaseException:
        files.remove(written)
        raise
    return _result(plan, written, key)
