"""Fixtures for the wizard tests: an office, a roster entry, an operator, windows, records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QThreadPool

from helpers.accounts import actor_for
from nonasn_desktop.accounts.users import UserInfo, authenticate, create_user
from nonasn_desktop.demo.documents import make_sample_document
from nonasn_desktop.office import identity as office
from nonasn_desktop.roster import entries as roster
from nonasn_desktop.rules.roles import Role
from wizard.wizard_support import ANSWER, BIODATA, PASSWORD, PERSON, WORK, Driver

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from nonasn_desktop.core.context import AppContext
    from nonasn_desktop.gui.wizard.window import WizardWindow


@pytest.fixture
def office_ready(app_ctx: AppContext) -> AppContext:
    office.initialise(
        app_ctx,
        office_code="3273",
        office_name="BKPSDM Kota Bandung",
        instansi_name="Pemerintah Kota Bandung",
    )
    roster.add_entry(
        app_ctx,
        roster.RosterInput(
            nik=PERSON["nik"],
            nama=PERSON["nama"],
            tempat_lahir="Bandung",
            tanggal_lahir=dt.date(1990, 3, 12),
            jenis_kelamin="L",
            unit_kerja="Puskesmas Sukasari",
            jabatan="Tenaga Administrasi",
        ),
        actor=actor_for(app_ctx),
    )
    return app_ctx


@pytest.fixture
def operator(office_ready: AppContext) -> UserInfo:
    """An operator, signed in."""
    create_user(
        office_ready,
        username="operator",
        full_name="Rina Operator",
        role=Role.OPERATOR,
        password="rahasia123",
        actor=actor_for(office_ready),
    )
    return authenticate(office_ready, "operator", "rahasia123")


@pytest.fixture
def samples(tmp_path: Path) -> Callable[[str], Path]:
    """Write the synthetic sample of a document kind to tmp_path; returns its path."""

    def write(kind: str, seed: int = 1) -> Path:
        data, name = make_sample_document(kind, seed=seed)
        path = tmp_path / "berkas" / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        return path

    return write


@pytest.fixture
def open_wizard(
    qtbot: QtBot, office_ready: AppContext, operator: UserInfo
) -> Iterator[Callable[..., Driver]]:
    """Open a WizardWindow (new, or an id to resume) shown offscreen at 1366×768."""
    from nonasn_desktop.gui.wizard.window import WizardWindow

    windows: list[WizardWindow] = []

    def make(registration_id: int | None = None, user: UserInfo | None = None) -> Driver:
        window = WizardWindow(office_ready, user or operator, registration_id)
        qtbot.addWidget(window)
        window.resize(1366, 768)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return Driver(qtbot, window)

    yield make
    for window in windows:
        if window.isVisible():
            qtbot.waitUntil(lambda w=window: not w.busy, timeout=15_000)
            window.close()
    QThreadPool.globalInstance().waitForDone(20_000)


@pytest.fixture
def record_at(office_ready: AppContext, operator: UserInfo) -> Callable[[int], int]:
    """A registration of PERSON walked by the flow itself (no GUI) up to a page; its id.

    The captcha is turned off for this walk (recorded as skipped), as an admin may do.
    """
    from nonasn_desktop.flow.machine import RegistrationFlow
    from nonasn_desktop.registration import documents
    from nonasn_desktop.registration.store import SqlFlowStore

    def walk(stop_at: int) -> int:
        store = SqlFlowStore(office_ready, actor=operator.actor)
        flow = RegistrationFlow(
            office_ready.policy,
            store,
            captcha_enabled=False,
            today=lambda: office_ready.now().date(),
        )

        def attach(kind: str, variant: str | None = None) -> None:
            data, name = make_sample_document(kind, seed=1)
            registration_id = flow.state.registration_id or flow.save()
            upload = documents.offer_bytes(
                office_ready,
                registration_id,
                kind,
                data,
                name,
                actor=operator.actor,
                variant=variant,
            )
            assert upload.ref is not None
            flow.attach_document(upload.ref)

        def put(values: dict[str, str]) -> None:
            for key, raw in values.items():
                flow.set_value(key, raw)

        script: dict[int, Callable[[], object]] = {
            1: flow.advance,
            2: lambda: (put(PERSON), flow.advance()),
            3: flow.advance,
            5: lambda: (
                put(
                    {
                        "kata_sandi": PASSWORD,
                        "kata_sandi_ulang": PASSWORD,
                        "pertanyaan_pengaman": "kota_orang_tua",
                        "jawaban_pengaman": ANSWER,
                    }
                ),
                flow.advance(),
            ),
            6: lambda: (attach("ktp"), attach("pas_foto"), flow.advance()),
            9: lambda: (flow.advance(), flow.confirm(True)),
            12: flow.advance,
            13: lambda: (flow.login(PERSON["nik"], PASSWORD), flow.advance()),
            15: lambda: (
                put(BIODATA),
                attach("ijazah"),
                attach("kk"),
                attach("swafoto"),
                flow.advance(),
            ),
            17: lambda: (
                flow.set_work_history([WORK]),
                put({"masih_aktif": "ya", "bentuk_sk": "asli"}),
                attach("sk_jabatan", "asli"),
                attach("bukti_gaji"),
                flow.advance(),
            ),
            19: flow.advance,
            21: lambda: (flow.set_declaration(True), flow.advance(), flow.confirm(True)),
        }
        while flow.current_step < stop_at:
            script[flow.current_step]()
        return flow.save()

    return walk


@pytest.fixture
def wizard(open_wizard: Callable[..., Driver]) -> Driver:
    """A new registration in a fresh wizard window."""
    return open_wizard()
