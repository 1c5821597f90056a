"""The region table of forms/wilayah.csv and its validating reader."""

from __future__ import annotations

import pytest

from nonasn_desktop.errors import PolicyFileError
from nonasn_desktop.rules.regions import (
    parse_regions,
    province_name,
    regency_name,
    region_table,
)

# The 38 provinces with their Kemendagri codes (2022 onwards).
PROVINCES = {
    "11": "ACEH",
    "12": "SUMATERA UTARA",
    "13": "SUMATERA BARAT",
    "14": "RIAU",
    "15": "JAMBI",
    "16": "SUMATERA SELATAN",
    "17": "BENGKULU",
    "18": "LAMPUNG",
    "19": "KEPULAUAN BANGKA BELITUNG",
    "21": "KEPULAUAN RIAU",
    "31": "DKI JAKARTA",
    "32": "JAWA BARAT",
    "33": "JAWA TENGAH",
    "34": "DAERAH ISTIMEWA YOGYAKARTA",
    "35": "JAWA TIMUR",
    "36": "BANTEN",
    "51": "BALI",
    "52": "NUSA TENGGARA BARAT",
    "53": "NUSA TENGGARA TIMUR",
    "61": "KALIMANTAN BARAT",
    "62": "KALIMANTAN TENGAH",
    "63": "KALIMANTAN SELATAN",
    "64": "KALIMANTAN TIMUR",
    "65": "KALIMANTAN UTARA",
    "71": "SULAWESI UTARA",
    "72": "SULAWESI TENGAH",
    "73": "SULAWESI SELATAN",
    "74": "SULAWESI TENGGARA",
    "75": "GORONTALO",
    "76": "SULAWESI BARAT",
    "81": "MALUKU",
    "82": "MALUKU UTARA",
    "91": "PAPUA",
    "92": "PAPUA BARAT",
    "93": "PAPUA SELATAN",
    "94": "PAPUA TENGAH",
    "95": "PAPUA PEGUNUNGAN",
    "96": "PAPUA BARAT DAYA",
}


def test_installed_table_has_all_38_provinces() -> None:
    assert dict(region_table().provinces) == PROVINCES


def test_installed_table_covers_every_current_regency_plus_history() -> None:
    regencies = region_table().regencies
    # 514 regencies/cities in 2025, plus codes retired by the Papua split and older splits.
    assert len(regencies) >= 514
    assert all(code[:2] in PROVINCES for code in regencies)
    per_province = {code: len(region_table().regencies_of(code)) for code in PROVINCES}
    assert per_province["31"] == 6  # 5 cities and Kepulauan Seribu
    assert per_province["93"] == 4
    assert per_province["96"] == 6


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("3171", "KOTA ADM. JAKARTA PUSAT"),
        ("3101", "KAB. ADM. KEPULAUAN SERIBU"),
        ("1271", "KOTA MEDAN"),  # BPS would say 1275
        ("1101", "KAB. ACEH SELATAN"),  # BPS (and python-stdnum) say Simeulue
        ("3578", "KOTA SURABAYA"),
        ("5171", "KOTA DENPASAR"),
        ("6501", "KAB. BULUNGAN"),
        ("9301", "KAB. MERAUKE"),
        ("9404", "KAB. MIMIKA"),
        ("9501", "KAB. JAYAWIJAYA"),
        ("9671", "KOTA SORONG"),
        ("9171", "KOTA JAYAPURA"),
        ("9203", "KAB. FAK FAK"),
    ],
)
def test_current_codes(code: str, name: str) -> None:
    assert regency_name(code) == name


@pytest.mark.parametrize(
    ("old", "name"),
    [
        ("9101", "KAB. MERAUKE"),  # Papua Selatan 9301 since 2022
        ("9109", "KAB. MIMIKA"),  # Papua Tengah 9404
        ("9102", "KAB. JAYAWIJAYA"),  # Papua Pegunungan 9501
        ("9271", "KOTA SORONG"),  # Papua Barat Daya 9671
        ("6473", "KOTA TARAKAN"),  # Kalimantan Utara 6571 since 2012
        ("6404", "KAB. BULUNGAN"),
    ],
)
def test_historical_codes_stay_valid(old: str, name: str) -> None:
    assert regency_name(old) == name


def test_unknown_codes() -> None:
    assert province_name("99") is None
    assert province_name("20") is None
    assert regency_name("3679") is None
    assert regency_name("1199") is None
    assert province_name("31") == "DKI JAKARTA"


def test_reader_accepts_comments_header_and_quotes() -> None:
    table = parse_regions(
        '# comment\ncode,name\n\n11,ACEH\n1101,"KAB. ACEH SELATAN"\n  # indented comment\n'
    )
    assert dict(table.provinces) == {"11": "ACEH"}
    assert dict(table.regencies) == {"1101": "KAB. ACEH SELATAN"}


def test_reader_collapses_spaces_in_names() -> None:
    table = parse_regions("11,ACEH\n1101,KAB.   ACEH  SELATAN \n")
    assert table.regency_name("1101") == "KAB. ACEH SELATAN"


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("11,ACEH\n1101\n", 2, "harus 2 kolom"),
        ("11,ACEH\n1101,KAB. X,extra\n", 2, "harus 2 kolom"),
        ("11,ACEH\n110,KAB. X\n", 2, "kode '110'"),
        ("11,ACEH\nAB01,KAB. X\n", 2, "kode 'AB01'"),
        ("11,ACEH\n1101,\n", 2, "kosong"),
        ("11,ACEH\n1101,KAB. X\n1101,KAB. Y\n", 3, "ganda (sudah ada di baris 2)"),
        ("11,ACEH\n1201,KAB. NIAS\n", 2, "provinsi 12 tidak ada"),
    ],
)
def test_reader_names_the_broken_line(text: str, line: int, problem: str) -> None:
    with pytest.raises(PolicyFileError) as caught:
        parse_regions(text, "wilayah.csv")
    assert caught.value.line == line
    assert caught.value.file == "wilayah.csv"
    assert problem in caught.value.problem


def test_reader_refuses_a_file_without_provinces() -> None:
    with pytest.raises(PolicyFileError, match="tidak ada satu pun kode provinsi"):
        parse_regions("# only comments\ncode,name\n")
