"""The state of one registration as the flow keeps it, and its JSON form (the draft).

Everything here is plain data: no Qt, no database. :meth:`RegistrationState.to_json` gives a
dict of JSON types that the store keeps as the draft; :meth:`RegistrationState.from_json` reads
it back, including drafts written by older versions of the application (the ``"v"`` key names
the layout; missing keys take their defaults, so adding a key does not need a new version).

Secrets never reach the draft: the password, its repetition, the security answer, the login
password and the captcha are held by the flow in memory only, and only argon2id hashes of the
password and the answer are kept here. :data:`TRANSIENT_FIELDS` lists those keys and
:meth:`RegistrationState.to_json` drops them even if a caller put them into ``values``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from nonasn_desktop.errors import StorageError
from nonasn_desktop.rules.eligibility import EligibilityResult
from nonasn_desktop.rules.status import RecordStatus

STATE_VERSION = 1

# Typed on the screen, never written to a draft (the flow keeps them in memory).
SECRET_FIELDS = frozenset(
    {"kata_sandi", "kata_sandi_ulang", "jawaban_pengaman", "login_kata_sandi", "captcha"}
)
# Also memory-only: the NIK typed to log in is compared with the record's own and forgotten.
TRANSIENT_FIELDS = SECRET_FIELDS | {"login_nik"}

# Fixed by the account (step 11 of the portal): the clerk can no longer change them.
IDENTITY_FIELDS = ("nik", "nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin")
IDENTITY_DOCUMENTS = ("pas_foto",)

# The account exists and the record is open for the operator.
ACCOUNT_STATUSES = frozenset({RecordStatus.AKUN_DIBUAT, RecordStatus.PERLU_PERBAIKAN})
# Registration ended: the record belongs to verification and export, not to the operator.
FINISHED_STATUSES = frozenset(
    {
        RecordStatus.PENDAFTARAN_SELESAI,
        RecordStatus.DISETUJUI,
        RecordStatus.DITOLAK,
        RecordStatus.DIEKSPOR,
    }
)


def _date_to_json(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _date_from_json(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@dataclass(frozen=True)
class DocumentRef:
    """A checked document stored elsewhere (the document store), as the flow refers to it."""

    kind: str
    document_id: int
    sha256: str
    original_name: str
    passed: bool
    # For kinds with variants (sk_jabatan): which form was handed in.
    variant: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "document_id": self.document_id,
            "sha256": self.sha256,
            "original_name": self.original_name,
            "passed": self.passed,
            "variant": self.variant,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DocumentRef:
        return cls(
            kind=str(data["kind"]),
            document_id=int(data["document_id"]),
            sha256=str(data["sha256"]),
            original_name=str(data.get("original_name", "")),
            passed=bool(data.get("passed", False)),
            variant=data.get("variant"),
        )


@dataclass(frozen=True)
class RosterSummary:
    """What the Admin Instansi registered for one NIK.

    Step 3 shows the identity beside the typed data; the rest (education, the SK and its pay)
    pre-fills the pages that ask for it (:mod:`nonasn_desktop.flow.prefill`). Empty text or
    None: the roster does not say.
    """

    nik: str
    nama: str
    tempat_lahir: str = ""
    tanggal_lahir: dt.date | None = None
    # "L" or "P"; empty when the roster does not say.
    jenis_kelamin: str = ""
    unit_kerja: str = ""
    jabatan: str = ""
    instansi: str = ""
    nomor_thk2: str = ""
    # Choice keys of forms/ (fields.toml, eligibility.toml), as the roster import stores them.
    pendidikan_jenjang: str = ""
    nama_sekolah: str = ""
    jurusan: str = ""
    nomor_ijazah: str = ""
    tanggal_ijazah: dt.date | None = None
    nomor_sk: str = ""
    tanggal_sk: dt.date | None = None
    tmt: dt.date | None = None
    tanggal_selesai: dt.date | None = None
    pejabat_penandatangan: str = ""
    sumber_gaji: str = ""
    # Whole rupiah.
    gaji_bulanan: int | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            data[item.name] = _date_to_json(value) if isinstance(value, dt.date) else value
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RosterSummary:
        # Drafts written before a key existed lack it: the default stands.
        values: dict[str, Any] = {}
        for item in fields(cls):
            if item.name not in data:
                continue
            raw = data[item.name]
            if item.name in _ROSTER_DATES:
                values[item.name] = _date_from_json(raw)
            elif item.name == "gaji_bulanan":
                values[item.name] = int(raw) if raw is not None else None
            else:
                values[item.name] = str(raw) if raw is not None else ""
        values.setdefault("nik", str(data["nik"]))
        values.setdefault("nama", "")
        return cls(**values)


_ROSTER_DATES = frozenset(
    {"tanggal_lahir", "tanggal_ijazah", "tanggal_sk", "tmt", "tanggal_selesai"}
)


def _int_set(items: Iterable[Any]) -> set[int]:
    return {int(item) for item in items}


@dataclass
class RegistrationState:
    """One registration in progress; only the flow (:mod:`.machine`, :mod:`.edits`) changes it."""

    registration_id: int | None = None
    status: RecordStatus = RecordStatus.DRAF
    current_step: int = 1
    # Raw text exactly as typed, per field key (never a key of TRANSIENT_FIELDS).
    values: dict[str, str] = field(default_factory=dict)
    # Work history (step 17): raw text per group field, one dict per SK.
    work_history: list[dict[str, str]] = field(default_factory=list)
    documents: dict[str, DocumentRef] = field(default_factory=dict)
    roster: RosterSummary | None = None
    account_number: str | None = None
    password_hash: str | None = None
    security_answer_hash: str | None = None
    # Captcha steps (7, 16) passed without a captcha because the administrator turned it off.
    captcha_skipped: set[int] = field(default_factory=set)
    # Every step ever passed (including button steps and step 10 once used). Informational: the
    # guards, not this set, decide whether a step can be left.
    completed_steps: set[int] = field(default_factory=set)
    # Step 20 ("Periksa Kembali") done since the last change of phase-B data.
    reviewed: bool = False
    # Step 21: the declaration box is ticked.
    declaration: bool = False
    # Pages already pre-filled from the roster (flow.prefill): a value the clerk cleared there
    # stays cleared when the page is entered again.
    prefilled_steps: set[int] = field(default_factory=set)
    # Evaluated when work history was left (step 17) and again when registration ended.
    eligibility: EligibilityResult | None = None

    @property
    def has_account(self) -> bool:
        return self.status is not RecordStatus.DRAF

    @property
    def finished(self) -> bool:
        """Registration ended (step 23 confirmed or later): nothing can be changed here."""
        return self.status in FINISHED_STATUSES

    @property
    def locked_fields(self) -> frozenset[str]:
        """Field keys and document kinds the status fixes (identity, once the account exists).

        A finished record is read-only as a whole; see :attr:`finished`.
        """
        if self.status is RecordStatus.DRAF:
            return frozenset()
        return frozenset(IDENTITY_FIELDS) | frozenset(IDENTITY_DOCUMENTS)

    @property
    def is_tms(self) -> bool:
        """Flagged: eligibility was evaluated and at least one criterion failed."""
        return self.eligibility is not None and not self.eligibility.eligible

    def to_json(self) -> dict[str, Any]:
        return {
            "v": STATE_VERSION,
            "registration_id": self.registration_id,
            "status": self.status.value,
            "current_step": self.current_step,
            "values": {k: v for k, v in self.values.items() if k not in TRANSIENT_FIELDS},
            "work_history": [dict(entry) for entry in self.work_history],
            "documents": {kind: ref.to_json() for kind, ref in sorted(self.documents.items())},
            "roster": self.roster.to_json() if self.roster is not None else None,
            "account_number": self.account_number,
            "password_hash": self.password_hash,
            "security_answer_hash": self.security_answer_hash,
            "captcha_skipped": sorted(self.captcha_skipped),
            "completed_steps": sorted(self.completed_steps),
            "reviewed": self.reviewed,
            "declaration": self.declaration,
            "prefilled_steps": sorted(self.prefilled_steps),
            "eligibility": self.eligibility.to_json() if self.eligibility is not None else None,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RegistrationState:
        data = _upgrade(data)
        roster = data.get("roster")
        eligibility = data.get("eligibility")
        return cls(
            registration_id=data.get("registration_id"),
            status=RecordStatus(data.get("status", RecordStatus.DRAF.value)),
            current_step=int(data.get("current_step", 1)),
            values={
                str(k): str(v)
                for k, v in data.get("values", {}).items()
                if k not in TRANSIENT_FIELDS
            },
            work_history=[
                {str(k): str(v) for k, v in entry.items()} for entry in data.get("work_history", [])
            ],
            documents={
                str(kind): DocumentRef.from_json(ref)
                for kind, ref in data.get("documents", {}).items()
            },
            roster=RosterSummary.from_json(roster) if roster else None,
            account_number=data.get("account_number"),
            password_hash=data.get("password_hash"),
            security_answer_hash=data.get("security_answer_hash"),
            captcha_skipped=_int_set(data.get("captcha_skipped", [])),
            completed_steps=_int_set(data.get("completed_steps", [])),
            reviewed=bool(data.get("reviewed", False)),
            declaration=bool(data.get("declaration", False)),
            prefilled_steps=_int_set(data.get("prefilled_steps", [])),
            eligibility=EligibilityResult.from_json(dict(eligibility)) if eligibility else None,
        )


def _upgrade(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """Bring a draft written by an older version to the current layout.

    A draft without "v" predates versioning and is read as version 1. When the layout changes
    incompatibly, bump STATE_VERSION and add a step here that rewrites version n into n + 1.
    """
    version = data.get("v", 1)
    if not isinstance(version, int) or version < 1:
        raise StorageError(f"Draf pendaftaran rusak: versi {version!r} tidak dikenal.")
    if version > STATE_VERSION:
        raise StorageError(
            f"Draf pendaftaran ini dibuat oleh versi aplikasi yang lebih baru (format {version}).",
            hint="Perbarui aplikasi sebelum membuka draf ini.",
        )
    return data
