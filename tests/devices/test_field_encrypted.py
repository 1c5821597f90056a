"""A field laptop is encrypted at set-up, and its key slots follow the office's refreshes."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.accounts import FakeClock
from helpers.fieldwork import (
    ENROLMENT_PASSPHRASE,
    OFFICE_PASSPHRASE,
    OPERATOR,
    OPERATOR_PASSWORD,
    enrol_laptop,
    make_office,
    office_admin,
)
from nonasn_desktop.accounts.users import create_user, set_active
from nonasn_desktop.devices import field, registry
from nonasn_desktop.errors import AuthError, FolderLockedError
from nonasn_desktop.rules.roles import Role
from nonasn_desktop.startup import encrypt_field_device, open_app, unlock
from nonasn_desktop.storage import cipher
from nonasn_desktop.storage.datadir import DataDir

NEW_CLERK = "budi"
NEW_PASSWORD = "BudiLapangan2026"


def test_laptop_is_encrypted_and_its_slots_follow_the_refresh(
    tmp_path: Path, clock: FakeClock
) -> None:
    office = make_office(tmp_path / "kantor", clock)
    enrolled = enrol_laptop(office, tmp_path, clock=clock)
    enrolled.laptop.close()
    made = encrypt_field_device(enrolled.folder)
    assert made.key is not None
    assert made.recovery_text is not None
    assert not cipher.is_plain_sqlite(DataDir(enrolled.folder).database_path)
    with pytest.raises(FolderLockedError):
        open_app(enrolled.folder, clock=clock)
    # The laptop never saw the operator's password, only its hash: it opens all the same.
    assert unlock(enrolled.folder, OPERATOR, OPERATOR_PASSWORD, clock=clock).key == made.key

    create_user(
        office,
        username=NEW_CLERK,
        full_name="Budi Santoso",
        role=Role.OPERATOR,
        password=NEW_PASSWORD,
        actor=office_admin(office),
    )
    set_active(office, OPERATOR, False, actor=office_admin(office))
    refresh = registry.write_refresh(
        office,
        "L01",
        out=tmp_path / "usb" / "refresh.nonasn",
        office_passphrase=OFFICE_PASSPHRASE,
        actor=office_admin(office),
    )
    office.close()
    with open_app(enrolled.folder, key=made.key, clock=clock) as laptop:
        field.apply_refresh(laptop, refresh.file, ENROLMENT_PASSPHRASE)
    assert unlock(enrolled.folder, NEW_CLERK, NEW_PASSWORD, clock=clock).key == made.key
    with pytest.raises(AuthError):
        unlock(enrolled.folder, OPERATOR, OPERATOR_PASSWORD, clock=clock)
