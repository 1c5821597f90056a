from __future__ import annotations

import pytest

from nonasn_desktop.errors import PolicyFileError
from nonasn_desktop.policy import forms_dir
from nonasn_desktop.roster.columns import (
    COLUMNS_FILE,
    normalise_label,
    parse_roster_columns,
    roster_columns,
)

TEXT = (forms_dir() / COLUMNS_FILE).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("No. KTP", "noktp"),
        ("NOMOR  KTP (16 digit)", "nomorktp"),
        ("Tempat/Tgl. Lahir", "tempattgllahir"),
        ("Jenis\nKelamin", "jeniskelamin"),
        ("NIK *)", "nik"),
        ("(1)", "1"),
        ("Pendidikan Terakhir [jenjang]", "pendidikanterakhir"),
        ("Jurusán", "jurusan"),
    ],
)
def test_labels_compare_without_case_spacing_punctuation_or_remarks(
    typed: str, expected: str
) -> None:
    assert normalise_label(typed) == expected


def test_installed_file_is_complete() -> None:
    columns = roster_columns()
    assert columns.by_name["noktp"] == "nik"
    assert columns.by_name["namapegawai"] == "nama"
    assert columns.by_name["tmtkerja"] == "tmt"
    assert columns.by_name["lp"] == "jenis_kelamin"
    assert columns.by_name["opd"] == "unit_kerja"
    assert columns.by_name["tempattgllahir"] == "tempat_tanggal_lahir"
    assert "nokk" in columns.ignored
    assert columns.months["maret"] == 3
    assert columns.values["jenis_kelamin"]["pria"] == "L"
    assert columns.values["pejabat_penandatangan"]["kepalasekolah"] == "pimpinan_unit_kerja"
    assert [spec.key for spec in columns.columns if spec.required] == ["nik", "nama"]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (("schema = 1", "schema = 2"), "skema"),
        (('key = "jurusan"', 'key = "hobi"'), "bukan isian"),
        (('kind = "money"', 'kind = "uang"'), "jenis kolom"),
        (('"Jurusan", "Program Studi"', '"Jurusan", "NIK"'), "dipakai juga"),
        (('P = ["P", "Perempuan"', 'X = ["Perempuan"'), "L atau P"),
        (("12 = [", "13 = ["), "bulan 1 sampai 12"),
        (("header_scan_rows = 30", "header_scan_rows = 0"), "header_scan_rows"),
    ],
)
def test_broken_file_names_the_problem(change: tuple[str, str], words: str) -> None:
    old, new = change
    assert old in TEXT
    with pytest.raises(PolicyFileError, match=words) as info:
        parse_roster_columns(TEXT.replace(old, new, 1))
    assert COLUMNS_FILE in str(info.value)


def test_not_toml() -> None:
    with pytest.raises(PolicyFileError, match="TOML"):
        parse_roster_columns("columns = [")
