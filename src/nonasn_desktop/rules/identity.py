"""Identity fields: NIK, Nomor KK, name, place of birth, mobile number, e-mail.

Every function takes what a clerk typed and returns the normalised value, or raises
:class:`FieldError` with a message in Bahasa Indonesia that says what is wrong and what to do.
Region codes come from forms/wilayah.csv (:mod:`nonasn_desktop.rules.regions`), academic
titles from forms/gelar.csv.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import phonenumbers
from stdnum.id import nik as stdnum_nik

from nonasn_desktop.errors import FieldError, PolicyFileError
from nonasn_desktop.policy import read_forms_text
from nonasn_desktop.rules.formatting import format_date
from nonasn_desktop.rules.regions import RegionTable, region_table

Sex = Literal["L", "P"]
GELAR_FILE = "gelar.csv"

_SEX_WORDS: dict[str, Sex] = {"L": "L", "P": "P", "LAKI-LAKI": "L", "PEREMPUAN": "P"}
_SEX_NAMES: dict[Sex, str] = {"L": "laki-laki", "P": "perempuan"}
# Whitespace and dash-like characters people type or paste between groups of digits.
_NUMBER_SEPARATORS = re.compile(r"[\s\u2010-\u2015\u2212]")
_DIGITS = re.compile(r"[0-9]+")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
_NAME_PUNCTUATION = frozenset(" '.,-")
_PLACE_PUNCTUATION = frozenset(" '.-()")
_PHONE_CHARACTERS = re.compile(r"\+?[0-9 ().\-]+")
_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_DOMAIN_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_TLD = re.compile(r"[A-Za-z]{2,63}")


@dataclass(frozen=True)
class NikInfo:
    """What a valid NIK says. Codes are hierarchical: "31", "3171", "317101"."""

    nik: str
    province_code: str
    province_name: str
    regency_code: str
    regency_name: str
    district_code: str
    birth_date: dt.date
    sex: Sex
    serial: str


# --- NIK and KK ------------------------------------------------------------------------------


def _digits_only(raw: str, field: str, what: str) -> str:
    """The typed number without spaces, dots and dashes; FieldError unless 16 ASCII digits."""
    number = stdnum_nik.compact(_NUMBER_SEPARATORS.sub("", raw))
    if not number:
        raise FieldError(field, f"{what} belum diisi. Ketik 16 digit {what} sesuai dokumennya.")
    if not _DIGITS.fullmatch(number):
        wrong = _distinct(ch for ch in number if not ("0" <= ch <= "9"))
        hint = ""
        if any(ch in "OoIlL" for ch in wrong):
            hint = " Huruf O atau I/l mungkin terketik sebagai pengganti angka 0 atau 1."
        raise FieldError(
            field, f"{what} hanya boleh berisi angka; ditemukan {_quote_all(wrong)}.{hint}"
        )
    if len(number) != 16:
        raise FieldError(field, f"{what} harus 16 digit; yang diketik {len(number)} digit.")
    return number


def _check_region(number: str, field: str, what: str, table: RegionTable) -> tuple[str, str]:
    """Province and regency names for the first 6 digits; FieldError when implausible."""
    province = table.province_name(number[:2])
    if province is None:
        raise FieldError(
            field,
            f"Kode provinsi {number[:2]} pada {what} tidak dikenal. "
            f"Periksa dua digit pertama {what}.",
        )
    regency = table.regency_name(number[:4])
    if regency is None:
        raise FieldError(
            field,
            f"Kode kabupaten/kota {number[:4]} pada {what} tidak dikenal di provinsi {province}. "
            f"Periksa digit ke-3 dan ke-4 {what}.",
        )
    if number[4:6] == "00":
        raise FieldError(
            field,
            f"Kode kecamatan pada {what} (digit ke-5 dan ke-6) tidak boleh 00. "
            f"Periksa kembali {what}.",
        )
    return province, regency


def _birth_date(ddmmyy: str, today: dt.date) -> tuple[dt.date, Sex]:
    day_code, month, yy = int(ddmmyy[:2]), int(ddmmyy[2:4]), int(ddmmyy[4:])
    sex: Sex
    if 1 <= day_code <= 31:
        day, sex = day_code, "L"
    elif 41 <= day_code <= 71:
        day, sex = day_code - 40, "P"
    else:
        raise FieldError(
            "nik",
            f"Tanggal lahir pada NIK (digit ke-7 dan ke-8: {ddmmyy[:2]}) tidak mungkin: "
            "untuk laki-laki 01–31, untuk perempuan 41–71 (tanggal + 40).",
        )
    if not 1 <= month <= 12:
        raise FieldError(
            "nik",
            f"Bulan lahir pada NIK (digit ke-9 dan ke-10: {ddmmyy[2:4]}) tidak ada; "
            "bulan harus 01–12.",
        )
    # Two-digit year: the latest century that does not put the birth after today.
    year = 2000 + yy
    if (year, month, day) > (today.year, today.month, today.day):
        year -= 100
    try:
        return dt.date(year, month, day), sex
    except ValueError:
        raise FieldError(
            "nik",
            f"Tanggal lahir pada NIK ({day:02d}-{month:02d}-{year}) tidak ada di kalender. "
            "Periksa digit ke-7 sampai ke-12 NIK.",
        ) from None


def parse_nik(raw: str, *, today: dt.date) -> NikInfo:
    """Check a typed NIK and read what it encodes; FieldError("nik", ...) when it is wrong.

    ``today`` (the caller's clock: ``ctx.now()`` or the flow's) places the two-digit birth
    year in its century: the latest one that does not put the birth after today.
    """
    table = region_table()
    nik = _digits_only(raw, "nik", "NIK")
    province, regency = _check_region(nik, "nik", "NIK", table)
    birth_date, sex = _birth_date(nik[6:12], today)
    if nik[12:] == "0000":
        raise FieldError(
            "nik", "Nomor urut pada NIK (empat digit terakhir) tidak boleh 0000. Periksa NIK."
        )
    return NikInfo(
        nik=nik,
        province_code=nik[:2],
        province_name=province,
        regency_code=nik[:4],
        regency_name=regency,
        district_code=nik[:6],
        birth_date=birth_date,
        sex=sex,
        serial=nik[12:],
    )


def nik_disagreements(info: NikInfo, birth_date: dt.date | None, sex: str | None) -> list[str]:
    """Messages for each typed value that contradicts the NIK (empty when they agree).

    The NIK holds only two digits of the year, so day, month and those two digits are
    compared. ``sex`` is "L" or "P" (or the words "Laki-laki"/"Perempuan"); None skips it.
    """
    problems: list[str] = []
    if birth_date is not None:
        nik_date = info.birth_date
        if (birth_date.day, birth_date.month, birth_date.year % 100) != (
            nik_date.day,
            nik_date.month,
            nik_date.year % 100,
        ):
            problems.append(
                f"NIK menunjukkan tanggal lahir {format_date(nik_date)}, tetapi tanggal lahir "
                f"yang diketik {format_date(birth_date)}."
            )
    if sex is not None:
        typed = _SEX_WORDS.get(sex.strip().upper())
        if typed is None:
            raise ValueError(f"sex must be 'L' or 'P', not {sex!r}")
        if typed != info.sex:
            how = "(tanggal + 40)" if info.sex == "P" else "(tanggal lahir tidak ditambah 40)"
            problems.append(
                f"NIK menunjukkan jenis kelamin {_SEX_NAMES[info.sex]} {how}, tetapi jenis "
                f"kelamin yang dipilih {_SEX_NAMES[typed]}."
            )
    return problems


def parse_kk(raw: str) -> str:
    """The 16 digits of a Nomor Kartu Keluarga; FieldError("nomor_kk", ...) when implausible."""
    field, what = "nomor_kk", "Nomor KK"
    number = _digits_only(raw, field, what)
    if len(set(number)) == 1:
        raise FieldError(
            field,
            f"Nomor KK tidak boleh berisi angka yang sama semua ({number}). "
            "Salin nomor dari Kartu Keluarga.",
        )
    _check_region(number, field, what, region_table())
    if number[12:] == "0000":
        raise FieldError(
            field, "Empat digit terakhir Nomor KK tidak boleh 0000. Salin dari Kartu Keluarga."
        )
    return number


# --- Names and places ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Title:
    typed: str  # as in the file, e.g. "S.Pd"
    dotted: str  # lower case, no final dot: "s.pd"
    squashed: str  # lower case, no dots: "spd"
    bare: bool  # also recognised as a word without dots
    initials_like: bool  # every part one letter ("S.H"): could be initials


class GelarList:
    """Academic titles, looked up as typed with dots or with the dots left out."""

    def __init__(self, titles: Iterable[_Title]) -> None:
        self.titles = tuple(titles)
        self._dotted = {title.dotted: title for title in self.titles}
        self._squashed = {title.squashed: title for title in self.titles}

    def by_dotted(self, token: str) -> _Title | None:
        """The title typed with its dots ("S.Pd." or "s.pd"); None when the token has no dot."""
        if "." not in token:
            return None
        return self._dotted.get(token.lower().rstrip("."))

    def by_squashed(self, token: str) -> _Title | None:
        """The title however it is dotted ("SE", "S.E.", "spd")."""
        return self._squashed.get(token.lower().replace(".", ""))


def parse_gelar(text: str, file: str = GELAR_FILE) -> GelarList:
    """Read the list of academic titles; PolicyFileError naming the line on a broken one."""
    titles: list[_Title] = []
    seen: dict[str, int] = {}
    header_done = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        cells = [cell.strip() for cell in next(csv.reader([stripped]))]
        if not header_done:
            header_done = True
            if [c.lower() for c in cells] == ["title", "bare"]:
                continue
        if len(cells) != 2 or cells[1].lower() not in ("yes", "no"):
            raise PolicyFileError(file, number, "setiap baris harus 'gelar,yes' atau 'gelar,no'")
        typed = cells[0]
        dotted = typed.lower().rstrip(".")
        parts = dotted.split(".")
        if not dotted or not all(part.isalpha() for part in parts):
            raise PolicyFileError(file, number, f"gelar '{typed}' hanya boleh huruf dan titik")
        if dotted in seen:
            raise PolicyFileError(file, number, f"gelar '{typed}' ganda (baris {seen[dotted]})")
        seen[dotted] = number
        titles.append(
            _Title(
                typed=typed,
                dotted=dotted,
                squashed=dotted.replace(".", ""),
                bare=cells[1].lower() == "yes",
                initials_like=len(parts) > 1 and all(len(part) == 1 for part in parts),
            )
        )
    if not titles:
        raise PolicyFileError(file, None, "daftar gelar kosong")
    return GelarList(tuple(titles))


@functools.cache
def gelar_list() -> GelarList:
    """The installed list of academic titles, read once per process."""
    return parse_gelar(read_forms_text(GELAR_FILE))


def find_gelar(name: str, titles: GelarList | None = None) -> str | None:
    """The first academic title found in a (normalised) name, as typed; None when clean."""
    gelar = titles if titles is not None else gelar_list()
    before, comma, after = name.partition(",")
    for text in (before, re.sub(r"\.\s+(?=\w)", ".", before)):
        tokens = text.split()

        def matches(token: str, *, at_end: bool) -> bool:
            title = gelar.by_dotted(token)
            if title is None:
                bare = gelar.by_squashed(token)
                return bare is not None and bare.bare and "." not in token
            return at_end or not title.initials_like

        trailing = len(tokens)
        while trailing > 0 and matches(tokens[trailing - 1], at_end=True):
            trailing -= 1
        for index, token in enumerate(tokens):
            if matches(token, at_end=index >= trailing):
                return token
    if comma:
        for token in re.split(r"[\s,]+", after):
            if token and gelar.by_squashed(token) is not None:
                return token
    return None


def _clean_spaces(raw: str) -> str:
    return " ".join(unicodedata.normalize("NFC", raw).translate(_APOSTROPHES).split())


def _is_latin_letter(ch: str) -> bool:
    return unicodedata.category(ch).startswith("L") and unicodedata.name(ch, "").startswith(
        "LATIN "
    )


def _check_characters(text: str, field: str, what: str, allowed: frozenset[str]) -> None:
    digits = _distinct(ch for ch in text if ch.isdigit())
    if digits:
        raise FieldError(
            field,
            f"{what} tidak boleh berisi angka (ditemukan {_quote_all(digits)}). "
            f"Ketik {what.lower()} sesuai KTP tanpa angka.",
        )
    wrong = _distinct(ch for ch in text if ch not in allowed and not _is_latin_letter(ch))
    if wrong:
        allowed_words = {
            " ": None,
            "'": "tanda petik (')",
            ".": "titik",
            ",": "koma",
            "-": "tanda hubung (-)",
            "(": "tanda kurung",
        }
        listed = ", ".join(w for ch, w in allowed_words.items() if ch in allowed and w)
        raise FieldError(
            field,
            f"{what} berisi tanda yang tidak diizinkan: {_quote_all(wrong)}. "
            f"Yang boleh: huruf, spasi, {listed}.",
        )
    if not any(_is_latin_letter(ch) for ch in text):
        raise FieldError(field, f"{what} harus berisi huruf. Ketik {what.lower()} sesuai KTP.")


def normalise_name(raw: str, field: str = "nama") -> str:
    """A person's name as on the KTP: trimmed, single spaces, no digits, no gelar."""
    name = _clean_spaces(raw)
    if not name:
        raise FieldError(field, "Nama belum diisi. Ketik nama lengkap sesuai KTP.")
    _check_characters(name, field, "Nama", _NAME_PUNCTUATION)
    title = find_gelar(name)
    if title is not None:
        raise FieldError(
            field,
            f"Nama tidak boleh memuat gelar akademik (ditemukan '{title}'). "
            "Ketik nama sesuai KTP tanpa gelar.",
        )
    return name


def normalise_place(raw: str, field: str = "tempat_lahir") -> str:
    """A place of birth: trimmed, single spaces; letters and . - ' ( ) only."""
    place = _clean_spaces(raw)
    if not place:
        raise FieldError(field, "Tempat lahir belum diisi. Ketik tempat lahir sesuai KTP.")
    _check_characters(place, field, "Tempat lahir", _PLACE_PUNCTUATION)
    return place


# --- Phone and e-mail -------------------------------------------------------------------------

_FIELD_PHONE = "nomor_hp"


def normalise_phone(raw: str) -> str:
    """An Indonesian mobile number in E.164 ("+6281234567890")."""
    typed = raw.strip()
    if not typed:
        raise FieldError(
            _FIELD_PHONE, "Nomor HP belum diisi. Ketik nomor seluler, mis. 0812-3456-7890."
        )
    if not _PHONE_CHARACTERS.fullmatch(typed):
        raise FieldError(
            _FIELD_PHONE,
            f"Nomor HP '{typed}' hanya boleh berisi angka, spasi, tanda hubung, titik, kurung, "
            "dan + di depan. Contoh: 0812-3456-7890.",
        )
    digits = re.sub(r"\D", "", typed)
    text = typed if typed.startswith("+") or not digits.startswith("62") else "+" + digits
    try:
        number = phonenumbers.parse(text, "ID")
    except phonenumbers.NumberParseException as exc:
        if exc.error_type == phonenumbers.NumberParseException.TOO_LONG:
            raise FieldError(_FIELD_PHONE, _too_long(typed)) from None
        raise FieldError(
            _FIELD_PHONE, f"Nomor HP '{typed}' tidak dapat dibaca. Contoh: 0812-3456-7890."
        ) from None
    if number.country_code != 62:
        raise FieldError(
            _FIELD_PHONE,
            f"Nomor HP harus nomor Indonesia (+62); yang diketik berkode negara "
            f"+{number.country_code}.",
        )
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason == phonenumbers.ValidationResult.TOO_SHORT:
        raise FieldError(
            _FIELD_PHONE,
            f"Nomor HP '{typed}' terlalu pendek. Ketik nomor lengkap, mis. 0812-3456-7890.",
        )
    if reason == phonenumbers.ValidationResult.TOO_LONG:
        raise FieldError(_FIELD_PHONE, _too_long(typed))
    if not phonenumbers.is_valid_number(number):
        raise FieldError(
            _FIELD_PHONE,
            f"Nomor HP '{typed}' bukan nomor seluler Indonesia yang sah: panjang atau awalannya "
            "tidak sesuai. Contoh: 0812-3456-7890.",
        )
    kind = phonenumbers.number_type(number)
    if kind == phonenumbers.PhoneNumberType.FIXED_LINE:
        raise FieldError(
            _FIELD_PHONE,
            f"Nomor '{typed}' adalah nomor telepon rumah/kantor; nomor telepon tetap tidak "
            "diterima. Ketik nomor HP seluler yang aktif, mis. 0812-3456-7890.",
        )
    if kind != phonenumbers.PhoneNumberType.MOBILE:
        raise FieldError(
            _FIELD_PHONE,
            f"Nomor '{typed}' bukan nomor HP seluler. Ketik nomor HP yang aktif, "
            "mis. 0812-3456-7890.",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _too_long(typed: str) -> str:
    return f"Nomor HP '{typed}' terlalu panjang. Periksa apakah ada angka berlebih."


def format_phone(e164: str) -> str:
    """A stored E.164 number in the national style clerks read: "0812-3456-7890"."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"not an E.164 number: {e164!r}") from exc
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def normalise_email(raw: str) -> str | None:
    """An e-mail address with a lower-case domain, or None when nothing was typed."""
    field = "email"
    address = raw.strip()
    if not address:
        return None
    example = "Contoh: nama@gmail.com."
    if any(ch.isspace() for ch in address):
        raise FieldError(field, f"Alamat email tidak boleh berisi spasi. {example}")
    if address.count("@") != 1:
        raise FieldError(field, f"Alamat email harus berisi tepat satu tanda @. {example}")
    local, domain = address.split("@")
    if not local or len(local) > 64 or not _EMAIL_LOCAL.fullmatch(local):
        raise FieldError(
            field, f"Bagian sebelum @ pada alamat email '{address}' tidak sah. {example}"
        )
    labels = domain.split(".")
    if (
        len(labels) < 2
        or len(domain) > 253
        or not all(_DOMAIN_LABEL.fullmatch(label) for label in labels)
        or not _TLD.fullmatch(labels[-1])
    ):
        raise FieldError(field, f"Nama domain '{domain}' pada alamat email tidak sah. {example}")
    return f"{local}@{domain.lower()}"


# --- helpers ------------------------------------------------------------------------------------


def _distinct(chars: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(chars))


def _quote_all(chars: list[str], limit: int = 3) -> str:
    shown = ", ".join(f"'{ch}'" if ch != " " else "spasi" for ch in chars[:limit])
    return shown + (" dan lainnya" if len(chars) > limit else "")
