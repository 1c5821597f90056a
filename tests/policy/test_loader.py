"""forms/ is read, validated, and a broken file is reported with its name and line."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from nonasn_desktop.errors import PolicyFileError
from nonasn_desktop.policy import default_policy, forms_dir, load_policy

FORMS = Path(str(forms_dir()))


@pytest.fixture
def forms_copy(tmp_path: Path) -> Path:
    target = tmp_path / "forms"
    shutil.copytree(FORMS, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_installed_policy_is_complete() -> None:
    policy = default_policy()
    assert policy.eligibility.reference_date == dt.date(2021, 12, 31)
    assert [s.number for s in policy.steps] == list(range(1, 25))
    assert {s.phase for s in policy.steps[:12]} == {"A"}
    assert {s.phase for s in policy.steps[12:]} == {"B"}
    assert set(policy.documents.rules) == {
        "ktp",
        "pas_foto",
        "kk",
        "swafoto",
        "ijazah",
        "sk_jabatan",
        "bukti_gaji",
    }
    assert policy.document("ktp").max_bytes == 200 * 1024
    assert policy.document("ijazah").min_bytes == 100 * 1024
    assert policy.document("ktp").formats == ("jpeg",)
    assert set(policy.document("ijazah").formats) == {"jpeg", "pdf"}
    assert policy.document("pas_foto").blue_background
    assert [v.key for v in policy.document("sk_jabatan").variants] == [
        "asli",
        "fotokopi_legalisir",
        "surat_keterangan",
    ]


def test_portal_button_words_are_in_the_steps() -> None:
    words = {word for step in default_policy().steps for word in step.buttons}
    for word in (
        "Lanjutkan",
        "Kembali",
        "Proses Pembuatan Akun",
        "Iya",
        "Cetak Informasi Pendaftaran",
        "Lanjutkan Login Pendaftaran",
        "Selanjutnya",
        "Akhiri Proses Pendaftaran",
        "Cetak Kartu Informasi Akun",
    ):
        assert word in words


def test_every_field_of_a_step_is_defined() -> None:
    policy = default_policy()
    for step in policy.steps:
        for key in (*step.fields, *step.group_fields):
            assert key in policy.fields
        assert step.page <= step.number


def test_choices_from_other_files_are_resolved() -> None:
    policy = default_policy()
    assert policy.fields["pejabat_penandatangan"].choices == policy.eligibility.appointers
    assert [c.key for c in policy.fields["sumber_gaji"].choices] == ["apbn", "apbd", "lainnya"]
    assert [c.key for c in policy.fields["bentuk_sk"].choices] == [
        "asli",
        "fotokopi_legalisir",
        "surat_keterangan",
    ]


def test_a_copy_of_forms_loads_the_same(forms_copy: Path) -> None:
    assert load_policy(forms_copy) == default_policy()


def test_toml_syntax_error_names_file_and_line(forms_copy: Path) -> None:
    _edit(forms_copy / "documents.toml", "max_bytes = 204_800          # 200 KB", "max_bytes = ")
    with pytest.raises(PolicyFileError) as caught:
        load_policy(forms_copy)
    assert caught.value.file == "documents.toml"
    assert caught.value.line is not None
    lines = (forms_copy / "documents.toml").read_text().splitlines()
    assert lines[caught.value.line - 1].strip() == "max_bytes ="
    assert "documents.toml, baris" in caught.value.message


def test_wrong_type_names_the_key_and_its_line(forms_copy: Path) -> None:
    _edit(forms_copy / "eligibility.toml", "min_age = 20", 'min_age = "dua puluh"')
    with pytest.raises(PolicyFileError) as caught:
        load_policy(forms_copy)
    error = caught.value
    assert error.file == "eligibility.toml"
    assert "min_age" in error.problem
    assert error.line is not None
    lines = (forms_copy / "eligibility.toml").read_text().splitlines()
    assert lines[error.line - 1].startswith("min_age")


def test_unknown_field_in_a_step_is_reported(forms_copy: Path) -> None:
    _edit(forms_copy / "steps.toml", '"nomor_hp"]', '"nomor_telepon"]')
    with pytest.raises(PolicyFileError, match="nomor_telepon") as caught:
        load_policy(forms_copy)
    assert caught.value.file == "steps.toml"
    assert caught.value.line is not None


def test_missing_step_is_reported(forms_copy: Path) -> None:
    path = forms_copy / "steps.toml"
    text = path.read_text()
    cut = text.rindex("[[steps]]")
    path.write_text(text[:cut])
    with pytest.raises(PolicyFileError, match="24 langkah"):
        load_policy(forms_copy)


def test_unknown_lowest_appointer_is_reported(forms_copy: Path) -> None:
    _edit(
        forms_copy / "eligibility.toml",
        'lowest_level = "pimpinan_unit_kerja"',
        'lowest_level = "lurah"',
    )
    with pytest.raises(PolicyFileError, match="lurah"):
        load_policy(forms_copy)


def test_impossible_size_bounds_are_reported(forms_copy: Path) -> None:
    _edit(forms_copy / "documents.toml", "min_bytes = 102_400", "min_bytes = 2_000_000")
    with pytest.raises(PolicyFileError, match="max_bytes"):
        load_policy(forms_copy)


def test_missing_file_is_reported(forms_copy: Path) -> None:
    (forms_copy / "fields.toml").unlink()
    with pytest.raises(PolicyFileError) as caught:
        load_policy(forms_copy)
    assert caught.value.file == "fields.toml"
    assert "tidak ditemukan" in caught.value.message


def test_newer_schema_is_refused(forms_copy: Path) -> None:
    _edit(forms_copy / "steps.toml", "schema = 1", "schema = 2")
    with pytest.raises(PolicyFileError, match="skema"):
        load_policy(forms_copy)


def test_non_utf8_file_is_reported(forms_copy: Path) -> None:
    (forms_copy / "fields.toml").write_bytes(b"schema = 1\nlabel = '\xff\xfe'\n")
    with pytest.raises(PolicyFileError, match="UTF-8"):
        load_policy(forms_copy)


def test_boolean_where_a_number_belongs_is_reported(forms_copy: Path) -> None:
    _edit(forms_copy / "eligibility.toml", "min_service_years = 1", "min_service_years = true")
    with pytest.raises(PolicyFileError, match="min_service_years"):
        load_policy(forms_copy)


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            "max_rupiah = 1_000_000_000",
            "max_rupiah = 'banyak'",
            "'max_rupiah' harus bilangan bulat",
        ),
        ("max_rupiah = 1_000_000_000", "max_rupiah = true", "'max_rupiah' harus bilangan bulat"),
        ("max_rupiah = 1_000_000_000", "max_rupiah = 0", "'max_rupiah' paling kecil 1"),
        ("max_year = 2100", "max_year = 1800", "lebih besar"),
    ],
)
def test_input_limits_problems_name_their_line(
    forms_copy: Path, old: str, new: str, problem: str
) -> None:
    path = forms_copy / "input_limits.toml"
    _edit(path, old, new)
    with pytest.raises(PolicyFileError) as caught:
        load_policy(forms_copy)
    assert caught.value.file == "input_limits.toml"
    assert problem in caught.value.problem
    assert caught.value.line is not None
    assert path.read_text().splitlines()[caught.value.line - 1].strip() == new


def test_installed_input_limits() -> None:
    limits = default_policy().input_limits
    assert (limits.max_rupiah, limits.min_year, limits.max_year) == (1_000_000_000, 1900, 2100)


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("max_rows = 250_000", "max_rows = 2_000_000", "'max_rows' paling besar 1048576"),
        ("max_columns = 1_024", "max_columns = 20_000", "'max_columns' paling besar 16384"),
        ("max_cells = 2_500_000", "max_cells = 0", "'max_cells' paling kecil 100"),
        ("max_cell_chars = 10_000", "max_cell_chars = 200_000", "tidak boleh melebihi"),
        ("max_seconds = 300", 'max_seconds = "lama"', "'max_seconds' harus bilangan bulat"),
    ],
)
def test_roster_file_bounds_problems_name_their_line(
    forms_copy: Path, old: str, new: str, problem: str
) -> None:
    path = forms_copy / "roster_file.toml"
    _edit(path, old, new)
    with pytest.raises(PolicyFileError) as caught:
        load_policy(forms_copy)
    assert caught.value.file == "roster_file.toml"
    assert problem in caught.value.problem
    assert caught.value.line is not None
    assert path.read_text().splitlines()[caught.value.line - 1].strip() == new


def test_installed_roster_file_bounds() -> None:
    limits = default_policy().roster_file
    assert limits.max_sheet_rows <= 1_048_576
    assert limits.max_cells == 2_500_000
    assert limits.max_csv_cell_chars < limits.max_csv_line_chars
