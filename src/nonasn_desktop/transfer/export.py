"""``nonasn transfer export`` on a field laptop: the work since the last transfer, signed.

One file per export, ``transfer-<OFFICE>-<DEVICE>-<SEQ>.zip.age`` and its ``.minisig``, into
the chosen folder (a USB stick). What goes in: every record changed since the last export
(its updated time, or any audit entry of it, newer than the last export's marks), with its
work history, every document row (active or superseded) and the bytes of each document once,
and the record's audit entries since the last export; ``all_records``: everything the laptop
holds (for a stick that got lost), under a new sequence number all the same.

The container is written in one streaming pass into the age encryption (to the office's
transfer recipient), and the encrypted bytes are hashed (BLAKE2b) on their way to disk for the
signature. Both files are written under temporary names and renamed into place, the signature
last, in the same transaction that advances the laptop's transfer marks: an interrupted export
leaves the marks where they were, so the next one carries the same work again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from nonasn_desktop import __version__
from nonasn_desktop.accounts.authz import Actor, authorise
from nonasn_desktop.atomicfile import fsync_dir
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.crypto.age import AgeWriter, Recipient
from nonasn_desktop.crypto.minisign import SecretKey
from nonasn_desktop.devices.field import require_field_device, unlock_device_key
from nonasn_desktop.devices.values import row_json, utc_text
from nonasn_desktop.errors import StorageError, UserError
from nonasn_desktop.office.fielddevice import FieldDevice
from nonasn_desktop.rules.permissions import Permission
from nonasn_desktop.storage import jsontext
from nonasn_desktop.storage.models import AuditLog, Clerk, Document, Registration, Setting
from nonasn_desktop.transfer import format as fmt

STATE_SETTING = "transfer_state"
COPY_CHUNK = 1024 * 1024
RECORD_GROUP = 200
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class NothingToTransferError(UserError):
    """No record changed since the last transfer export."""


@dataclass(frozen=True)
class TransferResult:
    file: Path
    signature: Path
    sequence: int
    record_count: int
    document_count: int
    audit_count: int
    size: int


@dataclass(frozen=True)
class _State:
    sequence: int = 0
    audit_id: int = 0
    updated_at: str | None = None


def _read_state(session: Session) -> _State:
    row = session.get(Setting, STATE_SETTING)
    if row is None:
        return _State()
    data = jsontext.loads(row.value) or {}
    return _State(
        sequence=int(data.get("sequence", 0)),
        audit_id=int(data.get("audit_id", 0)),
        updated_at=data.get("updated_at"),
    )


def _write_state(session: Session, state: _State) -> None:
    value = jsontext.dumps(
        {"sequence": state.sequence, "audit_id": state.audit_id, "updated_at": state.updated_at}
    )
    row = session.get(Setting, STATE_SETTING)
    if row is None:
        session.add(Setting(key=STATE_SETTING, value=value))
    else:
        row.value = value


class _HashingFile:
    """The output file, hashed (BLAKE2b-512, for the signature) as it is written."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.digest = hashlib.blake2b(digest_size=64)
        self.size = 0

    def write(self, data: bytes | bytearray | memoryview) -> int:
        self.digest.update(data)
        self._stream.write(data)
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        self._stream.flush()


class _ZipSink:
    """Forward-only target of the ZIP writer (the encryption cannot seek)."""

    def __init__(self, target: AgeWriter) -> None:
        self._target = target
        self._position = 0

    def write(self, data: bytes | bytearray | memoryview) -> int:
        self._target.write(data)
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        self._target.flush()

    def close(self) -> None:
        """The ZIP writer closes its output; the file is closed by its owner."""


def _zip_info(name: str, size: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_STORED
    info.create_system = 3
    info.external_attr = 0o644 << 16
    info.file_size = size
    return info


def _line(data: dict[str, Any]) -> bytes:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (text + "\n").encode("utf-8")


def _selected_ids(session: Session, state: _State, all_records: bool) -> list[int]:
    if all_records or state.updated_at is None:
        return list(session.scalars(select(Registration.id).order_by(Registration.id)))
    since = dt.datetime.fromisoformat(state.updated_at.replace("Z", "+00:00"))
    changed = set(session.scalars(select(Registration.id).where(Registration.updated_at > since)))
    touched = session.scalars(
        select(AuditLog.entity_id)
        .where(AuditLog.entity == "registration", AuditLog.id > state.audit_id)
        .distinct()
    )
    changed |= {int(value) for value in touched if value and value.isdigit()}
    existing = session.scalars(select(Registration.id).where(Registration.id.in_(changed)))
    return sorted(existing)


def _record_lines(
    session: Session, ids: list[int], usernames: dict[int, str]
) -> tuple[list[bytes], dict[str, tuple[str, int]], dict[int, str]]:
    """(record lines, documents by member name → (sha, size), uid by local id)."""
    lines: list[bytes] = []
    documents: dict[str, tuple[str, int]] = {}
    uids: dict[int, str] = {}
    for start in range(0, len(ids), RECORD_GROUP):
        group = ids[start : start + RECORD_GROUP]
        rows = session.scalars(select(Registration).where(Registration.id.in_(group)))
        for row in sorted(rows, key=lambda r: r.id):
            assert row.uid is not None
            uids[row.id] = row.uid
            docs = session.scalars(
                select(Document).where(Document.registration_id == row.id).order_by(Document.id)
            ).all()
            for doc in docs:
                documents.setdefault(
                    fmt.document_member(doc.sha256, doc.media_type), (doc.sha256, doc.size)
                )
            lines.append(
                _line(
                    {
                        "registration": row_json(row, fmt.REGISTRATION_COLUMNS),
                        "clerks": {
                            key: usernames.get(getattr(row, key) or -1) for key in fmt.CLERK_KEYS
                        },
                        "work_history": [
                            row_json(entry, fmt.WORK_COLUMNS) for entry in row.work_history
                        ],
                        "documents": [row_json(doc, fmt.DOCUMENT_COLUMNS) for doc in docs],
                    }
                )
            )
    return lines, documents, uids


def _audit_lines(
    session: Session, uids: dict[int, str], state: _State, all_records: bool
) -> tuple[list[bytes], int]:
    lines: list[bytes] = []
    newest = state.audit_id
    query = select(AuditLog).where(AuditLog.entity == "registration").order_by(AuditLog.id)
    if not all_records:
        query = query.where(AuditLog.id > state.audit_id)
    wanted = {str(local): uid for local, uid in uids.items()}
    for entry in session.scalars(query):
        newest = max(newest, entry.id)
        uid = wanted.get(entry.entity_id or "")
        if uid is not None:
            lines.append(_line(row_json(entry, fmt.AUDIT_COLUMNS) | {"record_uid": uid}))
    return lines, newest


def _copy(ctx: AppContext, sha: str, size: int, out: IO[bytes]) -> None:
    digest = hashlib.sha256()
    copied = 0
    try:
        with ctx.blobs.open(sha) as source:
            while chunk := source.read(COPY_CHUNK):
                digest.update(chunk)
                out.write(chunk)
                copied += len(chunk)
    except FileNotFoundError:
        raise StorageError(
            f"Dokumen {sha[:12]}… tidak ada di folder dokumen; berkas transfer tidak dibuat.",
            hint="Pulihkan folder data dari cadangan, atau unggah ulang dokumen itu.",
        ) from None
    if copied != size or digest.hexdigest() != sha:
        raise StorageError(
            f"Dokumen {sha[:12]}… rusak; berkas transfer tidak dibuat.",
            hint="Pulihkan folder dokumen dari cadangan, atau unggah ulang dokumen itu.",
        )


def _write_container(
    ctx: AppContext,
    archive: zipfile.ZipFile,
    manifest_base: dict[str, Any],
    records: list[bytes],
    audit_lines: list[bytes],
    documents: dict[str, tuple[str, int]],
) -> None:
    members: list[fmt.Member] = []
    for name, lines in ((fmt.RECORDS_MEMBER, records), (fmt.AUDIT_MEMBER, audit_lines)):
        data = b"".join(lines)
        archive.writestr(_zip_info(name, len(data)), data)
        members.append(fmt.Member(name, hashlib.sha256(data).hexdigest(), len(data)))
    for name, (sha, size) in sorted(documents.items()):
        with archive.open(_zip_info(name, size), "w") as out:
            _copy(ctx, sha, size, out)
        members.append(fmt.Member(name, sha, size))
    manifest = fmt.Manifest(members=tuple(members), **manifest_base)
    data = (json.dumps(manifest.to_json(), sort_keys=True, indent=1) + "\n").encode("utf-8")
    archive.writestr(_zip_info(fmt.MANIFEST_MEMBER, len(data)), data)
    archive.close()


def _signature(key: SecretKey, digest: bytes, manifest_base: dict[str, Any], name: str) -> bytes:
    """The ``.minisig`` of the encrypted file: its BLAKE2b-512 ``digest`` signed by the device,
    the trusted comment stating the facts the office checks before it decrypts anything."""
    facts = fmt.SignedFacts(
        office_code=manifest_base["office_code"],
        device_code=manifest_base["device_code"],
        sequence=manifest_base["sequence"],
        record_count=manifest_base["record_count"],
        created_at=manifest_base["created_at"],
        file_name=name,
        transfer_id=manifest_base["transfer_id"],
    )
    signature = key.sign_digest(
        digest,
        trusted_comment=facts.to_comment(),
        untrusted_comment=f"signature from nonasn device key {facts.device_code}",
    )
    return signature.to_text().encode("ascii")


def _remove(*paths: Path) -> None:
    """What a failed export wrote, removed as far as the disk lets it."""
    for path in paths:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


def _usernames(session: Session) -> dict[int, str]:
    return {row.id: row.username for row in session.scalars(select(Clerk))}


def _field_clerk(ctx: AppContext, actor: Actor) -> FieldDevice:
    """The laptop's device, when ``actor`` may carry its work: checked before the device key
    is opened (seconds of argon2id), so a refused clerk waits for nothing."""
    device = require_field_device(ctx)
    authorise(ctx, actor, Permission.FIELD_TRANSFER)
    return device


def export_transfer(
    ctx: AppContext, out_dir: Path, *, passphrase: str, actor: Actor, all_records: bool = False
) -> TransferResult:
    """Write the next transfer file into ``out_dir``; NothingToTransferError when nothing
    changed since the last one (and ``all_records`` is not asked)."""
    device = _field_clerk(ctx, actor)
    key = unlock_device_key(ctx, passphrase)
    recipient = Recipient.parse(device.office_recipient)
    out_dir = Path(out_dir)
    with ctx.db.session() as session:
        state = _read_state(session)
        ids = _selected_ids(session, state, all_records)
        if not ids:
            raise NothingToTransferError(
                "Tidak ada data yang berubah sejak transfer terakhir; tidak ada berkas dibuat.",
                hint="Untuk mengirim ulang semua data (mis. diska hilang): nonasn transfer "
                "export --all",
            )
        records, documents, uids = _record_lines(session, ids, _usernames(session))
        audit_lines, newest_audit = _audit_lines(session, uids, state, all_records)
        now = ctx.now()
        sequence = state.sequence + 1
        name = fmt.file_name(device.office_code, device.code, sequence)
        created = utc_text(now.replace(microsecond=0))
        transfer_id = str(uuid.uuid4())
        manifest_base = {
            "transfer_id": transfer_id,
            "office_code": device.office_code,
            "device_code": device.code,
            "sequence": sequence,
            "created_at": created,
            "app_version": __version__[:40],
            "record_count": len(records),
            "audit_count": len(audit_lines),
            "document_count": len(documents),
        }
        final = out_dir / name
        signature_path = out_dir / (name + fmt.SIGNATURE_SUFFIX)
        temp = out_dir / f".{name}.partial"
        temp_signature = out_dir / f".{name}{fmt.SIGNATURE_SUFFIX}.partial"
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
            with temp.open("wb") as stream:
                hashing = _HashingFile(stream)
                encryptor = AgeWriter(hashing, [recipient])  # type: ignore[arg-type]
                archive = zipfile.ZipFile(_ZipSink(encryptor), mode="w", allowZip64=True)
                _write_container(ctx, archive, manifest_base, records, audit_lines, documents)
                encryptor.finish()
                stream.flush()
                os.fsync(stream.fileno())
            signature = _signature(key, hashing.digest.digest(), manifest_base, name)
            temp_signature.write_bytes(signature)
            _write_state(
                session,
                _State(sequence=sequence, audit_id=newest_audit, updated_at=utc_text(now)),
            )
            session.flush()
            temp.replace(final)
            temp_signature.replace(signature_path)
            fsync_dir(out_dir)
        except OSError as exc:
            _remove(temp, temp_signature, final, signature_path)
            raise StorageError(
                f"Berkas transfer tidak dapat ditulis ke {out_dir} ({exc.strerror}).",
                hint="Periksa folder tujuan (izin, ruang kosong, diska USB terpasang); data "
                "tidak ditandai terkirim.",
            ) from None
        except BaseException:
            _remove(temp, temp_signature)
            raise
    return TransferResult(
        file=final,
        signature=signature_path,
        sequence=sequence,
        record_count=len(records),
        document_count=len(documents),
        audit_count=len(audit_lines),
        size=hashing.size,
    )
