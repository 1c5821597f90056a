"""The real flow store: drafts, accounts, columns, audit, locks."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from helpers.accounts import actor_for
from nonasn_desktop.accounts.users import create_user
from nonasn_desktop.core import audit
from nonasn_desktop.demo.generate import generate
from nonasn_desktop.errors import ConflictError, NotFoundError
from nonasn_desktop.flow.machine import RegistrationFlow
from nonasn_desktop.flow.state import RegistrationState
from nonasn_desktop.office.identity import initialise
from nonasn_desktop.registration import store as registrations
from nonasn_desktop.registration.store import SqlFlowStore
from nonasn_desktop.rules.roles import Role
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.storage.models import Document, Registration, WorkHistory

if TYPE_CHECKING:
    from helpers.accounts import FakeClock
    from nonasn_desktop.core.context import AppContext


@pytest.fixture
def office(app_ctx: AppContext) -> AppContext:
    initialise(app_ctx, office_code="3273", office_name="BKPSDM Kota Bandung")
    return app_ctx


def _store(ctx: AppContext) -> SqlFlowStore:
    return SqlFlowStore(ctx, actor=actor_for(ctx))


def test_a_draft_is_saved_before_anything_is_valid(office: AppContext) -> None:
    store = _store(office)
    state = RegistrationState(current_step=2, values={"nik": "3273 01", "nama": "Ani 2"})
    registration_id = store.save_draft(state)
    with office.db.session() as session:
        row = session.get(Registration, registration_id)
        assert row is not None
        assert row.nik is None  # not valid yet: the column stays empty
        assert row.nama is None
        assert json.loads(row.draft)["values"] == {"nik": "3273 01", "nama": "Ani 2"}
    loaded = store.load(registration_id)
    assert loaded.values == {"nik": "3273 01", "nama": "Ani 2"}
    assert loaded.registration_id == registration_id


def test_valid_values_fill_typed_columns(office: AppContext) -> None:
    store = _store(office)
    state = RegistrationState(
        current_step=2,
        values={
            "nik": "3273.0112.0390.0001",
            "nama": "  Asep   Saepudin ",
            "tanggal_lahir": "12-03-1990",
            "nomor_hp": "0812 3456 7890",
            "jenis_kelamin": "L",
        },
    )
    registration_id = store.save_draft(state)
    with office.db.session() as session:
        row = session.get(Registration, registration_id)
        assert row is not None
        assert row.nik == "3273011203900001"
        assert row.nama == "Asep Saepudin"
        assert row.nama_search == "asep saepudin"
        assert row.nomor_hp == "+6281234567890"
        assert str(row.tanggal_lahir) == "1990-03-12"


def test_typed_columns_are_checked_against_the_injected_clock(
    office: AppContext, clock: FakeClock
) -> None:
    # The office's clock, not the machine's, decides what "after today" is: on the fake
    # clock's 5 January 2026 a birth date of 6 January 2026 is not valid yet.
    store = _store(office)
    first = store.save_draft(RegistrationState(values={"tanggal_lahir": "06-01-2026"}))
    clock.advance(days=1)
    second = store.save_draft(RegistrationState(values={"tanggal_lahir": "06-01-2026"}))
    with office.db.session() as session:
        rows = {row.id: row for row in session.scalars(select(Registration))}
    assert rows[first].tanggal_lahir is None
    assert str(rows[second].tanggal_lahir) == "2026-01-06"


def test_a_nik_held_by_another_record_stays_in_the_draft_only(office: AppContext) -> None:
    store = _store(office)
    first = store.save_draft(RegistrationState(values={"nik": "3273011203900001"}))
    second = store.save_draft(RegistrationState(values={"nik": "3273011203900001"}))
    with office.db.session() as session:
        niks = dict(session.execute(select(Registration.id, Registration.nik)).all())
    assert niks == {first: "3273011203900001", second: None}
    existing = store.find_registration_by_nik("3273011203900001")
    assert existing is not None
    assert existing.registration_id == first


def test_every_save_that_changes_something_is_audited(office: AppContext) -> None:
    store = _store(office)
    state = RegistrationState(current_step=2, values={"nama": "Ani"})
    registration_id = store.save_draft(state)
    state.registration_id = registration_id
    store.save_draft(state)  # nothing changed: no entry
    state.values["nama"] = "Ani Lestari"
    store.save_draft(state)
    entries = audit.history(office, "registration", registration_id)
    assert [e.action for e in entries] == ["registration.create", "registration.save"]
    assert entries[-1].changes["nama"] == ("Ani", "Ani Lestari")


def test_full_registration_through_the_real_store(office: AppContext) -> None:
    generate(office, 3, RecordStatus.PENDAFTARAN_SELESAI, seed=7, actor=actor_for(office))
    with office.db.session() as session:
        rows = session.scalars(select(Registration).order_by(Registration.id)).all()
        assert [r.status for r in rows] == [RecordStatus.PENDAFTARAN_SELESAI] * 3
        assert [r.account_number for r in rows] == [
            f"3273-{office.now().year}-00000{n}" for n in (1, 2, 3)
        ]
        for row in rows:
            assert row.current_step == 24
            assert row.password_hash is not None
            assert row.password_hash.startswith("$argon2id$")
            assert row.jawaban_pengaman_hash is not None
            assert row.eligible is not None
            assert row.unit_kerja
            assert row.completed_at is not None
            assert row.roster_entry_id is not None
        history = session.scalars(select(WorkHistory)).all()
        assert len(history) >= 3
        kinds = {d.kind for d in session.scalars(select(Document).where(Document.active))}
        assert kinds == {"ktp", "pas_foto", "kk", "swafoto", "ijazah", "sk_jabatan", "bukti_gaji"}
        drafts = " ".join(r.draft for r in rows)
    assert "DemoNonASN2022" not in drafts  # the plain password is never stored


def test_load_takes_the_status_from_the_column(office: AppContext) -> None:
    generate(office, 1, RecordStatus.PERLU_PERBAIKAN, seed=3, actor=actor_for(office))
    with office.db.session() as session:
        registration_id = session.scalars(select(Registration.id)).one()
    state = _store(office).load(registration_id)
    assert state.status is RecordStatus.PERLU_PERBAIKAN
    flow = RegistrationFlow.resume(office.policy, _store(office), registration_id)
    assert flow.current_step == 15


def test_loading_an_unknown_record(office: AppContext) -> None:
    with pytest.raises(NotFoundError):
        _store(office).load(999)


def test_edit_lock_keeps_a_second_clerk_out_until_released_or_stale(
    office: AppContext, clock: FakeClock
) -> None:
    one = create_user(
        office, username="ani", full_name="Ani", role=Role.OPERATOR, password="rahasia123",
        actor=actor_for(office),
    )  # fmt: skip
    two = create_user(
        office, username="budi", full_name="Budi", role=Role.OPERATOR, password="rahasia123",
        actor=actor_for(office),
    )  # fmt: skip
    registration_id = _store(office).save_draft(RegistrationState())
    registrations.acquire_edit_lock(office, registration_id, clerk_id=one.id)
    registrations.acquire_edit_lock(office, registration_id, clerk_id=one.id)  # refresh
    with pytest.raises(ConflictError, match="Ani"):
        registrations.acquire_edit_lock(office, registration_id, clerk_id=two.id)
    registrations.release_edit_lock(office, registration_id, clerk_id=one.id)
    registrations.acquire_edit_lock(office, registration_id, clerk_id=two.id)
    clock.advance(hours=1)  # Budi's application died; the lock goes stale
    registrations.acquire_edit_lock(office, registration_id, clerk_id=one.id)


def test_counts_by_status(office: AppContext) -> None:
    generate(office, 2, RecordStatus.DRAF, seed=1, actor=actor_for(office))
    generate(office, 1, RecordStatus.DITOLAK, seed=2, actor=actor_for(office))
    counts = registrations.count_by_status(office)
    assert counts[RecordStatus.DRAF] == 2
    assert counts[RecordStatus.DITOLAK] == 1
    assert counts[RecordStatus.DIEKSPOR] == 0


def test_find_roster_carries_every_field_the_roster_holds(office: AppContext) -> None:
    import datetime as dt

    from nonasn_desktop.roster import entries as roster

    roster.add_entry(
        office,
        roster.RosterInput(
            nik="3273011203900001",
            nama="ASEP SAEPUDIN",
            nomor_thk2="THK2-0001",
            tempat_lahir="Bandung",
            tanggal_lahir=dt.date(1990, 3, 12),
            jenis_kelamin="L",
            pendidikan_jenjang="s1",
            nama_sekolah="Universitas Terbuka",
            jurusan="Administrasi Negara",
            nomor_ijazah="UT-2012/004411",
            tanggal_ijazah=dt.date(2012, 6, 20),
            nomor_sk="800/123/SK/2015",
            tanggal_sk=dt.date(2014, 12, 20),
            tmt=dt.date(2015, 1, 2),
            tanggal_selesai=dt.date(2025, 12, 31),
            jabatan="Tenaga Administrasi",
            unit_kerja="Puskesmas Sukasari",
            pejabat_penandatangan="pimpinan_opd",
            sumber_gaji="apbd",
            gaji_bulanan=1_500_000,
        ),
        actor=actor_for(office),
    )
    found = _store(office).find_roster("3273011203900001")
    assert found is not None
    assert (found.nomor_thk2, found.pendidikan_jenjang, found.jurusan) == (
        "THK2-0001",
        "s1",
        "Administrasi Negara",
    )
    assert (found.nomor_ijazah, found.tanggal_ijazah) == ("UT-2012/004411", dt.date(2012, 6, 20))
    assert (found.nomor_sk, found.tanggal_sk, found.tmt, found.tanggal_selesai) == (
        "800/123/SK/2015",
        dt.date(2014, 12, 20),
        dt.date(2015, 1, 2),
        dt.date(2025, 12, 31),
    )
    assert (found.pejabat_penandatangan, found.sumber_gaji, found.gaji_bulanan) == (
        "pimpinan_opd",
        "apbd",
        1_500_000,
    )
    assert _store(office).find_roster("3273011203900002") is None
