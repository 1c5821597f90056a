"""What the verifier's screen shows: the queue of finished registrations and one record in full.

Plain, display-ready dataclasses (labels from ``forms/``, values formatted the Indonesian way:
dates dd-mm-yyyy, money "Rp 1.500.000", choices by their label), so the GUI only lays them out.
The decision itself is :func:`nonasn_desktop.verval.decisions.decide`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from nonasn_desktop.accounts.authz import Actor, require
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import NotFoundError
from nonasn_desktop.flow.state import IDENTITY_DOCUMENTS, IDENTITY_FIELDS
from nonasn_desktop.policy import FieldDef, Policy
from nonasn_desktop.registration.documents import documents_of
from nonasn_desktop.rules.formatting import format_date, format_money
from nonasn_desktop.rules.permissions import Permission
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.storage import jsontext
from nonasn_desktop.storage.models import Registration, WorkHistory

EMPTY = "-"
DOCUMENT_PREFIX = "dokumen_"
# Fields that are never shown to the verifier: secrets, the captcha, the sign-in page.
_HIDDEN_TYPES = frozenset({"password", "captcha"})
_HIDDEN_KEYS = frozenset({"pertanyaan_pengaman", "pernyataan", "login_nik"})
WORK_SECTION = "Riwayat Pekerjaan"


@dataclass(frozen=True)
class QueueItem:
    """One line of the verval queue."""

    id: int
    nik: str | None
    nama: str | None
    unit_kerja: str | None
    account_number: str | None
    # True MS, False TMS, None not assessed.
    eligible: bool | None
    failed_criteria: str | None
    completed_at: dt.datetime | None


@dataclass(frozen=True)
class ReviewField:
    key: str
    label: str
    value: str


@dataclass(frozen=True)
class ReviewSection:
    title: str
    fields: tuple[ReviewField, ...]


@dataclass(frozen=True)
class ReviewCriterion:
    code: str
    title: str
    met: bool
    reason: str


@dataclass(frozen=True)
class ReviewDocument:
    id: int
    kind: str
    label: str
    # "dokumen_<kind>": the key to mark it for correction.
    key: str
    variant: str | None
    original_name: str
    media_type: str
    size: int
    passed: bool
    compliant_copy: bool

    @property
    def is_pdf(self) -> bool:
        return self.media_type == "application/pdf"


@dataclass(frozen=True)
class Review:
    """One finished registration as the verifier sees it."""

    id: int
    status: RecordStatus
    nik: str | None
    nama: str | None
    account_number: str | None
    unit_kerja: str | None
    completed_at: dt.datetime | None
    eligible: bool | None
    criteria: tuple[ReviewCriterion, ...]
    sections: tuple[ReviewSection, ...]
    # One section per work history entry ("SK ke-1", ...).
    work_history: tuple[ReviewSection, ...]
    documents: tuple[ReviewDocument, ...]

    @property
    def outcome(self) -> str:
        """ "Memenuhi Syarat (MS)", "Tidak Memenuhi Syarat (TMS)" or "Belum dinilai"."""
        if self.eligible is None:
            return "Belum dinilai"
        return "Memenuhi Syarat (MS)" if self.eligible else "Tidak Memenuhi Syarat (TMS)"

    @property
    def failed(self) -> tuple[ReviewCriterion, ...]:
        return tuple(c for c in self.criteria if not c.met)


@dataclass(frozen=True)
class CorrectionChoice:
    """Something the verifier may ask the operator to correct ("Perlu Perbaikan")."""

    key: str
    label: str
    group: str


def _choice_label(field: FieldDef, value: str) -> str:
    for choice in field.choices:
        if choice.key == value:
            return choice.label
    return value


def _phone(value: str) -> str:
    """+6281234567890 -> 0812-3456-7890 (as people write it)."""
    digits = value.lstrip("+")
    national = "0" + digits[2:] if digits.startswith("62") else digits
    groups = [national[i : i + 4] for i in range(0, len(national), 4)]
    return "-".join(groups)


def format_value(field: FieldDef, value: Any) -> str:
    """A stored value as shown to a person."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool) or field.type == "bool":
        return "Ya" if value else "Tidak"
    if isinstance(value, dt.date):
        return format_date(value)
    if field.type == "money" and isinstance(value, int):
        return format_money(value)
    if field.type == "choice":
        return _choice_label(field, str(value))
    if field.type == "phone":
        return _phone(str(value))
    return " ".join(str(value).split())


def _shown(policy: Policy, key: str) -> bool:
    field = policy.fields.get(key)
    return field is not None and field.type not in _HIDDEN_TYPES and key not in _HIDDEN_KEYS


def _record_sections(policy: Policy) -> list[tuple[str, list[str]]]:
    """(title, field keys) of every page that asks for record data, in the flow's order."""
    sections = []
    for step in policy.steps:
        keys = [key for key in step.fields if _shown(policy, key)]
        if keys:
            sections.append((step.heading, keys))
    return sections


def _work_fields(policy: Policy) -> list[str]:
    keys: list[str] = []
    for step in policy.steps:
        keys += [key for key in step.group_fields if _shown(policy, key) and key not in keys]
    return keys


def review_queue(ctx: AppContext, *, actor: Actor) -> list[QueueItem]:
    """Every registration waiting for verval ("Pendaftaran Selesai"), oldest first."""
    query = (
        select(
            Registration.id,
            Registration.nik,
            Registration.nama,
            Registration.unit_kerja,
            Registration.account_number,
            Registration.eligible,
            Registration.failed_criteria,
            Registration.completed_at,
        )
        .where(Registration.status == RecordStatus.PENDAFTARAN_SELESAI)
        .order_by(Registration.completed_at, Registration.id)
    )
    with ctx.db.session() as session:
        require(session, ctx, actor, Permission.VERVAL_REVIEW)
        return [QueueItem(*row) for row in session.execute(query)]


def _criteria(detail_text: str | None) -> tuple[ReviewCriterion, ...]:
    detail = jsontext.loads(detail_text) or {}
    return tuple(
        ReviewCriterion(
            code=str(item.get("code", "")),
            title=str(item.get("title") or ""),
            met=bool(item.get("met")),
            reason=str(item.get("reason") or ""),
        )
        for item in detail.get("criteria", [])
        if isinstance(item, dict)
    )


def load_review(ctx: AppContext, registration_id: int, *, actor: Actor) -> Review:
    """The record in full for the verifier; NotFoundError when it does not exist."""
    policy = ctx.policy
    with ctx.db.session() as session:
        require(session, ctx, actor, Permission.VERVAL_REVIEW)
        row = session.get(Registration, registration_id)
        if row is None:
            raise NotFoundError(f"Pendaftaran nomor {registration_id} tidak ditemukan.")
        sections = tuple(
            ReviewSection(
                title,
                tuple(
                    ReviewField(
                        key,
                        policy.fields[key].label,
                        format_value(policy.fields[key], getattr(row, key, None)),
                    )
                    for key in keys
                ),
            )
            for title, keys in _record_sections(policy)
        )
        work_keys = _work_fields(policy)
        entries = session.scalars(
            select(WorkHistory)
            .where(WorkHistory.registration_id == registration_id)
            .order_by(WorkHistory.seq)
        ).all()
        work = tuple(
            ReviewSection(
                f"SK ke-{entry.seq}",
                tuple(
                    ReviewField(
                        key,
                        policy.fields[key].label,
                        format_value(policy.fields[key], getattr(entry, key, None)),
                    )
                    for key in work_keys
                ),
            )
            for entry in entries
        )
        review = Review(
            id=row.id,
            status=RecordStatus(row.status),
            nik=row.nik,
            nama=row.nama,
            account_number=row.account_number,
            unit_kerja=row.unit_kerja,
            completed_at=row.completed_at,
            eligible=row.eligible,
            criteria=_criteria(row.eligibility_detail),
            sections=sections,
            work_history=work,
            documents=(),
        )
        infos = documents_of(ctx, registration_id, actor=actor, active_only=True, session=session)
    documents = []
    for info in infos:
        rule = policy.documents.rules.get(info.kind)
        variant = None
        if rule is not None and info.variant:
            variant = next((c.label for c in rule.variants if c.key == info.variant), info.variant)
        documents.append(
            ReviewDocument(
                id=info.id,
                kind=info.kind,
                label=rule.label if rule is not None else info.kind,
                key=f"{DOCUMENT_PREFIX}{info.kind}",
                variant=variant,
                original_name=info.original_name,
                media_type=info.media_type,
                size=info.size,
                passed=info.passed,
                compliant_copy=info.is_compliant_copy,
            )
        )
    order = list(policy.documents.rules)
    documents.sort(key=lambda d: (order.index(d.kind) if d.kind in order else len(order), d.id))
    return Review(**{**review.__dict__, "documents": tuple(documents)})


def correction_choices(ctx: AppContext) -> list[CorrectionChoice]:
    """What may be marked for correction, grouped as on the screen: fields, then documents.

    The identity fixed when the account was made (NIK, name, place and date of birth, sex, pas
    foto) cannot be corrected by the operator any more, so it is not offered: a record with a
    wrong identity is refused ("Ditolak") instead.
    """
    policy = ctx.policy
    choices = [
        CorrectionChoice(key, policy.fields[key].label, title)
        for title, keys in _record_sections(policy)
        for key in keys
        if key not in IDENTITY_FIELDS
    ]
    choices += [
        CorrectionChoice(key, policy.fields[key].label, WORK_SECTION)
        for key in _work_fields(policy)
    ]
    choices += [
        CorrectionChoice(f"{DOCUMENT_PREFIX}{kind}", rule.label, "Dokumen")
        for kind, rule in policy.documents.rules.items()
        if kind not in IDENTITY_DOCUMENTS
    ]
    return choices
