"""Enrolling a field laptop at the office and setting it up from the enrolment file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from helpers.accounts import FakeClock, actor_for
from helpers.fieldwork import (
    ENROLMENT_PASSPHRASE,
    OFFICE_PASSPHRASE,
    OPERATOR,
    OPERATOR_PASSWORD,
    Enrolled,
    enrol_laptop,
    make_office,
    office_admin,
)
from nonasn_desktop.accounts.users import authenticate
from nonasn_desktop.batch.export import export_batch
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.crypto.errors import CryptoError, DecryptionError
from nonasn_desktop.demo.generate import generate
from nonasn_desktop.devices import field, registry
from nonasn_desktop.errors import ConflictError, UserError
from nonasn_desktop.office.fielddevice import field_device
from nonasn_desktop.office.keys import get_key_info
from nonasn_desktop.roster import entries as roster
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.startup import open_app
from nonasn_desktop.storage.deskconfig import KIND_FIELD_DEVICE, read_desk_config
from nonasn_desktop.storage.models import Office, Registration


@pytest.fixture
def office(tmp_path: Path, clock: FakeClock) -> Iterator[AppContext]:
    ctx = make_office(tmp_path / "kantor", clock)
    roster.add_entry(
        ctx,
        roster.RosterInput(nik="1771014101900001", nama="Rina Lestari"),
        actor=office_admin(ctx),
    )
    yield ctx
    ctx.close()


@pytest.fixture
def enrolled(office: AppContext, tmp_path: Path, clock: FakeClock) -> Iterator[Enrolled]:
    made = enrol_laptop(office, tmp_path, clock=clock)
    yield made
    made.laptop.close()


def test_enrolled_laptop_has_office_clerks_roster_and_its_device_code(
    office: AppContext, enrolled: Enrolled
) -> None:
    laptop = enrolled.laptop
    assert enrolled.result.device.code == "L01"
    assert [d.code for d in registry.list_devices(office, actor=office_admin(office))] == ["L01"]
    assert laptop.desk.code == "L01"
    config = read_desk_config(enrolled.folder)
    assert config.kind == KIND_FIELD_DEVICE
    assert config.name == "Laptop Kec. Selebar"
    device = field_device(laptop)
    assert device is not None
    assert device.office_code == "1771BKD"
    # The operator signs in on the laptop with the password she has at the office.
    assert authenticate(laptop, OPERATOR, OPERATOR_PASSWORD).username == OPERATOR
    # "Anda Belum Didaftarkan oleh Admin Instansi" works offline: the roster came along.
    assert roster.lookup(laptop, "1771014101900001") is not None
    # No office key on a laptop: only the office signs batches.
    assert get_key_info(laptop) is None
    # Its signing key opens with the enrolment passphrase and is the one the office holds.
    key = field.unlock_device_key(laptop, ENROLMENT_PASSPHRASE)
    assert key.public_key().key_id_hex == enrolled.result.device.key_id


def test_records_made_on_the_laptop_carry_the_device_code(enrolled: Enrolled) -> None:
    generate(
        enrolled.laptop,
        2,
        RecordStatus.PENDAFTARAN_SELESAI,
        seed=3,
        actor=actor_for(enrolled.laptop),
    )
    with enrolled.laptop.db.session() as session:
        rows = session.execute(select(Registration.account_number, Registration.origin_device))
        numbers = sorted(rows)
    assert [device for _, device in numbers] == ["L01", "L01"]
    assert [number for number, _ in numbers] == [
        "1771BKD-L01-2026-000001",
        "1771BKD-L01-2026-000002",
    ]


def test_batch_export_is_refused_on_a_laptop(enrolled: Enrolled, tmp_path: Path) -> None:
    with pytest.raises(ConflictError, match="transfer export"):
        export_batch(
            enrolled.laptop,
            tmp_path / "out",
            passphrase=OFFICE_PASSPHRASE,
            actor=actor_for(enrolled.laptop),
        )


def test_wrong_enrolment_passphrase_sets_nothing_up(office: AppContext, tmp_path: Path) -> None:
    result = registry.enrol_device(
        office,
        name="Laptop B",
        out=tmp_path / "b.nonasn",
        office_passphrase=OFFICE_PASSPHRASE,
        enrolment_passphrase=ENROLMENT_PASSPHRASE,
        actor=office_admin(office),
    )
    with open_app(tmp_path / "b", create=True) as laptop:
        with pytest.raises(DecryptionError, match="frasa sandi pendaftaran salah"):
            field.set_up_field_device(laptop, result.file, "bukan frasa yang benar")
        with laptop.db.session() as session:
            assert session.scalar(select(func.count()).select_from(Office)) == 0


def test_a_damaged_enrolment_file_is_refused(office: AppContext, tmp_path: Path) -> None:
    result = registry.enrol_device(
        office,
        name="Laptop C",
        out=tmp_path / "c.nonasn",
        office_passphrase=OFFICE_PASSPHRASE,
        enrolment_passphrase=ENROLMENT_PASSPHRASE,
        actor=office_admin(office),
    )
    data = bytearray(result.file.read_bytes())
    data[-40] ^= 1
    result.file.write_bytes(bytes(data))
    with open_app(tmp_path / "c", create=True) as laptop, pytest.raises(CryptoError):
        field.set_up_field_device(laptop, result.file, ENROLMENT_PASSPHRASE)


def test_setting_up_twice_changes_nothing_and_another_device_is_refused(
    office: AppContext, enrolled: Enrolled, tmp_path: Path
) -> None:
    again = field.set_up_field_device(enrolled.laptop, enrolled.result.file, ENROLMENT_PASSPHRASE)
    assert again.already
    other = registry.enrol_device(
        office,
        name="Laptop D",
        out=tmp_path / "d.nonasn",
        office_passphrase=OFFICE_PASSPHRASE,
        enrolment_passphrase=ENROLMENT_PASSPHRASE,
        actor=office_admin(office),
    )
    assert other.device.code == "L02"
    with pytest.raises(ConflictError, match="sudah menjadi perangkat L01"):
        field.set_up_field_device(enrolled.laptop, other.file, ENROLMENT_PASSPHRASE)


def test_revoked_devices_are_listed_with_the_date(office: AppContext, enrolled: Enrolled) -> None:
    revoked = registry.revoke_device(office, "l01", actor=office_admin(office))
    assert revoked.revoked_at is not None
    assert (
        registry.revoke_device(office, "L01", actor=office_admin(office)).revoked_at
        == revoked.revoked_at
    )
    assert registry.list_devices(office, actor=office_admin(office))[0].revoked


def test_roster_refresh_reaches_the_laptop_once_and_in_order(
    office: AppContext, enrolled: Enrolled, tmp_path: Path, clock: FakeClock
) -> None:
    roster.add_entry(
        office,
        roster.RosterInput(nik="1771015202910002", nama="Dewi Sartika"),
        actor=office_admin(office),
    )
    first = registry.write_refresh(
        office,
        "L01",
        out=tmp_path / "r1.nonasn",
        office_passphrase=OFFICE_PASSPHRASE,
        actor=office_admin(office),
    )
    second = registry.write_refresh(
        office,
        "L01",
        out=tmp_path / "r2.nonasn",
        office_passphrase=OFFICE_PASSPHRASE,
        actor=office_admin(office),
    )
    applied = field.apply_refresh(enrolled.laptop, second.file, ENROLMENT_PASSPHRASE)
    assert applied.sequence == 2
    assert applied.roster_count == 2
    assert roster.lookup(enrolled.laptop, "1771015202910002") is not None
    with pytest.raises(ConflictError, match="tidak lebih baru"):
        field.apply_refresh(enrolled.laptop, first.file, ENROLMENT_PASSPHRASE)
    # A refresh for another device does not open here.
    other = enrol_laptop(office, tmp_path / "lain", name="Laptop Lain", clock=clock)
    other.laptop.close()
    for_other = registry.write_refresh(
        office,
        "L02",
        out=tmp_path / "r3.nonasn",
        office_passphrase=OFFICE_PASSPHRASE,
        actor=office_admin(office),
    )
    with pytest.raises(DecryptionError, match="bukan untuk perangkat ini"):
        field.apply_refresh(enrolled.laptop, for_other.file, ENROLMENT_PASSPHRASE)


def test_enrolment_needs_an_operator_and_a_long_passphrase(
    tmp_path: Path, clock: FakeClock
) -> None:
    ctx = make_office(tmp_path / "k", clock)
    try:
        with pytest.raises(UserError, match="paling sedikit"):
            registry.enrol_device(
                ctx,
                name="X",
                out=tmp_path / "x",
                office_passphrase=OFFICE_PASSPHRASE,
                enrolment_passphrase="pendek",
                actor=office_admin(ctx),
            )
        with pytest.raises(UserError, match="tidak ada"):
            registry.enrol_device(
                ctx,
                name="X",
                out=tmp_path / "x",
                office_passphrase=OFFICE_PASSPHRASE,
                enrolment_passphrase=ENROLMENT_PASSPHRASE,
                clerks=["tidakada"],
                actor=office_admin(ctx),
            )
        assert registry.list_devices(ctx, actor=office_admin(ctx)) == []
        assert not (tmp_path / "x").exists()
    finally:
        ctx.close()


def test_enrolment_file_hides_its_secrets(office: AppContext, enrolled: Enrolled) -> None:
    data = enrolled.result.file.read_bytes()
    assert b"1771014101900001" not in data
    assert b"argon2" not in data.split(b"\n", 2)[2]
    header = json.loads(data.split(b"\n")[1])
    assert header["kind"] == "enrolment"
    assert header["kdf"]["name"] == "argon2id"
