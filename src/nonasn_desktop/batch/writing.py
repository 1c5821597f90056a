"""Writing the three files of a batch: the container (records, documents, manifest), its
signature and the SPTJM, with progress reports and cancellation between pieces.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import hashlib
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, BinaryIO

from nonasn_desktop.atomicfile import AtomicFile
from nonasn_desktop.batch.files import Written, durable_write, write_error
from nonasn_desktop.batch.records import (
    Plan,
    SptjmLine,
    current_jabatan,
    documents_of,
    iter_records,
)
from nonasn_desktop.batch.sinks import SignedSink, ZipSink, zip_info, zip_time
from nonasn_desktop.central import format as fmt
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.core.progress import (
    Cancelled,
    OperationCancelledError,
    Progress,
    ProgressStep,
)
from nonasn_desktop.crypto.age import AgeWriter
from nonasn_desktop.crypto.minisign import SecretKey
from nonasn_desktop.errors import ConflictError, StorageError

COPY_CHUNK = 1024 * 1024

PHASE_RECORDS = "Menulis data pendaftaran"
PHASE_DOCUMENTS = "Menyalin dokumen"
PHASE_FINISH = "Menandatangani dan membuat SPTJM"


class ExportCancelledError(OperationCancelledError):
    """The user cancelled the export; nothing was marked exported."""


class Reporter:
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
            self._progress(ProgressStep(phase, done, total))


def copy_document(
    ctx: AppContext, sha: str, size: int, out: IO[bytes], reporter: Reporter, moved: list[int]
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


def write_container(
    ctx: AppContext,
    plan: Plan,
    sink: ZipSink,
    reporter: Reporter,
    on_manifest: Callable[[fmt.Manifest, str], None],
) -> tuple[fmt.Manifest, str]:
    """Write the ZIP container; returns its manifest and the manifest's SHA-256."""
    date_time = zip_time(plan.created_at)
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
    plan: Plan,
    archive: zipfile.ZipFile,
    date_time: tuple[int, int, int, int, int, int],
    reporter: Reporter,
    on_manifest: Callable[[fmt.Manifest, str], None],
) -> tuple[fmt.Manifest, str]:
    total = len(plan.record_ids)
    digest = hashlib.sha256()
    size = 0
    count = 0
    plan.sptjm_lines.clear()
    with archive.open(zip_info(fmt.RECORDS_MEMBER, date_time, 0), "w", force_zip64=True) as out:
        for row, record in iter_records(ctx, plan):
            line = (
                json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
            ).encode("utf-8")
            out.write(line)
            digest.update(line)
            size += len(line)
            count += 1
            plan.sptjm_lines.append(
                SptjmLine(
                    unit_kerja=row.unit_kerja,
                    nama=row.nama or "",
                    nik=row.nik or "",
                    jabatan=current_jabatan(record["work_history"]),
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
    documents = documents_of(ctx, plan.record_ids)
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
        with archive.open(zip_info(member.name, date_time, member.size), "w") as out:
            copy_document(ctx, member.sha256, member.size, out, reporter, moved)

    archive.writestr(zip_info(fmt.MANIFEST_MEMBER, date_time, len(manifest_bytes)), manifest_bytes)
    archive.close()
    return manifest, manifest_sha


def _write_sptjm(
    ctx: AppContext,
    plan: Plan,
    path: Path,
    manifest: fmt.Manifest,
    manifest_sha: str,
    printed_by: str,
) -> AtomicFile:
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

    return durable_write(path, write)


def _check_rewrite(plan: Plan, manifest_sha: str) -> None:
    """A rewritten batch must hold exactly what the original held (its manifest hash)."""
    if plan.expected_manifest_sha256 is not None and manifest_sha != plan.expected_manifest_sha256:
        raise ConflictError(
            f"Isi batch nomor urut {plan.sequence} tidak dapat dibuat sama persis lagi "
            "(data atau dokumennya berubah sejak ekspor); berkas tidak ditulis.",
            hint="Hubungi petugas TI: batch lama harus dibandingkan dengan data sekarang.",
        )


def _signature(plan: Plan, key: SecretKey, digest: bytes, record_count: int) -> bytes:
    """The minisign signature file over the batch file's BLAKE2b ``digest``."""
    facts = fmt.SignedFacts(
        office_code=plan.office.code,
        batch_id=plan.batch_id,
        sequence=plan.sequence,
        record_count=record_count,
        created_at=plan.created_text,
        file_name=plan.file_name,
    )
    signature = key.sign_digest(
        digest,
        trusted_comment=facts.to_comment(),
        untrusted_comment=f"signature from nonasn office key {plan.office.code}",
    )
    return signature.to_text().encode("ascii")


def write_files(
    ctx: AppContext,
    plan: Plan,
    key: SecretKey,
    folder: Path,
    reporter: Reporter,
    printed_by: str,
) -> Written:
    data_name = plan.file_name
    finals = {
        "data": folder / data_name,
        "sptjm": folder / (plan.base_name + fmt.SPTJM_SUFFIX),
        "signature": folder / (data_name + fmt.SIGNATURE_SUFFIX),
    }
    pending: dict[str, AtomicFile] = {}
    # The SPTJM is drawn in a second thread while the documents are copied: the copy spends
    # its time in hashing and encryption, which release the interpreter lock.
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="sptjm")
    sptjm_job: concurrent.futures.Future[AtomicFile] | None = None
    try:
        signed: SignedSink | None = None
        result: tuple[fmt.Manifest, str] | None = None

        def manifest_ready(manifest: fmt.Manifest, manifest_sha: str) -> None:
            nonlocal sptjm_job
            _check_rewrite(plan, manifest_sha)
            sptjm_job = pool.submit(
                _write_sptjm, ctx, plan, finals["sptjm"], manifest, manifest_sha, printed_by
            )

        def write_data(stream: BinaryIO) -> None:
            nonlocal signed, result
            signed = sink = SignedSink(stream)
            try:
                if plan.recipients:
                    encryptor = AgeWriter(sink, plan.recipients)  # type: ignore[arg-type]
                    result = write_container(
                        ctx, plan, ZipSink(encryptor), reporter, manifest_ready
                    )
                    encryptor.finish()
                else:
                    result = write_container(ctx, plan, ZipSink(sink), reporter, manifest_ready)
            except BaseException:
                with contextlib.suppress(Exception):
                    sink.close()
                raise
            sink.close()

        pending["data"] = durable_write(finals["data"], write_data)
        assert signed is not None
        assert result is not None
        assert sptjm_job is not None
        manifest, manifest_sha = result
        reporter.check()
        reporter.report(PHASE_FINISH, 0, 1)
        signature_bytes = _signature(plan, key, signed.digest(), manifest.record_count)

        def write_signature(stream: BinaryIO) -> None:
            stream.write(signature_bytes)

        pending["signature"] = durable_write(finals["signature"], write_signature)
        pending["sptjm"] = sptjm_job.result()
        reporter.report(PHASE_FINISH, 1, 1)
        return Written(pending, manifest, manifest_sha, signed.size)
    except BaseException as exc:
        # Let a running SPTJM finish before its file is removed.
        pool.shutdown(wait=True)
        if sptjm_job is not None and sptjm_job.done() and sptjm_job.exception() is None:
            pending["sptjm"] = sptjm_job.result()
        for file in pending.values():
            file.discard()
        if isinstance(exc, OSError):
            raise write_error(folder, exc) from None
        raise
    finally:
        pool.shutdown(wait=True)
