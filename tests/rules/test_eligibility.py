"""E1–E5 with their boundaries to the day (reference date 31-12-2021)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from nonasn_desktop.policy import default_policy
from nonasn_desktop.rules.eligibility import (
    EligibilityInput,
    EligibilityResult,
    completed_years,
    evaluate,
    years_before,
)

D = dt.date
POLICY = default_policy().eligibility
PASSING = EligibilityInput(
    birth_date=D(1985, 8, 17),
    first_tmt=D(2015, 3, 1),
    active=True,
    funding="apbd",
    procurement=False,
    appointer="pimpinan_unit_kerja",
)


def _criterion(result: EligibilityResult, code: str) -> tuple[bool, str]:
    (item,) = [c for c in result.criteria if c.code == code]
    return item.met, item.reason


def test_all_criteria_met_gives_ms_with_a_reason_for_each() -> None:
    result = evaluate(PASSING, POLICY)
    assert result.eligible
    assert result.outcome == "MS"
    assert result.summary == "MS"
    assert [c.code for c in result.criteria] == ["E1", "E2", "E3", "E4", "E5"]
    assert all(c.reason for c in result.criteria)
    assert _criterion(result, "E5") == (True, "Usia 36 tahun pada 31-12-2021.")
    assert (
        _criterion(result, "E4")[1] == "TMT 01-03-2015: masa kerja 6 tahun 9 bulan pada 31-12-2021."
    )


@pytest.mark.parametrize(
    ("born", "met"),
    [
        (D(1965, 1, 1), True),  # 56 on the reference date, 57 the day after
        (D(1964, 12, 31), False),  # turns 57 on the reference date itself
        (D(2001, 12, 31), True),  # turns 20 on the reference date
        (D(2002, 1, 1), False),  # still 19
        (D(1980, 2, 29), True),  # leap-day birth
        (D(2000, 2, 29), True),
    ],
)
def test_e5_age_boundaries_to_the_day(born: dt.date, met: bool) -> None:
    result = evaluate(replace(PASSING, birth_date=born), POLICY)
    assert _criterion(result, "E5")[0] is met
    assert result.eligible is met


def test_e5_reasons_name_the_age_and_the_limit() -> None:
    young = evaluate(replace(PASSING, birth_date=D(2002, 1, 1)), POLICY)
    assert _criterion(young, "E5") == (
        False,
        "Usia 19 tahun pada 31-12-2021; paling rendah 20 tahun.",
    )
    old = evaluate(replace(PASSING, birth_date=D(1964, 12, 31)), POLICY)
    assert _criterion(old, "E5") == (
        False,
        "Usia 57 tahun pada 31-12-2021; paling tinggi 56 tahun.",
    )


@pytest.mark.parametrize(
    ("tmt", "met"),
    [
        (D(2020, 12, 31), True),  # exactly one year of service on 31-12-2021
        (D(2021, 1, 1), False),  # one day short
        (D(2000, 1, 1), True),
        (D(2020, 2, 29), True),  # leap-day TMT
        (D(2021, 12, 31), False),
        (D(2022, 1, 1), False),  # after the reference date
    ],
)
def test_e4_service_boundaries_to_the_day(tmt: dt.date, met: bool) -> None:
    result = evaluate(replace(PASSING, first_tmt=tmt), POLICY)
    assert _criterion(result, "E4")[0] is met


def test_e4_failure_says_the_latest_allowed_tmt() -> None:
    result = evaluate(replace(PASSING, first_tmt=D(2021, 1, 1)), POLICY)
    met, reason = _criterion(result, "E4")
    assert not met
    assert "TMT paling lambat 31-12-2020" in reason
    assert "0 tahun 11 bulan" in reason


def test_e1_inactive_fails() -> None:
    result = evaluate(replace(PASSING, active=False), POLICY)
    assert _criterion(result, "E1") == (False, "Tidak lagi aktif bekerja di instansi pendaftar.")
    assert result.summary == "TMS (E1)"


@pytest.mark.parametrize("funding", ["apbn", "apbd"])
def test_e2_direct_budget_passes(funding: str) -> None:
    assert _criterion(evaluate(replace(PASSING, funding=funding), POLICY), "E2")[0]


def test_e2_procurement_fails_whatever_the_budget() -> None:
    result = evaluate(replace(PASSING, procurement=True), POLICY)
    met, reason = _criterion(result, "E2")
    assert not met
    assert "pengadaan barang/jasa" in reason


def test_e2_other_source_fails() -> None:
    met, reason = _criterion(evaluate(replace(PASSING, funding="lainnya"), POLICY), "E2")
    assert not met
    assert "bukan APBN/APBD" in reason


def test_e2_budget_must_match_the_agency_level_when_known() -> None:
    regional = replace(PASSING, agency_level="daerah")
    assert _criterion(evaluate(replace(regional, funding="apbd"), POLICY), "E2")[0]
    met, reason = _criterion(evaluate(replace(regional, funding="apbn"), POLICY), "E2")
    assert not met
    assert "APBD" in reason


@pytest.mark.parametrize(
    ("appointer", "met"),
    [
        ("ppk", True),
        ("sekretaris", True),
        ("pimpinan_opd", True),
        ("pimpinan_unit_kerja", True),
        ("di_bawah_unit_kerja", False),
        ("bukan_pejabat", False),
    ],
)
def test_e3_follows_the_ordered_list_of_forms(appointer: str, met: bool) -> None:
    assert _criterion(evaluate(replace(PASSING, appointer=appointer), POLICY), "E3")[0] is met


def test_missing_inputs_fail_with_what_to_fill_in() -> None:
    empty = EligibilityInput(None, None, None, None, None, None)
    result = evaluate(empty, POLICY)
    assert result.failed_codes == ("E1", "E2", "E3", "E4", "E5")
    assert all("belum diisi" in c.reason for c in result.criteria)


def test_unknown_keys_fail_instead_of_crashing() -> None:
    result = evaluate(replace(PASSING, funding="hibah", appointer="lurah"), POLICY)
    assert result.failed_codes == ("E2", "E3")


def test_every_failure_is_listed_not_only_the_first() -> None:
    result = evaluate(
        replace(PASSING, active=False, birth_date=D(2003, 5, 5), first_tmt=D(2021, 6, 1)),
        POLICY,
    )
    assert result.summary == "TMS (E1, E4, E5)"


def test_result_round_trips_through_json() -> None:
    result = evaluate(replace(PASSING, procurement=True), POLICY)
    assert EligibilityResult.from_json(result.to_json()) == result


def test_age_and_date_helpers() -> None:
    assert completed_years(D(2000, 2, 29), D(2021, 2, 28)) == 20
    assert completed_years(D(2000, 2, 29), D(2021, 3, 1)) == 21
    assert years_before(D(2024, 2, 29), 1) == D(2023, 2, 28)
