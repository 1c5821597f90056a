"""Dates and rupiah amounts as clerks type and read them."""

from __future__ import annotations

import datetime as dt

import pytest

from nonasn_desktop.errors import FieldError
from nonasn_desktop.rules.formatting import (
    InputLimits,
    format_date,
    format_money,
    input_limits,
    parse_date,
    parse_money,
)


def date_error(raw: str) -> str:
    with pytest.raises(FieldError) as caught:
        parse_date(raw, "tanggal_lahir")
    assert caught.value.field == "tanggal_lahir"
    return caught.value.message


def money_error(raw: str) -> str:
    with pytest.raises(FieldError) as caught:
        parse_money(raw, "gaji_bulanan")
    assert caught.value.field == "gaji_bulanan"
    return caught.value.message


def test_format_date() -> None:
    assert format_date(dt.date(1985, 8, 17)) == "17-08-1985"
    assert format_date(dt.date(2001, 1, 2)) == "02-01-2001"


@pytest.mark.parametrize(
    "typed",
    [
        "17-08-1985",
        "17-8-1985",
        "17/08/1985",
        "17.08.1985",
        "1985-08-17",
        " 17 - 08 - 1985 ",
        "17 / 8 / 1985",
    ],
)
def test_parse_date_accepted_forms(typed: str) -> None:
    assert parse_date(typed, "tanggal_lahir") == dt.date(1985, 8, 17)


def test_parse_date_single_digit_day_and_month() -> None:
    assert parse_date("7-8-1985", "tmt") == dt.date(1985, 8, 7)
    assert parse_date("1/1/2020", "tmt") == dt.date(2020, 1, 1)


def test_parse_date_round_trip() -> None:
    day = dt.date(2021, 12, 31)
    assert parse_date(format_date(day), "tmt") == day


def test_two_digit_year_is_refused() -> None:
    assert date_error("17-08-85") == (
        "Tahun pada tanggal '17-08-85' harus ditulis 4 digit, mis. 17-08-1985 (bukan 17-08-85)."
    )
    assert "4 digit" in date_error("1/1/20")


def test_impossible_dates() -> None:
    assert date_error("31-02-1985") == "Tanggal 31-02-1985 tidak ada di kalender."
    assert date_error("29-02-2023") == "Tanggal 29-02-2023 tidak ada di kalender."
    assert date_error("00-01-2000") == "Tanggal 00-01-2000 tidak ada di kalender."
    assert date_error("17-13-1985") == "Bulan 13 pada tanggal 17-13-1985 tidak ada; bulan 01–12."
    assert parse_date("29-02-2024", "tmt") == dt.date(2024, 2, 29)


def test_absurd_years() -> None:
    assert "Tahun 0985" in date_error("17-08-0985")
    assert "tidak masuk akal" in date_error("1985-08-17".replace("1985", "1850"))
    assert "(tahun 1900–2100)" in date_error("01-01-2200")


@pytest.mark.parametrize(
    "typed", ["kemarin", "17081985", "17-08/1985", "1985-08/17", "17 Agustusan 1985x", "", "  "]
)
def test_unreadable_dates(typed: str) -> None:
    message = date_error(typed)
    assert "dd-mm-yyyy" in message


def test_format_money() -> None:
    assert format_money(1500000) == "Rp 1.500.000"
    assert format_money(750) == "Rp 750"
    assert format_money(0) == "Rp 0"
    assert format_money(1_000_000_000) == "Rp 1.000.000.000"
    with pytest.raises(ValueError, match="negative"):
        format_money(-1)


@pytest.mark.parametrize(
    "typed",
    [
        "Rp 1.500.000",
        "1500000",
        "1.500.000",
        "Rp1.500.000,00",
        "Rp 1.500.000,-",
        "rp 1.500.000",
        "Rp. 1.500.000",
        "IDR 1.500.000",
        "1.500.000,0",
        " 1 500 000 ",
    ],
)
def test_parse_money_accepted_forms(typed: str) -> None:
    assert parse_money(typed, "gaji_bulanan") == 1_500_000


def test_parse_money_round_trip() -> None:
    for amount in (0, 5, 999, 1000, 750_000, 2_350_000, 1_000_000_000):
        assert parse_money(format_money(amount), "gaji_bulanan") == amount


def test_negative_money_is_refused() -> None:
    assert money_error("-500.000") == "Jumlah uang tidak boleh negatif ('-500.000')."
    assert "negatif" in money_error("Rp -500.000")
    assert "negatif" in money_error("(500.000)")


def test_cents_are_refused() -> None:
    assert money_error("1.500.000,50") == (
        "Jumlah uang ditulis dalam rupiah penuh tanpa sen; ',50' tidak diterima."
    )
    assert "tanpa sen" in money_error("Rp 1.500,75")


def test_comma_thousands_and_dot_decimals() -> None:
    assert "Gunakan titik sebagai pemisah ribuan" in money_error("1,500,000")
    assert "titik hanya untuk pemisah ribuan" in money_error("1500000.50")
    assert "titik hanya untuk pemisah ribuan" in money_error("1.5")


def test_absurd_amounts() -> None:
    assert money_error("Rp 2.000.000.000") == (
        "Jumlah Rp 2.000.000.000 terlalu besar (paling banyak Rp 1.000.000.000); "
        "periksa jumlah nol yang diketik."
    )
    assert parse_money("1.000.000.000", "gaji_bulanan") == 1_000_000_000
    assert "terlalu besar" in money_error("15000000000")


@pytest.mark.parametrize("typed", ["satu juta", "1.50.000", "Rp", "1.500.000.00", "12a"])
def test_unreadable_money(typed: str) -> None:
    assert "tidak dapat dibaca" in money_error(typed)


def test_empty_money() -> None:
    assert "belum diisi" in money_error("")


def test_installed_limits() -> None:
    assert input_limits() == InputLimits(max_rupiah=1_000_000_000, min_year=1900, max_year=2100)


def test_limits_can_be_passed_explicitly() -> None:
    tight = InputLimits(max_rupiah=5_000_000, min_year=1950, max_year=2030)
    with pytest.raises(FieldError, match=r"paling banyak Rp 5\.000\.000"):
        parse_money("6.000.000", "gaji_bulanan", limits=tight)
    with pytest.raises(FieldError, match="1950–2030"):
        parse_date("01-01-1949", "tmt", limits=tight)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("17 Agustus 1985", dt.date(1985, 8, 17)),
        ("17 agt 1985", dt.date(1985, 8, 17)),
        ("1 Pebruari 2001", dt.date(2001, 2, 1)),
        ("12-Mar-1990", dt.date(1990, 3, 12)),
        ("31 Desember 2020", dt.date(2020, 12, 31)),
        ("1990/03/12", dt.date(1990, 3, 12)),
        ("  12   Maret   1990 ", dt.date(1990, 3, 12)),
    ],
)
def test_dates_with_month_names_and_year_first(raw: str, expected: dt.date) -> None:
    assert parse_date(raw, "tanggal_lahir") == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [("31 Februari 1990", "tidak ada di kalender"), ("12 Marett 1990", "Nama bulan 'Marett'")],
)
def test_dates_with_month_names_are_still_checked(raw: str, fragment: str) -> None:
    with pytest.raises(FieldError, match=fragment):
        parse_date(raw, "tanggal_lahir")
