"""Verification and validation (verval): the verifier's decision on a finished registration.

Only a record whose registration has ended ("Pendaftaran Selesai") can be decided. "Perlu
Perbaikan" and "Ditolak" need a written reason, and so does approving a record that does not
meet the eligibility criteria (TMS). Every decision is written to the audit log.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from nonasn_desktop.accounts.authz import Actor, require
from nonasn_desktop.core import audit
from nonasn_desktop.core.context import AppContext, use_session
from nonasn_desktop.errors import ConflictError, FieldError, NotFoundError
from nonasn_desktop.registration.store import ENTITY
from nonasn_desktop.rules.permissions import Permission
from nonasn_desktop.rules.status import RecordStatus, can_move
from nonasn_desktop.storage import jsontext
from nonasn_desktop.storage.models import Registration
from nonasn_desktop.verval import conflicts

DECISIONS = (RecordStatus.DISETUJUI, RecordStatus.PERLU_PERBAIKAN, RecordStatus.DITOLAK)
MIN_REASON_LENGTH = 10


def decide(
    ctx: AppContext,
    registration_id: int,
    decision: RecordStatus,
    *,
    actor: Actor,
    reason: str | None = None,
    fields: Sequence[str] = (),
    session: Session | None = None,
) -> RecordStatus:
    """Record the verifier's decision; returns the record's new status."""
    if decision not in DECISIONS:
        raise ValueError(f"not a verval decision: {decision}")
    reason = " ".join((reason or "").split()) or None
    fields = tuple(dict.fromkeys(fields))
    with use_session(ctx, session) as active:
        clerk = require(active, ctx, actor, Permission.VERVAL_DECIDE)
        row = active.get(Registration, registration_id)
        if row is None:
            raise NotFoundError(f"Pendaftaran nomor {registration_id} tidak ditemukan.")
        current = RecordStatus(row.status)
        if not can_move(current, decision) or current is not RecordStatus.PENDAFTARAN_SELESAI:
            raise ConflictError(
                f"Pendaftaran berstatus {current.label} tidak dapat diputuskan; hanya yang "
                "berstatus Pendaftaran Selesai."
            )
        if decision is RecordStatus.DISETUJUI:
            conflicts.refuse_approval(active, row)
        _require_reason(decision, reason, tms=row.eligible is False, fields=fields, ctx=ctx)
        now = ctx.now()
        row.status = decision
        row.decision_reason = reason
        row.correction_fields = jsontext.dumps(list(fields)) if fields else None
        row.decided_by = clerk.id
        row.decided_at = now
        changes: dict[str, tuple[object, object]] = {"status": (current.value, decision.value)}
        if fields:
            changes["isian_diperbaiki"] = (None, list(fields))
        audit.record(
            active,
            actor=actor.username,
            action=f"verval.{decision.value}",
            entity=ENTITY,
            entity_id=row.id,
            changes=changes,
            reason=reason,
            at=now,
        )
        return decision


def _require_reason(
    decision: RecordStatus,
    reason: str | None,
    *,
    tms: bool,
    fields: Sequence[str],
    ctx: AppContext,
) -> None:
    needs_reason = decision is not RecordStatus.DISETUJUI or tms
    if needs_reason and (reason is None or len(reason) < MIN_REASON_LENGTH):
        why = {
            RecordStatus.DISETUJUI: "Menyetujui data yang Tidak Memenuhi Syarat (TMS)",
            RecordStatus.PERLU_PERBAIKAN: "Mengembalikan data untuk diperbaiki",
            RecordStatus.DITOLAK: "Menolak data",
        }[decision]
        raise FieldError(
            "alasan",
            f"{why} memerlukan alasan tertulis (paling sedikit {MIN_REASON_LENGTH} karakter).",
        )
    if decision is RecordStatus.PERLU_PERBAIKAN:
        if not fields:
            raise FieldError("isian", "Pilih paling sedikit satu isian yang harus diperbaiki.")
        known = set(ctx.policy.fields) | {f"dokumen_{kind}" for kind in ctx.policy.documents.rules}
        unknown = [f for f in fields if f not in known]
        if unknown:
            raise ValueError(f"unknown fields to correct: {unknown}")
