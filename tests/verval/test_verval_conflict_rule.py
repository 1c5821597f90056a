"""A record flagged "NIK ganda" cannot be approved until the pair is settled; the duplicate of
a settled pair never can. Correction and rejection stay open; the queue marks come from here."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from helpers.accounts import actor_for, add_clerk, signed_in
from helpers.conflicts import flag_nik_conflict
from nonasn_desktop.accounts.authz import Actor
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.demo.generate import generate
from nonasn_desktop.errors import ConflictError
from nonasn_desktop.office.identity import initialise
from nonasn_desktop.rules.roles import Role
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.storage.models import Registration
from nonasn_desktop.verval.conflicts import conflict_marks, settle_nik_conflict
from nonasn_desktop.verval.decisions import decide
from nonasn_desktop.verval.review import review_queue


@pytest.fixture
def pair(app_ctx: AppContext) -> tuple[int, int, int]:
    """Three finished, eligible records; the first two flagged as one NIK."""
    initialise(app_ctx, office_code="3273", office_name="BKPSDM Kota Bandung")
    add_clerk(app_ctx, "veri", Role.VERIFIKATOR)
    generate(app_ctx, 3, RecordStatus.PENDAFTARAN_SELESAI, seed=11, actor=actor_for(app_ctx))
    with app_ctx.db.session() as session:
        session.execute(update(Registration).values(eligible=True))
        first, second, other = session.scalars(select(Registration.id).order_by(Registration.id))
    flag_nik_conflict(app_ctx, first, second)
    return first, second, other


def _veri(ctx: AppContext) -> Actor:
    return signed_in(ctx, "veri")


def _status(ctx: AppContext, registration_id: int) -> RecordStatus:
    with ctx.db.session() as session:
        row = session.get(Registration, registration_id)
        assert row is not None
        return RecordStatus(row.status)


def test_neither_record_of_an_unsettled_pair_can_be_approved(
    app_ctx: AppContext, pair: tuple[int, int, int]
) -> None:
    first, second, other = pair
    for registration_id, partner in ((first, second), (second, first)):
        with pytest.raises(ConflictError) as refused:
            decide(app_ctx, registration_id, RecordStatus.DISETUJUI, actor=_veri(app_ctx))
        message = str(refused.value)
        assert message.startswith("Data ini tidak dapat disetujui: NIK ")
        assert f"pendaftaran nomor {partner}" in message
        assert "Data › NIK Ganda" in message
        assert _status(app_ctx, registration_id) is RecordStatus.PENDAFTARAN_SELESAI
    # The record outside the pair is approved as always.
    decide(app_ctx, other, RecordStatus.DISETUJUI, actor=_veri(app_ctx))
    assert _status(app_ctx, other) is RecordStatus.DISETUJUI


def test_after_settling_the_kept_one_is_approved_and_the_duplicate_never(
    app_ctx: AppContext, pair: tuple[int, int, int]
) -> None:
    first, second, _ = pair
    settle_nik_conflict(app_ctx, second, actor=_veri(app_ctx), reason="Data lapangan lebih lengkap")
    with pytest.raises(ConflictError, match="duplikatnya") as refused:
        decide(app_ctx, first, RecordStatus.DISETUJUI, actor=_veri(app_ctx))
    assert "Tolak data ini" in str(refused.value)
    decide(app_ctx, second, RecordStatus.DISETUJUI, actor=_veri(app_ctx))
    assert _status(app_ctx, second) is RecordStatus.DISETUJUI
    # The verifier rejects the duplicate: allowed, with a reason as always.
    decide(
        app_ctx, first, RecordStatus.DITOLAK, actor=_veri(app_ctx),
        reason="Duplikat NIK; data lapangan yang dipertahankan.",
    )  # fmt: skip
    assert _status(app_ctx, first) is RecordStatus.DITOLAK


def test_a_flagged_record_can_still_be_sent_back_for_correction(
    app_ctx: AppContext, pair: tuple[int, int, int]
) -> None:
    first, _, _ = pair
    decide(
        app_ctx, first, RecordStatus.PERLU_PERBAIKAN, actor=_veri(app_ctx),
        reason="NIK pada KTP tidak terbaca jelas.", fields=["nik"],
    )  # fmt: skip
    assert _status(app_ctx, first) is RecordStatus.PERLU_PERBAIKAN


def test_the_marks_of_the_queue(app_ctx: AppContext, pair: tuple[int, int, int]) -> None:
    first, second, other = pair
    queued = [item.id for item in review_queue(app_ctx, actor=_veri(app_ctx))]
    marks = conflict_marks(app_ctx, queued, actor=_veri(app_ctx))
    assert set(marks) == {first, second}
    assert marks[first].nik == marks[second].nik
    assert len(marks[first].nik) == 16
    assert (marks[first].partner_id, marks[second].partner_id) == (second, first)
    assert not marks[first].duplicate
    assert marks[first].label == "NIK ganda"
    assert conflict_marks(app_ctx, [other], actor=_veri(app_ctx)) == {}
    assert conflict_marks(app_ctx, [], actor=_veri(app_ctx)) == {}
    settle_nik_conflict(app_ctx, second, actor=_veri(app_ctx), reason="Data lapangan lebih lengkap")
    after = conflict_marks(app_ctx, queued, actor=_veri(app_ctx))
    assert set(after) == {first}
    assert after[first].duplicate
    assert after[first].label == "NIK ganda (duplikat)"
