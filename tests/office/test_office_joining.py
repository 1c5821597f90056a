"""A new desk pointed at an office database already set up joins it: no second office, admin
or key; only the desk's own data folder remembers the office database and the desk's name."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select

from helpers.accounts import FakeClock, add_clerk
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import AuthError, FieldError
from nonasn_desktop.office import identity as office
from nonasn_desktop.office import keys
from nonasn_desktop.office.joining import join_office, joining_offer
from nonasn_desktop.rules.roles import Role
from nonasn_desktop.startup import open_app
from nonasn_desktop.storage.database import ENV_DATABASE_URL, sqlite_url
from nonasn_desktop.storage.deskconfig import read_desk_config, write_desk_config
from nonasn_desktop.storage.models import Clerk, Office, OfficeKey

PASSPHRASE = "kopi pagi di BKD 2022"


@pytest.fixture
def office_url(tmp_path: Path, clock: FakeClock) -> str:
    """An office database (here an SQLite file outside any desk's folder) set up by desk 1."""
    url = sqlite_url(tmp_path / "server" / "kantor.sqlite3")
    (tmp_path / "server").mkdir()
    with open_app(tmp_path / "meja1", create=True, database_url=url, clock=clock) as ctx:
        office.initialise(
            ctx, office_code="1771BKD", office_name="BKD Kota Bengkulu",
            admin=("admin", "rahasia123"),
        )  # fmt: skip
        add_clerk(ctx, "operator1", Role.OPERATOR, password="rahasia123", full_name="Siti")
        keys.create_office_key(ctx, PASSPHRASE)
    # As `nonasn init --database-url` leaves it: desk 1 remembers the office database.
    folder = tmp_path / "meja1"
    write_desk_config(folder, replace(read_desk_config(folder), database_url=url))
    return url


@pytest.fixture
def desk2(
    office_url: str, tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[AppContext]:
    """A new PC started with NONASN_DATABASE_URL naming the office database."""
    monkeypatch.setenv(ENV_DATABASE_URL, office_url)
    ctx = open_app(tmp_path / "meja2", create=True, clock=clock)
    try:
        yield ctx
    finally:
        ctx.close()


def _office_rows(ctx: AppContext) -> tuple[int, int, int]:
    with ctx.db.session() as session:
        return tuple(  # type: ignore[return-value]
            int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (Office, Clerk, OfficeKey)
        )


def test_a_new_desk_is_offered_the_office_it_found(desk2: AppContext) -> None:
    offer = joining_offer(desk2)
    assert offer is not None
    assert (offer.office.code, offer.office.name) == ("1771BKD", "BKD Kota Bengkulu")
    assert offer.desk_code == desk2.desk.code
    assert offer.desk_code.startswith("M")
    key = keys.get_key_info(desk2)
    assert key is not None
    assert offer.key_id == key.key_id


def test_joining_needs_an_admin_and_a_desk_name(desk2: AppContext) -> None:
    before = _office_rows(desk2)
    with pytest.raises(AuthError):
        join_office(desk2, desk_name="Meja 2", username="admin", password="salah-sandi")
    with pytest.raises(AuthError, match="bukan admin kantor"):
        join_office(desk2, desk_name="Meja 2", username="operator1", password="rahasia123")
    with pytest.raises(FieldError, match="Nama meja wajib diisi") as refused:
        join_office(desk2, desk_name="  ", username="admin", password="rahasia123")
    assert refused.value.field == "nama_meja"
    assert read_desk_config(desk2.data_dir.path).database_url is None
    assert joining_offer(desk2) is not None
    assert _office_rows(desk2) == before


def test_joined_the_desk_opens_the_office_database_by_itself(
    desk2: AppContext, office_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _office_rows(desk2)
    admin = join_office(desk2, desk_name=" Meja  2 ", username="admin", password="rahasia123")
    assert admin.username == "admin"
    assert desk2.desk.name == "Meja 2"
    config = read_desk_config(desk2.data_dir.path)
    assert config.name == "Meja 2"
    assert config.code == desk2.desk.code
    assert config.database_url == office_url
    assert joining_offer(desk2) is None
    assert _office_rows(desk2) == before == (1, 2, 1)
    # Later starts need no variable: the desk remembers the office database.
    monkeypatch.delenv(ENV_DATABASE_URL)
    with open_app(tmp_path / "meja2") as again:
        assert joining_offer(again) is None
        found = office.get_office(again)
        assert found is not None
        assert found.code == "1771BKD"
        assert again.desk.name == "Meja 2"


def test_nothing_to_join(tmp_path: Path, app_ctx: AppContext, office_url: str) -> None:
    # A folder with its own SQLite database (one desk), set up or not.
    assert joining_offer(app_ctx) is None
    office.initialise(app_ctx, office_code="3273", office_name="BKD Kota Bandung")
    assert joining_offer(app_ctx) is None
    # The desk that set the office database up (it remembers it) and an empty office database.
    with open_app(tmp_path / "meja1") as first:
        assert joining_offer(first) is None
    empty = sqlite_url(tmp_path / "server" / "kosong.sqlite3")
    with open_app(tmp_path / "meja3", create=True, database_url=empty) as new:
        assert joining_offer(new) is None
