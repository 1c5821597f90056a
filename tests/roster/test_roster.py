from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from nonasn_desktop.accounts import users
from nonasn_desktop.accounts.users import UserInfo
from nonasn_desktop.core import audit
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import AuthError, ConflictError, FieldError
from nonasn_desktop.roster import entries as roster
from nonasn_desktop.roster.entries import RosterInput, RosterMatch
from nonasn_desktop.rules.roles import Role

NIK = "3171014501900001"

FULL = RosterInput(
    nik="3171 0145 0190 0001",
    nama="  Siti   Nurhaliza ",
    nomor_thk2=None,
    tempat_lahir="Jakarta",
    tanggal_lahir=dt.date(1990, 1, 5),
    jenis_kelamin="p",
    pendidikan_jenjang="s1",
    nama_sekolah="Universitas Indonesia",
    jurusan="Administrasi Negara",
    nomor_ijazah="UI/2012/0001",
    tanggal_ijazah=dt.date(2012, 8, 30),
    nomor_sk="800/12/2015",
    tanggal_sk=dt.date(2015, 1, 2),
    tmt=dt.date(2015, 1, 5),
    tanggal_selesai=None,
    jabatan="Pengadministrasi Umum",
    unit_kerja="Dinas Pendidikan",
    pejabat_penandatangan="kepala_dinas",
    sumber_gaji="apbd",
    gaji_bulanan=1_500_000,
    source="roster-2022.xlsx",
)


def test_add_and_lookup(app_ctx: AppContext, admin_user: UserInfo) -> None:
    added = roster.add_entry(app_ctx, FULL, actor=admin_user.actor)
    assert added == RosterMatch(
        id=added.id,
        **{
            **dataclasses.asdict(FULL),
            "nik": NIK,
            "nama": "Siti Nurhaliza",
            "jenis_kelamin": "P",
        },
    )
    assert roster.lookup(app_ctx, NIK) == added
    assert roster.lookup(app_ctx, "3171.0145.0190.0001") == added
    assert roster.count(app_ctx) == 1
    [entry] = audit.history(app_ctx, "roster_entry", added.id)
    assert entry.action == "roster.add"
    assert entry.changes["gaji_bulanan"] == (None, 1_500_000)
    assert entry.changes["tanggal_lahir"] == (None, "1990-01-05")


def test_minimal_entry(app_ctx: AppContext, admin_user: UserInfo) -> None:
    added = roster.add_entry(app_ctx, RosterInput(nik=NIK, nama="Ahmad"), actor=admin_user.actor)
    assert added.tanggal_lahir is None
    assert added.source is None
    assert added.gaji_bulanan is None


def test_not_on_the_roster(app_ctx: AppContext) -> None:
    assert roster.lookup(app_ctx, NIK) is None
    assert roster.lookup(app_ctx, "bukan nik") is None
    assert roster.count(app_ctx) == 0


def test_duplicate_nik(app_ctx: AppContext, admin_user: UserInfo) -> None:
    roster.add_entry(app_ctx, RosterInput(nik=NIK, nama="Siti"), actor=admin_user.actor)
    with pytest.raises(ConflictError, match=NIK):
        roster.add_entry(
            app_ctx, RosterInput(nik=f" {NIK} ", nama="Orang Lain"), actor=admin_user.actor
        )
    assert roster.count(app_ctx) == 1


@pytest.mark.parametrize(
    ("nik", "words"),
    [
        ("317101450190000", "16 digit"),
        ("31710145019000011", "16 digit"),
        ("3171O14501900001", "angka"),
        ("", "belum diisi"),
        ("9971014501900001", "provinsi"),
        ("3171019901900001", "Tanggal lahir"),
        ("3171014501900000", "0000"),
    ],
)
def test_bad_nik(app_ctx: AppContext, admin_user: UserInfo, nik: str, words: str) -> None:
    with pytest.raises(FieldError, match=words) as info:
        roster.add_entry(app_ctx, RosterInput(nik=nik, nama="Siti"), actor=admin_user.actor)
    assert info.value.field == "nik"
    assert roster.count(app_ctx) == 0


@pytest.mark.parametrize(
    "changes",
    [{"tanggal_lahir": dt.date(1990, 1, 6)}, {"jenis_kelamin": "L"}],
    ids=["birth-date", "sex"],
)
def test_roster_data_must_agree_with_the_nik(
    app_ctx: AppContext, admin_user: UserInfo, changes: dict[str, object]
) -> None:
    with pytest.raises(FieldError, match="NIK menunjukkan") as info:
        roster.add_entry(app_ctx, dataclasses.replace(FULL, **changes), actor=admin_user.actor)  # type: ignore[arg-type]
    assert info.value.field == "nik"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"nama": "   "}, "nama"),
        ({"jenis_kelamin": "X"}, "jenis_kelamin"),
        ({"gaji_bulanan": -1}, "gaji_bulanan"),
        ({"tanggal_selesai": dt.date(2014, 12, 31)}, "tanggal_selesai"),
    ],
)
def test_invalid_fields(
    app_ctx: AppContext, admin_user: UserInfo, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(FieldError) as info:
        roster.add_entry(app_ctx, dataclasses.replace(FULL, **changes), actor=admin_user.actor)  # type: ignore[arg-type]
    assert info.value.field == field
    assert roster.count(app_ctx) == 0


def test_only_admins_add(app_ctx: AppContext, admin_user: UserInfo) -> None:
    users.create_user(
        app_ctx,
        username="budi",
        full_name="Budi",
        role=Role.OPERATOR,
        password="kunci2026",
        actor=admin_user.actor,
    )
    with pytest.raises(AuthError):
        roster.add_entry(
            app_ctx,
            RosterInput(nik=NIK, nama="Siti"),
            actor=users.authenticate(app_ctx, "budi", "kunci2026").actor,
        )
    assert roster.count(app_ctx) == 0


def test_lookup_inside_a_transaction(app_ctx: AppContext, admin_user: UserInfo) -> None:
    added = roster.add_entry(app_ctx, RosterInput(nik=NIK, nama="Siti"), actor=admin_user.actor)
    with app_ctx.db.session() as session:
        assert roster.lookup(app_ctx, NIK, session=session) == added
        assert roster.count(app_ctx, session=session) == 1
