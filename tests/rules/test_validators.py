"""validate_field / validate_fields against the real field definitions of forms/fields.toml."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping

import pytest

from nonasn_desktop.errors import FieldError
from nonasn_desktop.policy import Policy, default_policy
from nonasn_desktop.rules.validators import VALIDATOR_NAMES, validate_field, validate_fields

TODAY = dt.date(2024, 6, 30)


@pytest.fixture(scope="module")
def policy() -> Policy:
    return default_policy()


def value(policy: Policy, key: str, raw: str, values: Mapping[str, str] | None = None) -> object:
    return validate_field(policy.fields[key], raw, values or {}, policy, today=TODAY)


def error(policy: Policy, key: str, raw: str, values: Mapping[str, str] | None = None) -> str:
    with pytest.raises(FieldError) as caught:
        value(policy, key, raw, values)
    assert caught.value.field == key
    return caught.value.message


def test_every_validator_named_in_fields_toml_exists(policy: Policy) -> None:
    for field in policy.fields.values():
        for spec in field.validators:
            assert spec.partition(":")[0] in VALIDATOR_NAMES, (field.key, spec)


# --- required, empty, length, control characters -------------------------------------------------


def test_required_field_left_empty(policy: Policy) -> None:
    assert error(policy, "nama", "") == "Nama Lengkap wajib diisi."
    assert error(policy, "nama", "   ") == "Nama Lengkap wajib diisi."
    assert error(policy, "nik", "") == "Nomor Induk Kependudukan (NIK) wajib diisi."
    assert error(policy, "kata_sandi", "") == "Kata Sandi wajib diisi."


def test_optional_field_left_empty_is_none(policy: Policy) -> None:
    assert value(policy, "email", "") is None
    assert value(policy, "nomor_thk2", "  ") is None
    assert value(policy, "tanggal_selesai", "", {"tmt": "01-01-2019"}) is None


def test_max_length(policy: Policy) -> None:
    assert error(policy, "nomor_thk2", "A" * 31) == (
        "Nomor Peserta THK-II paling banyak 30 karakter; yang diketik 31 karakter."
    )
    assert value(policy, "nomor_thk2", "A" * 30) == "A" * 30
    assert "paling banyak 100 karakter" in error(policy, "nama", "Budi " * 30)


def test_control_characters_are_refused(policy: Policy) -> None:
    assert "karakter kendali" in error(policy, "nama", "Budi\x00Santoso")
    assert "karakter kendali" in error(policy, "unit_kerja", "SDN 1\x1bMalang")
    assert "karakter kendali" in error(policy, "kata_sandi", "rahasia123\x07")


def test_invisible_characters_from_pasting_are_dropped(policy: Policy) -> None:
    assert value(policy, "nama", "\ufeffBudi\u200b Santoso") == "Budi Santoso"


def test_text_is_one_line(policy: Policy) -> None:
    assert value(policy, "unit_kerja", "  SD Negeri 1   Malang ") == "SD Negeri 1 Malang"
    assert error(policy, "unit_kerja", "SD Negeri 1\nMalang") == (
        "Unit Kerja harus ditulis dalam satu baris."
    )


def test_textarea_keeps_its_lines(policy: Policy) -> None:
    typed = "Jl. Merdeka No. 5\r\nRT 02/RW 03\r\nKel. Sukamaju\t"
    assert value(policy, "alamat", typed) == "Jl. Merdeka No. 5\nRT 02/RW 03\nKel. Sukamaju"


# --- types --------------------------------------------------------------------------------------


def test_nik_field_returns_the_16_digits(policy: Policy) -> None:
    assert value(policy, "nik", "3171 0117 0885 0001") == "3171011708850001"
    assert value(policy, "login_nik", "3171.0117.0885.0001") == "3171011708850001"


def test_errors_carry_the_key_of_the_field_being_validated(policy: Policy) -> None:
    assert error(policy, "login_nik", "12345") == "NIK harus 16 digit; yang diketik 5 digit."
    assert "Nomor KK harus 16 digit" in error(policy, "nomor_kk", "3171")
    assert "Kode provinsi 99" in error(policy, "nik", "9971011708850001")


def test_kk_name_phone_email(policy: Policy) -> None:
    assert value(policy, "nomor_kk", "3171 0123 0515 0007") == "3171012305150007"
    assert value(policy, "nama", " Siti  Nur'aini ") == "Siti Nur'aini"
    assert "gelar akademik" in error(policy, "nama", "Made Wirawan, S.Pd.")
    assert value(policy, "nomor_hp", "0812-3456-7890") == "+6281234567890"
    assert "telepon tetap tidak diterima" in error(policy, "nomor_hp", "021-5551234")
    assert value(policy, "email", "Budi@Gmail.COM") == "Budi@gmail.com"
    assert "tepat satu tanda @" in error(policy, "email", "budi.gmail.com")


def test_date_and_money(policy: Policy) -> None:
    assert value(policy, "tmt", "01-07-2019") == dt.date(2019, 7, 1)
    assert value(policy, "tmt", "2019-07-01") == dt.date(2019, 7, 1)
    assert "4 digit" in error(policy, "tmt", "01-07-19")
    assert value(policy, "gaji_bulanan", "Rp 1.500.000") == 1_500_000
    assert "negatif" in error(policy, "gaji_bulanan", "-1.500.000")


def test_choice_accepts_the_key_or_the_label(policy: Policy) -> None:
    assert value(policy, "jenis_kelamin", "P") == "P"
    assert value(policy, "jenis_kelamin", "Perempuan") == "P"
    assert value(policy, "jenis_kelamin", "laki-laki") == "L"
    assert value(policy, "agama", "Islam") == "islam"
    assert value(policy, "pejabat_penandatangan", "pimpinan_unit_kerja") == "pimpinan_unit_kerja"
    assert error(policy, "jenis_kelamin", "X") == (
        "Pilihan 'X' tidak ada untuk Jenis Kelamin. Pilih salah satu: Laki-laki, Perempuan."
    )


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1", True),
        ("true", True),
        ("Ya", True),
        ("y", True),
        ("0", False),
        ("FALSE", False),
        ("tidak", False),
        ("t", False),
    ],
)
def test_bool(policy: Policy, typed: str, expected: bool) -> None:
    assert value(policy, "melalui_pengadaan", typed) is expected


def test_bool_refuses_other_words(policy: Policy) -> None:
    assert "jawab ya atau tidak (bukan 'mungkin')" in error(policy, "melalui_pengadaan", "mungkin")


def test_password_and_captcha(policy: Policy) -> None:
    assert value(policy, "login_kata_sandi", "  spasi di tepi  ") == "  spasi di tepi  "
    assert value(policy, "captcha", " 7KQ2P ") == "7KQ2P"


# --- named validators ---------------------------------------------------------------------------


def test_past_date(policy: Policy) -> None:
    assert value(policy, "tanggal_lahir", "30-06-2024") == TODAY
    assert error(policy, "tanggal_lahir", "01-07-2024") == (
        "Tanggal Lahir tidak boleh setelah hari ini (30-06-2024); yang diketik 01-07-2024."
    )


def test_not_before(policy: Policy) -> None:
    values = {"tmt": "01-07-2019"}
    assert value(policy, "tanggal_selesai", "30-06-2019".replace("2019", "2020"), values) == (
        dt.date(2020, 6, 30)
    )
    assert value(policy, "tanggal_selesai", "01-07-2019", values) == dt.date(2019, 7, 1)
    assert error(policy, "tanggal_selesai", "30-06-2019", values) == (
        "Tanggal Selesai (30-06-2019) tidak boleh sebelum TMT (Terhitung Mulai Tanggal) "
        "(01-07-2019)."
    )


def test_not_before_ignores_a_missing_or_broken_other_date(policy: Policy) -> None:
    assert value(policy, "tanggal_selesai", "30-06-2019", {}) == dt.date(2019, 6, 30)
    assert value(policy, "tanggal_selesai", "30-06-2019", {"tmt": "kemarin"}) == dt.date(
        2019, 6, 30
    )


def test_same_as_for_passwords(policy: Policy) -> None:
    values = {"kata_sandi": "Honorer2022"}
    assert value(policy, "kata_sandi_ulang", "Honorer2022", values) == "Honorer2022"
    assert error(policy, "kata_sandi_ulang", "honorer2022", values) == (
        "Kata sandi dan ulangan kata sandi tidak sama."
    )
    assert error(policy, "kata_sandi_ulang", "Honorer2022 ", values) == (
        "Kata sandi dan ulangan kata sandi tidak sama."
    )


def test_same_as_for_text(policy: Policy) -> None:
    field = dataclasses.replace(
        policy.fields["nomor_thk2"], key="nomor_thk2_ulang", validators=("same_as:nomor_thk2",)
    )
    values = {"nomor_thk2": "K2-123"}
    assert validate_field(field, " K2-123 ", values, policy, today=TODAY) == "K2-123"
    with pytest.raises(FieldError, match="tidak sama dengan Nomor Peserta THK-II"):
        validate_field(field, "K2-124", values, policy, today=TODAY)


def test_must_be_true(policy: Policy) -> None:
    assert value(policy, "pernyataan", "ya") is True
    assert error(policy, "pernyataan", "tidak") == (
        "Centang pernyataan ini untuk dapat melanjutkan."
    )


def test_password_strength(policy: Policy) -> None:
    assert value(policy, "kata_sandi", "Honorer2022") == "Honorer2022"
    assert error(policy, "kata_sandi", "abc1") == (
        "Kata Sandi harus paling sedikit 8 karakter (yang diketik 4)."
    )
    assert error(policy, "kata_sandi", "honorersekali") == (
        "Kata Sandi harus berisi paling sedikit satu angka."
    )
    assert error(policy, "kata_sandi", "12345678") == (
        "Kata Sandi harus berisi paling sedikit satu huruf."
    )
    assert error(policy, "kata_sandi", "abc") == (
        "Kata Sandi harus paling sedikit 8 karakter (yang diketik 3); "
        "berisi paling sedikit satu angka."
    )


def test_password_must_not_contain_nik_or_birth_date(policy: Policy) -> None:
    values = {"nik": "3171 0117 0885 0001", "tanggal_lahir": "17-08-1985"}
    assert error(policy, "kata_sandi", "x3171011708850001", values) == (
        "Kata Sandi harus tidak memuat NIK."
    )
    assert error(policy, "kata_sandi", "budi17081985", values) == (
        "Kata Sandi harus tidak memuat tanggal lahir."
    )
    assert error(policy, "kata_sandi", "budi-17-08-1985", values) == (
        "Kata Sandi harus tidak memuat tanggal lahir."
    )
    assert value(policy, "kata_sandi", "Honorer2022", values) == "Honorer2022"
    # A birth date that does not parse is not used.
    assert value(policy, "kata_sandi", "budi17081985", {"tanggal_lahir": "17-08"}) == (
        "budi17081985"
    )


def test_unknown_validator_is_a_programming_error(policy: Policy) -> None:
    field = dataclasses.replace(policy.fields["nama"], validators=("no_such_rule",))
    with pytest.raises(ValueError, match="unknown validator 'no_such_rule'"):
        validate_field(field, "Budi", {}, policy, today=TODAY)
    # Even when the field is left empty: the mistake is in the form definition.
    optional = dataclasses.replace(field, required=False)
    with pytest.raises(ValueError, match="unknown validator"):
        validate_field(optional, "", {}, policy, today=TODAY)


def test_malformed_validator_is_a_programming_error(policy: Policy) -> None:
    for spec in ("same_as", "same_as:", "past_date:tmt"):
        field = dataclasses.replace(policy.fields["tmt"], validators=(spec,))
        with pytest.raises(ValueError, match="malformed"):
            validate_field(field, "01-01-2020", {}, policy, today=TODAY)


def test_place_name_validator(policy: Policy) -> None:
    field = dataclasses.replace(policy.fields["tempat_lahir"], validators=("place_name",))
    assert validate_field(field, " Bau-Bau ", {}, policy, today=TODAY) == "Bau-Bau"
    with pytest.raises(FieldError) as caught:
        validate_field(field, "Blok 5", {}, policy, today=TODAY)
    assert caught.value.field == "tempat_lahir"
    assert "tidak boleh berisi angka" in caught.value.message


# --- several fields -----------------------------------------------------------------------------


def test_validate_fields_of_step_2(policy: Policy) -> None:
    values = {
        "nik": "3171 0157 0885 0001",
        "nomor_kk": "3171012305150007",
        "nama": "Siti Nur'aini",
        "tempat_lahir": "Jakarta",
        "tanggal_lahir": "17-08-1985",
        "jenis_kelamin": "P",
        "nomor_hp": "0812-3456-7890",
        "email": "",
    }
    clean, errors = validate_fields(values, values, policy, today=TODAY)
    assert errors == {}
    assert clean == {
        "nik": "3171015708850001",
        "nomor_kk": "3171012305150007",
        "nama": "Siti Nur'aini",
        "tempat_lahir": "Jakarta",
        "tanggal_lahir": dt.date(1985, 8, 17),
        "jenis_kelamin": "P",
        "nomor_hp": "+6281234567890",
        "email": None,
    }


def test_validate_fields_reports_each_broken_field(policy: Policy) -> None:
    values = {"nama": "Andi 2", "tanggal_lahir": "31-02-1985", "nomor_hp": "021-5551234"}
    clean, errors = validate_fields(
        ["nama", "tanggal_lahir", "nomor_hp", "email"], values, policy, today=TODAY
    )
    assert clean == {"email": None}
    assert set(errors) == {"nama", "tanggal_lahir", "nomor_hp"}
    assert errors["tanggal_lahir"] == "Tanggal 31-02-1985 tidak ada di kalender."


def test_validate_fields_unknown_key(policy: Policy) -> None:
    with pytest.raises(ValueError, match="unknown field 'no_such_field'"):
        validate_fields(["no_such_field"], {}, policy, today=TODAY)
