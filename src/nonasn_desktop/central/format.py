"""The batch file format, version 1: names, the manifest, and the record schema.

One definition shared by the writer (the office's export) and the reader (the central office),
so the two cannot drift apart; ``docs/batch-format.md`` describes the same in prose for readers
written elsewhere. Everything here is plain data and checks, no I/O.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nonasn_desktop.central.members import DOCUMENTS_PREFIX as DOCUMENTS_PREFIX
from nonasn_desktop.central.members import MANIFEST_MEMBER as MANIFEST_MEMBER
from nonasn_desktop.central.members import Member as Member
from nonasn_desktop.central.members import manifest_members
from nonasn_desktop.errors import UserError

FORMAT_NAME = "nonasn-batch"
FORMAT_VERSION = 1
RECORD_SCHEMA_VERSION = 1

RECORDS_MEMBER = "records.jsonl"

FILE_PREFIX = "nonasn"
CONTAINER_SUFFIX = ".zip"
ENCRYPTED_SUFFIX = ".age"
SIGNATURE_SUFFIX = ".minisig"
SPTJM_SUFFIX = ".sptjm.pdf"
TRUSTED_COMMENT_PREFIX = "nonasn-batch"
# The comment of an office's public key file: "nonasn office key <CODE> <KEY ID> (<name>)".
PUBLIC_KEY_COMMENT_PREFIX = "nonasn office key"

MEDIA_EXTENSIONS = {"image/jpeg": ".jpg", "application/pdf": ".pdf"}
# A single document may not exceed this in a batch (the policy allows 1 MB; room for change).
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
# A record line in records.jsonl may not exceed this.
MAX_RECORD_LINE = 1024 * 1024
MAX_MANIFEST_BYTES = 256 * 1024 * 1024

# Bounds of the values a batch may carry: the central database's columns are made from these
# (central/models.py), and every record and manifest is checked against them before anything is
# written, so a value from a trusted office can never break the centre's database mid-load.
# Lengths are characters (PostgreSQL's varchar(n) counts characters).
OFFICE_CODE_LENGTH = 12
OFFICE_NAME_LENGTH = 150
APP_VERSION_LENGTH = 20
NAME_LENGTH = 100
ACCOUNT_NUMBER_LENGTH = 32
UNIT_KERJA_LENGTH = 150
DOCUMENT_KIND_LENGTH = 20
DOCUMENT_VARIANT_LENGTH = 40
ORIGINAL_NAME_LENGTH = 255
MEDIA_TYPE_LENGTH = 100
# Any other text (kept only inside the record's JSON at the centre).
TEXT_LENGTH = 4000
# Every integer (sequence, counts, sizes, honoraria) fits a signed 32-bit database column.
MAX_INTEGER = 2**31 - 1

_SHA256 = re.compile(r"[0-9a-f]{64}")
_NIK = re.compile(r"[0-9]{16}")
_OFFICE = re.compile(r"[A-Z0-9]{2,12}")
_TOKEN = re.compile(r"[A-Za-z0-9_.:-]+")
# Control characters (NUL, escape sequences…) and lone UTF-16 surrogates: no name, address or
# reason holds them; PostgreSQL refuses NUL and no database can encode a lone surrogate. Tab,
# line feed and carriage return are allowed (an address or a reason may span lines).
_FORBIDDEN_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


class BatchFormatError(UserError):
    """The content of a batch file does not follow the format."""


def base_name(office_code: str, sequence: int) -> str:
    """``nonasn-3273-000001``: the stem every file of one batch shares."""
    return f"{FILE_PREFIX}-{office_code}-{sequence:06d}"


def container_name(office_code: str, sequence: int, *, encrypted: bool) -> str:
    name = base_name(office_code, sequence) + CONTAINER_SUFFIX
    return name + ENCRYPTED_SUFFIX if encrypted else name


def public_key_comment(office_code: str, office_name: str, key_id: str) -> str:
    return f"{PUBLIC_KEY_COMMENT_PREFIX} {office_code} {key_id} ({' '.join(office_name.split())})"


_KEY_COMMENT_OFFICE = re.compile(rf"\b{PUBLIC_KEY_COMMENT_PREFIX} ([A-Z0-9]{{2,12}})\b")


def office_code_of_comment(comment: str) -> str | None:
    """The office code a public key comment written by this application names, if any."""
    match = _KEY_COMMENT_OFFICE.search(comment)
    return match.group(1) if match else None


def is_office_code(text: str) -> bool:
    return _OFFICE.fullmatch(text) is not None


def document_member(sha256: str, media_type: str) -> str:
    return f"{DOCUMENTS_PREFIX}{sha256}{MEDIA_EXTENSIONS.get(media_type, '.bin')}"


def utc_text(value: dt.datetime) -> str:
    """RFC 3339 UTC with a Z and whole seconds: ``2026-01-05T08:00:00Z``."""
    return value.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_utc(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError("no time zone")
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        # "9999-12-31T23:59:59-01:00" is a valid text whose UTC time is past year 9999.
        raise ValueError("out of range") from None


def text_problem(value: str, limit: int) -> str | None:
    """None when ``value`` fits a text column of ``limit`` characters; else what is wrong."""
    if len(value) > limit:
        return f"lebih dari {limit} karakter"
    if _FORBIDDEN_CHARACTERS.search(value):
        return "berisi karakter kendali atau karakter tidak sah"
    return None


def integer_problem(value: object, minimum: int = 0) -> str | None:
    """None when ``value`` is an integer from ``minimum`` to :data:`MAX_INTEGER`."""
    if not isinstance(value, int) or isinstance(value, bool):
        return "harus bilangan bulat"
    if not minimum <= value <= MAX_INTEGER:
        return f"harus bilangan bulat {minimum}–{MAX_INTEGER}"
    return None


# -- trusted comment ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SignedFacts:
    """What the signature's trusted comment states about the batch."""

    office_code: str
    batch_id: str
    sequence: int
    record_count: int
    created_at: str
    file_name: str

    def to_comment(self) -> str:
        return (
            f"{TRUSTED_COMMENT_PREFIX} v{FORMAT_VERSION} office={self.office_code} "
            f"batch={self.batch_id} sequence={self.sequence} records={self.record_count} "
            f"created={self.created_at} file={self.file_name}"
        )

    @classmethod
    def parse(cls, comment: str) -> SignedFacts:
        """The facts of a trusted comment written by :meth:`to_comment`."""
        parts = comment.split(" ")
        bad = BatchFormatError(
            "Keterangan bertanda tangan berkas ini bukan milik batch Pendataan Non-ASN.",
            hint="Berkas ini mungkin ditandatangani untuk keperluan lain.",
        )
        if len(parts) < 2 or parts[0] != TRUSTED_COMMENT_PREFIX:
            raise bad
        if parts[1] != f"v{FORMAT_VERSION}":
            raise BatchFormatError(
                f"Batch berformat {parts[1]}; aplikasi ini membaca format v{FORMAT_VERSION}.",
                hint="Pasang versi aplikasi yang lebih baru.",
            )
        fields: dict[str, str] = {}
        for part in parts[2:]:
            key, sep, value = part.partition("=")
            if not sep or not _TOKEN.fullmatch(value) or key in fields:
                raise bad
            fields[key] = value
        try:
            facts = cls(
                office_code=fields["office"],
                batch_id=fields["batch"],
                sequence=int(fields["sequence"]),
                record_count=int(fields["records"]),
                created_at=fields["created"],
                file_name=fields["file"],
            )
        except (KeyError, ValueError):
            raise bad from None
        if not _OFFICE.fullmatch(facts.office_code) or not _is_uuid(facts.batch_id):
            raise bad
        return facts


def _is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False


# -- manifest -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Manifest:
    batch_id: str
    office_code: str
    office_name: str
    instansi_name: str | None
    sequence: int
    created_at: str
    app_version: str
    record_count: int
    document_count: int
    members: tuple[Member, ...]
    format_version: int = FORMAT_VERSION
    record_schema: int = RECORD_SCHEMA_VERSION

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT_NAME,
            "format_version": self.format_version,
            "record_schema": self.record_schema,
            "batch_id": self.batch_id,
            "office_code": self.office_code,
            "office_name": self.office_name,
            "instansi_name": self.instansi_name,
            "sequence": self.sequence,
            "created_at": self.created_at,
            "app_version": self.app_version,
            "record_count": self.record_count,
            "document_count": self.document_count,
            "members": [{"name": m.name, "sha256": m.sha256, "size": m.size} for m in self.members],
        }

    @classmethod
    def from_json(cls, data: object) -> Manifest:
        if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
            raise _bad_manifest("bukan manifest batch Pendataan Non-ASN")
        _check_versions(data)
        _check_batch_fields(data)
        members = manifest_members(
            data.get("members"),
            _bad_manifest,
            # records.jsonl may pass 2 GB in principle; every document is far below.
            fixed={RECORDS_MEMBER: 2**63 - 1},
            document_size=MAX_INTEGER,
        )
        if len(members) - 1 != data["document_count"]:
            raise _bad_manifest("document_count tidak sama dengan banyaknya dokumen")
        return cls(
            batch_id=data["batch_id"],
            office_code=data["office_code"],
            office_name=data["office_name"],
            instansi_name=data.get("instansi_name"),
            sequence=data["sequence"],
            created_at=data["created_at"],
            app_version=data["app_version"],
            record_count=data["record_count"],
            document_count=data["document_count"],
            members=tuple(members),
        )


def _bad_manifest(what: str) -> BatchFormatError:
    return BatchFormatError(f"Manifest batch tidak sah: {what}.")


def _check_versions(data: dict[str, Any]) -> None:
    """A batch of another format or record schema version is refused with a hint to update."""
    version = data.get("format_version")
    if version != FORMAT_VERSION:
        raise BatchFormatError(
            f"Batch berformat versi {version!r}; aplikasi ini membaca versi {FORMAT_VERSION}.",
            hint="Pasang versi aplikasi yang lebih baru.",
        )
    schema = data.get("record_schema")
    if schema != RECORD_SCHEMA_VERSION:
        raise BatchFormatError(
            f"Skema data batch versi {schema!r}; aplikasi ini membaca versi "
            f"{RECORD_SCHEMA_VERSION}.",
            hint="Pasang versi aplikasi yang lebih baru.",
        )


def _check_batch_fields(data: dict[str, Any]) -> None:
    """The manifest's texts, identifiers, time and counts, each within the central schema."""
    text_fields = {
        "batch_id": 36,
        "office_code": OFFICE_CODE_LENGTH,
        "office_name": OFFICE_NAME_LENGTH,
        "created_at": 40,
        "app_version": APP_VERSION_LENGTH,
    }
    for key, limit in text_fields.items():
        if not isinstance(data.get(key), str) or not data[key]:
            raise _bad_manifest(f"{key} harus teks")
        problem = text_problem(data[key], limit)
        if problem:
            raise _bad_manifest(f"{key} {problem}")
    if not _is_uuid(data["batch_id"]):
        raise _bad_manifest("batch_id bukan UUID")
    if not _OFFICE.fullmatch(data["office_code"]):
        raise _bad_manifest("office_code tidak sah")
    try:
        parse_utc(data["created_at"])
    except ValueError:
        raise _bad_manifest("created_at bukan waktu UTC") from None
    instansi = data.get("instansi_name")
    if instansi is not None:
        if not isinstance(instansi, str):
            raise _bad_manifest("instansi_name harus teks atau null")
        problem = text_problem(instansi, OFFICE_NAME_LENGTH)
        if problem:
            raise _bad_manifest(f"instansi_name {problem}")
    for key in ("sequence", "record_count", "document_count"):
        problem = integer_problem(data.get(key), 1 if key == "sequence" else 0)
        if problem:
            raise _bad_manifest(f"{key} {problem}")


# -- record schema ------------------------------------------------------------------------------

# Kinds of values: "text" (at most TEXT_LENGTH characters), "text:N" (at most N), "date"
# (YYYY-MM-DD), "datetime" (RFC 3339 UTC), "int" (0 to MAX_INTEGER), "bool", "nik" (16
# digits), "sha256" (64 lower-case hex), "choice:a|b" (one of the words).
# A name ending in "!" must not be null; every other value may be null.
IDENTITY = {
    "nik": "nik!",
    "nomor_kk": "text",
    "nama": f"text:{NAME_LENGTH}!",
    "tempat_lahir": "text",
    "tanggal_lahir": "date",
    "jenis_kelamin": "choice:L|P",
    "nomor_hp": "text",
    "email": "text",
    "nomor_thk2": "text",
}
ACCOUNT = {
    "account_number": f"text:{ACCOUNT_NUMBER_LENGTH}!",
    "account_created_at": "datetime",
    "pertanyaan_pengaman": "text",
}
BIODATA = {"agama": "text", "status_perkawinan": "text", "alamat": "text"}
EDUCATION = {
    "pendidikan_jenjang": "text",
    "nama_sekolah": "text",
    "jurusan": "text",
    "nomor_ijazah": "text",
    "tanggal_ijazah": "date",
}
EMPLOYMENT = {
    "masih_aktif": "bool",
    "bentuk_sk": "text",
    "unit_kerja": f"text:{UNIT_KERJA_LENGTH}",
}
WORK_HISTORY_ENTRY = {
    "seq": "int!",
    "unit_kerja": "text",
    "jabatan": "text",
    "nomor_sk": "text",
    "tanggal_sk": "date",
    "tmt": "date",
    "tanggal_selesai": "date",
    "pejabat_penandatangan": "text",
    "sumber_gaji": "text",
    "melalui_pengadaan": "bool",
    "gaji_bulanan": "int",
}
ELIGIBILITY = {"outcome": "choice:MS|TMS", "failed_criteria": "text"}
CRITERION = {"code": "text!", "title": "text", "met": "bool!", "reason": "text"}
VERVAL = {
    "decision": "choice:disetujui!",
    "reason": "text",
    "decided_at": "datetime",
    "decided_by": "text",
}
HISTORY_ENTRY = {
    "at": "datetime!",
    "action": "text!",
    "actor": "text",
    "from_status": "text",
    "to_status": "text",
    "reason": "text",
}
REGISTRATION = {
    "created_at": "datetime",
    "declaration_at": "datetime",
    "completed_at": "datetime",
}
DOCUMENT = {
    "kind": f"text:{DOCUMENT_KIND_LENGTH}!",
    "variant": f"text:{DOCUMENT_VARIANT_LENGTH}",
    "original_name": f"text:{ORIGINAL_NAME_LENGTH}",
    "media_type": f"text:{MEDIA_TYPE_LENGTH}!",
    "size": "int!",
    "sha256": "sha256!",
    "member": "text!",
    "compliant_copy": "bool!",
}
# Sections of a record holding one object; the lists are "work_history", "history",
# "documents" and "eligibility.criteria".
SECTIONS: dict[str, dict[str, str]] = {
    "identity": IDENTITY,
    "account": ACCOUNT,
    "biodata": BIODATA,
    "education": EDUCATION,
    "employment": EMPLOYMENT,
    "eligibility": ELIGIBILITY,
    "verval": VERVAL,
    "registration": REGISTRATION,
}
LISTS: dict[str, dict[str, str]] = {
    "work_history": WORK_HISTORY_ENTRY,
    "history": HISTORY_ENTRY,
    "documents": DOCUMENT,
}


def _check_value(kind: str, value: object) -> str | None:
    """None when ``value`` is of ``kind``; else what it should be (Indonesian)."""
    required = kind.endswith("!")
    kind = kind.rstrip("!")
    if value is None:
        return "wajib diisi" if required else None
    if kind == "text" or kind.startswith("text:"):
        if not isinstance(value, str):
            return "harus teks"
        limit = int(kind.removeprefix("text:")) if ":" in kind else TEXT_LENGTH
        return text_problem(value, limit)
    if kind == "int":
        return integer_problem(value)
    if kind == "bool":
        return None if isinstance(value, bool) else "harus true/false"
    if kind == "nik":
        ok = isinstance(value, str) and _NIK.fullmatch(value) is not None
        return None if ok else "harus 16 digit"
    if kind == "sha256":
        ok = isinstance(value, str) and _SHA256.fullmatch(value) is not None
        return None if ok else "harus SHA-256 heksadesimal"
    if kind == "date":
        if isinstance(value, str):
            try:
                dt.date.fromisoformat(value)
                return None if len(value) == 10 else "harus tanggal YYYY-MM-DD"
            except ValueError:
                pass
        return "harus tanggal YYYY-MM-DD"
    if kind == "datetime":
        if isinstance(value, str):
            try:
                parse_utc(value)
                return None
            except ValueError:
                pass
        return "harus waktu UTC (RFC 3339)"
    if kind.startswith("choice:"):
        options = kind.removeprefix("choice:").split("|")
        return None if value in options else "harus salah satu dari " + ", ".join(options)
    raise AssertionError(f"unknown kind {kind}")


def _check_object(path: str, data: object, spec: Mapping[str, str], problems: list[str]) -> None:
    if not isinstance(data, dict):
        problems.append(f"{path} harus objek")
        return
    for key, kind in spec.items():
        if key not in data:
            problems.append(f"{path}.{key} tidak ada")
            continue
        problem = _check_value(kind, data[key])
        if problem:
            problems.append(f"{path}.{key} {problem}")


def _check_list(path: str, data: object, spec: Mapping[str, str], problems: list[str]) -> None:
    if not isinstance(data, list):
        problems.append(f"{path} harus daftar")
        return
    for index, item in enumerate(data):
        _check_object(f"{path}[{index}]", item, spec, problems)


def record_problems(record: object) -> list[str]:
    """Everything wrong with the shape of one record (empty when it follows the schema)."""
    problems: list[str] = []
    if not isinstance(record, dict):
        return ["data harus objek JSON"]
    if record.get("record_schema") != RECORD_SCHEMA_VERSION:
        problems.append(f"record_schema harus {RECORD_SCHEMA_VERSION}")
    for name, spec in SECTIONS.items():
        _check_object(name, record.get(name), spec, problems)
    for name, spec in LISTS.items():
        _check_list(name, record.get(name), spec, problems)
    eligibility = record.get("eligibility")
    if isinstance(eligibility, dict):
        _check_list("eligibility.criteria", eligibility.get("criteria"), CRITERION, problems)
    documents = record.get("documents")
    if isinstance(documents, list):
        for index, item in enumerate(documents):
            if isinstance(item, dict) and isinstance(item.get("sha256"), str):
                expected = document_member(item["sha256"], str(item.get("media_type")))
                if item.get("member") != expected:
                    problems.append(f"documents[{index}].member harus {expected}")
    problems.extend(_unsafe_text_anywhere(record, problems))
    return problems


def _unsafe_text_anywhere(record: Mapping[str, Any], known: list[str]) -> list[str]:
    """Keys and values the schema does not name (readers ignore them, but the centre keeps the
    record's JSON) must be storable too: no NUL, no lone surrogate, wherever they are."""
    found: list[str] = []
    # Iterative, so that a deeply nested value cannot exhaust the stack.
    stack: list[tuple[str, object]] = [("", record)]
    while stack and len(found) < 3:
        path, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                child = f"{path}.{key}" if path else str(key)
                if _FORBIDDEN_CHARACTERS.search(key):
                    found.append(f"nama kunci di {path or 'data'} berisi karakter tidak sah")
                stack.append((child, item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", item) for i, item in enumerate(value))
        elif (
            isinstance(value, str)
            and _FORBIDDEN_CHARACTERS.search(value)
            and not any(problem.startswith(path + " ") for problem in known)
        ):
            found.append(f"{path} berisi karakter kendali atau karakter tidak sah")
    return found


_ACCOUNT_TAIL = re.compile(r"(?:-L[0-9]{2,4})?-[0-9]{4}-[0-9]{6}")


def account_number_problem(number: str, office_code: str) -> str | None:
    """None when ``number`` is an account number of ``office_code``: ``<office>-<year>-<6
    digits>`` made at the office, or ``<office>-L<device>-<year>-<6 digits>`` made on one of
    its enrolled field laptops (the device code keeps the two from ever colliding)."""
    prefix = office_code + "-"
    if not number.startswith(prefix) or not _ACCOUNT_TAIL.fullmatch(number[len(office_code) :]):
        return (
            f"nomor akun {number!r} bukan nomor kantor {office_code} "
            f"({office_code}-TAHUN-NNNNNN atau {office_code}-Lnn-TAHUN-NNNNNN)"
        )
    return None


def record_key(record: Mapping[str, Any]) -> tuple[str, str]:
    """(NIK, account number) of a record that passed :func:`record_problems`."""
    return record["identity"]["nik"], record["account"]["account_number"]


def document_references(record: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    documents: Sequence[Mapping[str, Any]] = record["documents"]
    return documents
