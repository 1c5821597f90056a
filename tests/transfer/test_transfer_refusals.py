"""Transfer files that must be refused, each with a clear message and nothing changed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import delete, update

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
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.crypto.errors import SignatureError, WrongPassphraseError
from nonasn_desktop.demo.generate import generate
from nonasn_desktop.devices import registry
from nonasn_desktop.errors import ConflictError, UserError
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.storage.models import Registration, Setting
from nonasn_desktop.transfer.export import STATE_SETTING, TransferResult, export_transfer
from nonasn_desktop.transfer.merge import import_transfer


@dataclass
class Field:
    office: AppContext
    enrolled: Enrolled
    sent: TransferResult

    def refused(self, path: Path, error: type[Exception], match: str) -> None:
        """Importing ``path`` raises ``error`` matching ``match`` and changes nothing."""
        before = snapshot(self.office)
        with pytest.raises(error, match=match):
            import_transfer(
                self.office, path, passphrase=OFFICE_PASSPHRASE, actor=office_admin(self.office)
            )
        assert snapshot(self.office) == before


@pytest.fixture
def field(tmp_path: Path, clock: FakeClock) -> Iterator[Field]:
    office = make_office(tmp_path / "kantor", clock)
    enrolled = enrol_laptop(office, tmp_path, clock=clock)
    generate(
        enrolled.laptop,
        2,
        RecordStatus.PENDAFTARAN_SELESAI,
        seed=3,
        actor=actor_for(enrolled.laptop),
    )
    sent = export_transfer(
        enrolled.laptop,
        tmp_path / "usb",
        passphrase=ENROLMENT_PASSPHRASE,
        actor=field_operator(enrolled.laptop),
    )
    yield Field(office, enrolled, sent)
    enrolled.laptop.close()
    office.close()


def _copy(sent: TransferResult, folder: Path, data: bytes | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / sent.file.name
    target.write_bytes(sent.file.read_bytes() if data is None else data)
    (folder / sent.signature.name).write_bytes(sent.signature.read_bytes())
    return target


def test_a_tampered_file_is_refused(field: Field, tmp_path: Path) -> None:
    data = bytearray(field.sent.file.read_bytes())
    data[len(data) // 2] ^= 0x01
    path = _copy(field.sent, tmp_path / "tampered", bytes(data))
    field.refused(path, SignatureError, "isinya telah diubah, rusak, atau terpotong")


def test_a_truncated_file_is_refused(field: Field, tmp_path: Path) -> None:
    data = field.sent.file.read_bytes()
    path = _copy(field.sent, tmp_path / "cut", data[: len(data) - 5000])
    field.refused(path, SignatureError, "terpotong")


def test_a_file_without_its_signature_is_refused(field: Field, tmp_path: Path) -> None:
    path = _copy(field.sent, tmp_path / "nosig")
    path.with_name(path.name + ".minisig").unlink()
    field.refused(path, SignatureError, "tanpa tanda tangan tidak diterima")


def test_foreign_and_unknown_devices_are_refused(
    field: Field, tmp_path: Path, clock: FakeClock
) -> None:
    # Another office with the same code enrols its own laptops L01 and L02.
    other = make_office(tmp_path / "lain", clock)
    try:
        first = enrol_laptop(other, tmp_path / "lain-1", clock=clock)
        second = enrol_laptop(other, tmp_path / "lain-2", name="Laptop Dua", clock=clock)
        for made in (first, second):
            generate(made.laptop, 1, RecordStatus.DRAF, seed=5, actor=actor_for(made.laptop))
        foreign = export_transfer(
            first.laptop,
            tmp_path / "f",
            passphrase=ENROLMENT_PASSPHRASE,
            actor=field_operator(first.laptop),
        )
        unknown = export_transfer(
            second.laptop,
            tmp_path / "u",
            passphrase=ENROLMENT_PASSPHRASE,
            actor=field_operator(second.laptop),
        )
        first.laptop.close()
        second.laptop.close()
    finally:
        other.close()
    field.refused(foreign.file, SignatureError, "tidak ditandatangani dengan kunci perangkat L01")
    field.refused(unknown.file, SignatureError, "perangkat L02 yang tidak terdaftar")


def test_a_revoked_device_is_refused_naming_it_and_the_date(field: Field) -> None:
    registry.revoke_device(field.office, "L01", actor=office_admin(field.office))
    field.refused(field.sent.file, SignatureError, r"L01 \(Laptop Kec. Selebar\) sudah dicabut")


def test_a_replayed_and_altered_sequence_is_refused(field: Field, tmp_path: Path) -> None:
    import_transfer(
        field.office,
        field.sent.file,
        passphrase=OFFICE_PASSPHRASE,
        actor=office_admin(field.office),
    )
    laptop = field.enrolled.laptop
    # The laptop forgets its transfer marks (an old backup restored) and writes sequence 1
    # again, with other content.
    with laptop.db.session() as session:
        session.execute(delete(Setting).where(Setting.key == STATE_SETTING))
    generate(laptop, 1, RecordStatus.DRAF, seed=8, actor=actor_for(laptop))
    again = export_transfer(
        laptop, tmp_path / "again", passphrase=ENROLMENT_PASSPHRASE, actor=field_operator(laptop)
    )
    assert again.file.name == field.sent.file.name
    field.refused(again.file, ConflictError, "sudah diimpor pada .* dengan isi lain")


def test_a_hostile_value_is_refused_naming_the_record_and_field(
    field: Field, tmp_path: Path
) -> None:
    laptop = field.enrolled.laptop
    with laptop.db.session() as session:
        session.execute(update(Registration).values(alamat="Jl. Merdeka\x00 No. 1"))
    hostile = export_transfer(
        laptop,
        tmp_path / "hostile",
        passphrase=ENROLMENT_PASSPHRASE,
        actor=field_operator(laptop),
        all_records=True,
    )
    field.refused(hostile.file, UserError, r"data ke-1 \(.+\): isian 'alamat' berisi karakter")


def test_the_wrong_office_passphrase_is_refused(field: Field) -> None:
    before = snapshot(field.office)
    with pytest.raises(WrongPassphraseError):
        import_transfer(
            field.office,
            field.sent.file,
            passphrase="salah sekali",
            actor=office_admin(field.office),
        )
    assert snapshot(field.office) == before


def test_a_record_claiming_to_be_exported_is_refused(field: Field, tmp_path: Path) -> None:
    laptop = field.enrolled.laptop
    with laptop.db.session() as session:
        session.execute(update(Registration).values(status=RecordStatus.DIEKSPOR))
    forged = export_transfer(
        laptop,
        tmp_path / "forged",
        passphrase=ENROLMENT_PASSPHRASE,
        actor=field_operator(laptop),
        all_records=True,
    )
    field.refused(forged.file, UserError, "berstatus Diekspor")
