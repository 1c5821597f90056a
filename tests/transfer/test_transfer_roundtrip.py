"""Issue 10's "Done when": a field laptop registers people offline, hands them to the office,
the office imports twice and exports to the centre with numbers unique everywhere."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from helpers.accounts import FakeClock, actor_for
from helpers.fieldwork import (
    ENROLMENT_PASSPHRASE,
    OFFICE_PASSPHRASE,
    Enrolled,
    enrol_laptop,
    field_operator,
    make_office,
    office_admin,
    snapshot,
)
from nonasn_desktop.batch.export import export_batch
from nonasn_desktop.central.trust import TrustStore
from nonasn_desktop.central.verify import open_batch
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.demo.generate import generate
from nonasn_desktop.errors import ConflictError
from nonasn_desktop.office import keys
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.storage.models import AuditLog, Registration
from nonasn_desktop.transfer.export import NothingToTransferError, export_transfer
from nonasn_desktop.transfer.merge import flagged_pairs, import_transfer
from nonasn_desktop.verval.conflicts import conflict_pair, settle_nik_conflict
from nonasn_desktop.verval.decisions import decide


@pytest.fixture
def office(tmp_path: Path, clock: FakeClock) -> Iterator[AppContext]:
    ctx = make_office(tmp_path / "kantor", clock)
    yield ctx
    ctx.close()


@pytest.fixture
def enrolled(office: AppContext, tmp_path: Path, clock: FakeClock) -> Iterator[Enrolled]:
    made = enrol_laptop(office, tmp_path, clock=clock)
    yield made
    made.laptop.close()


def _approve_all(ctx: AppContext) -> None:
    """Approve every finished record; a flagged one ("NIK ganda") is refused, and skipped."""
    with ctx.db.session() as session:
        rows = session.execute(
            select(Registration.id, Registration.nik_conflict).where(
                Registration.status == RecordStatus.PENDAFTARAN_SELESAI
            )
        ).all()
    for registration_id, flagged in rows:
        if flagged:
            with pytest.raises(ConflictError, match="tidak dapat disetujui: NIK"):
                decide(ctx, registration_id, RecordStatus.DISETUJUI, actor=office_admin(ctx))
            continue
        decide(
            ctx,
            registration_id,
            RecordStatus.DISETUJUI,
            actor=office_admin(ctx),
            reason="Sudah diperiksa dengan dokumen asli",
        )


def test_laptop_records_reach_the_centre_once_with_unique_numbers(
    office: AppContext, enrolled: Enrolled, tmp_path: Path, clock: FakeClock
) -> None:
    laptop = enrolled.laptop
    # Offline in the field: three people registered on the laptop.
    generate(laptop, 3, RecordStatus.PENDAFTARAN_SELESAI, seed=7, actor=actor_for(laptop))
    # Meanwhile the office registered one of them too (the same NIK), and another person.
    generate(office, 1, RecordStatus.PENDAFTARAN_SELESAI, seed=7, actor=actor_for(office))
    generate(office, 1, RecordStatus.PENDAFTARAN_SELESAI, seed=99, actor=actor_for(office))
    clock.advance(hours=2)
    sent = export_transfer(
        laptop, tmp_path / "usb", passphrase=ENROLMENT_PASSPHRASE, actor=field_operator(laptop)
    )
    assert sent.record_count == 3
    assert sent.file.name == "transfer-1771BKD-L01-000001.zip.age"
    with pytest.raises(NothingToTransferError):
        export_transfer(
            laptop, tmp_path / "usb", passphrase=ENROLMENT_PASSPHRASE, actor=field_operator(laptop)
        )

    first = import_transfer(
        office, sent.file, passphrase=OFFICE_PASSPHRASE, actor=office_admin(office)
    )
    assert (first.added, first.updated, first.already_imported) == (3, 0, False)
    assert len(first.conflicts) == 1
    assert first.documents_added > 0
    after_first = snapshot(office)
    again = import_transfer(
        office, sent.file, passphrase=OFFICE_PASSPHRASE, actor=office_admin(office)
    )
    assert again.already_imported
    assert snapshot(office) == after_first

    # The NIK registered twice: both records kept, flagged, pointing at each other.
    pairs = dict(flagged_pairs(office))
    assert len(pairs) == 2
    (a, b), (c, d) = sorted(pairs.items())
    assert (b, d) == (c, a)
    with office.db.session() as session:
        flagged = session.scalars(select(Registration).where(Registration.id.in_(pairs))).all()
        assert {row.origin_device for row in flagged} == {"L01", office.desk.code}
        assert len({row.nik or row.conflict_nik for row in flagged}) == 1
        assert sum(row.nik is None for row in flagged) == 1
        # The audit trail shows on which device and by which clerk each change was made.
        merged = session.scalars(select(AuditLog).where(AuditLog.origin_ref.is_not(None))).all()
        assert merged
        assert {entry.device for entry in merged} == {"L01"}
        assert all(entry.actor for entry in merged)

    # The office approves and exports: every record except the flagged pair, numbers unique.
    _approve_all(office)
    batch = export_batch(
        office, tmp_path / "pusat", passphrase=OFFICE_PASSPHRASE, actor=office_admin(office)
    )
    trust = tmp_path / "trust"
    keys.export_public_key(office, trust / "1771BKD.pub", actor=office_admin(office))
    with open_batch(batch.file, TrustStore.load(trust)) as contents:
        numbers = [record["account"]["account_number"] for record in contents.records()]
    assert len(numbers) == len(set(numbers)) == 3
    assert sum(number.startswith("1771BKD-L01-") for number in numbers) == 2
    assert sum(not number.startswith("1771BKD-L01-") for number in numbers) == 1


def test_the_verifier_sees_a_nik_conflict_side_by_side_and_settles_it(
    office: AppContext, enrolled: Enrolled, tmp_path: Path, clock: FakeClock
) -> None:
    generate(
        enrolled.laptop,
        1,
        RecordStatus.PENDAFTARAN_SELESAI,
        seed=7,
        actor=actor_for(enrolled.laptop),
    )
    generate(office, 1, RecordStatus.PENDAFTARAN_SELESAI, seed=7, actor=actor_for(office))
    clock.advance(hours=1)
    sent = export_transfer(
        enrolled.laptop,
        tmp_path / "usb",
        passphrase=ENROLMENT_PASSPHRASE,
        actor=field_operator(enrolled.laptop),
    )
    import_transfer(office, sent.file, passphrase=OFFICE_PASSPHRASE, actor=office_admin(office))
    (device_id, office_id), _ = sorted(flagged_pairs(office), key=lambda p: -p[0])
    pair = conflict_pair(office, device_id, actor=office_admin(office))
    assert pair is not None
    assert pair.left.id == device_id
    assert pair.right.id == office_id
    assert pair.left_origin == "Perangkat L01 (Laptop Kec. Selebar)"
    assert pair.right_origin == "Kantor"
    assert len(pair.nik) == 16
    # The office keeps the laptop's record; its own becomes the flagged duplicate.
    settle_nik_conflict(
        office, device_id, actor=office_admin(office), reason="Data lapangan lebih lengkap"
    )
    assert conflict_pair(office, device_id, actor=office_admin(office)) is None
    assert dict(flagged_pairs(office)) == {office_id: device_id}
    with office.db.session() as session:
        kept = session.get(Registration, device_id)
        assert kept is not None
        assert kept.nik == pair.nik
