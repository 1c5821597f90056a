"""First start on a desk pointed at an office database already set up: the join form, not the
new-office form; an admin's sign-in joins the desk and nothing is added to the office."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from helpers.accounts import FakeClock, signed_in
from nonasn_desktop.accounts import users
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.gui.first_start import FirstStartDialog, needs_first_start
from nonasn_desktop.office import identity as office
from nonasn_desktop.office import keys
from nonasn_desktop.office.joining import joining_offer
from nonasn_desktop.startup import open_app
from nonasn_desktop.storage.database import ENV_DATABASE_URL, sqlite_url

pytestmark = pytest.mark.gui


@pytest.fixture
def desk2(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[AppContext]:
    """Desk 1 set the office up on its database; desk 2 starts with NONASN_DATABASE_URL."""
    url = sqlite_url(tmp_path / "server" / "kantor.sqlite3")
    (tmp_path / "server").mkdir()
    with open_app(tmp_path / "meja1", create=True, database_url=url, clock=clock) as first:
        office.initialise(
            first, office_code="1771BKD", office_name="BKD Kota Bengkulu",
            instansi_name="Pemerintah Kota Bengkulu", admin=("admin", "rahasia123"),
        )  # fmt: skip
        keys.create_office_key(first, "kopi pagi di BKD 2022")
    monkeypatch.setenv(ENV_DATABASE_URL, url)
    ctx = open_app(tmp_path / "meja2", create=True, clock=clock)
    try:
        yield ctx
    finally:
        ctx.close()


def test_the_first_start_offers_to_join_the_office(
    qtbot: QtBot, desk2: AppContext, tmp_path: Path
) -> None:
    assert needs_first_start(desk2)
    dialog = FirstStartDialog(desk2)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.windowTitle() == "Bergabung ke Kantor — Pendataan Non-ASN"
    panel = dialog.join_panel
    # The new-office form is not there: no field for an office code or a new admin.
    names = {field.objectName() for field in dialog.findChildren(QLineEdit)}
    assert names == {"desk_name", "username", "password"}
    shown = {label.objectName(): label.text() for label in dialog.findChildren(QLabel)}
    assert shown["join_office"] == "1771BKD — BKD Kota Bengkulu"
    assert shown["desk_code"] == desk2.desk.code
    assert shown["join_key"].startswith("ID ")
    texts = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "tidak ada kantor, admin, atau kunci baru yang dibuat" in texts
    if os.environ.get("NONASN_GRAB_DIR"):  # for looking at it: NONASN_GRAB_DIR=/tmp/x pytest …
        qtbot.wait(50)
        dialog.grab().save(str(Path(os.environ["NONASN_GRAB_DIR"]) / "gabung-kantor.png"))

    panel.desk_name.setText("Meja 2")
    panel.username.setText("admin")
    panel.password.setText("salah-sandi")
    qtbot.mouseClick(panel.join_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert panel.error.text()
    assert panel.password.text() == ""
    assert joining_offer(desk2) is not None

    panel.password.setText("rahasia123")
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(panel.join_button, Qt.MouseButton.LeftButton)
    assert dialog.admin_username == "admin"
    assert not needs_first_start(desk2)
    assert desk2.desk.name == "Meja 2"
    assert [u.username for u in users.list_users(desk2, actor=signed_in(desk2))] == ["admin"]


def test_batal_leaves_the_desk_as_it_was(qtbot: QtBot, desk2: AppContext) -> None:
    dialog = FirstStartDialog(desk2)
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.rejected):
        qtbot.mouseClick(dialog.join_panel.cancel_button, Qt.MouseButton.LeftButton)
    assert needs_first_start(desk2)


def test_the_desk_that_sets_an_office_up_remembers_its_database(
    qtbot: QtBot, tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first desk of an office, pointed at the empty office database by NONASN_DATABASE_URL
    # only: after its first start it opens that office by itself, and is not offered to join
    # its own office as a stranger on the next start.
    url = sqlite_url(tmp_path / "server" / "kantor.sqlite3")
    (tmp_path / "server").mkdir()
    monkeypatch.setenv(ENV_DATABASE_URL, url)
    with open_app(tmp_path / "meja1", create=True, clock=clock) as desk1:
        dialog = FirstStartDialog(desk1)
        qtbot.addWidget(dialog)
        for name, value in {
            "office_code": "1771BKD",
            "office_name": "BKD Kota Bengkulu",
            "username": "admin",
            "full_name": "Rina Kartika",
            "password": "rahasia123",
            "password_again": "rahasia123",
            "key_passphrase": "kopi pagi di BKD 2022",
            "key_passphrase_again": "kopi pagi di BKD 2022",
        }.items():
            getattr(dialog, name).setText(value)
        with qtbot.waitSignal(dialog.accepted):
            dialog.submit()
    monkeypatch.delenv(ENV_DATABASE_URL)
    with open_app(tmp_path / "meja1", clock=clock) as again:
        assert office.get_office(again) is not None
        assert joining_offer(again) is None
        assert not needs_first_start(again)
