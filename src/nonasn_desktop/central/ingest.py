"""Loading verified batch files into the central database, all or nothing per file.

Each file is verified completely first (:func:`nonasn_desktop.central.verify.open_batch`); only
then is it loaded, in one transaction: the batch row, its documents (bytes into the
content-addressed documents folder, rows into ``central_document``) and its records. Any
problem found while loading (the file changed under us, the database refused) rolls the whole
file back. Document files written before a rollback stay in the folder; they are named by their
hash, so they are harmless and reused by the next load.

Idempotent: a batch is known by its batch id. The same batch again (same manifest hash, e.g. a
re-encrypted rewrite of a lost batch) adds nothing and says so; a different file claiming a
known batch id is refused. A NIK that is already in another batch (from the same or another
office) is loaded and reported as a conflict: the same person registered twice is a question
for the centre to settle, and both records are evidence.

Verification refuses a batch carrying an account number its office cannot have made (another
office's, or not an account number of the format at all): every number an office sends is
``<office>-…`` (``central.verify``, ``format.account_number_problem``). Two more things are
refused outright while loading, because loading them would make the central table say
something false rather than something doubtful:

- a batch that claims an (office, sequence number) already loaded with other contents: an
  office numbers its batches 1, 2, 3…, so two different "batch 1 of 1771BKD" mean two
  installations acting as one office (two laptops each set up with ``nonasn init``), and
  whichever came second would silently become part of that office's history;
- an account number that names two different people (NIKs), in this file or against what is
  already loaded: an account number is a person's number for life, so the second person's
  record would be filed under the first person's account. The office must sort it out (see
  docs/offices.md) and send a corrected batch.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, aliased

from nonasn_desktop.central import format as fmt
from nonasn_desktop.central.db import CentralDb
from nonasn_desktop.central.models import (
    CentralBatch,
    CentralDocument,
    CentralRecord,
    CentralRecordDocument,
)
from nonasn_desktop.central.trust import TrustStore
from nonasn_desktop.central.verify import BatchContents, open_batch
from nonasn_desktop.crypto.age import Identity
from nonasn_desktop.errors import ConflictError, StorageError, UserError

FLUSH_EVERY = 500
_MEDIA_BY_EXTENSION = {ext: media for media, ext in fmt.MEDIA_EXTENSIONS.items()}

Status = Literal["loaded", "already_loaded", "refused"]
Clock = Callable[[], dt.datetime]


@dataclass(frozen=True)
class IngestOutcome:
    path: Path
    status: Status
    message: str
    office_code: str | None = None
    batch_id: str | None = None
    sequence: int | None = None
    records_added: int = 0
    documents_added: int = 0
    # NIKs of this batch that are also in another batch.
    conflicts: tuple[str, ...] = ()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _media_type(name: str) -> str:
    return _MEDIA_BY_EXTENSION.get(Path(name).suffix, "application/octet-stream")


def _store_documents(
    central: CentralDb, session: Session, contents: BatchContents, batch: CentralBatch
) -> int:
    added = 0
    members = contents.document_members
    known: set[str] = set()
    shas = [m.sha256 for m in members]
    for start in range(0, len(shas), FLUSH_EVERY):
        group = shas[start : start + FLUSH_EVERY]
        known.update(
            session.scalars(select(CentralDocument.sha256).where(CentralDocument.sha256.in_(group)))
        )
    for member in members:
        if member.sha256 in known and central.documents.exists(member.sha256):
            continue
        data = contents.document(member.name)
        central.documents.put(data)
        if member.sha256 not in known:
            session.add(
                CentralDocument(
                    sha256=member.sha256,
                    media_type=_media_type(member.name),
                    size=member.size,
                    first_batch_id=batch.id,
                )
            )
            added += 1
    return added


def _record_row(record: dict[str, Any], batch: CentralBatch) -> CentralRecord:
    identity, account = record["identity"], record["account"]
    row = CentralRecord(
        batch_id=batch.id,
        office_code=batch.office_code,
        nik=identity["nik"],
        account_number=account["account_number"],
        nama=identity["nama"],
        tanggal_lahir=_date(identity["tanggal_lahir"]),
        jenis_kelamin=identity["jenis_kelamin"],
        unit_kerja=record["employment"]["unit_kerja"],
        outcome=record["eligibility"]["outcome"],
        data=json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
    )
    row.documents = [
        CentralRecordDocument(
            kind=document["kind"],
            variant=document["variant"],
            original_name=document["original_name"],
            sha256=document["sha256"],
        )
        for document in record["documents"]
    ]
    return row


def _reason(exc: BaseException) -> str:
    """Which refusal it was, without a value of the batch in it.

    The kind of error and PostgreSQL's SQLSTATE code only: the drivers' messages quote the
    offending values (a name, a NIK) and SQLAlchemy's would add the SQL parameters, and this
    text is printed and may be logged.
    """
    original = getattr(exc, "orig", None) or exc
    sqlstate = getattr(original, "sqlstate", None)
    return f"{type(original).__name__}{f' {sqlstate}' if sqlstate else ''}"


def _file_name(path: Path) -> str:
    """The file's name as text any database takes (an undecodable byte becomes U+FFFD)."""
    return os.fsencode(path.name).decode("utf-8", "replace")[: fmt.ORIGINAL_NAME_LENGTH]


def _conflicting_niks(session: Session, batch_id: int) -> tuple[str, ...]:
    other = aliased(CentralRecord)
    query = (
        select(CentralRecord.nik)
        .where(CentralRecord.batch_id == batch_id)
        .where(exists().where(other.nik == CentralRecord.nik, other.batch_id != batch_id))
        .order_by(CentralRecord.nik)
    )
    return tuple(session.scalars(query))


# How many clashing account numbers a refusal names (the rest are counted).
MAX_NAMED = 5


def _same_sequence_refusal(
    session: Session, manifest: fmt.Manifest, manifest_sha256: str, path: Path
) -> ConflictError | None:
    known = session.scalars(
        select(CentralBatch).where(
            CentralBatch.office_code == manifest.office_code,
            CentralBatch.sequence == manifest.sequence,
        )
    ).first()
    if known is None or known.manifest_sha256 == manifest_sha256:
        return None
    return ConflictError(
        f"Kantor {manifest.office_code} sudah mengirim batch nomor urut {manifest.sequence} "
        f"dengan isi yang berbeda (berkas {known.file_name}, batch {known.batch_uuid}); "
        f"berkas {path.name} tidak dimuat.",
        hint="Dua perangkat tampaknya bekerja sebagai kantor yang sama dengan penomoran "
        "sendiri-sendiri. Minta kantor itu menggabungkan datanya di kantor induk lalu mengirim "
        "batch berikutnya (lihat docs/offices.md).",
    )


def _account_clashes(session: Session, batch_id: int) -> list[tuple[str, str, str]]:
    """(account number, NIK in this batch, another NIK) for every number naming two people."""
    other = aliased(CentralRecord)
    query = (
        select(CentralRecord.account_number, CentralRecord.nik, other.nik)
        .join(other, other.account_number == CentralRecord.account_number)
        .where(CentralRecord.batch_id == batch_id, other.nik != CentralRecord.nik)
        .order_by(CentralRecord.account_number, other.nik)
    )
    return [(number, nik, other_nik) for number, nik, other_nik in session.execute(query)]


def _account_refusal(clashes: list[tuple[str, str, str]], path: Path) -> ConflictError:
    numbers = sorted({number for number, _, _ in clashes})
    named = ", ".join(numbers[:MAX_NAMED])
    more = f" dan {len(numbers) - MAX_NAMED} lainnya" if len(numbers) > MAX_NAMED else ""
    return ConflictError(
        f"Nomor akun {named}{more} sudah dipakai orang lain (NIK berbeda); berkas {path.name} "
        "tidak dimuat.",
        hint="Nomor akun adalah nomor seumur hidup satu orang. Kantor pengirim harus "
        "memeriksa perangkat yang membuat nomor itu sebelum mengirim ulang.",
    )


def ingest_file(
    central: CentralDb,
    path: Path,
    trust: TrustStore,
    identities: Sequence[Identity] = (),
    *,
    clock: Clock = _now,
) -> IngestOutcome:
    """Verify and load one batch file; raises a UserError (nothing loaded) when refused."""
    path = Path(path)
    with open_batch(path, trust, identities) as contents:
        manifest = contents.manifest
        try:
            with central.db.session() as session:
                known = _already_loaded(session, contents, path)
                if known is not None:
                    return known
                records, documents_added, conflicts = _load(central, session, contents, path, clock)
        except IntegrityError:
            raise ConflictError(
                f"Batch {manifest.batch_id} sedang atau sudah dimuat oleh proses lain; berkas "
                f"{path.name} tidak dimuat.",
                hint="Ulangi perintah ini setelah proses lain selesai.",
            ) from None
        except (SQLAlchemyError, OverflowError, UnicodeEncodeError) as exc:
            # Verification bounds every value to the central schema, so this is a database
            # refusing for a reason of its own (a value it still cannot take, a lost connection,
            # a full disk). The transaction was rolled back: the file is refused as a whole.
            raise StorageError(
                f"Basis data pusat menolak isi batch {path.name} ({_reason(exc)}); tidak ada "
                "data batch itu yang dimuat.",
                hint="Periksa basis data pusat; bila berulang, laporkan berkas ini ke petugas TI.",
            ) from None
    message = (
        f"{path.name}: batch nomor urut {manifest.sequence} kantor {manifest.office_code} "
        f"dimuat: {records} data, {documents_added} dokumen baru."
    )
    if conflicts:
        message += f" {len(conflicts)} NIK juga ada di batch lain (konflik)."
    return IngestOutcome(
        path,
        "loaded",
        message,
        records_added=records,
        documents_added=documents_added,
        conflicts=conflicts,
        office_code=manifest.office_code,
        batch_id=manifest.batch_id,
        sequence=manifest.sequence,
    )


def _already_loaded(session: Session, contents: BatchContents, path: Path) -> IngestOutcome | None:
    """The outcome for a batch id already loaded from the same manifest, None for a new batch
    id; raises ConflictError when that batch id was loaded with other contents."""
    manifest = contents.manifest
    existing = session.scalars(
        select(CentralBatch).where(CentralBatch.batch_uuid == manifest.batch_id)
    ).one_or_none()
    if existing is None:
        return None
    if existing.manifest_sha256 != contents.manifest_sha256:
        raise ConflictError(
            f"Batch {manifest.batch_id} (kantor {manifest.office_code}, nomor "
            f"urut {manifest.sequence}) sudah dimuat dengan isi yang berbeda; "
            f"berkas {path.name} tidak dimuat.",
            hint="Bandingkan kedua berkas dengan kantor pengirim.",
        )
    return IngestOutcome(
        path,
        "already_loaded",
        f"{path.name}: batch nomor urut {manifest.sequence} kantor "
        f"{manifest.office_code} sudah pernah dimuat; tidak ada yang ditambahkan.",
        office_code=manifest.office_code,
        batch_id=manifest.batch_id,
        sequence=manifest.sequence,
    )


def _load(
    central: CentralDb, session: Session, contents: BatchContents, path: Path, clock: Clock
) -> tuple[int, int, tuple[str, ...]]:
    """Add a new batch, its documents and its records in ``session``; returns the records
    and new documents added and the NIKs also in another batch. Raises ConflictError (inside
    the transaction, so the whole file is rolled back) for a refused sequence number or an
    account number that names two people."""
    manifest = contents.manifest
    refusal = _same_sequence_refusal(session, manifest, contents.manifest_sha256, path)
    if refusal is not None:
        raise refusal
    batch = _batch_row(contents, path, clock)
    session.add(batch)
    session.flush()
    documents_added = _store_documents(central, session, contents, batch)
    session.flush()
    records = 0
    for record in contents.records():
        session.add(_record_row(record, batch))
        records += 1
        if records % FLUSH_EVERY == 0:
            session.flush()
    session.flush()
    clashes = _account_clashes(session, batch.id)
    if clashes:
        # Raised inside the transaction: the whole file is rolled back.
        raise _account_refusal(clashes, path)
    return records, documents_added, _conflicting_niks(session, batch.id)


def _batch_row(contents: BatchContents, path: Path, clock: Clock) -> CentralBatch:
    manifest = contents.manifest
    return CentralBatch(
        batch_uuid=manifest.batch_id,
        office_code=manifest.office_code,
        office_name=manifest.office_name,
        instansi_name=manifest.instansi_name,
        sequence=manifest.sequence,
        created_at=fmt.parse_utc(manifest.created_at),
        app_version=manifest.app_version,
        record_count=manifest.record_count,
        document_count=manifest.document_count,
        key_id=contents.check.key.key_id,
        manifest_sha256=contents.manifest_sha256,
        file_name=_file_name(path),
        file_sha256=contents.check.sha256,
        encrypted=contents.check.encrypted,
        ingested_at=clock(),
    )


def ingest_files(
    central: CentralDb,
    paths: Sequence[Path],
    trust: TrustStore,
    identities: Sequence[Identity] = (),
    *,
    clock: Clock = _now,
) -> list[IngestOutcome]:
    """Load each file on its own: a refused file loads nothing and does not stop the others."""
    outcomes: list[IngestOutcome] = []
    for path in paths:
        try:
            outcomes.append(ingest_file(central, path, trust, identities, clock=clock))
        except UserError as exc:
            outcomes.append(IngestOutcome(Path(path), "refused", f"{Path(path).name}: {exc}"))
    return outcomes
