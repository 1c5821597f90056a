"""NIK, Nomor KK, names, places, mobile numbers and e-mail addresses as clerks type them."""

from __future__ import annotations

import datetime as dt

import pytest

from nonasn_desktop.errors import FieldError, PolicyFileError
from nonasn_desktop.rules.identity import (
    NikInfo,
    find_gelar,
    format_phone,
    nik_disagreements,
    normalise_email,
    normalise_name,
    normalise_phone,
    normalise_place,
    parse_gelar,
    parse_kk,
    parse_nik,
)

TODAY = dt.date(2024, 6, 30)


def nik_error(raw: str, today: dt.date = TODAY) -> str:
    with pytest.raises(FieldError) as caught:
        parse_nik(raw, today=today)
    assert caught.value.field == "nik"
    return caught.value.message


# --- NIK ---------------------------------------------------------------------------------------


def test_nik_of_a_man_born_in_jakarta_pusat() -> None:
    info = parse_nik("3171011708850001", today=TODAY)
    assert info == NikInfo(
        nik="3171011708850001",
        province_code="31",
        province_name="DKI JAKARTA",
        regency_code="3171",
        regency_name="KOTA ADM. JAKARTA PUSAT",
        district_code="317101",
        birth_date=dt.date(1985, 8, 17),
        sex="L",
        serial="0001",
    )


@pytest.mark.parametrize(
    "typed",
    [
        "3171015708850001",
        "3171 0157 0885 0001",
        "31.71.01.570885.0001",
        "3171-0157-0885-0001",
        "  3171015708850001 ",
        "3171\u00a00157\u00a00885\u00a00001",  # non-breaking spaces from a pasted document
        "3171\t015708850001",
    ],
)
def test_nik_separators_are_removed(typed: str) -> None:
    info = parse_nik(typed, today=TODAY)
    assert info.nik == "3171015708850001"
    assert info.sex == "P"
    assert info.birth_date == dt.date(1985, 8, 17)


@pytest.mark.parametrize(
    ("day_code", "day"),
    [("41", 1), ("55", 15), ("57", 17), ("69", 29), ("70", 30), ("71", 31)],
)
def test_women_have_forty_added_to_the_day(day_code: str, day: int) -> None:
    info = parse_nik(f"327301{day_code}01923456", today=TODAY)
    assert info.sex == "P"
    assert info.birth_date == dt.date(1992, 1, day)


@pytest.mark.parametrize("day_code", ["00", "32", "35", "40", "72", "99"])
def test_impossible_day_codes(day_code: str) -> None:
    message = nik_error(f"327301{day_code}01923456")
    assert f"digit ke-7 dan ke-8: {day_code}" in message
    assert "41–71" in message


@pytest.mark.parametrize("month", ["00", "13", "20", "99"])
def test_impossible_months(month: str) -> None:
    assert nik_error(f"32730117{month}923456") == (
        f"Bulan lahir pada NIK (digit ke-9 dan ke-10: {month}) tidak ada; bulan harus 01–12."
    )


def test_leap_day_in_a_leap_year() -> None:
    assert parse_nik("3273012902960001", today=TODAY).birth_date == dt.date(1996, 2, 29)
    assert parse_nik("3273016902000001", today=TODAY).birth_date == dt.date(2000, 2, 29)


def test_leap_day_in_a_common_year_is_refused() -> None:
    message = nik_error("3273012902970001")
    assert message == (
        "Tanggal lahir pada NIK (29-02-1997) tidak ada di kalender. "
        "Periksa digit ke-7 sampai ke-12 NIK."
    )


def test_century_is_chosen_so_the_birth_is_not_in_the_future() -> None:
    # 2-digit year 00 on 29 February: 2000 is a leap year, 1900 is not.
    assert parse_nik("3273012902000001", today=TODAY).birth_date == dt.date(2000, 2, 29)
    message = nik_error("3273012902000001", today=dt.date(2000, 2, 28))
    assert "(29-02-1900) tidak ada di kalender" in message
    # Year 24 on 30 June 2024 is today; a day later it is a century ago.
    assert parse_nik("3273013006240001", today=TODAY).birth_date == dt.date(2024, 6, 30)
    assert parse_nik("3273010107240001", today=TODAY).birth_date == dt.date(1924, 7, 1)
    assert parse_nik("3273011708450001", today=TODAY).birth_date == dt.date(1945, 8, 17)
    assert parse_nik("3273011708050001", today=TODAY).birth_date == dt.date(2005, 8, 17)


def test_impossible_calendar_date() -> None:
    assert "(31-02-1985) tidak ada di kalender" in nik_error("3171013102850001")
    assert "(31-04-1990) tidak ada di kalender" in nik_error("3171017104900001")


def test_serial_0000_is_refused() -> None:
    assert nik_error("3171011708850000") == (
        "Nomor urut pada NIK (empat digit terakhir) tidak boleh 0000. Periksa NIK."
    )


def test_unknown_province() -> None:
    assert nik_error("9971011708850001") == (
        "Kode provinsi 99 pada NIK tidak dikenal. Periksa dua digit pertama NIK."
    )
    assert "Kode provinsi 00" in nik_error("0071011708850001")


def test_unknown_regency() -> None:
    assert nik_error("3199011708850001") == (
        "Kode kabupaten/kota 3199 pada NIK tidak dikenal di provinsi DKI JAKARTA. "
        "Periksa digit ke-3 dan ke-4 NIK."
    )


def test_regency_of_another_province() -> None:
    # 79 is Kota Banjar in Jawa Barat (3279) but no regency of Banten.
    assert regency_exists("3279")
    assert "3679 pada NIK tidak dikenal di provinsi BANTEN" in nik_error("3679011708850001")


def regency_exists(code: str) -> bool:
    return parse_nik(f"{code}011708850001", today=TODAY).regency_code == code


def test_district_00_is_refused() -> None:
    assert "Kode kecamatan pada NIK (digit ke-5 dan ke-6) tidak boleh 00" in nik_error(
        "3171001708850001"
    )


@pytest.mark.parametrize(
    ("nik", "province", "regency"),
    [
        ("9301011708850001", "PAPUA SELATAN", "KAB. MERAUKE"),
        ("9101011708850001", "PAPUA", "KAB. MERAUKE"),  # issued before the 2022 split
        ("9404051708850001", "PAPUA TENGAH", "KAB. MIMIKA"),
        ("9109051708850001", "PAPUA", "KAB. MIMIKA"),
        ("9501021708850001", "PAPUA PEGUNUNGAN", "KAB. JAYAWIJAYA"),
        ("9671011708850001", "PAPUA BARAT DAYA", "KOTA SORONG"),
        ("9271011708850001", "PAPUA BARAT", "KOTA SORONG"),
        ("9171011708850001", "PAPUA", "KOTA JAYAPURA"),
    ],
)
def test_papua_codes_old_and_new(nik: str, province: str, regency: str) -> None:
    info = parse_nik(nik, today=TODAY)
    assert (info.province_name, info.regency_name) == (province, regency)


@pytest.mark.parametrize(
    ("typed", "count"),
    [("317101170885000", 15), ("31710117088500011", 17), ("3171", 4), ("3171 0117 0885", 12)],
)
def test_wrong_length(typed: str, count: int) -> None:
    assert nik_error(typed) == f"NIK harus 16 digit; yang diketik {count} digit."


def test_letters_are_refused_with_a_hint_for_look_alikes() -> None:
    message = nik_error("31710117O8850001")
    assert message.startswith("NIK hanya boleh berisi angka; ditemukan 'O'.")
    assert "Huruf O atau I/l" in message
    assert "ditemukan 'A', 'B'" in nik_error("3171AB1708850001")
    assert "ditemukan '/'" in nik_error("3171/011708850001")


def test_non_ascii_digits_are_refused() -> None:
    assert "ditemukan" in nik_error("٣١٧١٠١١٧٠٨٨٥٠٠٠١")


@pytest.mark.parametrize("typed", ["", "   ", " . - "])
def test_empty_nik(typed: str) -> None:
    assert nik_error(typed) == "NIK belum diisi. Ketik 16 digit NIK sesuai dokumennya."


# --- agreement with the form ---------------------------------------------------------------------


def test_agreement_when_everything_matches() -> None:
    info = parse_nik("3171015708850001", today=TODAY)
    assert nik_disagreements(info, dt.date(1985, 8, 17), "P") == []
    assert nik_disagreements(info, None, None) == []
    assert nik_disagreements(info, None, "Perempuan") == []


def test_different_birth_date() -> None:
    info = parse_nik("3171011708850001", today=TODAY)
    assert nik_disagreements(info, dt.date(1985, 8, 18), "L") == [
        "NIK menunjukkan tanggal lahir 17-08-1985, tetapi tanggal lahir yang diketik 18-08-1985."
    ]
    assert len(nik_disagreements(info, dt.date(1985, 9, 17), None)) == 1
    assert len(nik_disagreements(info, dt.date(1986, 8, 17), None)) == 1


def test_only_two_digits_of_the_year_are_compared() -> None:
    # A NIK cannot tell 1925 from 2025: the century is not encoded.
    info = parse_nik("3171011708250001", today=TODAY)
    assert info.birth_date == dt.date(1925, 8, 17)
    assert nik_disagreements(info, dt.date(2025, 8, 17), None) == []


def test_different_sex() -> None:
    woman = parse_nik("3171015708850001", today=TODAY)
    assert nik_disagreements(woman, None, "L") == [
        "NIK menunjukkan jenis kelamin perempuan (tanggal + 40), tetapi jenis kelamin yang "
        "dipilih laki-laki."
    ]
    man = parse_nik("3171011708850001", today=TODAY)
    assert nik_disagreements(man, None, "P") == [
        "NIK menunjukkan jenis kelamin laki-laki (tanggal lahir tidak ditambah 40), tetapi "
        "jenis kelamin yang dipilih perempuan."
    ]
    assert len(nik_disagreements(man, dt.date(1985, 8, 18), "p")) == 2


def test_sex_code_must_be_l_or_p() -> None:
    info = parse_nik("3171011708850001", today=TODAY)
    with pytest.raises(ValueError, match="sex must be"):
        nik_disagreements(info, None, "X")


# --- Nomor KK -----------------------------------------------------------------------------------


def kk_error(raw: str) -> str:
    with pytest.raises(FieldError) as caught:
        parse_kk(raw)
    assert caught.value.field == "nomor_kk"
    return caught.value.message


@pytest.mark.parametrize(
    "typed", ["3171012305150007", "3171 0123 0515 0007", "31.71.01.230515.0007"]
)
def test_kk_accepted(typed: str) -> None:
    assert parse_kk(typed) == "3171012305150007"


def test_kk_from_a_historical_region() -> None:
    assert parse_kk("6473021002100003") == "6473021002100003"  # Tarakan, before 2012


def test_kk_refusals() -> None:
    assert kk_error("") == "Nomor KK belum diisi. Ketik 16 digit Nomor KK sesuai dokumennya."
    assert kk_error("317101230515000") == "Nomor KK harus 16 digit; yang diketik 15 digit."
    assert "hanya boleh berisi angka" in kk_error("3171O12305150007")
    assert "angka yang sama semua" in kk_error("1111111111111111")
    assert "angka yang sama semua" in kk_error("0000 0000 0000 0000")
    assert "Kode provinsi 99 pada Nomor KK" in kk_error("9971012305150007")
    assert "Kode kabupaten/kota 3199 pada Nomor KK" in kk_error("3199012305150007")
    assert "Kode kecamatan pada Nomor KK" in kk_error("3171002305150007")
    assert "Empat digit terakhir Nomor KK tidak boleh 0000" in kk_error("3171012305150000")


# --- names --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("Sukarno", "Sukarno"),
        ("Wage", "Wage"),
        ("Siti Nur'aini", "Siti Nur'aini"),
        ("Siti Nur\u2019aini", "Siti Nur'aini"),  # typographic apostrophe from a phone
        ("I Gusti Ngurah Rai", "I Gusti Ngurah Rai"),
        ("Ni Luh Putu Ayu Sri Wahyuni", "Ni Luh Putu Ayu Sri Wahyuni"),
        ("  budi    santoso ", "budi santoso"),
        ("DRAJAT", "DRAJAT"),
        ("Drajat Suhardjo", "Drajat Suhardjo"),
        ("Tan Se Min", "Tan Se Min"),
        ("Ma Huateng", "Ma Huateng"),
        ("Muh. Ilham", "Muh. Ilham"),
        ("Abd. Rahman", "Abd. Rahman"),
        ("R.A. Kartini", "R.A. Kartini"),
        ("M.A. Hidayat", "M.A. Hidayat"),  # initials, not Master of Arts
        ("Maria-Magdalena Siregar", "Maria-Magdalena Siregar"),
        ("Siregar, Maria", "Siregar, Maria"),
        ("José Ramos-Horta", "José Ramos-Horta"),
        ("Ir Soekarno", "Ir Soekarno"),
    ],
)
def test_real_names_are_accepted(typed: str, name: str) -> None:
    assert normalise_name(typed) == name


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("Made Wirawan, S.Pd.", "S.Pd."),
        ("Made Wirawan S.Pd", "S.Pd"),
        ("Made Wirawan S. Pd", "S.Pd"),
        ("Budi Santoso, S.Pd., M.Pd.", "S.Pd."),
        ("Budi Santoso, SE", "SE"),
        ("Budi Santoso, S.E.", "S.E."),
        ("Budi Santoso S.E.", "S.E."),
        ("Budi Santoso, S.Kom", "S.Kom"),
        ("Budi Santoso S.H.", "S.H."),
        ("Hidayat M.A.", "M.A."),
        ("Rina Wati, M.Si.", "M.Si."),
        ("Rina Wati, M.M.", "M.M."),
        ("Dr. Budi Santoso", "Dr."),
        ("dr. Siti Aminah", "dr."),
        ("Ir. Joko Widodo", "Ir."),
        ("Drs. Sutrisno", "Drs."),
        ("Drs Sutrisno", "Drs"),
        ("Dra. Endang", "Dra."),
        ("Siti Rahma, A.Md.Keb", "A.Md.Keb"),
        ("Siti Rahma Amd.Keb", "Amd.Keb"),
        ("Siti Rahma, A.Md.", "A.Md."),
        ("Ns. Rina, S.Kep", "Ns."),
        ("Rina S.Kep", "S.Kep"),
        ("Ahmad Ph.D", "Ph.D"),
        ("Budi SPd", "SPd"),
        ("Budi, spd", "spd"),
        ("Joko, S.T.", "S.T."),
    ],
)
def test_gelar_is_refused(typed: str, found: str) -> None:
    with pytest.raises(FieldError) as caught:
        normalise_name(typed)
    assert caught.value.field == "nama"
    assert caught.value.message == (
        f"Nama tidak boleh memuat gelar akademik (ditemukan '{found}'). "
        "Ketik nama sesuai KTP tanpa gelar."
    )


def test_digits_and_symbols_in_names() -> None:
    with pytest.raises(FieldError) as caught:
        normalise_name("Andi 2")
    assert caught.value.message == (
        "Nama tidak boleh berisi angka (ditemukan '2'). Ketik nama sesuai KTP tanpa angka."
    )
    with pytest.raises(FieldError, match="tanda yang tidak diizinkan: '@'"):
        normalise_name("Budi@Santoso")
    with pytest.raises(FieldError, match="tanda yang tidak diizinkan: '_'"):
        normalise_name("budi_santoso")
    with pytest.raises(FieldError, match="harus berisi huruf"):
        normalise_name("-.'")
    with pytest.raises(FieldError, match="Nama belum diisi"):
        normalise_name("   ")
    with pytest.raises(FieldError) as other_field:
        normalise_name("Bu2di", "nama_ibu")
    assert other_field.value.field == "nama_ibu"


def test_non_latin_letters_are_refused() -> None:
    with pytest.raises(FieldError, match="tanda yang tidak diizinkan"):
        normalise_name("Андрей")


def test_gelar_list_reader() -> None:
    titles = parse_gelar("title,bare\nS.Pd,yes\nS.E,no\nDr.,no\n")
    assert find_gelar("Budi SPd", titles) == "SPd"
    assert find_gelar("Tan Se Min", titles) is None
    assert find_gelar("Budi S.E.", titles) == "S.E."
    assert find_gelar("Budi, se", titles) == "se"
    assert find_gelar("Dr Budi", titles) is None
    assert find_gelar("Dr. Budi", titles) == "Dr."


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("title,bare\nS.Pd,maybe\n", 2, "gelar,yes"),
        ("title,bare\nS.Pd\n", 2, "gelar,yes"),
        ("title,bare\nS.Pd,yes\ns.pd.,no\n", 3, "ganda (baris 2)"),
        ("title,bare\nS-Pd,yes\n", 2, "hanya boleh huruf dan titik"),
        ("S.Pd,yes\nS 1,no\n", 2, "hanya boleh huruf dan titik"),
    ],
)
def test_gelar_reader_names_the_broken_line(text: str, line: int, problem: str) -> None:
    with pytest.raises(PolicyFileError) as caught:
        parse_gelar(text)
    assert caught.value.line == line
    assert problem in caught.value.problem


def test_empty_gelar_list_is_refused() -> None:
    with pytest.raises(PolicyFileError, match="daftar gelar kosong"):
        parse_gelar("# nothing\ntitle,bare\n")


# --- places -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "place"),
    [
        ("Jakarta", "Jakarta"),
        ("  Kota   Baru ", "Kota Baru"),
        ("Pematang Siantar", "Pematang Siantar"),
        ("Bau-Bau", "Bau-Bau"),
        ("Tj. Pinang", "Tj. Pinang"),
        ("Ujung Pandang (Makassar)", "Ujung Pandang (Makassar)"),
        ("Ende", "Ende"),
    ],
)
def test_places(typed: str, place: str) -> None:
    assert normalise_place(typed) == place


def test_place_refusals() -> None:
    with pytest.raises(FieldError) as caught:
        normalise_place("Blok 5")
    assert caught.value.field == "tempat_lahir"
    assert "tidak boleh berisi angka (ditemukan '5')" in caught.value.message
    with pytest.raises(FieldError, match="tidak diizinkan: '/'"):
        normalise_place("Jakarta/Bogor")
    with pytest.raises(FieldError, match="tidak diizinkan: ','"):
        normalise_place("Bandung, Jawa Barat")
    with pytest.raises(FieldError, match="Tempat lahir belum diisi"):
        normalise_place("")


# --- phones -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "0812-3456-7890",
        "081234567890",
        "+62 812 3456 7890",
        "+6281234567890",
        "6281234567890",
        "62 812-3456-7890",
        "(0812) 3456.7890",
        " 0812 3456 7890 ",
    ],
)
def test_mobile_numbers(typed: str) -> None:
    assert normalise_phone(typed) == "+6281234567890"


def test_other_operators() -> None:
    assert normalise_phone("0857-1234-5678") == "+6285712345678"
    assert normalise_phone("0896 1234 5678") == "+6289612345678"
    assert normalise_phone("0811-234-567") == "+62811234567"


def phone_error(raw: str) -> str:
    with pytest.raises(FieldError) as caught:
        normalise_phone(raw)
    assert caught.value.field == "nomor_hp"
    return caught.value.message


def test_landline_is_refused() -> None:
    message = phone_error("021-5551234")
    assert "nomor telepon rumah/kantor" in message
    assert "tidak diterima" in message
    assert "nomor telepon rumah/kantor" in phone_error("(0361) 234567")


def test_phone_refusals() -> None:
    assert phone_error("0812") == (
        "Nomor HP '0812' terlalu pendek. Ketik nomor lengkap, mis. 0812-3456-7890."
    )
    assert phone_error("+6012345678") == (
        "Nomor HP harus nomor Indonesia (+62); yang diketik berkode negara +60."
    )
    assert "terlalu panjang" in phone_error("0812345678901234567")
    assert "bukan nomor HP seluler" in phone_error("0800-1234567")
    assert "hanya boleh berisi angka" in phone_error("0812-3456-789O")
    assert "hanya boleh berisi angka" in phone_error("0812+3456")
    assert "belum diisi" in phone_error("  ")


def test_format_phone_for_display() -> None:
    assert format_phone("+6281234567890") == "0812-3456-7890"
    with pytest.raises(ValueError, match=r"not an E\.164 number"):
        format_phone("bukan nomor")


# --- e-mail -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "address"),
    [
        ("budi@gmail.com", "budi@gmail.com"),
        ("  Budi.Santoso@Gmail.COM ", "Budi.Santoso@gmail.com"),
        ("siti+bkd@bkd.jatimprov.go.id", "siti+bkd@bkd.jatimprov.go.id"),
        ("o'neil@yahoo.co.id", "o'neil@yahoo.co.id"),
    ],
)
def test_email_addresses(typed: str, address: str) -> None:
    assert normalise_email(typed) == address


def test_empty_email_is_none() -> None:
    assert normalise_email("") is None
    assert normalise_email("   ") is None


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("budi gmail.com", "tidak boleh berisi spasi"),
        ("budi.gmail.com", "tepat satu tanda @"),
        ("budi@@gmail.com", "tepat satu tanda @"),
        ("@gmail.com", "Bagian sebelum @"),
        (".budi@gmail.com", "Bagian sebelum @"),
        ("budi..s@gmail.com", "Bagian sebelum @"),
        ("budi@gmail", "Nama domain 'gmail'"),
        ("budi@gmail.c", "Nama domain"),
        ("budi@-gmail.com", "Nama domain"),
        ("budi@gmail..com", "Nama domain"),
        ("budi@gmail.123", "Nama domain"),
    ],
)
def test_email_refusals(typed: str, problem: str) -> None:
    with pytest.raises(FieldError) as caught:
        normalise_email(typed)
    assert caught.value.field == "email"
    assert problem in caught.value.message
