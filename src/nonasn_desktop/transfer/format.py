"""The transfer file format, version 1: names, the signed facts, the manifest, the columns.

A transfer file is the batch container's sibling (docs/offices.md, "Transfer files"): a ZIP,
every member stored, holding ``records.jsonl`` (the full state of each record: every column
of the registration, its work history and its document rows), ``audit.jsonl`` (the audit
trail of those records as the device wrote it), ``documents/<sha256>.<ext>`` (each document's
bytes once) and ``manifest.json`` last, with the SHA-256 and size of every other member. The
ZIP is encrypted with age to the office's transfer recipient and the encrypted file is signed
(minisign, pre-hashed) by the device's key; the trusted comment states office, device,
sequence, record count, creation time and file name.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Column, Table

from nonasn_desktop.central import format as central_format
from nonasn_desktop.central.members import Member as Member
from nonasn_desktop.central.members import manifest_members
from nonasn_desktop.devices.values import TransferValueError
from nonasn_desktop.storage.models import AuditLog, Document, Registration, WorkHistory

FORMAT_NAME = "nonasn-transfer"
FORMAT_VERSION = 1
TRUSTED_PREFIX = "nonasn-transfer"
MANIFEST_MEMBER = "manifest.json"
RECORDS_MEMBER = "records.jsonl"
AUDIT_MEMBER = "audit.jsonl"
DOCUMENTS_PREFIX = central_format.DOCUMENTS_PREFIX
SIGNATURE_SUFFIX = ".minisig"
FILE_SUFFIX = ".zip.age"
_NAME = re.compile(r"transfer-([A-Z0-9]{2,12})-(L[0-9]{2,4})-([0-9]{6,9})\.zip\.age")
_TOKEN = re.compile(r"[A-Za-z0-9_.:-]+")
USERNAME_LENGTH = 64


def file_name(office_code: str, device_code: str, sequence: int) -> str:
    return f"transfer-{office_code}-{device_code}-{sequence:06d}{FILE_SUFFIX}"


def parse_file_name(name: str) -> tuple[str, str, int] | None:
    match = _NAME.fullmatch(name)
    if match is None:
        return None
    return match.group(1), match.group(2), int(match.group(3))


document_member = central_format.document_member


def _columns(table: Any, skip: set[str]) -> tuple[Column[Any], ...]:
    return tuple(c for c in cast(Table, table).c if c.key not in skip)


# What travels of a registration: everything the clerk typed and the flow decided, not the
# office-local bookkeeping (row ids, locks, batch, conflict flags, the clerks' row ids: those
# travel as user names).
REGISTRATION_COLUMNS = _columns(
    Registration.__table__,
    {
        "id",
        "roster_entry_id",
        "created_by",
        "updated_by",
        "decided_by",
        "locked_by",
        "locked_at",
        "locked_device",
        "locked_device_name",
        "batch_id",
        "nik_conflict",
        "conflict_nik",
        "nik_conflict_with",
        "source_updated_at",
        "returned_to_device",
    },
)
WORK_COLUMNS = _columns(WorkHistory.__table__, {"id", "registration_id"})
# ``id`` travels as the device's own id: the draft names documents by it, and the office maps
# it to its own row.
DOCUMENT_COLUMNS = _columns(
    Document.__table__, {"registration_id", "source_document_id", "created_by"}
)
AUDIT_COLUMNS = _columns(AuditLog.__table__, {"origin_ref"})
CLERK_KEYS = ("created_by", "updated_by", "decided_by")


@dataclass(frozen=True)
class SignedFacts:
    office_code: str
    device_code: str
    sequence: int
    record_count: int
    created_at: str
    file_name: str
    transfer_id: str

    def to_comment(self) -> str:
        return (
            f"{TRUSTED_PREFIX} v{FORMAT_VERSION} office={self.office_code} "
            f"device={self.device_code} sequence={self.sequence} records={self.record_count} "
            f"created={self.created_at} file={self.file_name} transfer={self.transfer_id}"
        )

    @classmethod
    def parse(cls, comment: str, name: str) -> SignedFacts:
        bad = TransferValueError(
            f"Keterangan bertanda tangan {name} bukan milik berkas transfer perangkat lapangan.",
            hint="Berikan berkas transfer-….zip.age yang dibuat perangkat dengan nonasn transfer "
            "export.",
        )
        parts = comment.split(" ")
        if len(parts) < 2 or parts[0] != TRUSTED_PREFIX or parts[1] != f"v{FORMAT_VERSION}":
            raise bad
        fields: dict[str, str] = {}
        for part in parts[2:]:
            key, sep, value = part.partition("=")
            if not sep or not _TOKEN.fullmatch(value) or key in fields:
                raise bad
            fields[key] = value
        try:
            facts = cls(
                office_code=fields["office"],
                device_code=fields["device"],
                sequence=int(fields["sequence"]),
                record_count=int(fields["records"]),
                created_at=fields["created"],
                file_name=fields["file"],
                transfer_id=fields["transfer"],
            )
        except (KeyError, ValueError):
            raise bad from None
        parsed = parse_file_name(facts.file_name)
        if parsed != (facts.office_code, facts.device_code, facts.sequence):
            raise bad
        try:
            uuid.UUID(facts.transfer_id)
        except ValueError:
            raise bad from None
        return facts


# The largest member a transfer file may list (a bound on hostile sizes, far above any real one).
_LARGEST_MEMBER = 2**62 - 1


@dataclass(frozen=True)
class Manifest:
    transfer_id: str
    office_code: str
    device_code: str
    sequence: int
    created_at: str
    app_version: str
    record_count: int
    audit_count: int
    document_count: int
    members: tuple[Member, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "transfer_id": self.transfer_id,
            "office_code": self.office_code,
            "device_code": self.device_code,
            "sequence": self.sequence,
            "created_at": self.created_at,
            "app_version": self.app_version,
            "record_count": self.record_count,
            "audit_count": self.audit_count,
            "document_count": self.document_count,
            "members": [{"name": m.name, "sha256": m.sha256, "size": m.size} for m in self.members],
        }

    @classmethod
    def from_json(cls, data: Any, name: str) -> Manifest:
        def bad(what: str) -> TransferValueError:
            return TransferValueError(f"Manifest berkas transfer {name} tidak sah: {what}.")

        if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
            raise bad("bukan manifest berkas transfer")
        if data.get("format_version") != FORMAT_VERSION:
            raise TransferValueError(
                f"Berkas transfer {name} berformat versi {data.get('format_version')!r}; "
                f"aplikasi ini membaca versi {FORMAT_VERSION}.",
                hint="Pasang versi aplikasi yang sama di kantor dan di perangkat.",
            )
        for key in ("transfer_id", "office_code", "device_code", "created_at", "app_version"):
            value = data.get(key)
            if not isinstance(value, str) or not value or len(value) > 40:
                raise bad(f"{key} harus teks pendek")
        for key in ("sequence", "record_count", "audit_count", "document_count"):
            problem = central_format.integer_problem(data.get(key), 1 if key == "sequence" else 0)
            if problem:
                raise bad(f"{key} {problem}")
        members = manifest_members(
            data.get("members"),
            bad,
            fixed={RECORDS_MEMBER: _LARGEST_MEMBER, AUDIT_MEMBER: _LARGEST_MEMBER},
            document_size=_LARGEST_MEMBER,
        )
        if len(members) - 2 != data["document_count"]:
            raise bad("document_count tidak sama dengan banyaknya dokumen")
        return cls(
            transfer_id=data["transfer_id"],
            office_code=data["office_code"],
            device_code=data["device_code"],
            sequence=data["sequence"],
            created_at=data["created_at"],
            app_version=data["app_version"],
            record_count=data["record_count"],
            audit_count=data["audit_count"],
            document_count=data["document_count"],
            members=tuple(members),
        )
