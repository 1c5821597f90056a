"""A record the office sent back ("Perlu Perbaikan") goes to the laptop that made it, is
corrected there and comes back with the next transfer."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from helpers.accounts import FakeClock, actor_for
from helpers.fieldwork import (
    ENROLMENT_PASSPHRASE,
    OFFICE_PASSPHRASE,
    enrol_laptop,
    field_operator,
    make_office,
    office_admin,
)
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.crypto.errors import DecryptionError
from nonasn_desktop.demo.generate import generate
from nonasn_desktop.errors import UserError
from nonasn_desktop.registration.store import SqlFlowStore
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.storage.models import AuditLog, Registration
from nonasn_desktop.transfer.export import export_transfer
from nonasn_desktop.transfer.merge import import_transfer
from nonasn_desktop.transfer.returns import apply_return, write_return
from nonasn_desktop.verval.decisions import decide


def _status(ctx: AppContext, uid: str) -> tuple[RecordStatus, str | None]:
    with ctx.db.session() as session:
        row = session.scalars(select(Registration).where(Registration.uid == uid)).one()
        return RecordStatus(row.status), row.returned_to_device


def test_a_record_sent_back_is_corrected_on_the_laptop_and_returns(
    tmp_path: Path, clock: FakeClock
) -> None:
    office = make_office(tmp_path / "kantor", clock)
    enrolled = enrol_laptop(office, tmp_path, clock=clock)
    laptop = enrolled.laptop
    try:
        generate(laptop, 2, RecordStatus.PENDAFTARAN_SELESAI, seed=4, actor=actor_for(laptop))
        first = export_transfer(
            laptop, tmp_path / "usb1", passphrase=ENROLMENT_PASSPHRASE, actor=field_operator(laptop)
        )
        import_transfer(
            office, first.file, passphrase=OFFICE_PASSPHRASE, actor=office_admin(office)
        )
        with pytest.raises(UserError, match="Tidak ada data perangkat L01"):
            write_return(
                office,
                "L01",
                out=tmp_path / "r",
                office_passphrase=OFFICE_PASSPHRASE,
                actor=office_admin(office),
            )
        with office.db.session() as session:
            target = session.scalars(select(Registration).order_by(Registration.id)).first()
            assert target is not None
            office_id, uid = target.id, str(target.uid)
        clock.advance(hours=1)
        decide(
            office,
            office_id,
            RecordStatus.PERLU_PERBAIKAN,
            actor=office_admin(office),
            reason="Nomor HP tidak dapat dihubungi, mohon diperiksa",
            fields=["nomor_hp"],
        )
        written = write_return(
            office,
            "L01",
            out=tmp_path / "kembali.nonasn",
            office_passphrase=OFFICE_PASSPHRASE,
            actor=office_admin(office),
        )
        assert written.records == 1
        assert _status(office, uid) == (RecordStatus.PERLU_PERBAIKAN, "L01")

        clock.advance(hours=1)
        applied = apply_return(
            laptop, written.file, ENROLMENT_PASSPHRASE, actor=field_operator(laptop)
        )
        assert (applied.applied, applied.already, applied.unknown) == (1, 0, 0)
        assert (
            apply_return(
                laptop, written.file, ENROLMENT_PASSPHRASE, actor=field_operator(laptop)
            ).already
            == 1
        )
        assert _status(laptop, uid)[0] is RecordStatus.PERLU_PERBAIKAN

        # The clerk corrects and finishes it again on the laptop.
        with laptop.db.session() as session:
            local_id = session.scalars(select(Registration.id).where(Registration.uid == uid)).one()
        store = SqlFlowStore(laptop, actor=field_operator(laptop))
        state = store.load(local_id)
        store.complete_registration(state)
        clock.advance(hours=1)
        second = export_transfer(
            laptop, tmp_path / "usb2", passphrase=ENROLMENT_PASSPHRASE, actor=field_operator(laptop)
        )
        assert second.record_count == 1
        result = import_transfer(
            office, second.file, passphrase=OFFICE_PASSPHRASE, actor=office_admin(office)
        )
        assert (result.updated, result.added, result.kept_office) == (1, 0, 0)
        assert _status(office, uid) == (RecordStatus.PENDAFTARAN_SELESAI, None)
        # The office's trail names the clerk and the device of the correction.
        with office.db.session() as session:
            entry = session.scalars(
                select(AuditLog).where(
                    AuditLog.action == "registration.completed", AuditLog.actor == "siti"
                )
            ).one()
            assert entry.device == "L01"
            assert entry.entity_id == str(office_id)
    finally:
        laptop.close()
        office.close()


def test_a_return_file_opens_only_on_its_own_device(tmp_path: Path, clock: FakeClock) -> None:
    office = make_office(tmp_path / "kantor", clock)
    first = enrol_laptop(office, tmp_path / "a", clock=clock)
    second = enrol_laptop(office, tmp_path / "b", name="Laptop B", clock=clock)
    try:
        generate(
            first.laptop, 1, RecordStatus.PENDAFTARAN_SELESAI, seed=4, actor=actor_for(first.laptop)
        )
        sent = export_transfer(
            first.laptop,
            tmp_path / "usb",
            passphrase=ENROLMENT_PASSPHRASE,
            actor=field_operator(first.laptop),
        )
        import_transfer(office, sent.file, passphrase=OFFICE_PASSPHRASE, actor=office_admin(office))
        with office.db.session() as session:
            office_id = session.scalars(select(Registration.id)).one()
        decide(
            office,
            office_id,
            RecordStatus.PERLU_PERBAIKAN,
            actor=office_admin(office),
            reason="Dokumen KTP buram, mohon unggah ulang",
            fields=["nomor_hp"],
        )
        written = write_return(
            office,
            "L01",
            out=tmp_path / "k.nonasn",
            office_passphrase=OFFICE_PASSPHRASE,
            actor=office_admin(office),
        )
        with pytest.raises(DecryptionError, match="bukan untuk perangkat ini"):
            apply_return(
                second.laptop,
                written.file,
                ENROLMENT_PASSPHRASE,
                actor=field_operator(second.laptop),
            )
    finally:
        first.laptop.close()
        second.laptop.close()
        office.close()
