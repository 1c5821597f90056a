"""Verifier decisions: reasons, TMS approval, allowed statuses, audit."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select, update

from helpers.accounts import actor_for
from nonasn_desktop.accounts.authz import Actor
from nonasn_desktop.accounts.users import authenticate, create_user
from nonasn_desktop.core import audit
from nonasn_desktop.demo.generate import generate
from nonasn_desktop.errors import AuthError, ConflictError, FieldError
from nonasn_desktop.office.identity import initialise
from nonasn_desktop.rules.roles import Role
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.storage.models import Registration
from nonasn_desktop.verval.decisions import decide

if TYPE_CHECKING:
    from nonasn_desktop.core.context import AppContext


@pytest.fixture
def finished(app_ctx: AppContext) -> tuple[AppContext, int]:
    initialise(app_ctx, office_code="3273", office_name="BKPSDM Kota Bandung")
    create_user(
        app_ctx, username="veri", full_name="Verifikator", role=Role.VERIFIKATOR,
        password="rahasia123", actor=actor_for(app_ctx)
    )  # fmt: skip
    generate(app_ctx, 1, seed=11, actor=actor_for(app_ctx))
    with app_ctx.db.session() as session:
        registration_id = session.scalars(select(Registration.id)).one()
        session.execute(update(Registration).values(eligible=True))
    return app_ctx, registration_id


def _as(ctx: AppContext, username: str) -> Actor:
    return authenticate(ctx, username, "rahasia123").actor


def _status(ctx: AppContext, registration_id: int) -> RecordStatus:
    with ctx.db.session() as session:
        row = session.get(Registration, registration_id)
        assert row is not None
        return RecordStatus(row.status)


def test_approve_an_eligible_record_without_reason(finished: tuple[AppContext, int]) -> None:
    ctx, registration_id = finished
    decide(ctx, registration_id, RecordStatus.DISETUJUI, actor=_as(ctx, "veri"))
    assert _status(ctx, registration_id) is RecordStatus.DISETUJUI
    entry = audit.history(ctx, "registration", registration_id)[-1]
    assert entry.action == "verval.disetujui"
    assert entry.actor == "veri"


def test_approving_a_tms_record_needs_a_written_reason(finished: tuple[AppContext, int]) -> None:
    ctx, registration_id = finished
    with ctx.db.session() as session:
        session.execute(update(Registration).values(eligible=False, failed_criteria="E4"))
    with pytest.raises(FieldError, match="TMS"):
        decide(ctx, registration_id, RecordStatus.DISETUJUI, actor=_as(ctx, "veri"))
    decide(
        ctx,
        registration_id,
        RecordStatus.DISETUJUI,
        actor=_as(ctx, "veri"),
        reason="SK pertama 2020 ditemukan di arsip BKD.",
    )
    assert _status(ctx, registration_id) is RecordStatus.DISETUJUI


def test_correction_needs_a_reason_and_fields(finished: tuple[AppContext, int]) -> None:
    ctx, registration_id = finished
    with pytest.raises(FieldError, match="alasan"):
        decide(ctx, registration_id, RecordStatus.PERLU_PERBAIKAN, actor=_as(ctx, "veri"))
    with pytest.raises(FieldError, match="isian"):
        decide(
            ctx, registration_id, RecordStatus.PERLU_PERBAIKAN, actor=_as(ctx, "veri"),
            reason="Ijazah tidak terbaca sama sekali.",
        )  # fmt: skip
    decide(
        ctx, registration_id, RecordStatus.PERLU_PERBAIKAN, actor=_as(ctx, "veri"),
        reason="Ijazah tidak terbaca sama sekali.", fields=["dokumen_ijazah", "nomor_ijazah"],
    )  # fmt: skip
    assert _status(ctx, registration_id) is RecordStatus.PERLU_PERBAIKAN


def test_rejection_needs_a_reason(finished: tuple[AppContext, int]) -> None:
    ctx, registration_id = finished
    with pytest.raises(FieldError):
        decide(ctx, registration_id, RecordStatus.DITOLAK, actor=_as(ctx, "veri"), reason="ganda")
    decide(
        ctx, registration_id, RecordStatus.DITOLAK, actor=_as(ctx, "veri"),
        reason="Terdaftar ganda di Dinas Kesehatan.",
    )  # fmt: skip
    assert _status(ctx, registration_id) is RecordStatus.DITOLAK


def test_only_finished_records_can_be_decided(finished: tuple[AppContext, int]) -> None:
    ctx, registration_id = finished
    decide(ctx, registration_id, RecordStatus.DISETUJUI, actor=_as(ctx, "veri"))
    with pytest.raises(ConflictError, match="Disetujui"):
        decide(ctx, registration_id, RecordStatus.DISETUJUI, actor=_as(ctx, "veri"))


def test_operators_cannot_decide(finished: tuple[AppContext, int]) -> None:
    ctx, registration_id = finished
    create_user(
        ctx, username="opa", full_name="Operator", role=Role.OPERATOR, password="rahasia123",
        actor=actor_for(ctx),
    )  # fmt: skip
    with pytest.raises(AuthError):
        decide(ctx, registration_id, RecordStatus.DISETUJUI, actor=_as(ctx, "opa"))
