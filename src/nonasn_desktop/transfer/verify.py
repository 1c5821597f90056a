"""Checking a transfer file at the office, layer by layer, before anything of it is believed.

1. the file's name and its ``.minisig`` (bounded read) parse; the trusted comment names this
   office, a device and a sequence;
2. the device is enrolled here and not revoked (a revoked device is named with the date), and
   the signature's key id is the device's;
3. the signature over the BLAKE2b-512 of the whole file as it lies on disk: proves the device
   and that no byte changed or went missing, before any decryption or parsing;
4. the age layer (the office's transfer identity, derived from the office key), every chunk
   authenticated;
5. the ZIP: every member stored, no duplicates, exactly the members the manifest lists;
6. the manifest: this format, the signed facts, counts within forms/transfer.toml;
7. every member's size and SHA-256;
8. every record and audit entry, value by value against the database columns
   (devices.values), its uid, its account number (``<office>-<device>-…``) and its documents.

All of it happens before the import writes anything.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import struct
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import select

from nonasn_desktop.central.files import open_regular, read_bounded
from nonasn_desktop.central.format import text_problem
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.crypto.age import AgeReader, Identity
from nonasn_desktop.crypto.errors import DecryptionError, SignatureError
from nonasn_desktop.crypto.minisign import PublicKey, Signature, verify_digest
from nonasn_desktop.devices.payloads import limits_of
from nonasn_desktop.devices.values import TransferValueError, read_row
from nonasn_desktop.errors import UserError
from nonasn_desktop.flow.state import RegistrationState
from nonasn_desktop.office.identity import get_office
from nonasn_desktop.policy.model import TransferLimits
from nonasn_desktop.rules.formatting import format_date
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.storage import jsontext
from nonasn_desktop.storage.models import Device
from nonasn_desktop.transfer import format as fmt

_READ = 1024 * 1024
# A ZIP local file header: signature, versions, flags, method, times, CRC, sizes, name and
# extra field lengths (APPNOTE 4.3.7).
_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
MAX_SIGNATURE_FILE = 8192


@dataclass
class IncomingRecord:
    """One record of a transfer file, every value checked and typed."""

    number: int
    registration: dict[str, Any]
    clerks: dict[str, str | None]
    work_history: list[dict[str, Any]]
    documents: list[dict[str, Any]]
    draft: dict[str, Any]

    @property
    def uid(self) -> str:
        return str(self.registration["uid"])

    def describe(self) -> str:
        name = self.registration.get("nama") or "tanpa nama"
        return f"data ke-{self.number} ({name})"


@dataclass
class IncomingAudit:
    origin_id: int
    record_uid: str
    entry: dict[str, Any]


@dataclass
class Checked:
    path: Path
    device: Device
    facts: fmt.SignedFacts
    # BLAKE2b-512 (hex) of the file as received: what its signature covers.
    file_blake2b: str
    manifest: fmt.Manifest | None = None
    manifest_sha256: str = ""
    records: list[IncomingRecord] = field(default_factory=list)
    audit: list[IncomingAudit] = field(default_factory=list)


def _refused(path: Path, what: str) -> TransferValueError:
    return TransferValueError(
        f"Berkas transfer {path.name} ditolak: {what}. Tidak ada yang diubah.",
        hint="Minta perangkat lapangan membuat ulang berkasnya (nonasn transfer export --all).",
    )


def _signature(path: Path) -> Signature:
    signature_path = path.with_name(path.name + fmt.SIGNATURE_SUFFIX)
    try:
        data = read_bounded(signature_path, MAX_SIGNATURE_FILE, "Tanda tangan")
    except FileNotFoundError:
        raise SignatureError(
            f"Tanda tangan {signature_path.name} tidak ada: berkas transfer tanpa tanda tangan "
            "tidak diterima.",
            hint="Salin berkas .minisig bersama berkas transfernya.",
        ) from None
    return Signature.parse(data, source=signature_path.name)


def _device_key(device: Device) -> PublicKey:
    import base64

    return PublicKey(
        bytes.fromhex(device.key_id)[::-1], base64.b64decode(device.public_key), device.code
    )


def check_signature(ctx: AppContext, path: Path, stream: BinaryIO) -> Checked:
    """Steps 1–3: who sent the file, and that it is exactly what they signed."""
    signature = _signature(path)
    facts = fmt.SignedFacts.parse(signature.trusted_comment, path.name)
    office = get_office(ctx)
    if office is None or facts.office_code != office.code:
        raise SignatureError(
            f"Berkas transfer {path.name} untuk kantor {facts.office_code}, bukan kantor ini.",
            hint="Impor berkas itu di kantor tempat perangkatnya didaftarkan.",
        )
    with ctx.db.session() as session:
        device = session.scalars(
            select(Device).where(Device.code == facts.device_code)
        ).one_or_none()
        if device is not None:
            session.expunge(device)
    if device is None:
        raise SignatureError(
            f"Berkas transfer {path.name} dari perangkat {facts.device_code} yang tidak "
            "terdaftar di kantor ini; ditolak.",
            hint="Hanya perangkat yang didaftarkan kantor ini (nonasn device list) yang diterima.",
        )
    if device.revoked_at is not None:
        raise SignatureError(
            f"Perangkat {device.code} ({device.name}) sudah dicabut sejak "
            f"{format_date(device.revoked_at.date())}; berkas transfer {path.name} ditolak.",
            hint="Data dari perangkat yang dicabut tidak diterima. Bila perangkat itu masih "
            "dipakai, daftarkan ulang lalu kirim ulang datanya.",
        )
    key = _device_key(device)
    if signature.key_id != key.key_id:
        raise SignatureError(
            f"Berkas transfer {path.name} tidak ditandatangani dengan kunci perangkat "
            f"{device.code} ({device.key_id}); ditolak.",
        )
    blake = hashlib.blake2b(digest_size=64)
    try:
        stream.seek(0)
        while chunk := stream.read(_READ):
            blake.update(chunk)
    except OSError as exc:
        raise UserError(
            f"Berkas {path.name} tidak dapat dibaca sampai habis ({exc.strerror}).",
            hint="Salin berkas itu ke disk komputer ini lalu ulangi.",
        ) from None
    verify_digest(signature, key, blake.digest(), name=path.name)
    return Checked(path=path, device=device, facts=facts, file_blake2b=blake.hexdigest())


class TransferContents:
    """An open, decrypted transfer container (steps 5–8 done by :meth:`verify`)."""

    def __init__(
        self,
        checked: Checked,
        archive: zipfile.ZipFile,
        limits: TransferLimits,
        source: BinaryIO,
    ) -> None:
        self.checked = checked
        self._archive = archive
        self._source = source
        self._limits = limits
        self._members: dict[str, fmt.Member] = {}

    @contextlib.contextmanager
    def _zip_errors(self) -> Iterator[None]:
        try:
            yield
        except (zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError, zlib.error):
            raise _refused(self.checked.path, "wadah ZIP rusak") from None

    def _manifest_bytes(self) -> tuple[bytes, list[str]]:
        """The manifest member and every member's name, after the container's members were
        checked for shape."""
        path = self.checked.path
        with self._zip_errors():
            infos = self._archive.infolist()
            names = [info.filename for info in infos]
            if len(set(names)) != len(names):
                raise _refused(path, "nama anggota ganda di dalam ZIP")
            for info in infos:
                if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 0x1:
                    raise _refused(path, f"anggota {info.filename} dimampatkan atau dienkripsi")
            if fmt.MANIFEST_MEMBER not in names:
                raise _refused(path, "manifest.json tidak ada")
            if (
                self._archive.getinfo(fmt.MANIFEST_MEMBER).file_size
                > self._limits.max_manifest_bytes
            ):
                raise _refused(path, "manifest terlalu besar")
            return self._archive.read(fmt.MANIFEST_MEMBER), names

    def read_manifest(self) -> fmt.Manifest:
        path = self.checked.path
        data, names = self._manifest_bytes()
        try:
            manifest = fmt.Manifest.from_json(json.loads(data.decode("utf-8")), path.name)
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            if isinstance(exc, UserError):
                raise
            raise _refused(path, "manifest bukan JSON") from None
        facts = self.checked.facts
        signed = (
            facts.office_code,
            facts.device_code,
            facts.sequence,
            facts.record_count,
            facts.created_at,
            facts.transfer_id,
        )
        stated = (
            manifest.office_code,
            manifest.device_code,
            manifest.sequence,
            manifest.record_count,
            manifest.created_at,
            manifest.transfer_id,
        )
        if signed != stated:
            raise _refused(path, "manifest tidak sesuai dengan keterangan bertanda tangan")
        limits = self._limits
        if manifest.record_count > limits.max_records:
            raise _refused(path, f"lebih dari {limits.max_records} data")
        if manifest.audit_count > limits.max_audit_entries:
            raise _refused(path, f"lebih dari {limits.max_audit_entries} catatan audit")
        if manifest.document_count > limits.max_documents:
            raise _refused(path, f"lebih dari {limits.max_documents} dokumen")
        self._members = {member.name: member for member in manifest.members}
        listed = set(self._members) | {fmt.MANIFEST_MEMBER}
        if set(names) != listed:
            raise _refused(path, "anggota ZIP tidak sama dengan yang tercantum di manifest")
        for member in manifest.members:
            is_document = member.name.startswith(fmt.DOCUMENTS_PREFIX)
            if is_document and member.size > limits.max_document_bytes:
                raise _refused(path, f"dokumen {member.name} lebih dari batas ukuran")
            if self._archive.getinfo(member.name).file_size != member.size:
                raise _refused(path, f"ukuran {member.name} tidak sesuai dengan manifest")
        self.checked.manifest = manifest
        self.checked.manifest_sha256 = hashlib.sha256(data).hexdigest()
        return manifest

    def read_member(self, name: str) -> bytes:
        """A member's bytes, checked against the manifest's size and hash.

        Every member is stored (checked by :meth:`read_manifest`), so its bytes are read
        straight from the decrypted container after its local header: the SHA-256 checked
        here makes the ZIP's own CRC redundant, and skipping it saves a pass over the data.
        """
        member = self._members[name]
        path = self.checked.path
        with self._zip_errors():
            info = self._archive.getinfo(name)
        source = self._source
        source.seek(info.header_offset)
        header = source.read(_LOCAL_HEADER.size)
        if len(header) != _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
            raise _refused(path, f"kepala anggota {name} rusak")
        name_length, extra_length = _LOCAL_HEADER.unpack(header)[-2:]
        if source.read(name_length) != info.orig_filename.encode("utf-8"):
            raise _refused(path, f"nama anggota {name} tidak sesuai dengan daftar isi ZIP")
        source.seek(extra_length, io.SEEK_CUR)
        data = source.read(member.size)
        if len(data) != member.size or hashlib.sha256(data).hexdigest() != member.sha256:
            raise _refused(path, f"hash {name} tidak cocok dengan manifest")
        return data

    def document(self, sha256: str, media_type: str) -> bytes:
        return self.read_member(fmt.document_member(sha256, media_type))

    def _lines(self, name: str) -> Iterator[tuple[int, Any]]:
        path = self.checked.path
        data = self.read_member(name)
        for number, line in enumerate(data.split(b"\n"), start=1):
            if not line.strip():
                continue
            if len(line) > self._limits.max_line_bytes:
                raise _refused(path, f"{name} baris ke-{number} terlalu panjang")
            try:
                yield number, json.loads(line.decode("utf-8"))
            except (UnicodeDecodeError, ValueError, RecursionError):
                raise _refused(path, f"{name} baris ke-{number} bukan JSON") from None

    def verify(self) -> Checked:
        """Steps 7–8: every record and audit entry (and the hashes of their members).

        The documents' hashes are checked as they are read to be stored
        (:meth:`documents`), each read once: the import stores nothing before all of them
        passed, and removes what it stored when one fails.
        """
        checked = self.checked
        manifest = checked.manifest or self.read_manifest()
        records = [self._record(n, raw) for n, raw in self._lines(fmt.RECORDS_MEMBER)]
        if len(records) != manifest.record_count:
            raise _refused(checked.path, "banyaknya data tidak sama dengan manifest")
        uids = [record.uid for record in records]
        if len(set(uids)) != len(uids):
            raise _refused(checked.path, "satu data (uid) tercantum dua kali")
        niks = [r.registration["nik"] for r in records if r.registration["nik"] is not None]
        if len(set(niks)) != len(niks):
            raise _refused(checked.path, "satu NIK tercantum pada dua data")
        known = set(uids)
        audit = [self._audit(n, raw, known) for n, raw in self._lines(fmt.AUDIT_MEMBER)]
        if len(audit) != manifest.audit_count:
            raise _refused(checked.path, "banyaknya catatan audit tidak sama dengan manifest")
        checked.records = records
        checked.audit = audit
        return checked

    def documents(self) -> Iterator[tuple[str, bytes]]:
        """(SHA-256, bytes) of every document member, in the container's order (one
        sequential pass through the decryption), each checked against the manifest."""
        with self._zip_errors():
            names = [info.filename for info in self._archive.infolist()]
        for name in names:
            member = self._members.get(name)
            if member is not None and name.startswith(fmt.DOCUMENTS_PREFIX):
                yield member.sha256, self.read_member(name)

    def _check_registration(self, where: str, registration: dict[str, Any]) -> None:
        """What a device may have sent of a record: made there, numbered there, never exported."""
        device = self.checked.device.code
        if registration["origin_device"] != device:
            raise TransferValueError(
                f"{where}: dibuat di perangkat {registration['origin_device']}, bukan {device}; "
                "berkas ditolak."
            )
        if registration["status"] is RecordStatus.DIEKSPOR:
            # Only the office exports to the centre: a device never holds an exported record.
            raise TransferValueError(
                f"{where}: berstatus Diekspor, yang tidak mungkin dibuat di perangkat; berkas "
                "ditolak."
            )
        account = registration["account_number"]
        prefix = f"{self.checked.facts.office_code}-{device}-"
        if account is not None and not account.startswith(prefix):
            raise TransferValueError(
                f"{where}: nomor akun {account} bukan nomor perangkat {device} ({prefix}…); "
                "berkas ditolak."
            )
        nik = registration["nik"]
        if nik is not None and not (len(nik) == 16 and nik.isascii() and nik.isdigit()):
            raise TransferValueError(f"{where}: NIK harus 16 digit; berkas ditolak.")

    def _record(self, number: int, raw: Any) -> IncomingRecord:
        path, limits = self.checked.path, self._limits
        where = f"Berkas transfer {path.name}, data ke-{number}"
        if not isinstance(raw, dict):
            raise _refused(path, f"data ke-{number} bukan objek JSON")
        text = limits.max_text_length
        where = f"{where} ({_safe_name(raw.get('registration'))})"
        registration = read_row(
            raw.get("registration"), fmt.REGISTRATION_COLUMNS, where=where, text_limit=text
        )
        try:
            uuid.UUID(str(registration["uid"]))
        except ValueError:
            raise TransferValueError(f"{where}: uid bukan UUID; berkas ditolak.") from None
        self._check_registration(where, registration)
        work_raw, docs_raw = raw.get("work_history"), raw.get("documents")
        if not isinstance(work_raw, list) or len(work_raw) > limits.max_work_history:
            raise TransferValueError(f"{where}: riwayat pekerjaan tidak sah; berkas ditolak.")
        if not isinstance(docs_raw, list) or len(docs_raw) > limits.max_record_documents:
            raise TransferValueError(f"{where}: daftar dokumen tidak sah; berkas ditolak.")
        work = [read_row(item, fmt.WORK_COLUMNS, where=where, text_limit=text) for item in work_raw]
        documents = [
            read_row(item, fmt.DOCUMENT_COLUMNS, where=where, text_limit=text) for item in docs_raw
        ]
        for document in documents:
            member = self._members.get(
                fmt.document_member(document["sha256"], document["media_type"])
            )
            if (
                member is None
                or member.sha256 != document["sha256"]
                or member.size != document["size"]
            ):
                raise TransferValueError(
                    f"{where}: dokumen {document['kind']} tidak ada di berkas; berkas ditolak."
                )
        clerks_raw = raw.get("clerks")
        if not isinstance(clerks_raw, dict):
            raise TransferValueError(f"{where}: nama petugas tidak sah; berkas ditolak.")
        clerks: dict[str, str | None] = {}
        for key in fmt.CLERK_KEYS:
            value = clerks_raw.get(key)
            if value is not None and (not isinstance(value, str) or len(value) > 64):
                raise TransferValueError(f"{where}: nama petugas tidak sah; berkas ditolak.")
            clerks[key] = value
        try:
            draft = jsontext.loads(registration["draft"]) or {}
            RegistrationState.from_json(draft)
        except (ValueError, TypeError, KeyError, RecursionError, AttributeError):
            raise TransferValueError(f"{where}: isian draf tidak sah; berkas ditolak.") from None
        if not isinstance(draft, dict):
            raise TransferValueError(f"{where}: isian draf tidak sah; berkas ditolak.")
        return IncomingRecord(number, registration, clerks, work, documents, draft)

    def _audit(self, number: int, raw: Any, known: set[str]) -> IncomingAudit:
        path = self.checked.path
        where = f"Berkas transfer {path.name}, catatan audit ke-{number}"
        if not isinstance(raw, dict):
            raise _refused(path, f"catatan audit ke-{number} bukan objek JSON")
        entry = read_row(
            raw, fmt.AUDIT_COLUMNS, where=where, text_limit=self._limits.max_text_length
        )
        uid = raw.get("record_uid")
        if uid not in known:
            raise TransferValueError(f"{where}: tidak menyebut data di berkas ini; ditolak.")
        origin = entry.pop("id")
        if not isinstance(origin, int) or origin < 1:
            raise TransferValueError(f"{where}: nomor catatan tidak sah; ditolak.")
        return IncomingAudit(origin_id=origin, record_uid=str(uid), entry=entry)


def _safe_name(raw: Any) -> str:
    """The record's name for messages, when it is a plain short text (else "tanpa nama")."""
    name = raw.get("nama") if isinstance(raw, dict) else None
    if isinstance(name, str) and name and text_problem(name, 100) is None:
        return name
    return "tanpa nama"


@contextlib.contextmanager
def open_transfer(
    ctx: AppContext, path: Path, identity: Identity | Callable[[], Identity]
) -> Iterator[TransferContents]:
    """Steps 1–5 on ``path``; yields the open contents (call ``read_manifest``/``verify``).

    ``identity`` may be a callable, asked for only after the signature has been verified (the
    import derives it from the office key while the file is being hashed)."""
    path = Path(path)
    limits = limits_of(ctx.policy.transfer)
    if fmt.parse_file_name(path.name) is None:
        raise UserError(
            f"{path.name} bukan nama berkas transfer (transfer-KANTOR-Lnn-NNNNNN.zip.age).",
            hint="Pilih berkas transfer yang dibuat perangkat lapangan, tanpa mengganti namanya.",
        )
    try:
        stream = open_regular(path, "Berkas transfer")
    except FileNotFoundError:
        raise UserError(f"Berkas {path} tidak ada.") from None
    with stream:
        checked = check_signature(ctx, path, stream)
        if callable(identity):
            identity = identity()
        stream.seek(0)
        try:
            source = io.BufferedReader(AgeReader(stream, [identity]), buffer_size=_READ)
            archive = zipfile.ZipFile(source)
        except DecryptionError:
            raise DecryptionError(
                f"Berkas transfer {path.name} tidak dapat dibuka dengan kunci kantor ini (bukan "
                "untuk kantor ini, atau rusak).",
            ) from None
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError):
            raise _refused(path, "bukan wadah ZIP yang utuh") from None
        with archive:
            yield TransferContents(checked, archive, limits, source)
