"""``nonasn check nik`` and ``nonasn check eligibility``."""

from __future__ import annotations

import pytest

from helpers.commands import run


def test_valid_nik_prints_region_birth_date_and_sex(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["check", "nik", "3171015708850003"], capsys)
    assert code == 0, err
    assert "JAKARTA PUSAT" in out
    assert "DKI JAKARTA" in out
    assert "17-08-1985" in out
    assert "Perempuan (P)" in out


def test_nik_typed_with_spaces_and_dots(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", "nik", "3273 0112.0390 0001"], capsys)
    assert code == 0
    assert "12-03-1990" in out
    assert "Laki-laki (L)" in out


@pytest.mark.parametrize(
    ("nik", "fragment"),
    [
        ("317101570885000", "16 digit"),
        ("31710157088500031", "16 digit"),
        ("3171015708850000", "0000"),
        ("9971015708850003", "provinsi"),
        ("3171013102850003", "tanggal"),
        ("31710157O8850003", "angka"),
    ],
)
def test_invalid_nik_exits_1_with_the_reason(
    nik: str, fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["check", "nik", nik], capsys)
    assert code == 1
    assert out == ""
    assert fragment.lower() in err.lower()


def test_nik_disagreeing_with_birth_date_and_sex(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        ["check", "nik", "3171015708850003", "--birth-date", "1985-08-18", "--sex", "L"], capsys
    )
    assert code == 1
    assert "18-08-1985" in err
    assert "laki-laki" in err.lower()


def test_nik_agreeing_with_birth_date_and_sex(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        ["check", "nik", "3171015708850003", "--birth-date", "1985-08-17", "--sex", "P"], capsys
    )
    assert code == 0, err


def test_eligible_person_is_ms(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["check", "eligibility", "--birth-date", "1985-08-17", "--start-date", "2015-03-01"],
        capsys,
    )
    assert code == 0
    assert out.count("memenuhi.") == 5
    assert out.strip().endswith("Hasil: MS (memenuhi syarat)")


def test_every_failed_criterion_is_listed(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        [
            "check",
            "eligibility",
            "--birth-date",
            "2002-01-01",
            "--start-date",
            "2021-01-01",
            "--funding",
            "apbd",
            "--procurement",
            "--appointer",
            "bukan_pejabat",
            "--inactive",
        ],
        capsys,
    )
    assert code == 1
    assert "TMS (tidak memenuhi syarat: E1, E2, E3, E4, E5)" in out
    for code_name in ("E1", "E2", "E3", "E4", "E5"):
        assert f"{code_name} " in out


def test_eligibility_boundary_to_the_day(capsys: pytest.CaptureFixture[str]) -> None:
    ok, _, _ = run(
        ["check", "eligibility", "--birth-date", "1965-01-01", "--start-date", "2020-12-31"],
        capsys,
    )
    late, out, _ = run(
        ["check", "eligibility", "--birth-date", "1965-01-01", "--start-date", "2021-01-01"],
        capsys,
    )
    assert (ok, late) == (0, 1)
    assert "TMT paling lambat 31-12-2020" in out


def test_dates_may_be_typed_the_indonesian_way(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(
        ["check", "eligibility", "--birth-date", "17-08-1985", "--start-date", "01-03-2015"],
        capsys,
    )
    assert code == 0
