"""Property tests of parse_nik: valid NIKs survive any typing, nothing else crashes it."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from nonasn_desktop.errors import FieldError
from nonasn_desktop.rules.identity import NikInfo, parse_nik
from nonasn_desktop.rules.regions import region_table

TODAY = dt.date(2024, 6, 30)
# Every date in the 100 years up to TODAY has exactly one century the parser can choose.
BIRTH_DATES = st.dates(min_value=dt.date(1924, 7, 1), max_value=TODAY)
REGENCIES = st.sampled_from(sorted(region_table().regencies))
SEPARATORS = st.sampled_from(["", "", "", " ", ".", "-", "  ", "\u00a0"])


@st.composite
def typed_nik(draw: st.DrawFn) -> tuple[str, str, int, dt.date, str, int]:
    regency = draw(REGENCIES)
    district = draw(st.integers(min_value=1, max_value=99))
    birth = draw(BIRTH_DATES)
    sex = draw(st.sampled_from(["L", "P"]))
    serial = draw(st.integers(min_value=1, max_value=9999))
    day = birth.day + (40 if sex == "P" else 0)
    date_code = f"{day:02d}{birth.month:02d}{birth.year % 100:02d}"
    digits = f"{regency}{district:02d}{date_code}{serial:04d}"
    # Any separator after any digit, and maybe blanks in front, as a hurried clerk types.
    typed = draw(st.sampled_from(["", " ", "\t"]))
    for digit in digits:
        typed += digit + draw(SEPARATORS)
    return typed, regency, district, birth, sex, serial


@given(typed_nik())
def test_valid_components_round_trip(case: tuple[str, str, int, dt.date, str, int]) -> None:
    typed, regency, district, birth, sex, serial = case
    info = parse_nik(typed, today=TODAY)
    assert info.regency_code == regency
    assert info.province_code == regency[:2]
    assert info.regency_name == region_table().regency_name(regency)
    assert info.province_name == region_table().province_name(regency[:2])
    assert info.district_code == f"{regency}{district:02d}"
    assert info.birth_date == birth
    assert info.sex == sex
    assert info.serial == f"{serial:04d}"
    assert info.nik == "".join(ch for ch in typed if ch.isdigit())


@given(
    st.one_of(
        st.text(),
        st.text(alphabet="0123456789 .-", max_size=24),
        st.from_regex(r"[0-9]{16}", fullmatch=True),
    ),
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 12, 31)),
)
def test_any_text_gives_a_nik_or_a_field_error(raw: str, today: dt.date) -> None:
    outcome: NikInfo | FieldError
    try:
        outcome = parse_nik(raw, today=today)
    except FieldError as error:
        outcome = error
    if isinstance(outcome, FieldError):
        assert outcome.field == "nik"
        assert outcome.message
    else:
        assert len(outcome.nik) == 16
        assert outcome.nik.isascii()
        assert outcome.nik.isdigit()
        assert outcome.birth_date <= today
