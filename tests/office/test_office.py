from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from helpers.accounts import sign_in
from nonasn_desktop.accounts import users
from nonasn_desktop.core import audit
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import ConflictError, FieldError
from nonasn_desktop.office import identity as office
from nonasn_desktop.office.identity import InitResult, OfficeInfo
from nonasn_desktop.rules.roles import Role
from nonasn_desktop.startup import open_app

if TYPE_CHECKING:
    from helpers.accounts import FakeClock

ADMIN = ("admin", "rahasia123")


def test_no_office_before_initialise(app_ctx: AppContext) -> None:
    assert office.get_office(app_ctx) is None


def test_initialise_creates_office_and_admin(app_ctx: AppContext, clock: FakeClock) -> None:
    result = office.initialise(
        app_ctx, office_code=" 3171 ", office_name="BKD Kota Jakarta Pusat", admin=ADMIN
    )
    assert result.created_office is True
    assert result.created_admin is True
    assert result.messages == [
        "Kantor 3171 (BKD Kota Jakarta Pusat) disiapkan.",
        "Pengguna admin 'admin' dibuat.",
    ]
    assert office.get_office(app_ctx) == OfficeInfo(
        code="3171", name="BKD Kota Jakarta Pusat", instansi_name=None, created_at=clock.now
    )
    admin = users.authenticate(app_ctx, "admin", "rahasia123")
    assert admin.role is Role.ADMIN
    [entry] = audit.history(app_ctx, "office", "3171")
    assert entry.action == "office.initialise"
    assert entry.actor == "system"


def test_initialise_twice_changes_nothing(app_ctx: AppContext) -> None:
    office.initialise(app_ctx, office_code="3171", office_name="BKD Jakpus", admin=ADMIN)
    before = audit.recent(app_ctx)
    again = office.initialise(app_ctx, office_code="3171", office_name="BKD Jakpus", admin=ADMIN)
    assert again == InitResult(
        created_office=False,
        created_admin=False,
        messages=[
            "Kantor 3171 sudah disiapkan; tidak ada yang diubah.",
            "Pengguna admin 'admin' sudah ada; kata sandinya tidak diubah.",
        ],
    )
    assert audit.recent(app_ctx) == before


def test_initialise_without_admin_twice(app_ctx: AppContext) -> None:
    office.initialise(app_ctx, office_code="bkd01", office_name="BKD")
    again = office.initialise(app_ctx, office_code="BKD01", office_name="BKD")
    assert again.messages == ["Kantor BKD01 sudah disiapkan; tidak ada yang diubah."]
    assert not users.has_active_admin(app_ctx)


def test_existing_admin_keeps_password(app_ctx: AppContext) -> None:
    office.initialise(app_ctx, office_code="3171", office_name="BKD", admin=ADMIN)
    office.initialise(app_ctx, office_code="3171", office_name="BKD", admin=("admin", ""))
    assert users.authenticate(app_ctx, "admin", "rahasia123").username == "admin"


def test_other_office_code_is_refused(app_ctx: AppContext) -> None:
    office.initialise(app_ctx, office_code="3171", office_name="BKD Jakpus")
    with pytest.raises(ConflictError) as info:
        office.initialise(app_ctx, office_code="3273", office_name="BKD Bandung", admin=ADMIN)
    assert "milik kantor 3171" in str(info.value)
    info_after = office.get_office(app_ctx)
    assert info_after is not None
    assert info_after.code == "3171"
    assert users.find_user(app_ctx, "admin") is None


def test_new_name_is_recorded(app_ctx: AppContext) -> None:
    office.initialise(app_ctx, office_code="3171", office_name="BKD Jakpus")
    result = office.initialise(
        app_ctx, office_code="3171", office_name="BKD Jakarta Pusat", instansi_name="Pemkot"
    )
    assert result.created_office is False
    assert result.messages == ["Data kantor 3171 diperbarui: name, instansi_name."]
    info = office.get_office(app_ctx)
    assert info is not None
    assert (info.name, info.instansi_name) == ("BKD Jakarta Pusat", "Pemkot")
    update = audit.history(app_ctx, "office", "3171")[-1]
    assert update.changes["name"] == ("BKD Jakpus", "BKD Jakarta Pusat")


@pytest.mark.parametrize("code", ["3", "ABCDEFGHIJKLM", "31 71", "31-71", "", "bkd.1"])
def test_bad_office_codes(app_ctx: AppContext, code: str) -> None:
    with pytest.raises(FieldError) as info:
        office.initialise(app_ctx, office_code=code, office_name="BKD")
    assert info.value.field == "office_code"
    assert office.get_office(app_ctx) is None


def test_office_name_is_required(app_ctx: AppContext) -> None:
    with pytest.raises(FieldError, match="wajib"):
        office.initialise(app_ctx, office_code="3171", office_name="  ")


def test_admin_name_taken_by_an_operator(app_ctx: AppContext) -> None:
    office.initialise(app_ctx, office_code="3171", office_name="BKD", admin=ADMIN)
    users.create_user(
        app_ctx,
        username="budi",
        full_name="Budi",
        role=Role.OPERATOR,
        password="kunci2026",
        actor=sign_in(app_ctx, "admin", ADMIN[1]).actor,
    )
    with pytest.raises(ConflictError, match="Operator"):
        office.initialise(app_ctx, office_code="3171", office_name="BKD", admin=("budi", "x1"))


def test_weak_admin_password_creates_nothing(app_ctx: AppContext) -> None:
    with pytest.raises(FieldError):
        office.initialise(app_ctx, office_code="3171", office_name="BKD", admin=("admin", "123"))
    assert office.get_office(app_ctx) is None
    assert audit.recent(app_ctx) == []


def test_initialised_folder_survives_reopening(tmp_path: Path) -> None:
    with open_app(tmp_path / "d", create=True) as ctx:
        office.initialise(ctx, office_code="3171", office_name="BKD", admin=ADMIN)
    with open_app(tmp_path / "d") as ctx:
        info = office.get_office(ctx)
        assert info is not None
        assert info.code == "3171"
        result = office.initialise(ctx, office_code="3171", office_name="BKD", admin=ADMIN)
        assert not result.created_office
        assert not result.created_admin
