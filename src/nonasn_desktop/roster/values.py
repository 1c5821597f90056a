"""Cell values of a roster sheet turned into roster values, with messages a clerk can act on.

``Values`` knows every kind of roster column (NIK, name, place, date, choice, money, the
combined place/date cell) and refuses what cannot be trusted with a :class:`FieldError` that
says why and what to do; the fast paths (``fast_nik``) agree with the foundation's rules.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from nonasn_desktop.errors import FieldError, UserError
from nonasn_desktop.policy import Policy
from nonasn_desktop.roster.columns import ROSTER_FIELDS, RosterColumns, normalise_label
from nonasn_desktop.rules.formatting import (
    InputLimits,
    format_date,
    format_money,
    input_limits,
    parse_date,
    parse_money,
)
from nonasn_desktop.rules.identity import (
    NikInfo,
    Sex,
    find_gelar,
    normalise_name,
    normalise_place,
    parse_nik,
)
from nonasn_desktop.rules.regions import region_table
from nonasn_desktop.sheets.reading import CellValue

NIK_AS_NUMBER_HINT = (
    "Perbaiki lembar kerjanya: blok kolom NIK, klik kanan › Format Cells › Text, lalu ketik "
    "ulang setiap NIK dari KTP (mengubah formatnya saja tidak mengembalikan digit yang hilang), "
    "kemudian impor lagi."
)
# Where each roster field sits in a row of values (ROSTER_FIELDS order).
SLOT = {key: index for index, key in enumerate(ROSTER_FIELDS)}
FIELD_COUNT = len(ROSTER_FIELDS)
# "Not known yet" in caches, where None is a real answer (a blank cell).
MISSING = object()
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_SCIENTIFIC = re.compile(r"[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+")
_NUMBER_WITH_DECIMALS = re.compile(r"\d{15,17}[.,]0+")
_ASCII_NAME = re.compile(r"[A-Za-z][A-Za-z '.,-]*")
_TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
_YEAR_FIRST = re.compile(r"(\d{4})\s*[/.]\s*(\d{1,2})\s*[/.]\s*(\d{1,2})")
# Invisible characters that come along when text is pasted from chat apps or documents.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
# Shortest known spelling a choice value may start with ("apbd" in "APBD Kota Bandung").
_PREFIX_MIN = 4
_MONTH_DATE = re.compile(r"(\d{1,2})[\s\-./,]+([A-Za-z]+)\.?[\s\-./,]+(\d{2,4})")
_PLACE_DATE = re.compile(
    r"(?P<place>.*?)[\s,/;:-]*"
    r"(?P<date>\d{1,2}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{2,4}|\d{4}-\d{1,2}-\d{1,2}"
    r"|\d{1,2}[\s\-./]+[A-Za-z]+\.?[\s\-./,]+\d{2,4})\s*"
)


# What the import keeps of a NIK: the 16 digits, the birth date and the sex it encodes.
NikParts = tuple[str, dt.date, Sex]


def shown(raw: CellValue) -> str:
    """A cell as the report shows it."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float) and raw.is_integer() and abs(raw) < 1e17:
        return str(int(raw))
    if isinstance(raw, dt.datetime):
        return format_date(raw.date())
    if isinstance(raw, dt.date):
        return format_date(raw)
    return " ".join(str(raw).split())


def nik_number_message(raw: float | int | str) -> str:
    """Why a NIK stored as a number (or in scientific notation) cannot be used."""
    written = shown(raw) if not isinstance(raw, str) else raw.strip()
    how = "dalam notasi ilmiah" if isinstance(raw, str) else "sebagai ANGKA"
    return (
        f"NIK tersimpan {how} ({written}), bukan sebagai teks. Excel hanya menyimpan 15 digit "
        "angka yang berarti, sehingga digit ke-16 NIK hilang (mis. 3273011203900001 menjadi "
        "3273011203900000); NIK seperti ini tidak dapat dipercaya dan tidak diimpor."
    )


class Values:
    """Turns cells into roster values, with the messages a clerk can act on."""

    def __init__(self, policy: Policy, columns: RosterColumns, today: dt.date) -> None:
        self.policy = policy
        self.columns = columns
        self.today = today
        self.limits: InputLimits = input_limits()
        self.regions = region_table()
        self.provinces = self.regions.provinces
        self.regencies = self.regions.regencies
        self._births: dict[str, Any] = {}
        self.prefix_spellings: dict[str, set[str]] = {}
        self.choice_maps = {
            "jenis_kelamin": self._choice_map(
                "jenis_kelamin", policy.fields["jenis_kelamin"].choices
            ),
            "pendidikan_jenjang": self._choice_map(
                "pendidikan_jenjang", policy.fields["pendidikan_jenjang"].choices
            ),
            "sumber_gaji": self._choice_map("sumber_gaji", policy.eligibility.funding_sources),
            "pejabat_penandatangan": self._choice_map(
                "pejabat_penandatangan", policy.eligibility.appointers
            ),
        }
        self.choice_labels = {
            "jenis_kelamin": "L atau P",
            "pendidikan_jenjang": ", ".join(
                c.label for c in policy.fields["pendidikan_jenjang"].choices
            ),
            "sumber_gaji": ", ".join(c.label for c in policy.eligibility.funding_sources),
            "pejabat_penandatangan": "; ".join(c.label for c in policy.eligibility.appointers),
        }

    def _choice_map(self, field: str, choices: Iterable[Any]) -> dict[str, str]:
        choices = tuple(choices)
        keys = {choice.key for choice in choices}
        mapping: dict[str, str] = {}
        for choice in choices:
            mapping[normalise_label(choice.key)] = choice.key
            mapping[normalise_label(choice.label)] = choice.key
        # What a value may start with: labels and the spellings of roster_columns.toml, not
        # bare keys ("sekretaris" would take "Sekretaris Dinas" for a Sekretaris Daerah).
        self.prefix_spellings[field] = {normalise_label(choice.label) for choice in choices} | set(
            self.columns.values.get(field, {})
        )
        for spelling, key in self.columns.values.get(field, {}).items():
            if key not in keys:
                raise UserError(
                    f"Berkas kebijakan roster_columns.toml rusak: pilihan '{key}' pada "
                    f"[values.{field}] tidak ada di forms/.",
                    hint="Perbaiki berkas itu atau pasang ulang aplikasi.",
                )
            mapping[spelling] = key
        return mapping

    def label(self, key: str) -> str:
        field = self.policy.fields.get(key)
        return field.label if field else self.columns.column(key).header or key

    # -- kinds --

    def nik(self, raw: CellValue) -> NikInfo:
        if isinstance(raw, (bool, dt.date, dt.time, dt.timedelta)):
            raise FieldError("nik", f"'{shown(raw)}' bukan NIK; NIK berisi 16 digit angka.")
        if isinstance(raw, (int, float)):
            raise FieldError("nik", nik_number_message(raw), hint=NIK_AS_NUMBER_HINT)
        text = str(raw).translate(_INVISIBLE).strip().lstrip("'")
        if _SCIENTIFIC.fullmatch(text):
            raise FieldError("nik", nik_number_message(text), hint=NIK_AS_NUMBER_HINT)
        if _NUMBER_WITH_DECIMALS.fullmatch(text):
            raise FieldError(
                "nik", nik_number_message(text.split(".")[0].split(",")[0]), hint=NIK_AS_NUMBER_HINT
            )
        return parse_nik(text, today=self.today)

    def fast_nik(self, text: str) -> NikParts | None:
        """(NIK, birth date, sex) as parse_nik reads them from a clean, valid 16-digit NIK,
        without its text clean-up; None for anything else (parse_nik then says what is wrong).
        A property test checks that both always agree."""
        if len(text) != 16 or not text.isascii() or not text.isdigit():
            return None
        if (
            self.provinces.get(text[:2]) is None
            or self.regencies.get(text[:4]) is None
            or text[4:6] == "00"
            or text[12:] == "0000"
        ):
            return None
        code = text[6:12]
        born = self._births.get(code, MISSING)
        if born is MISSING:
            born = self._births[code] = self._birth(code)
        if born is None:
            return None
        return (text, born[0], born[1])

    def _birth(self, code: str) -> tuple[dt.date, Sex] | None:
        """Birth date and sex from the DDMMYY digits of a NIK, as parse_nik reads them."""
        day_code, month, yy = int(code[:2]), int(code[2:4]), int(code[4:])
        sex: Sex
        if 1 <= day_code <= 31:
            day, sex = day_code, "L"
        elif 41 <= day_code <= 71:
            day, sex = day_code - 40, "P"
        else:
            return None
        if not 1 <= month <= 12:
            return None
        year = 2000 + yy
        today = self.today
        if (year, month, day) > (today.year, today.month, today.day):
            year -= 100
        try:
            return dt.date(year, month, day), sex
        except ValueError:
            return None

    def nik_parts(self, raw: CellValue) -> NikParts:
        """(NIK, birth date, sex) of any NIK cell; FieldError when it is not a valid NIK."""
        info = self.nik(raw)
        return (info.nik, info.birth_date, info.sex)

    def name(self, raw: CellValue) -> str:
        text = self._text_of("nama", raw)
        if _ASCII_NAME.fullmatch(text):
            name = " ".join(text.split())
            if find_gelar(name) is None:
                return self._length("nama", name)
        return self._length("nama", normalise_name(text, "nama"))

    def place(self, raw: CellValue, key: str = "tempat_lahir") -> str:
        return self._length(key, normalise_place(self._text_of(key, raw), key))

    def text(self, raw: CellValue, key: str) -> str:
        return self._length(key, self._text_of(key, raw))

    def date(self, raw: CellValue, key: str) -> dt.date:
        label = self.label(key)
        if isinstance(raw, bool):
            raise FieldError(key, f"{label} berisi '{shown(raw)}', bukan tanggal.")
        if isinstance(raw, dt.datetime):
            value = raw.date()
        elif isinstance(raw, dt.date):
            value = raw
        elif isinstance(raw, (dt.time, dt.timedelta)):
            raise FieldError(key, f"{label} berisi jam atau durasi, bukan tanggal (dd-mm-yyyy).")
        elif isinstance(raw, (int, float)):
            value = self._serial(raw, key, label)
        else:
            value = self._date_text(str(raw), key)
        if not self.limits.min_year <= value.year <= self.limits.max_year:
            raise FieldError(
                key,
                f"Tahun {value.year} pada {label} ({format_date(value)}) tidak masuk akal.",
            )
        if "past_date" in self.policy.fields[key].validators and value > self.today:
            raise FieldError(
                key,
                f"{label} ({format_date(value)}) tidak boleh setelah hari ini "
                f"({format_date(self.today)}).",
            )
        return value

    def _serial(self, raw: float, key: str, label: str) -> dt.date:
        number = float(raw)
        if number.is_integer() and 1000 <= number <= 9999:
            raise FieldError(
                key,
                f"{label} hanya berisi tahun ({int(number)}). Tulis tanggal lengkap dd-mm-yyyy.",
            )
        if number.is_integer() and 1_000_000 <= number <= 99_999_999:
            raise FieldError(
                key,
                f"{label} '{int(number)}' ditulis tanpa pemisah. Tulis dd-mm-yyyy, "
                "mis. 12-03-1990.",
            )
        if 0 < number < 2_958_466:
            value = _EXCEL_EPOCH + dt.timedelta(days=int(number))
            if self.columns.serial_min_year <= value.year <= self.columns.serial_max_year:
                return value
        raise FieldError(
            key,
            f"Angka {shown(raw)} di kolom {label} tidak dapat dibaca sebagai tanggal. "
            "Tulis dd-mm-yyyy, mis. 12-03-1990.",
        )

    def _date_text(self, text: str, key: str) -> dt.date:
        cleaned = _TIME_SUFFIX.sub("", " ".join(text.translate(_INVISIBLE).split()).lstrip("'"))
        named = _MONTH_DATE.fullmatch(cleaned)
        if named is None:
            year_first = _YEAR_FIRST.fullmatch(cleaned)
            if year_first is not None:
                # 1990/03/12: unambiguous with the 4-digit year first.
                cleaned = "-".join(year_first.groups())
            return parse_date(cleaned, key)
        day, month_name, year_text = named.groups()
        month = self.columns.months.get(normalise_label(month_name))
        label = self.label(key)
        if month is None:
            raise FieldError(
                key, f"Nama bulan '{month_name}' pada {label} '{cleaned}' tidak dikenal."
            )
        if len(year_text) != 4:
            raise FieldError(
                key,
                f"Tahun pada {label} '{cleaned}' harus ditulis 4 digit, mis. 12 Maret 1990.",
            )
        try:
            return dt.date(int(year_text), month, int(day))
        except ValueError:
            raise FieldError(key, f"{label} '{cleaned}' tidak ada di kalender.") from None

    def choice(self, raw: CellValue, key: str) -> str:
        text = shown(raw)
        typed = normalise_label(text)
        found = self.choice_maps[key].get(typed)
        if found is None:
            # "APBD Kabupaten Bandung", "Kepala Sekolah SDN 3": the longest known spelling
            # the value starts with, when it is long enough not to be a coincidence.
            starts = [
                spelling
                for spelling in self.prefix_spellings[key]
                if len(spelling) >= _PREFIX_MIN and typed.startswith(spelling)
            ]
            if starts:
                found = self.choice_maps[key][max(starts, key=len)]
        if found is None:
            raise FieldError(
                key,
                f"{self.label(key)} '{text}' tidak dikenal. Pilih salah satu: "
                f"{self.choice_labels[key]}.",
            )
        return found

    def money(self, raw: CellValue, key: str = "gaji_bulanan") -> int:
        label = self.label(key)
        if isinstance(raw, (bool, dt.date, dt.time, dt.timedelta)):
            raise FieldError(key, f"{label} berisi '{shown(raw)}', bukan jumlah rupiah.")
        if isinstance(raw, (int, float)):
            if raw < 0:
                raise FieldError(key, f"{label} tidak boleh negatif ({shown(raw)}).")
            if not float(raw).is_integer():
                raise FieldError(key, f"{label} ditulis dalam rupiah penuh tanpa sen ({raw}).")
            amount = int(raw)
            if amount > self.limits.max_rupiah:
                raise FieldError(
                    key,
                    f"{label} {format_money(amount)} terlalu besar (paling banyak "
                    f"{format_money(self.limits.max_rupiah)}); periksa jumlah nol.",
                )
            return amount
        return parse_money(str(raw), key)

    def place_date(self, raw: CellValue) -> tuple[str | None, dt.date | None]:
        if isinstance(raw, (dt.date, int, float)) and not isinstance(raw, bool):
            return None, self.date(raw, "tanggal_lahir")
        text = " ".join(shown(raw).split())
        match = _PLACE_DATE.fullmatch(text)
        if match is None:
            raise FieldError(
                "tanggal_lahir",
                f"Tempat/tanggal lahir '{text}' tidak dapat dibaca. Tulis tempat, koma, lalu "
                "tanggal: BANDUNG, 12-03-1990.",
            )
        place_text = match.group("place").strip(" ,/;:-")
        place = self.place(place_text) if place_text else None
        return place, self.date(match.group("date"), "tanggal_lahir")

    # -- helpers --

    def _text_of(self, key: str, raw: CellValue) -> str:
        if isinstance(raw, str):
            return " ".join(raw.split())
        label = self.label(key)
        if isinstance(raw, bool):
            raise FieldError(key, f"{label} berisi '{shown(raw)}', bukan teks.")
        if isinstance(raw, (dt.date, dt.time, dt.timedelta)):
            raise FieldError(
                key,
                f"Excel mengubah isian {label} menjadi tanggal/jam ({shown(raw)}). Format "
                "kolom itu sebagai Teks (Format Cells › Text) lalu ketik ulang isiannya.",
            )
        if not isinstance(raw, (int, float)):
            return shown(raw)
        if isinstance(raw, float) and not raw.is_integer():
            return repr(raw)
        if abs(raw) >= 10**15:
            raise FieldError(
                key,
                f"{label} tersimpan sebagai angka panjang ({shown(raw)}); Excel hanya "
                "menyimpan 15 digit angka sehingga digit terakhir bisa hilang. Format kolom itu "
                "sebagai Teks lalu ketik ulang isiannya.",
            )
        return str(int(raw))

    def _length(self, key: str, text: str) -> str:
        field = self.policy.fields.get(key)
        if field is not None and field.max_length is not None and len(text) > field.max_length:
            raise FieldError(
                key,
                f"{field.label} paling banyak {field.max_length} karakter; yang tertulis "
                f"{len(text)} karakter.",
            )
        return text
