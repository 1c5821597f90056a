"""Admin › Perangkat Lapangan › Daftarkan Perangkat, and Admin › Impor Data Perangkat."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMenu, QWidget
from pytestqt.qtbot import QtBot

from helpers.accounts import FakeClock, actor_for, sign_in
from helpers.fieldwork import (
    ENROLMENT_PASSPHRASE,
    OFFICE_PASSPHRASE,
    OPERATOR,
    OPERATOR_PASSWORD,
    enrol_laptop,
    field_operator,
    make_office,
    office_admin,
)
from nonasn_desktop.demo.generate import generate
from nonasn_desktop.devices import registry
from nonasn_desktop.gui import device_dialogs
from nonasn_desktop.gui.conflict_dialogs import NikConflictDialog
from nonasn_desktop.gui.device_dialogs import EnrolDeviceDialog, ImportTransferDialog
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.transfer.export import export_transfer
from nonasn_desktop.transfer.merge import import_transfer
from nonasn_desktop.verval.conflicts import open_conflicts

pytestmark = pytest.mark.gui


def test_enrol_dialog_enrols_a_device_and_writes_its_file(
    qtbot: QtBot, tmp_path: Path, clock: FakeClock
) -> None:
    ctx = make_office(tmp_path / "kantor", clock)
    try:
        dialog = EnrolDeviceDialog(ctx, sign_in(ctx))
        qtbot.addWidget(dialog)
        dialog.name.setText("Laptop Kec. Selebar")
        dialog.out.setText(str(tmp_path / "L01.nonasn"))
        dialog.office_passphrase.setText(OFFICE_PASSPHRASE)
        dialog.passphrase.setText(ENROLMENT_PASSPHRASE)
        dialog.repeat.setText("lain sama sekali")
        dialog.submit()
        assert "tidak sama" in dialog.error.text()
        assert registry.list_devices(ctx, actor=office_admin(ctx)) == []
        dialog.repeat.setText(ENROLMENT_PASSPHRASE)
        dialog.submit()
        assert dialog.result_ is not None
        assert dialog.result_.device.code == "L01"
        assert (tmp_path / "L01.nonasn").is_file()
    finally:
        ctx.close()


def test_import_dialog_merges_a_transfer_in_the_background(
    qtbot: QtBot, tmp_path: Path, clock: FakeClock
) -> None:
    office = make_office(tmp_path / "kantor", clock)
    enrolled = enrol_laptop(office, tmp_path, clock=clock)
    dialog = ImportTransferDialog(office, sign_in(office))
    qtbot.addWidget(dialog)
    try:
        generate(
            enrolled.laptop,
            1,
            RecordStatus.PENDAFTARAN_SELESAI,
            seed=2,
            actor=actor_for(enrolled.laptop),
        )
        sent = export_transfer(
            enrolled.laptop,
            tmp_path / "usb",
            passphrase=ENROLMENT_PASSPHRASE,
            actor=field_operator(enrolled.laptop),
        )
        dialog.file.setText(str(sent.file))
        dialog.passphrase.setText("frasa yang salah sekali")
        dialog.submit()
        qtbot.waitUntil(lambda: not dialog.working, timeout=30000)
        assert "salah" in dialog.error.text()
        dialog.passphrase.setText(OFFICE_PASSPHRASE)
        with qtbot.waitSignal(dialog.imported, timeout=30000):
            dialog.submit()
        assert dialog.result_ is not None
        assert dialog.result_.added == 1
        # The menu entries exist at the office, and not on the laptop.
        window = QWidget()
        qtbot.addWidget(window)
        menu = QMenu(window)
        admin = sign_in(office)
        keys = device_dialogs.add_device_actions(
            menu, window, office, admin, allowed=lambda key: True
        )
        assert [a.objectName() for a in keys] == [
            "action_import_transfer",
            "action_devices",
            "action_enrol_device",
        ]
        # What the role may not do is not offered (the window's check, from the table).
        only_import = device_dialogs.add_device_actions(
            QMenu(window), window, office, admin, allowed=lambda key: key == "import_transfer"
        )
        assert [a.objectName() for a in only_import] == ["action_import_transfer"]
        operator = sign_in(enrolled.laptop, OPERATOR, OPERATOR_PASSWORD)
        laptop_menu = QMenu(window)
        assert (
            device_dialogs.add_device_actions(
                laptop_menu, window, enrolled.laptop, operator, allowed=lambda key: True
            )
            == []
        )
    finally:
        qtbot.waitUntil(lambda: not dialog.working, timeout=30000)
        enrolled.laptop.close()
        office.close()


def test_nik_conflicts_are_compared_side_by_side_and_settled(
    qtbot: QtBot, tmp_path: Path, clock: FakeClock
) -> None:
    office = make_office(tmp_path / "kantor", clock)
    enrolled = enrol_laptop(office, tmp_path, clock=clock)
    try:
        generate(
            enrolled.laptop,
            1,
            RecordStatus.PENDAFTARAN_SELESAI,
            seed=7,
            actor=actor_for(enrolled.laptop),
        )
        generate(office, 1, RecordStatus.PENDAFTARAN_SELESAI, seed=7, actor=actor_for(office))
        sent = export_transfer(
            enrolled.laptop,
            tmp_path / "usb",
            passphrase=ENROLMENT_PASSPHRASE,
            actor=field_operator(enrolled.laptop),
        )
        import_transfer(office, sent.file, passphrase=OFFICE_PASSPHRASE, actor=office_admin(office))
        dialog = NikConflictDialog(office, sign_in(office))
        qtbot.addWidget(dialog)
        assert dialog.choice.count() == 1
        assert dialog.pair is not None
        header = dialog.table.horizontalHeaderItem(1)
        assert header is not None
        assert header.text().startswith("Perangkat L01")
        dialog.keep(left=True)
        assert "alasan" in dialog.error.text()
        dialog.reason.setText("Data lapangan lebih lengkap dan sudah dicek")
        dialog.keep(left=True)
        assert dialog.choice.count() == 0
        assert open_conflicts(office, actor=office_admin(office)) == []
    finally:
        enrolled.laptop.close()
        office.close()
