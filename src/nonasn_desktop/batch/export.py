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

import concurrent.futures
import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import os
import queue
import threading
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO, NamedTuple

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from nonasn_desktop import __version__
from nonasn_desktop.accounts.users import require_role
from nonasn_desktop.atomicfile import fsync_dir
from nonasn_desktop.central import format as fmt
from nonasn_desktop.core import audit
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.crypto.age import AgeWriter, Recipient
from nonasn_desktop.crypto.minisign import SecretKey, key_id_hex
from nonasn_desktop.errors import ConflictError, NotFoundError, StorageError, UserError
from nonasn_desktop.office.fielddevice import require_office_side
from nonasn_desktop.office.identity import OfficeInfo, get_office
from nonasn_desktop.office.keys import unlock_office_key
from nonasn_desktop.registration.store import ENTITY
from nonasn_desktop.rules.roles import Role
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.storage import jsontext
from nonasn_desktop.storage.models import AuditLog, Batch, Document, Registration, WorkHistory

PARTIAL_SUFFIX = ".partial"
# A .partial file untouched this long belongs to an export that died; a running export
# writes to its file continuously.
STALE_PARTIAL_SECONDS = 300
COPY_CHUNK = 1024 * 1024
RECORD_GROUP = 200
ID_GROUP = 500
# Audit actions that change a record's status (its history in the batch).
_HISTORY_ACTIONS = (
    "registration.create",
    "registration.account_created",
    "registration.completed",
)
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)

PHASE_RECORDS = "Menulis data pendaftaran"
PHASE_DOCUMENTS = "Menyalin dokumen"
PHASE_FINISH = "Menandatangani dan membuat SPTJM"


@dataclass(frozen=True)
class ExportProgress:
    """Where the export is: ``done`` of ``total`` in the current phase (records or bytes)."""

    phase: str
    done: int
    total: int


Progress = Callable[[ExportProgress], None]
Cancelled = Callable[[], bool]


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


class ExportCancelledError(UserError):
    """The user cancelled the export; nothing was marked exported."""


class NothingToExportError(UserError):
    """No approved record is waiting for export."""


# -- helpers ------------------------------------------------------------------------------------


def _partial(folder: Path, name: str) -> Path:
    return folder / f".{name}{PARTIAL_SUFFIX}"


def clean_stale_partials(folder: Path, *, now: float | None = None) -> int:
    """Remove ``.nonasn-*.partial`` files left by exports that died; returns how many."""
    current = time.time() if now is None else now
    removed = 0
    try:
        candidates = list(Path(folder).glob(f".{fmt.FILE_PREFIX}-*{PARTIAL_SUFFIX}"))
    except OSError:
        return 0
    for path in candidates:
        with contextlib.suppress(OSError):
            if current - path.stat().st_mtime >= STALE_PARTIAL_SECONDS:
                path.unlink()
                removed += 1
    return removed


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


def _prepare_folder(out_dir: Path) -> Path:
    folder = Path(out_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(
            f"Folder tujuan {folder} tidak dapat dibuat ({exc.strerror}).",
            hint="Pilih folder lain, atau periksa apakah diska USB terpasang dan dapat ditulis.",
        ) from None
    if not folder.is_dir():
        raise StorageError(f"{folder} bukan folder.", hint="Pilih folder tujuan yang lain.")
    return folder


def _write_error(folder: Path, exc: OSError) -> StorageError:
    if exc.errno == 28:  # ENOSPC
        return StorageError(
            f"Ruang di {folder} tidak cukup untuk berkas batch.",
            hint="Kosongkan ruang atau pilih diska lain; tidak ada data yang ditandai diekspor.",
        )
    return StorageError(
        f"Berkas batch tidak dapat ditulis ke {folder} ({exc.strerror}).",
        hint="Periksa folder tujuan (izin, diska USB terpasang); tidak ada data yang ditandai "
        "diekspor.",
    )


class _SignedSink:
    """Writes to the output file, counting the bytes and hashing them (BLAKE2b) for the signature.

    Hashing and writing run in a second thread fed through a short queue (at most
    ``_QUEUED`` pieces, about 2 MiB): both release the interpreter lock, so they overlap the
    copying, checking and encryption of the next pieces. :meth:`close` drains the queue and
    raises what the writing thread met.
    """

    _QUEUED = 32

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._digest = hashlib.blake2b(digest_size=64)
        self.size = 0
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=self._QUEUED)
        self._error: BaseException | None = None
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="batch-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            piece = self._queue.get()
            if piece is None:
                return
            if self._error is not None:
                continue  # keep draining so that the producer never blocks
            try:
                self._digest.update(piece)
                self._stream.write(piece)
            except BaseException as exc:  # handed to the producer by write() or close()
                self._error = exc

    def write(self, data: bytes | bytearray | memoryview) -> int:
        if self._error is not None:
            raise self._error
        if self._closed:
            raise ValueError("write to a closed batch file")
        piece = bytes(data)  # the caller may reuse its buffer
        self._queue.put(piece)
        self.size += len(piece)
        return len(piece)

    def flush(self) -> None:
        """Nothing to do before :meth:`close`; the file is fsync'd after it."""

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._queue.put(None)
            self._thread.join()
        if self._error is not None:
            raise self._error

    def digest(self) -> bytes:
        self.close()
        return self._digest.digest()


class _ZipSink:
    """What the ZIP writer writes to: forward-only (no seek), so the layout is the same
    whether the bytes go to a file or into the encryption."""

    def __init__(self, target: _SignedSink | AgeWriter) -> None:
        self._target = target
        self._position = 0
        self._abandoned = False

    def abandon(self) -> None:
        """Drop everything written from now on (an export that failed is being torn down)."""
        self._abandoned = True

    def write(self, data: bytes | bytearray | memoryview) -> int:
        if not self._abandoned:
            self._target.write(data)
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        self._target.flush()

    def close(self) -> None:
        """The ZIP writer closes its output; the real file is closed by its owner."""


def _zip_time(created_at: dt.datetime) -> tuple[int, int, int, int, int, int]:
    value = created_at.astimezone(dt.UTC)
    stamp = (value.year, value.month, value.day, value.hour, value.minute, value.second)
    return max(stamp, _ZIP_EPOCH)


def _zip_info(name: str, date_time: tuple[int, int, int, int, int, int], size: int) -> Any:
    info = zipfile.ZipInfo(name, date_time=date_time)
    info.compress_type = zipfile.ZIP_STORED
    info.create_system = 3  # Unix, on every platform: the same bytes everywhere
    info.external_attr = 0o644 << 16
    info.file_size = size
    return info


def _chunks(values: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# -- what goes into a batch ---------------------------------------------------------------------


class _SptjmLine(NamedTuple):
    """What the SPTJM lists of one record (printing.sptjm.SptjmRow, without importing it)."""

    unit_kerja: str | None
    nama: str
    nik: str
    jabatan: str | None
    account_number: str | None
    eligible: bool | None


@dataclass
class _Plan:
    batch_id: str
    sequence: int
    created_at: dt.datetime
    app_version: str
    office: OfficeInfo
    record_ids: list[int]
    recipients: list[Recipient]
    rewrite_of: int | None = None
    expected_manifest_sha256: str | None = None
    sptjm_lines: list[_SptjmLine] = field(default_factory=list)

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
        "work_history": [
            {
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
            for entry in work
        ],
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
        "documents": [
            {
                "kind": document.kind,
                "variant": document.variant,
                "original_name": document.original_name,
                "media_type": document.media_type,
                "size": document.size,
                "sha256": document.sha256,
                "member": fmt.document_member(document.sha256, document.media_type),
                "compliant_copy": document.is_compliant_copy,
            }
            for document in active
        ],
    }


def _current_jabatan(work_history: list[dict[str, Any]]) -> str | None:
    """The position of the entry with the latest TMT (the person's present job)."""
    if not work_history:
        return None
    # TMT is an ISO date (text), so text order is date order.
    dated = [entry for entry in work_history if entry["tmt"]]
    if not dated:
        return str(work_history[-1]["jabatan"] or "") or None
    current = max(dated, key=lambda entry: (entry["tmt"], entry["seq"]))
    return str(current["jabatan"] or "") or None


def _records(ctx: AppContext, plan: _Plan) -> Iterator[tuple[Any, dict[str, Any]]]:
    """Every record of the plan, in id order, a small group at a time.

    Read as plain rows (with the columns' types applied), not ORM objects: a thousand records
    carry several thousand work history and document rows, and building objects would
    dominate the time.
    """
    for group in _chunks(plan.record_ids, RECORD_GROUP):
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


def _documents(ctx: AppContext, record_ids: Sequence[int]) -> list[tuple[str, str, int]]:
    """(sha256, media type, size) of every active document of the records, once, by hash."""
    found: dict[str, tuple[str, int]] = {}
    with ctx.db.session() as session:
        for group in _chunks(record_ids, ID_GROUP):
            rows = session.execute(
                select(Document.sha256, Document.media_type, Document.size).where(
                    Document.registration_id.in_(group), Document.active.is_(True)
                )
            )
            for sha, media_type, size in rows:
                found.setdefault(sha, (media_type, size))
    return [(sha, media, size) for sha, (media, size) in sorted(found.items())]


# -- writing ------------------------------------------------------------------------------------


class _Reporter:
    def __init__(self, progress: Progress | None, cancelled: Cancelled | None) -> None:
        self._progress = progress
        self._cancelled = cancelled

    def check(self) -> None:
        if self._cancelled is not None and self._cancelled():
            raise ExportCancelledError(
                "Ekspor dibatalkan; tidak ada data yang ditandai diekspor.",
            )

    def report(self, phase: str, done: int, total: int) -> None:
        if self._progress is not None:
            self._progress(ExportProgress(phase, done, total))


def _copy_document(
    ctx: AppContext, sha: str, size: int, out: IO[bytes], reporter: _Reporter, moved: list[int]
) -> None:
    """Copy one stored document into the open ZIP member, checking it against its hash."""
    digest = hashlib.sha256()
    copied = 0
    try:
        with ctx.blobs.open(sha) as source:
            while chunk := source.read(COPY_CHUNK):
                digest.update(chunk)
                out.write(chunk)
                copied += len(chunk)
                moved[0] += len(chunk)
                reporter.check()
                reporter.report(PHASE_DOCUMENTS, moved[0], moved[1])
    except FileNotFoundError:
        raise StorageError(
            f"Dokumen {sha[:12]}… tidak ada di penyimpanan dokumen; batch tidak dibuat.",
            hint="Pulihkan folder data dari cadangan, atau unggah ulang dokumen itu.",
        ) from None
    if copied != size or digest.hexdigest() != sha:
        raise StorageError(
            f"Dokumen {sha[:12]}… rusak (isinya tidak sama lagi dengan saat diunggah); batch "
            "tidak dibuat.",
            hint="Pulihkan folder dokumen dari cadangan, atau unggah ulang dokumen itu.",
        )


def _write_container(
    ctx: AppContext,
    plan: _Plan,
    sink: _ZipSink,
    reporter: _Reporter,
    on_manifest: Callable[[fmt.Manifest, str], None],
) -> tuple[fmt.Manifest, str]:
    """Write the ZIP container; returns its manifest and the manifest's SHA-256."""
    date_time = _zip_time(plan.created_at)
    archive = zipfile.ZipFile(sink, mode="w", allowZip64=True)
    try:
        return _fill_container(ctx, plan, archive, date_time, reporter, on_manifest)
    except BaseException:
        # Close the half-written archive without writing its directory anywhere.
        sink.abandon()
        with contextlib.suppress(Exception):
            archive.close()
        raise


def _fill_container(
    ctx: AppContext,
    plan: _Plan,
    archive: zipfile.ZipFile,
    date_time: tuple[int, int, int, int, int, int],
    reporter: _Reporter,
    on_manifest: Callable[[fmt.Manifest, str], None],
) -> tuple[fmt.Manifest, str]:
    total = len(plan.record_ids)
    digest = hashlib.sha256()
    size = 0
    count = 0
    plan.sptjm_lines.clear()
    with archive.open(_zip_info(fmt.RECORDS_MEMBER, date_time, 0), "w", force_zip64=True) as out:
        for row, record in _records(ctx, plan):
            line = (
                json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
            ).encode("utf-8")
            out.write(line)
            digest.update(line)
            size += len(line)
            count += 1
            plan.sptjm_lines.append(
                _SptjmLine(
                    unit_kerja=row.unit_kerja,
                    nama=row.nama or "",
                    nik=row.nik or "",
                    jabatan=_current_jabatan(record["work_history"]),
                    account_number=row.account_number,
                    eligible=row.eligible,
                )
            )
            if count % 50 == 0 or count == total:
                reporter.check()
                reporter.report(PHASE_RECORDS, count, total)

    # The documents are content-addressed: their hashes are known before they are copied (and
    # each copy is checked against its hash), so the manifest is complete now. It is written
    # last all the same, after the documents.
    documents = _documents(ctx, plan.record_ids)
    members = [fmt.Member(fmt.RECORDS_MEMBER, digest.hexdigest(), size)]
    members += [
        fmt.Member(fmt.document_member(sha, media_type), sha, doc_size)
        for sha, media_type, doc_size in documents
    ]
    manifest = fmt.Manifest(
        batch_id=plan.batch_id,
        office_code=plan.office.code,
        office_name=plan.office.name,
        instansi_name=plan.office.instansi_name,
        sequence=plan.sequence,
        created_at=plan.created_text,
        app_version=plan.app_version,
        record_count=count,
        document_count=len(documents),
        members=tuple(members),
    )
    manifest_bytes = (
        json.dumps(manifest.to_json(), ensure_ascii=False, sort_keys=True, indent=1) + "\n"
    ).encode("utf-8")
    manifest_sha = hashlib.sha256(manifest_bytes).hexdigest()
    on_manifest(manifest, manifest_sha)

    moved = [0, sum(size for _, _, size in documents)]
    reporter.report(PHASE_DOCUMENTS, 0, moved[1])
    for member in members[1:]:
        with archive.open(_zip_info(member.name, date_time, member.size), "w") as out:
            _copy_document(ctx, member.sha256, member.size, out, reporter, moved)

    archive.writestr(_zip_info(fmt.MANIFEST_MEMBER, date_time, len(manifest_bytes)), manifest_bytes)
    archive.close()
    return manifest, manifest_sha


@dataclass
class _Written:
    temps: dict[str, Path]
    finals: dict[str, Path]
    manifest: fmt.Manifest
    manifest_sha256: str
    size: int


def _durable_write(path: Path, write: Callable[[BinaryIO], None]) -> None:
    with path.open("xb") as stream:
        write(stream)
        stream.flush()
        os.fsync(stream.fileno())


def _write_sptjm(
    ctx: AppContext,
    plan: _Plan,
    path: Path,
    manifest: fmt.Manifest,
    manifest_sha: str,
    printed_by: str,
) -> None:
    # Imported here, in the SPTJM's own thread: reportlab and Pillow load while the documents
    # are copied, and only after the key is open (the key derivation's memory and theirs do
    # not add up).
    from nonasn_desktop.printing.sptjm import SptjmBatch, SptjmRow, write_sptjm

    batch = SptjmBatch(
        office_code=plan.office.code,
        office_name=plan.office.name,
        instansi_name=plan.office.instansi_name,
        batch_id=plan.batch_id,
        sequence=plan.sequence,
        created_at=plan.created_at,
        record_count=manifest.record_count,
        file_name=plan.file_name,
        manifest_sha256=manifest_sha,
    )
    rows = [SptjmRow(*line) for line in plan.sptjm_lines]
    printed_at = ctx.now()

    def write(stream: BinaryIO) -> None:
        write_sptjm(stream, batch, rows, printed_at=printed_at, printed_by=printed_by)

    _durable_write(path, write)


def _write_files(
    ctx: AppContext,
    plan: _Plan,
    key: SecretKey,
    folder: Path,
    reporter: _Reporter,
    printed_by: str,
) -> _Written:
    data_name = plan.file_name
    finals = {
        "data": folder / data_name,
        "sptjm": folder / (plan.base_name + fmt.SPTJM_SUFFIX),
        "signature": folder / (data_name + fmt.SIGNATURE_SUFFIX),
    }
    temps = {role: _partial(folder, path.name) for role, path in finals.items()}
    for temp in temps.values():
        temp.unlink(missing_ok=True)
    # The SPTJM is drawn in a second thread while the documents are copied: the copy spends
    # its time in hashing and encryption, which release the interpreter lock.
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="sptjm")
    sptjm_job: concurrent.futures.Future[None] | None = None
    try:
        signed: _SignedSink | None = None
        result: tuple[fmt.Manifest, str] | None = None

        def manifest_ready(manifest: fmt.Manifest, manifest_sha: str) -> None:
            nonlocal sptjm_job
            if (
                plan.expected_manifest_sha256 is not None
                and manifest_sha != plan.expected_manifest_sha256
            ):
                raise ConflictError(
                    f"Isi batch nomor urut {plan.sequence} tidak dapat dibuat sama persis lagi "
                    "(data atau dokumennya berubah sejak ekspor); berkas tidak ditulis.",
                    hint="Hubungi petugas TI: batch lama harus dibandingkan dengan data sekarang.",
                )
            sptjm_job = pool.submit(
                _write_sptjm, ctx, plan, temps["sptjm"], manifest, manifest_sha, printed_by
            )

        def write_data(stream: BinaryIO) -> None:
            nonlocal signed, result
            signed = sink = _SignedSink(stream)
            try:
                if plan.recipients:
                    encryptor = AgeWriter(sink, plan.recipients)  # type: ignore[arg-type]
                    result = _write_container(
                        ctx, plan, _ZipSink(encryptor), reporter, manifest_ready
                    )
                    encryptor.finish()
                else:
                    result = _write_container(ctx, plan, _ZipSink(sink), reporter, manifest_ready)
            except BaseException:
                with contextlib.suppress(Exception):
                    sink.close()
                raise
            sink.close()

        _durable_write(temps["data"], write_data)
        assert signed is not None
        assert result is not None
        assert sptjm_job is not None
        manifest, manifest_sha = result
        reporter.check()
        reporter.report(PHASE_FINISH, 0, 1)
        facts = fmt.SignedFacts(
            office_code=plan.office.code,
            batch_id=plan.batch_id,
            sequence=plan.sequence,
            record_count=manifest.record_count,
            created_at=plan.created_text,
            file_name=data_name,
        )
        signature = key.sign_digest(
            signed.digest(),
            trusted_comment=facts.to_comment(),
            untrusted_comment=f"signature from nonasn office key {plan.office.code}",
        )
        signature_bytes = signature.to_text().encode("ascii")

        def write_signature(stream: BinaryIO) -> None:
            stream.write(signature_bytes)

        _durable_write(temps["signature"], write_signature)
        sptjm_job.result()
        reporter.report(PHASE_FINISH, 1, 1)
        return _Written(temps, finals, manifest, manifest_sha, signed.size)
    except BaseException as exc:
        # Let a running SPTJM finish before its file is removed.
        pool.shutdown(wait=True)
        for temp in temps.values():
            with contextlib.suppress(OSError):
                temp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _write_error(folder, exc) from None
        raise
    finally:
        pool.shutdown(wait=True)


def _install(written: _Written) -> None:
    """Rename the finished files into place, the signature last."""
    for role in ("data", "sptjm", "signature"):
        written.temps[role].replace(written.finals[role])
    fsync_dir(written.finals["data"].parent)


def _remove(written: _Written) -> None:
    for role in ("signature", "sptjm", "data"):
        with contextlib.suppress(OSError):
            written.finals[role].unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            written.temps[role].unlink(missing_ok=True)


def _result(plan: _Plan, written: _Written, key: SecretKey) -> BatchResult:
    return BatchResult(
        batch_id=plan.batch_id,
        sequence=plan.sequence,
        record_count=written.manifest.record_count,
        document_count=written.manifest.document_count,
        file=written.finals["data"],
        signature=written.finals["signature"],
        sptjm=written.finals["sptjm"],
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


def _authorise(ctx: AppContext, actor: str) -> str:
    """The actor's display name, after checking the actor may export (admin)."""
    with ctx.db.session() as session:
        clerk = require_role(session, actor, [Role.ADMIN])
        return clerk.full_name if clerk is not None else actor


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


def export_batch(
    ctx: AppContext,
    out_dir: Path,
    *,
    passphrase: str,
    recipients: Sequence[str] = (),
    actor: str,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> BatchResult:
    """Write the next batch of every approved record not yet exported into ``out_dir``.

    ``recipients``: age recipients (``age1…``) to encrypt to; none: the file is signed only.
    Raises NothingToExportError when no record waits, WrongPassphraseError for a wrong
    passphrase (before anything is written), ExportCancelledError when ``cancelled()`` turns true.
    """
    printed_by = _authorise(ctx, actor)
    office = _require_office(ctx)
    parsed = parse_recipients(recipients)
    key = unlock_office_key(ctx, passphrase)
    folder = _prepare_folder(out_dir)
    clean_stale_partials(folder)
    with ctx.db.session() as session:
        ids = list(
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
        last = session.scalar(select(func.max(Batch.sequence)))
    if not ids:
        raise NothingToExportError(
            "Tidak ada data berstatus Disetujui yang belum diekspor.",
            hint="Data masuk ke batch setelah disetujui verifikator.",
        )
    plan = _Plan(
        batch_id=str(uuid.uuid4()),
        sequence=(last or 0) + 1,
        created_at=ctx.now(),
        app_version=__version__,
        office=office,
        record_ids=ids,
        recipients=parsed,
    )
    reporter = _Reporter(progress, cancelled)
    written = _write_files(ctx, plan, key, folder, reporter, printed_by)
    installed = False
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
                recipients=jsontext.dumps([str(r) for r in parsed]) if parsed else None,
            )
            session.add(batch)
            session.flush()
            now = ctx.now()
            for group in _chunks(ids, ID_GROUP):
                changed = session.execute(
                    update(Registration)
                    .where(
                        Registration.id.in_(group),
                        Registration.status == RecordStatus.DISETUJUI,
                        Registration.batch_id.is_(None),
                    )
                    .values(status=RecordStatus.DIEKSPOR, batch_id=batch.id, updated_at=now)
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
                    "encrypted": (None, bool(parsed)),
                    # As named in the manifest: a rewrite names the office the same way even
                    # if it was renamed since.
                    "office_name": (None, office.name),
                    "instansi_name": (None, office.instansi_name),
                },
                at=now,
            )
            session.flush()
            _install(written)
            installed = True
    except BaseException:
        _remove(written)
        raise
    assert installed
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
    actor: str,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> BatchResult:
    """Write a batch again (lost USB stick) with the same id, sequence and records.

    ``recipients``: None encrypts to the recipients of the original export; a list replaces
    them (an empty list writes the file unencrypted).
    """
    printed_by = _authorise(ctx, actor)
    office = _require_office(ctx)
    key = unlock_office_key(ctx, passphrase)
    folder = _prepare_folder(out_dir)
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
        plan = _Plan(
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
    written = _write_files(ctx, plan, key, folder, _Reporter(progress, cancelled), printed_by)
    try:
        _install(written)
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
                actor=actor,
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
        _remove(written)
        raise
    return _result(plan, written, key)
