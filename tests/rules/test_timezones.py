"""The office's own time zone from its province code (forms/zona_waktu.csv)."""

from __future__ import annotations

import datetime as dt

import pytest

from nonasn_desktop.errors import PolicyFileError
from nonasn_desktop.rules.regions import region_table
from nonasn_desktop.rules.timezones import office_zone, parse_zones, zone, zone_table

MOMENT = dt.datetime(2026, 12, 5, 8, 6, tzinfo=dt.UTC)


def test_every_province_has_a_zone() -> None:
    assert set(zone_table()) == set(region_table().provinces)


@pytest.mark.parametrize(
    ("office_code", "name", "shown"),
    [
        ("3273", "WIB", "05-12-2026 pukul 15.06 WIB"),  # Kota Bandung
        ("6171", "WIB", "05-12-2026 pukul 15.06 WIB"),  # Kota Pontianak
        ("5171", "WITA", "05-12-2026 pukul 16.06 WITA"),  # Kota Denpasar
        ("7371", "WITA", "05-12-2026 pukul 16.06 WITA"),  # Kota Makassar
        ("9171", "WIT", "05-12-2026 pukul 17.06 WIT"),  # Kota Jayapura
        ("8271", "WIT", "05-12-2026 pukul 17.06 WIT"),  # Kota Ternate
    ],
)
def test_the_office_code_names_the_zone(office_code: str, name: str, shown: str) -> None:
    office = office_zone(office_code)
    assert office.name == name
    assert office.format(MOMENT) == shown


def test_the_office_date_may_differ_from_utcs() -> None:
    late = dt.datetime(2026, 12, 5, 20, 30, tzinfo=dt.UTC)
    assert office_zone("9171").today(late) == dt.date(2026, 12, 6)
    assert office_zone("3273").clock(late) == "03.30 WIB"


def test_a_code_without_a_province_follows_an_indonesian_laptop_else_wib() -> None:
    assert office_zone("BKD01", fallback=dt.timedelta(hours=8)).name == "WITA"
    assert office_zone("BKD01", fallback=dt.timedelta(0)).name == "WIB"
    assert office_zone("99").name == "WIB"


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        zone("WIB").format(dt.datetime(2026, 12, 5, 8, 6))  # noqa: DTZ001 (naive on purpose)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("code,zone\n32,WIB,extra\n", "2 kolom"),
        ("code,zone\n3,WIB\n", "2 digit"),
        ("code,zone\n32,CET\n", "tidak dikenal"),
        ("code,zone\n32,WIB\n32,WITA\n", "ganda"),
    ],
)
def test_a_broken_table_names_its_line(text: str, reason: str) -> None:
    with pytest.raises(PolicyFileError, match=reason):
        parse_zones(text)
