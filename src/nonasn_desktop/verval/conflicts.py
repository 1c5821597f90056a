"""A NIK registered twice (at the office and on a field laptop, or on two laptops): both records
are kept and flagged by the transfer import (transfer.merge). Here the verifier sees the pair
side by side and settles it.

:func:`conflict_pair` gives both records as :class:`~nonasn_desktop.verval.review.Review`, where
each was made (the office's desk or the device), and the fields whose values differ, for a
screen that lays them out in two columns. :func:`settle_nik_conflict` keeps one: it holds the
NIK from then on and is no longer flagged (so it can be approved and exported); the other
stays flagged, pointing at the kept one, and is never exported (the verifier rejects it as the
duplicate, or the clerks merge what it adds by hand). Nothing either clerk typed is removed.

Until then neither record of a pair can be approved, and the duplicate never can
(:func:`refuse_approval`, called by the verval decision); :func:`conflict_marks` tells the
verval queue and the record list which records to mark.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from nonasn_desktop.accounts.authz import Actor, require
from nonasn_desktop.core import audit
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import ConflictError, NotFoundError
from nonasn_desktop.rules.permissions import Permission
from nonasn_desktop.storage.models import Device, Registration
from nonasn_desktop.verval.review import Review, load_review

ENTITY = "registration"


@dataclass(frozen=True)
class Difference:
    section: str
    label: str
    left: str
    right: str


@dataclass(frozen=True)
class ConflictPair:
    nik: str
    left: Review
    right: Review
    # Where each was made: "Perangkat L01 (Laptop Kec. Selebar)" or "Kantor".
    left_origin: str
    right_origin: str
    differences: tuple[Difference, ...]


@dataclass(frozen=True)
class ConflictMark:
    """Why a record is marked "NIK ganda" in the queue and the list."""

    registration_id: int
    nik: str
    # The other record of the pair (None if it no longer exists).
    partner_id: int | None
    partner_nama: str | None
    # True: the verifier kept the partner, this one is the duplicate; False: not settled yet.
    duplicate: bool

    @property
    def label(self) -> str:
        return "NIK ganda (duplikat)" if self.duplicate else "NIK ganda"

    @property
    def problem(self) -> str:
        partner = _partner_text(self.partner_id, self.partner_nama)
        if self.duplicate:
            return (
                f"NIK {self.nik} dipegang oleh {partner}, yang dipertahankan saat NIK ganda "
                "diselesaikan; data ini duplikatnya dan tidak akan diekspor."
            )
        return f"NIK {self.nik} juga terdaftar pada {partner}."

    @property
    def advice(self) -> str:
        if self.duplicate:
            return (
                "Tolak data ini, atau salin isian yang masih diperlukan ke pendaftaran yang "
                "dipertahankan."
            )
        return (
            "Selesaikan dulu lewat Data › NIK Ganda… (pilih pendaftaran yang dipertahankan) "
            "sebelum menyetujui."
        )

    @property
    def explanation(self) -> str:
        """What the mark means and what to do, in the verifier's words."""
        return f"{self.problem} {self.advice}"


def _partner_text(partner_id: int | None, nama: str | None) -> str:
    if partner_id is None:
        return "pendaftaran lain"
    return f"pendaftaran nomor {partner_id} ({nama or 'tanpa nama'})"


def _marks(session: Session, rows: Iterable[Registration]) -> dict[int, ConflictMark]:
    flagged = [row for row in rows if row.nik_conflict]
    partner_ids = {row.nik_conflict_with for row in flagged if row.nik_conflict_with is not None}
    partners: dict[int, tuple[str | None, bool]] = {}
    if partner_ids:
        found = session.execute(
            select(Registration.id, Registration.nama, Registration.nik_conflict).where(
                Registration.id.in_(partner_ids)
            )
        )
        for partner_id, nama, partner_flag in found:
            partners[partner_id] = (nama, bool(partner_flag))
    marks: dict[int, ConflictMark] = {}
    for row in flagged:
        partner = partners.get(row.nik_conflict_with) if row.nik_conflict_with else None
        marks[row.id] = ConflictMark(
            registration_id=row.id,
            nik=row.nik or row.conflict_nik or "",
            partner_id=row.nik_conflict_with if partner is not None else None,
            partner_nama=partner[0] if partner is not None else None,
            # Settled: the partner holds the NIK and is no longer flagged.
            duplicate=partner is not None and not partner[1],
        )
    return marks


def conflict_marks(
    ctx: AppContext, registration_ids: Iterable[int], *, actor: Actor
) -> dict[int, ConflictMark]:
    """The "NIK ganda" marks of those records that carry one (by id; others are absent)."""
    ids = set(registration_ids)
    if not ids:
        return {}
    with ctx.db.session() as session:
        require(session, ctx, actor, Permission.VERVAL_REVIEW)
        rows = session.scalars(
            select(Registration).where(
                Registration.id.in_(ids), Registration.nik_conflict.is_(True)
            )
        ).all()
        return _marks(session, rows)


def refuse_approval(session: Session, row: Registration) -> None:
    """Raise ConflictError when ``row`` is flagged: one of an unsettled pair or the duplicate.

    The rule of the verval decision (verval.decisions.decide): a flagged record is never
    approved, whatever screen or command asks.
    """
    mark = _marks(session, [row]).get(row.id)
    if mark is not None:
        raise ConflictError(f"Data ini tidak dapat disetujui: {mark.problem}", hint=mark.advice)


def _origin(code: str | None, devices: dict[str, str]) -> str:
    if code is not None and code in devices:
        return f"Perangkat {code} ({devices[code]})"
    return "Kantor"


def open_conflicts(ctx: AppContext, *, actor: Actor) -> list[int]:
    """The flagged records whose partner is flagged too (a pair not settled yet), one id per
    pair (the newer record: the one that arrived second), oldest pair first."""
    with ctx.db.session() as session:
        require(session, ctx, actor, Permission.VERVAL_REVIEW)
        rows = session.execute(
            select(Registration.id, Registration.nik_conflict_with).where(
                Registration.nik_conflict.is_(True)
            )
        ).all()
    flagged: dict[int, int | None] = {}
    for row_id, other in rows:
        flagged[row_id] = other
    pairs = {
        max(row_id, other)
        for row_id, other in flagged.items()
        if other is not None and flagged.get(other) == row_id
    }
    return sorted(pairs)


def conflict_pair(ctx: AppContext, registration_id: int, *, actor: Actor) -> ConflictPair | None:
    """The flagged record and the one it conflicts with; None when it is not flagged."""
    with ctx.db.session() as session:
        require(session, ctx, actor, Permission.VERVAL_REVIEW)
        row = session.get(Registration, registration_id)
        if row is None:
            raise NotFoundError(f"Pendaftaran nomor {registration_id} tidak ditemukan.")
        if not row.nik_conflict or row.nik_conflict_with is None:
            return None
        other = session.get(Registration, row.nik_conflict_with)
        if other is None:
            return None
        nik = row.nik or row.conflict_nik or other.nik or other.conflict_nik or ""
        devices: dict[str, str] = {}
        for code, name in session.execute(select(Device.code, Device.name)):
            devices[code] = name
        origins = (_origin(row.origin_device, devices), _origin(other.origin_device, devices))
        other_id = other.id
    left, right = (
        load_review(ctx, registration_id, actor=actor),
        load_review(ctx, other_id, actor=actor),
    )
    differences = tuple(
        Difference(ls.title, lf.label, lf.value, rf.value)
        for ls, rs in zip(left.sections, right.sections, strict=True)
        for lf, rf in zip(ls.fields, rs.fields, strict=True)
        if lf.value != rf.value
    )
    return ConflictPair(nik, left, right, origins[0], origins[1], differences)


def settle_nik_conflict(ctx: AppContext, keep_id: int, *, actor: Actor, reason: str) -> None:
    """Keep record ``keep_id`` for its NIK; its partner stays flagged as the duplicate."""
    now = ctx.now()
    with ctx.db.session() as session:
        require(session, ctx, actor, Permission.VERVAL_DECIDE)
        keep = session.get(Registration, keep_id)
        if keep is None:
            raise NotFoundError(f"Pendaftaran nomor {keep_id} tidak ditemukan.")
        if not keep.nik_conflict or keep.nik_conflict_with is None:
            raise ConflictError("Pendaftaran ini tidak ditandai NIK ganda.")
        other = session.get(Registration, keep.nik_conflict_with)
        nik = keep.nik or keep.conflict_nik
        if other is not None and keep.nik is None:
            # The NIK column is unique: the partner hands it over first.
            if other.nik == nik:
                other.nik, other.conflict_nik = None, nik
                session.flush()
            keep.nik, keep.conflict_nik = nik, None
        keep.nik_conflict = None
        keep.nik_conflict_with = None
        if other is not None:
            other.nik_conflict = True
            other.nik_conflict_with = keep.id
        for subject, action in ((keep, "kept"), (other, "duplicate")):
            if subject is None:
                continue
            audit.record(
                session,
                actor=actor.username,
                action=f"registration.nik_conflict_{action}",
                entity=ENTITY,
                entity_id=subject.id,
                changes={"nik_conflict": (True, subject.nik_conflict)},
                reason=reason,
                at=now,
            )
