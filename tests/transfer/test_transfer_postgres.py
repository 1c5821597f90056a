"""A field laptop's transfer into an office database on PostgreSQL (documents in the database)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from helpers.accounts import FakeClock, actor_for
from helpers.fieldwork import (
    ENROLMENT_PASSPHRASE,
    OFFICE_PASSPHRASE,
    enrol_laptop,
    field_operator,
    make_office,
    office_admin,
    snapshot,
)
from helpers.postgres import fresh_database
from nonasn_desktop.crypto.errors import SignatureError
from nonasn_desktop.demo.generate import generate
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.storage.models import DocumentBlob
from nonasn_desktop.transfer.export import export_transfer
from nonasn_desktop.transfer.merge import flagged_pairs, import_transfer


def test_transfer_into_an_office_database_on_postgresql(tmp_path: Path, clock: FakeClock) -> None:
    with fresh_database() as url:
        office = make_office(tmp_path / "meja1", clock, database_url=url)
        enrolled = enrol_laptop(office, tmp_path, clock=clock)
        try:
            generate(
                enrolled.laptop,
                2,
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
            data = bytearray(sent.file.read_bytes())
            data[len(data) // 3] ^= 0x20
            tampered = tmp_path / "rusak" / sent.file.name
            tampered.parent.mkdir()
            tampered.write_bytes(bytes(data))
            (tampered.parent / sent.signature.name).write_bytes(sent.signature.read_bytes())
            before = snapshot(office)
            with pytest.raises(SignatureError):
                import_transfer(
                    office, tampered, passphrase=OFFICE_PASSPHRASE, actor=office_admin(office)
                )
            assert snapshot(office) == before

            result = import_transfer(
                office, sent.file, passphrase=OFFICE_PASSPHRASE, actor=office_admin(office)
            )
            assert result.added == 2
            assert len(result.conflicts) == 1
            assert len(flagged_pairs(office)) == 2
            with office.db.session() as session:
                blobs = session.scalar(select(func.count()).select_from(DocumentBlob))
            assert (blobs or 0) >= result.documents_added > 0
            after = snapshot(office)
            again = import_transfer(
                office, sent.file, passphrase=OFFICE_PASSPHRASE, actor=office_admin(office)
            )
            assert again.already_imported
            assert snapshot(office) == after
        finally:
            enrolled.laptop.close()
            office.close()
