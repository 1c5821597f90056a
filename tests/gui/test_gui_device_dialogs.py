"""Admin › Perangkat Lapangan › Daftarkan Perangkat, and Admin › Impor Data Perangkat."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMenu, QWidget
from pytestqt.qtbot import QtBot

from helpers.accounts import FakeClock
from helpers.fieldwork import (
    ENROLMENT_PASSPHRASE,
    OFFICE_PASSPHRASE,
    enrol_laptop,
    make_office,
)
from nonasn_desktop.accounts.users import get_user
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
        dialog = EnrolDeviceDialog(ctx, get_user(ctx, "admin"))
        qtbot.addWidget(dialog)
        dialog.name.setText("Laptop Kec. Selebar")
        dialog.out.setText(str(tmp_path / "L01.nonasn"))
        dialog.office_passphrase.setText(OFFICE_PASSPHRASE)
        dialog.passphrase.setText(ENROLMENT_PASSPHRASE)
        dialog.repeat.setText("lain sama sekali")
        dialog.submit()
        assert "tidak sama" in dialog.error.text()
        assert registry.list_devices(ctx) == []
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
    dialog = ImportTransferDialog(office, get_user(office, "admin"))
    qtbot.addWidget(dialog)
    try:
        generate(enrolled.laptop, 1, RecordStatus.PENDAFTARAN_SELESAI, seed=2)
        sent = export_transfer(enrolled.laptop, tmp_path / "usb", passphrase=ENROLMENT_PASSPHRASE)
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
        keys = device_dialogs.add_device_actions(menu, window, office, get_user(office, "admin"))
        assert [a.objectName() for a in keys] == [
            "action_import_transfer",
            "action_devices",
            "action_enrol_device",
        ]
        assert (
            device_dialogs.add_device_actions(
                QMenu(window), window, enrolled.laptop, get_user(enrolled.laptop, "siti")
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
        generate(enrolled.laptop, 1, RecordStatus.PENDAFTARAN_SELESAI, seed=7)
        generate(office, 1, RecordStatus.PENDAFTARAN_SELESAI, seed=7)
        sent = export_transfer(enrolled.laptop, tmp_path / "usb", passphrase=ENROLMENT_PASSPHRASE)
        import_transfer(office, sent.file, passphrase=OFFICE_PASSPHRASE, actor="admin")
        dialog = NikConflictDialog(office, get_user(office, "admin"))
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
        assert open_conflicts(office) == []
    finally:
        enrolled.laptop.close()
        office.close()
