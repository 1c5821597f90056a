"""Importing the Admin Instansi roster from the spreadsheets agencies really send.

What the importer does with a sheet (decisions a clerk can rely on):

- **Sheets**: every visible worksheet whose header row is found is imported (agencies often
  keep one unit per sheet); sheets without a roster header (instructions, a per-unit recap)
  are passed over and named in the notes; hidden sheets are never read.
- **Header row**: searched in the first rows of the sheet (title rows above it are common),
  matched by the column names of ``forms/roster_columns.toml`` ignoring case, spaces,
  punctuation and bracketed remarks. A two-row header (a group cell such as "SK" above
  "Nomor", "Tanggal", "TMT") is recognised, and so is a row of column numbers under it.
  At least the NIK and the name columns must be found.
- **Merged cells**: a cell merged over several rows applies to every row it covers (in its
  first column), as the clerk sees it on screen: a "Unit Kerja" merged down the rows of its
  staff gives each of them that unit. The report says how many cells were filled that way.
  An empty cell that is *not* merged is never filled from the row above.
- **Blank, heading and footer rows**: rows with nothing in the recognised columns (including
  rows that hold only a row number) are skipped. A row without NIK is skipped when it holds a
  single text (a section heading such as "A. DINAS PENDIDIKAN", listed in the notes) or at
  most two texts with a footer word ("Jumlah", "Mengetahui", "Kepala ...", "NIP": totals and
  the signature block). Any other row without NIK is refused: a person whose NIK was
  forgotten is never skipped silently.
- **NIK stored as a number** (or as "3.27301E+15") is refused row by row, never repaired:
  Excel keeps 15 significant digits, so the 16th digit of such a NIK is already lost.
- **Every row is checked completely** with the foundation's rules (NIK with its region and
  birth date, agreement of NIK with birth date and sex, name without gelar, dates, choices,
  money) and every problem of the row is listed, not only the first.
- **Dates** may be real dates, Excel serial numbers (a number in a date column, when it gives
  a plausible year), or text: dd-mm-yyyy, dd/mm/yyyy, dd.mm.yyyy, yyyy-mm-dd, yyyy/mm/dd,
  "12 Maret 1990", "12-Mar-1990". Two-digit years are refused, never guessed.
- **Choices** (jenis kelamin, pendidikan, penandatangan, sumber gaji) accept the keys and
  labels of forms/ and the spellings of ``forms/roster_columns.toml``; a value that starts
  with a known spelling of four letters or more ("APBD Kabupaten Bandung", "Kepala Sekolah
  SDN 3") takes that spelling's choice. Anything else is refused with the list of choices.
- **Duplicates in the file**: rows with the same NIK and identical data are imported once and
  listed as duplicates (not an error). Rows with the same NIK but different data are *all*
  refused: which of them is right cannot be known, and the report names every row involved.
- **Against the roster**: a NIK not yet listed is added; a listed NIK with the same data is
  unchanged; with different data it is updated and the audit log records each changed field
  (old and new value). An empty cell never erases a value already on the roster.
  Importing the same file twice therefore changes nothing the second time.
- **One transaction**: nothing is written until the whole file is read and checked; then all
  additions, updates and their audit entries are committed together. A cancel or a crash at
  any point leaves the roster exactly as it was. The audit log gets one ``roster.update``
  entry per updated person (old and new value of each changed field) and one
  ``roster.import`` entry per import (file name, SHA-256, counts); added people carry the
  file name in ``source``.

Speed (100,000 rows in at most 3x the time calamine alone needs to read the file): rows are
converted in blocks, column by column, each distinct value of a column once; rows that pass
every check take no per-cell Python work; rows are inserted with the driver's executemany in
NIK order; the garbage collector is paused while the rows are held.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from openpyxl.utils.cell import get_column_letter
from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from nonasn_desktop.accounts.authz import Actor, authorise
from nonasn_desktop.core import audit
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import FieldError, UserError
from nonasn_desktop.policy import Policy
from nonasn_desktop.roster.columns import (
    PLACE_DATE_KEY,
    ROSTER_FIELDS,
    ColumnSpec,
    GroupSpec,
    RosterColumns,
    normalise_label,
    roster_columns,
)
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
    gelar_list,
    nik_disagreements,
    normalise_name,
    normalise_place,
    parse_nik,
)
from nonasn_desktop.rules.permissions import Permission
from nonasn_desktop.rules.regions import region_table
from nonasn_desktop.sheets.spreadsheet import (
    CellValue,
    Sheet,
    SpreadsheetError,
    gc_paused,
    open_spreadsheet,
    save_atomically,
)
from nonasn_desktop.storage.models import RosterEntry

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_UNREADABLE = 2
ENTITY = "roster_entry"
WRITE_BATCH = 2000
# Rows converted together, column by column; also how often progress and cancel are checked.
CHUNK = 2048
# How many rows a note lists before it says "and N more".
NOTE_LIST_LIMIT = 20

NIK_AS_NUMBER_HINT = (
    "Perbaiki lembar kerjanya: blok kolom NIK, klik kanan › Format Cells › Text, lalu ketik "
    "ulang setiap NIK dari KTP (mengubah formatnya saja tidak mengembalikan digit yang hilang), "
    "kemudian impor lagi."
)
_SLOT = {key: index for index, key in enumerate(ROSTER_FIELDS)}
_FIELD_COUNT = len(ROSTER_FIELDS)
_MISSING = object()
_CACHE_LIMIT = 50_000
_UNCACHED_SHARE = 0.8
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_SCIENTIFIC = re.compile(r"[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+")
_NUMBER_WITH_DECIMALS = re.compile(r"\d{15,17}[.,]0+")
_PLAIN_NAME = re.compile(r"[A-Za-z][A-Za-z' -]*")
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
_COLUMN_NUMBER = re.compile(r"\(?(\d{1,3})\)?")


# What the import keeps of a NIK: the 16 digits, the birth date and the sex it encodes.
NikParts = tuple[str, dt.date, Sex]


class ImportCancelledError(UserError):
    """The user cancelled; nothing was written."""

    def __init__(self) -> None:
        super().__init__("Impor dibatalkan. Daftar Admin Instansi tidak berubah.")


# --- the report ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    column: str  # the header as written in the file ("" for the whole row)
    cell: str  # e.g. "D12" ("" for the whole row)
    message: str


@dataclass(frozen=True)
class RefusedRow:
    sheet: str
    row: int  # as Excel numbers it (1-based)
    nik: str  # as written in the file
    nama: str  # as written in the file
    problems: tuple[RowProblem, ...]


@dataclass(frozen=True)
class DuplicateRow:
    sheet: str
    row: int
    nik: str
    same_as_sheet: str
    same_as_row: int


@dataclass(frozen=True)
class SheetInfo:
    name: str
    header_row: int  # the (first) header row, 1-based
    # roster field key -> "header as written (column letter)"
    columns: Mapping[str, str]
    not_imported: tuple[str, ...]


@dataclass(frozen=True)
class ImportReport:
    file_name: str
    file_kind: str
    sha256: str
    sheets: tuple[SheetInfo, ...]
    added: int
    updated: int
    unchanged: int
    refused: tuple[RefusedRow, ...]
    duplicates: tuple[DuplicateRow, ...]
    skipped_rows: int
    notes: tuple[str, ...]

    @property
    def refused_count(self) -> int:
        return len(self.refused)

    @property
    def imported(self) -> int:
        """Rows on the roster after the import: added, updated or unchanged."""
        return self.added + self.updated + self.unchanged

    @property
    def exit_code(self) -> int:
        """0 when every person row was imported, 1 when some were refused."""
        return EXIT_REFUSED if self.refused else EXIT_OK

    def summary(self) -> str:
        """One Indonesian sentence with the counts."""
        return (
            f"{self.added} baru, {self.updated} diperbarui, {self.unchanged} tidak berubah, "
            f"{self.refused_count} ditolak."
        )


# --- values -------------------------------------------------------------------------------------


def _shown(raw: CellValue) -> str:
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
    shown = _shown(raw) if not isinstance(raw, str) else raw.strip()
    how = "dalam notasi ilmiah" if isinstance(raw, str) else "sebagai ANGKA"
    return (
        f"NIK tersimpan {how} ({shown}), bukan sebagai teks. Excel hanya menyimpan 15 digit "
        "angka yang berarti, sehingga digit ke-16 NIK hilang (mis. 3273011203900001 menjadi "
        "3273011203900000); NIK seperti ini tidak dapat dipercaya dan tidak diimpor."
    )


class _Values:
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
            raise FieldError("nik", f"'{_shown(raw)}' bukan NIK; NIK berisi 16 digit angka.")
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
        born = self._births.get(code, _MISSING)
        if born is _MISSING:
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
            raise FieldError(key, f"{label} berisi '{_shown(raw)}', bukan tanggal.")
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
            f"Angka {_shown(raw)} di kolom {label} tidak dapat dibaca sebagai tanggal. "
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
        text = _shown(raw)
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
            raise FieldError(key, f"{label} berisi '{_shown(raw)}', bukan jumlah rupiah.")
        if isinstance(raw, (int, float)):
            if raw < 0:
                raise FieldError(key, f"{label} tidak boleh negatif ({_shown(raw)}).")
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
        text = " ".join(_shown(raw).split())
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
            raise FieldError(key, f"{label} berisi '{_shown(raw)}', bukan teks.")
        if isinstance(raw, (dt.date, dt.time, dt.timedelta)):
            raise FieldError(
                key,
                f"Excel mengubah isian {label} menjadi tanggal/jam ({_shown(raw)}). Format "
                "kolom itu sebagai Teks (Format Cells › Text) lalu ketik ulang isiannya.",
            )
        if not isinstance(raw, (int, float)):
            return _shown(raw)
        if isinstance(raw, float) and not raw.is_integer():
            return repr(raw)
        if abs(raw) >= 10**15:
            raise FieldError(
                key,
                f"{label} tersimpan sebagai angka panjang ({_shown(raw)}); Excel hanya "
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


# --- finding the header -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Binding:
    index: int  # 0-based column
    key: str
    header: str  # as written in the file

    @property
    def letter(self) -> str:
        return str(get_column_letter(self.index + 1))


@dataclass(frozen=True)
class _Header:
    row: int  # first header row (1-based)
    last_row: int  # last header row (a two-row header ends one row lower)
    bindings: tuple[_Binding, ...]
    not_imported: tuple[str, ...]

    @property
    def keys(self) -> set[str]:
        return {binding.key for binding in self.bindings}


def _cell_text(cells: list[CellValue], index: int) -> str:
    if index >= len(cells):
        return ""
    value = cells[index]
    if value is None or isinstance(value, bool):
        return ""
    return " ".join(_shown(value).split())


def _match_header(
    top: list[CellValue], sub: list[CellValue] | None, columns: RosterColumns, row: int
) -> _Header:
    width = max(len(top), len(sub) if sub else 0)
    bindings: list[_Binding] = []
    not_imported: list[str] = []
    seen: set[str] = set()
    group: GroupSpec | None = None
    group_text = ""
    for index in range(width):
        top_text = _cell_text(top, index)
        sub_text = _cell_text(sub, index) if sub else ""
        if sub_text == top_text:
            # A header merged down over both rows shows its value in both.
            sub_text = ""
        top_norm = normalise_label(top_text) if top_text else ""
        if top_text:
            group = columns.group_by_name.get(top_norm)
            group_text = top_text
        key: str | None = None
        if sub_text:
            sub_norm = normalise_label(sub_text)
            if group is not None and sub_norm in group.parts:
                key = group.parts[sub_norm]
                written = f"{group_text} / {sub_text}"
            else:
                key = columns.by_name.get(sub_norm)
                written = sub_text
                if key is None and top_norm:
                    key = columns.by_name.get(top_norm + sub_norm) or columns.by_name.get(
                        sub_norm + top_norm
                    )
                    written = f"{top_text} / {sub_text}"
        elif top_text:
            key = columns.by_name.get(top_norm)
            written = top_text
        else:
            continue
        letter = get_column_letter(index + 1)
        if key is None:
            not_imported.append(f"{written} ({letter})")
        elif key in seen:
            not_imported.append(f"{written} ({letter}, kolom ganda)")
        else:
            seen.add(key)
            bindings.append(_Binding(index, key, written))
    return _Header(row, row + (1 if sub else 0), tuple(bindings), tuple(not_imported))


def _score(header: _Header) -> int:
    keys = header.keys
    if "nik" not in keys or "nama" not in keys:
        return 0
    return len(keys) + (1 if PLACE_DATE_KEY in keys else 0)


def _looks_like_data(cells: list[CellValue]) -> bool:
    for value in cells:
        if isinstance(value, (int, float, dt.date)) and not isinstance(value, bool):
            if not (isinstance(value, (int, float)) and value < 1000):
                return True
        elif isinstance(value, str) and sum(ch.isdigit() for ch in value) >= 12:
            return True
    return False


def find_header(rows: list[tuple[int, list[CellValue]]], columns: RosterColumns) -> _Header | None:
    """The header among the first rows of a sheet, or None (needs the NIK and name columns)."""
    singles = [
        _match_header(cells, None, columns, number) if _has_text(cells) else None
        for number, cells in rows
    ]
    best: _Header | None = None
    best_score = 0
    for position, (number, cells) in enumerate(rows):
        single = singles[position]
        if single is None:
            continue
        candidates = [single]
        if position + 1 < len(rows):
            next_number, next_cells = rows[position + 1]
            below = singles[position + 1]
            if next_number == number + 1 and not _looks_like_data(next_cells):
                pair = _match_header(cells, next_cells, columns, number)
                # Two rows only when together they say more than either row alone.
                if _score(pair) > max(_score(single), _score(below) if below else 0):
                    candidates.append(pair)
        for candidate in candidates:
            score = _score(candidate)
            if score > best_score:
                best, best_score = candidate, score
    return best


def _has_text(cells: list[CellValue]) -> bool:
    return any(_cell_text(cells, index) for index in range(len(cells)))


def _is_column_numbers(cells: list[CellValue]) -> bool:
    """A row of column numbers under a header: 1, 2, 3, ... (or "(1)", "(2)", ...)."""
    numbers: list[int] = []
    for value in cells:
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            return False
        if isinstance(value, (int, float)):
            if not float(value).is_integer():
                return False
            numbers.append(int(value))
        elif isinstance(value, str):
            match = _COLUMN_NUMBER.fullmatch(value.strip())
            if match is None:
                return False
            numbers.append(int(match.group(1)))
        else:
            return False
    return len(numbers) >= 3 and all(b == a + 1 for a, b in itertools.pairwise(numbers))


# --- reading rows -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Step:
    index: int  # 0-based column in the sheet
    slot: int  # index in ROSTER_FIELDS; -1 for the combined place/date column
    convert: Callable[[CellValue], Any]  # value, FieldError, or None for a blank cell
    cache: dict[Any, Any] | None
    binding: _Binding


_PLACE = _SLOT["tempat_lahir"]
_BORN = _SLOT["tanggal_lahir"]
_SEX = _SLOT["jenis_kelamin"]
_TMT = _SLOT["tmt"]
_END = _SLOT["tanggal_selesai"]


@dataclass(slots=True)
class _Row:
    sheet: str
    row: int
    values: tuple[Any, ...]  # in ROSTER_FIELDS order
    nik_raw: CellValue = None
    nama_raw: CellValue = None
    problems: list[RowProblem] = dataclasses.field(default_factory=list)


@dataclass
class _Reading:
    """Everything gathered from the file before anything is written."""

    valid: list[_Row] = dataclasses.field(default_factory=list)
    refused: list[_Row] = dataclasses.field(default_factory=list)
    sheets: list[SheetInfo] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)
    skipped: int = 0
    # NIK (16 digits, or the digits as written) -> the first row carrying it
    first_by_nik: dict[str, _Row] = dataclasses.field(default_factory=dict)
    # NIK -> every row carrying it, for NIKs on more than one row
    repeated: dict[str, list[_Row]] = dataclasses.field(default_factory=dict)
    bound_keys: set[str] = dataclasses.field(default_factory=set)


class _SheetReader:
    def __init__(
        self,
        values: _Values,
        columns: RosterColumns,
        reading: _Reading,
        cancelled: Cancelled | None,
    ) -> None:
        self.v = values
        self.columns = columns
        self.reading = reading
        self.cancelled = cancelled
        self.required = [spec.key for spec in columns.columns if spec.required]
        self.required_slots = frozenset(_SLOT[key] for key in self.required)
        self._converters: dict[str, tuple[Callable[[CellValue], Any], dict[Any, Any] | None]] = {}
        self.section_rows: list[str] = []
        # Columns whose values hardly repeat: converted without the cache.
        self._uncached: set[str] = set()
        self.footer_words = re.compile(
            r"\b(?:" + "|".join(re.escape(w) for w in columns.footer_words) + r")\b"
        )

    def read(self, sheet: Sheet, progress: Callable[[int], None]) -> bool:
        """Read one sheet; False when it has no roster header."""
        rows = sheet.rows()
        head: list[tuple[int, list[CellValue]]] = []
        for number, cells in rows:
            head.append((number, cells))
            if number >= self.columns.header_scan_rows:
                break
        header = find_header(head, self.columns)
        if header is None:
            return False
        self.reading.sheets.append(
            SheetInfo(
                name=sheet.name,
                header_row=header.row,
                columns={b.key: f"{b.header} ({b.letter})" for b in header.bindings},
                not_imported=header.not_imported,
            )
        )
        self.reading.bound_keys |= header.keys - {PLACE_DATE_KEY}
        pending = [item for item in head if item[0] > header.last_row]
        plan = self._plan(header)

        remaining = itertools.chain(pending, rows)
        # A row of column numbers (1, 2, 3, ...) may follow the header: skip it.
        for number, cells in remaining:
            if not any(c not in ("", None) for c in cells):
                continue
            if _is_column_numbers(cells):
                self.reading.notes.append(
                    f"Lembar '{sheet.name}' baris {number}: nomor kolom di bawah judul, dilewati."
                )
            else:
                remaining = itertools.chain([(number, cells)], remaining)
            break
        while chunk := list(itertools.islice(remaining, CHUNK)):
            if self.cancelled is not None and self.cancelled():
                raise ImportCancelledError
            self._chunk(sheet.name, chunk, plan)
            progress(chunk[-1][0])
        progress(sheet.last_row)
        for index, filled in sorted(sheet.filled_from_merges.items()):
            binding = next((b for b in header.bindings if b.index == index), None)
            count = sum(1 for number in filled if number > header.last_row)
            if binding is not None and count:
                self.reading.notes.append(
                    f"Lembar '{sheet.name}': kolom {binding.header} ({binding.letter}) berisi sel "
                    f"gabungan (merge); nilainya berlaku untuk {count} baris di bawahnya."
                )
        return True

    def _plan(self, header: _Header) -> list[_Step]:
        """For each recognised column: where it is, where its value goes, how it is read."""
        plan: list[_Step] = []
        for binding in header.bindings:
            key = binding.key
            if key == "nik":
                plan.append(_Step(binding.index, 0, self._nik_converter(), None, binding))
                continue
            entry = self._converters.get(key)
            if entry is None:
                entry = self._converters[key] = self._make_converter(key)
            slot = -1 if key == PLACE_DATE_KEY else _SLOT[key]
            plan.append(_Step(binding.index, slot, entry[0], entry[1], binding))
        # The combined place/date cell only fills what the separate columns left empty.
        plan.sort(key=lambda step: step.slot == -1)
        return plan

    def _chunk(
        self, sheet: str, chunk: list[tuple[int, list[CellValue]]], plan: list[_Step]
    ) -> None:
        """Convert a block of rows column by column, then check each row.

        Column-wise, the common case (a value seen before in that column) is a dictionary
        lookup in a list comprehension; the per-row work is left to what needs the row.
        """
        count = len(chunk)
        columns: list[list[Any] | None] = [None] * _FIELD_COUNT
        place_dates: list[Any] | None = None
        errors: dict[int, list[tuple[_Step, FieldError]]] = {}
        lines = [cells for _, cells in chunk]
        width = max(step.index for step in plan) + 1
        if any(len(cells) < width for cells in lines):
            lines = [cells + [None] * (width - len(cells)) for cells in lines]
        by_column = list(zip(*lines, strict=False))
        for step in plan:
            convert, cache = step.convert, step.cache
            raw = by_column[step.index]
            if cache is None or step.binding.key in self._uncached:
                converted = [None if v is None or v == "" else convert(v) for v in raw]
            else:
                converted = list(map(cache.get, raw, itertools.repeat(_MISSING, count)))
                if bool in set(map(type, raw)):
                    # A bool hashes like 1 or 0: never answer it from the cache.
                    for k in [k for k, v in enumerate(raw) if v is True or v is False]:
                        converted[k] = convert(raw[k])
                if object in set(map(type, converted)):
                    new = 0
                    for k in [k for k, v in enumerate(converted) if v is _MISSING]:
                        value = raw[k]
                        result = cache.get(value, _MISSING)
                        if result is _MISSING:
                            new += 1
                            result = convert(value)
                            if len(cache) < _CACHE_LIMIT:
                                cache[value] = result
                        converted[k] = result
                    if new > count * _UNCACHED_SHARE and count >= CHUNK // 2:
                        # Nearly every value new (names, numbers): the cache only costs.
                        self._uncached.add(step.binding.key)
            if FieldError in set(map(type, converted)):
                for k in [k for k, v in enumerate(converted) if type(v) is FieldError]:
                    errors.setdefault(k, []).append((step, cast(FieldError, converted[k])))
                    converted[k] = None
            if step.slot >= 0:
                columns[step.slot] = converted
            else:
                place_dates = converted
        empty: list[Any] = [None] * count
        cols = [column if column is not None else empty for column in columns]
        if place_dates is not None:
            # The combined place/date cell fills only what the separate columns left empty.
            for slot, part in ((_PLACE, 0), (_BORN, 1)):
                target = cols[slot] = list(cols[slot])
                for k, pair in enumerate(place_dates):
                    if pair is not None and target[k] is None:
                        target[k] = pair[part]
        # Rows that need a closer look: a refused cell, a required cell missing (this includes
        # blank rows and rows without NIK), NIK against birth date and sex, TMT against end.
        flagged = set(errors)
        for slot in self.required_slots:
            flagged.update(k for k, value in enumerate(cols[slot]) if value is None)
        infos, borns, sexes = cols[0], cols[_BORN], cols[_SEX]
        if borns is not empty or sexes is not empty:
            flagged.update(
                k
                for k, (info, born, sex) in enumerate(zip(infos, borns, sexes, strict=True))
                if info is not None
                and (
                    (sex is not None and sex != info[2])
                    or (
                        born is not None
                        and (
                            born.day != info[1].day
                            or born.month != info[1].month
                            or born.year % 100 != info[1].year % 100
                        )
                    )
                )
            )
        starts, ends = cols[_TMT], cols[_END]
        if ends is not empty and starts is not empty:
            flagged.update(
                k
                for k, (begin, end) in enumerate(zip(starts, ends, strict=True))
                if begin is not None and end is not None and end < begin
            )
        cols[0] = [info[0] if info is not None else None for info in infos]
        rows = list(zip(*cols, strict=True))
        reading = self.reading
        first_by_nik = reading.first_by_nik
        for k in sorted(flagged):
            number, cells = chunk[k]
            self._row(sheet, number, cells, list(rows[k]), infos[k], errors.get(k), plan)
        good = [k for k in range(count) if k not in flagged] if flagged else range(count)
        made = list(
            map(
                _Row,
                itertools.repeat(sheet),
                [chunk[k][0] for k in good],
                [rows[k] for k in good],
            )
        )
        reading.valid.extend(made)
        niks = [row.values[0] for row in made]
        if len(set(niks)) == len(niks) and first_by_nik.keys().isdisjoint(niks):
            first_by_nik.update(zip(niks, made, strict=True))
            return
        for nik, row in zip(niks, made, strict=True):
            first = first_by_nik.get(nik)
            if first is None:
                first_by_nik[nik] = row
            else:
                reading.repeated.setdefault(nik, [first]).append(row)

    def _row(
        self,
        sheet: str,
        number: int,
        cells: list[CellValue],
        values: list[Any],
        parts: NikParts | None,
        errors: list[tuple[_Step, FieldError]] | None,
        plan: list[_Step],
    ) -> None:
        """One row that needs a closer look (see _chunk): skip it, refuse it, or keep it."""
        info = parse_nik(parts[0], today=self.v.today) if parts is not None else None
        if errors is None and values.count(None) == _FIELD_COUNT:
            self.reading.skipped += 1
            return
        if info is None:
            nik_index = plan[self.nik_position(plan)].index
            nik_cell = cells[nik_index] if nik_index < len(cells) else None
            if (nik_cell is None or nik_cell == "") and self._not_a_person(number, cells, plan):
                self.reading.skipped += 1
                return
        problems = self._problems(number, values, info, errors, plan)
        nik_key = info.nik if info is not None else ""
        if problems:
            nik_raw = self._raw(cells, plan, 0)
            row = _Row(sheet, number, tuple(values), nik_raw, self._raw(cells, plan, 1), problems)
            self.reading.refused.append(row)
            if info is None:
                nik_key = _digits(nik_raw)
        else:
            row = _Row(sheet, number, tuple(values), None, None, problems)
            self.reading.valid.append(row)
        if len(nik_key) == 16:
            first = self.reading.first_by_nik.get(nik_key)
            if first is None:
                self.reading.first_by_nik[nik_key] = row
            else:
                self.reading.repeated.setdefault(nik_key, [first]).append(row)

    @staticmethod
    def _raw(cells: list[CellValue], plan: list[_Step], slot: int) -> CellValue:
        for step in plan:
            if step.slot == slot:
                return cells[step.index] if step.index < len(cells) else None
        return None

    def _problems(
        self,
        number: int,
        values: list[Any],
        info: NikInfo | None,
        errors: list[tuple[_Step, FieldError]] | None,
        plan: list[_Step],
    ) -> list[RowProblem]:
        """Every problem of one row: its cells, missing required cells, cross-checks."""
        problems = [
            RowProblem(step.binding.header, f"{step.binding.letter}{number}", str(error))
            for step, error in errors or ()
        ]
        failed = {step.slot for step, _ in errors or ()}
        for step in plan:
            if (
                step.slot in self.required_slots
                and values[step.slot] is None
                and step.slot not in failed
            ):
                problems.append(
                    RowProblem(
                        step.binding.header,
                        f"{step.binding.letter}{number}",
                        f"{self.v.label(step.binding.key)} wajib diisi.",
                    )
                )
        if info is not None and (values[_BORN] is not None or values[_SEX] is not None):
            disagreements = nik_disagreements(info, values[_BORN], values[_SEX])
            if disagreements:
                nik_step = plan[self.nik_position(plan)]
                for message in disagreements:
                    problems.append(
                        RowProblem(
                            nik_step.binding.header,
                            f"{nik_step.binding.letter}{number}",
                            f"{message} Periksa NIK, tanggal lahir dan jenis kelamin dengan KTP.",
                        )
                    )
        start, end = values[_TMT], values[_END]
        if start is not None and end is not None and end < start:
            problems.append(
                RowProblem(
                    "",
                    "",
                    f"Tanggal selesai ({format_date(end)}) tidak boleh sebelum TMT "
                    f"({format_date(start)}).",
                )
            )
        return problems

    @staticmethod
    def nik_position(plan: list[_Step]) -> int:
        return next(position for position, step in enumerate(plan) if step.slot == 0)

    def _not_a_person(self, number: int, cells: list[CellValue], plan: list[_Step]) -> bool:
        """A row without NIK that is a footer, a section heading or a remark."""
        texts = [
            _shown(cells[step.binding.index])
            for step in plan
            if step.binding.index < len(cells) and cells[step.binding.index] not in ("", None)
        ]
        texts = [text for text in texts if text.strip()]
        joined = " ".join(texts)
        # A person whose NIK was forgotten fills many cells: refused, not skipped.
        if len(texts) <= 2 and self.footer_words.search(joined.casefold()):
            return True
        if len(texts) == 1:
            # A lone text without NIK: a section heading ("A. SEKRETARIAT") or a remark.
            self.section_rows.append(f"{number} ('{joined[:40]}')")
            return True
        return False

    def _make_converter(self, key: str) -> tuple[Callable[[CellValue], Any], dict[Any, Any] | None]:
        v = self.v
        spec = self._spec(key)
        kind = spec.kind if spec is not None else "text"
        converter: Callable[[CellValue], Any]
        match kind:
            case "name":
                return self._name_converter(), {}
            case "place":
                converter = lambda raw: v.place(raw, key)  # noqa: E731
            case "date":
                converter = lambda raw: v.date(raw, key)  # noqa: E731
            case "sex" | "education" | "funding" | "appointer":
                converter = lambda raw: v.choice(raw, key)  # noqa: E731
            case "money":
                converter = lambda raw: v.money(raw, key)  # noqa: E731
            case "place_date":
                converter = v.place_date
            case _:
                return self._text_converter(key), {}
        return _guarded(converter), {}

    def _nik_converter(self) -> Callable[[CellValue], Any]:
        fast = self.v.fast_nik
        slow = _guarded(self.v.nik_parts)

        def convert(raw: CellValue) -> Any:
            if type(raw) is str:
                parts = fast(raw)
                if parts is not None:
                    return parts
            return slow(raw)

        return convert

    def _name_converter(self) -> Callable[[CellValue], Any]:
        # For a plain name (letters, spaces, apostrophes, hyphens; no dot or comma),
        # normalise_name only joins the words and refuses a bare academic title among them;
        # anything else goes through normalise_name itself. A property test checks both agree.
        bare_titles = frozenset(title.squashed for title in gelar_list().titles if title.bare)
        field = self.v.policy.fields["nama"]
        longest = field.max_length or 10**6
        slow = _guarded(self.v.name)

        def convert(raw: CellValue) -> Any:
            if type(raw) is str and _PLAIN_NAME.fullmatch(raw):
                words = raw.split()
                for word in words:
                    if word.lower() in bare_titles:
                        return slow(raw)
                name = " ".join(words)
                if len(name) <= longest:
                    return name
            return slow(raw)

        return convert

    def _text_converter(self, key: str) -> Callable[[CellValue], Any]:
        field = self.v.policy.fields.get(key)
        longest = field.max_length if field is not None and field.max_length else 10**6
        text = self.v.text
        slow = _guarded(lambda raw: text(raw, key))

        def convert(raw: CellValue) -> Any:
            if type(raw) is str:
                cleaned = " ".join(raw.split())
                if cleaned and len(cleaned) <= longest:
                    return cleaned
            return slow(raw)

        return convert

    def _spec(self, key: str) -> ColumnSpec | None:
        try:
            return self.columns.column(key)
        except KeyError:
            return None


def _guarded(convert: Callable[[CellValue], Any]) -> Callable[[CellValue], Any]:
    """``convert`` returning its FieldError instead of raising it, and None for blank text
    (so the result can be cached either way)."""

    def guarded(raw: CellValue) -> Any:
        if raw is None or (type(raw) is str and not raw.strip()):
            return None
        try:
            return convert(raw)
        except FieldError as error:
            return error

    return guarded


def _digits(raw: CellValue) -> str:
    if raw is None:
        return ""
    return re.sub(r"\D", "", _shown(raw))


# --- the import ---------------------------------------------------------------------------------


def _resolve_duplicates(reading: _Reading) -> list[DuplicateRow]:
    """Identical rows: keep the first. Different rows with one NIK: refuse them all."""
    duplicates: list[DuplicateRow] = []
    drop: set[int] = set()
    for nik, rows in reading.repeated.items():
        first = rows[0]
        if all(not row.problems and row.values == first.values for row in rows):
            for row in rows[1:]:
                drop.add(id(row))
                duplicates.append(DuplicateRow(row.sheet, row.row, nik, first.sheet, first.row))
            continue
        for row in rows:
            others = ", ".join(
                f"baris {other.row}"
                + (f" lembar '{other.sheet}'" if other.sheet != row.sheet else "")
                for other in rows
                if other is not row
            )
            row.problems.append(
                RowProblem(
                    "",
                    "",
                    f"NIK {nik} juga tertulis di {others} dengan data yang berbeda; tidak ada "
                    "yang diimpor karena tidak dapat diketahui mana yang benar. Periksa NIK "
                    "dan data setiap baris itu.",
                )
            )
            if row.nik_raw is None:
                row.nik_raw, row.nama_raw = nik, row.values[1]
            if id(row) not in drop:
                drop.add(id(row))
                if row not in reading.refused:
                    reading.refused.append(row)
    reading.valid = [row for row in reading.valid if id(row) not in drop]
    reading.refused.sort(key=lambda row: (row.sheet, row.row))
    return duplicates


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_roster_file(
    ctx: AppContext,
    path: Path,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> tuple[_Reading, str]:
    """Read and check every row of the file (nothing is written). Internal to the import."""
    columns = roster_columns()
    values = _Values(ctx.policy, columns, ctx.now().date())
    reading = _Reading()
    with open_spreadsheet(path) as workbook:
        kind = workbook.kind
        reader = _SheetReader(values, columns, reading, cancelled)
        done_before = 0
        total = 0
        passed_over: list[str] = []
        for sheet in workbook.sheets():
            total += sheet.last_row

            def report(row: int, base: int = done_before, known: int = total) -> None:
                if progress is not None:
                    progress(base + row, max(known, base + row))

            if not reader.read(sheet, report) and sheet.last_row:
                passed_over.append(sheet.name)
            done_before += sheet.last_row
        if workbook.hidden_sheets:
            reading.notes.append(
                "Lembar tersembunyi tidak dibaca: "
                + ", ".join(f"'{name}'" for name in workbook.hidden_sheets)
                + "."
            )
        if reader.section_rows:
            listed = ", ".join(reader.section_rows[:NOTE_LIST_LIMIT])
            more = len(reader.section_rows) - NOTE_LIST_LIMIT
            reading.notes.append(
                "Baris tanpa NIK yang hanya berisi satu isian (judul bagian atau keterangan) "
                f"dilewati: baris {listed}" + (f" dan {more} lainnya." if more > 0 else ".")
            )
    if not reading.sheets:
        expected = ", ".join(f"'{spec.names[0]}'" for spec in columns.columns if spec.required)
        raise SpreadsheetError(
            f"Baris judul kolom tidak ditemukan di {columns.header_scan_rows} baris pertama "
            f"lembar mana pun pada berkas {path.name}.",
            hint=f"Paling sedikit kolom {expected} harus ada dengan judulnya, mis. 'NIK' dan "
            "'Nama Lengkap'. Gunakan templat dari menu Daftar Admin Instansi bila ragu.",
        )
    if passed_over:
        reading.notes.append(
            "Lembar tanpa judul kolom daftar dilewati: "
            + ", ".join(f"'{name}'" for name in passed_over)
            + "."
        )
    return reading, kind


def _changes(
    old: tuple[Any, ...], new: tuple[Any, ...], keys: Iterable[str]
) -> dict[str, tuple[Any, Any]]:
    changes: dict[str, tuple[Any, Any]] = {}
    for key in keys:
        slot = _SLOT[key]
        value = new[slot]
        if value is not None and value != old[slot]:
            changes[key] = (old[slot], value)
    return changes


def _first(row: tuple[Any, ...]) -> Any:
    return row[0]


_INSERT_COLUMNS = (*ROSTER_FIELDS, "source", "created_at", "updated_at")


def _insert(
    session: Session,
    table: Table,
    rows: list[tuple[Any, ...]],
    source: str,
    now: dt.datetime,
    memos: dict[int, dict[Any, Any]] | None = None,
) -> None:
    """Insert roster rows (values in ROSTER_FIELDS order) inside the session's transaction.

    On SQLite the rows go straight to the driver's executemany, each value converted by its
    column type's own bind processor: the same stored text as an ORM insert, at a third of the
    cost (this is most of the time of a 100,000-row import). Other databases take the
    ordinary Core insert.
    """
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "sqlite":
        tail = (source, now, now)
        session.execute(
            insert(table), [dict(zip(_INSERT_COLUMNS, (*row, *tail), strict=True)) for row in rows]
        )
        return
    processors = [
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in _INSERT_COLUMNS
    ]
    tail_values = [
        value if processor is None else processor(value)
        for value, processor in zip((source, now, now), processors[-3:], strict=True)
    ]
    # Column by column: each distinct value (dates repeat a lot) is converted once.
    columns: list[Sequence[Any]] = list(zip(*rows, strict=True))
    for index, processor in enumerate(processors[: len(ROSTER_FIELDS)]):
        if processor is not None:
            memo = memos.setdefault(index, {None: None}) if memos is not None else {None: None}
            for value in set(columns[index]).difference(memo):
                memo[value] = processor(value)
            columns[index] = list(map(memo.__getitem__, columns[index]))
    count = len(rows)
    params = list(
        zip(*columns, *(itertools.repeat(value, count) for value in tail_values), strict=False)
    )
    marks = ", ".join("?" for _ in _INSERT_COLUMNS)
    # Table and column names are this module's constants, never user input.
    statement = f"INSERT INTO {table.name} ({', '.join(_INSERT_COLUMNS)}) VALUES ({marks})"  # noqa: S608
    connection.exec_driver_sql(statement, params)


def import_roster(
    ctx: AppContext,
    path: Path,
    *,
    actor: Actor,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> ImportReport:
    """Import the roster in ``path`` (xlsx, xls, ods or csv) in one transaction.

    ``progress(done, total)`` is called now and then with rows read, and with (1, 1) once
    everything is read and checked and only the writing is left; ``cancelled()`` is polled
    and, when it returns True, the import stops with ImportCancelledError and nothing is written.
    Raises SpreadsheetError when the file cannot be read at all, AuthError when ``actor`` may
    not manage the roster.
    """
    authorise(ctx, actor, Permission.ROSTER_IMPORT)
    path = Path(path)
    with gc_paused():
        return _import(ctx, path, actor.username, progress, cancelled)


# SQLite page cache for the import's transaction (KiB, as PRAGMA cache_size takes negatives).
IMPORT_PAGE_CACHE_KIB = 65536


@contextlib.contextmanager
def _large_page_cache(session: Session) -> Iterator[None]:
    """A large SQLite page cache while the import writes, the usual one afterwards.

    With the default 2 MB cache a 100,000-row insert spills pages to the write-ahead log many
    times over before the commit; a 64 MB cache writes each page once.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size=-{IMPORT_PAGE_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size={int(before or -2000)}")


def _import(
    ctx: AppContext,
    path: Path,
    actor: str,
    progress: Progress | None,
    cancelled: Cancelled | None,
) -> ImportReport:
    reading, kind = read_roster_file(ctx, path, progress=progress, cancelled=cancelled)
    duplicates = _resolve_duplicates(reading)
    sha256 = _file_digest(path)
    source = path.name[:255]
    keys = [key for key in ROSTER_FIELDS if key in reading.bound_keys]
    now = ctx.now()
    added = updated = unchanged = 0
    with ctx.db.session() as session, _large_page_cache(session):
        table = cast(Table, RosterEntry.__table__)
        columns = [table.c[key] for key in ROSTER_FIELDS]
        existing: dict[str, tuple[int, tuple[Any, ...]]] = {
            row[1]: (row[0], tuple(row[1:]))
            for row in session.execute(select(table.c.id, *columns))
        }
        inserts: list[tuple[Any, ...]] = []
        updates: list[tuple[int, dict[str, tuple[Any, Any]]]] = []
        for row in reading.valid:
            known = existing.get(row.values[0])
            if known is None:
                inserts.append(row.values)
                continue
            changes = _changes(known[1], row.values, keys)
            if changes:
                updates.append((known[0], changes))
            else:
                unchanged += 1
        # In NIK order the unique index grows at its end: markedly faster than random order.
        inserts.sort(key=_first)
        if progress is not None:
            # Every row read and checked: what is left is writing (the caller says "saving").
            progress(1, 1)
        # Converted dates, shared by the batches (birth dates and TMTs repeat across them).
        memos: dict[int, dict[Any, Any]] = {}
        for start in range(0, len(inserts), WRITE_BATCH):
            if cancelled is not None and cancelled():
                raise ImportCancelledError
            batch = inserts[start : start + WRITE_BATCH]
            _insert(session, table, batch, source, now, memos)
        added = len(inserts)
        for start in range(0, len(updates), WRITE_BATCH):
            if cancelled is not None and cancelled():
                raise ImportCancelledError
            batch_updates = updates[start : start + WRITE_BATCH]
            session.execute(
                update(RosterEntry),
                [
                    {
                        "id": entry_id,
                        **{k: new for k, (_, new) in changes.items()},
                        "source": source,
                        "updated_at": now,
                    }
                    for entry_id, changes in batch_updates
                ],
            )
            for entry_id, changes in batch_updates:
                audit.record(
                    session,
                    actor=actor,
                    action="roster.update",
                    entity=ENTITY,
                    entity_id=entry_id,
                    changes=changes,
                    reason=f"Impor berkas {source}",
                    at=now,
                )
        updated = len(updates)
        if cancelled is not None and cancelled():
            raise ImportCancelledError
        audit.record(
            session,
            actor=actor,
            action="roster.import",
            entity=ENTITY,
            entity_id=None,
            changes={
                "berkas": (None, source),
                "sha256": (None, sha256),
                "baru": (None, added),
                "diperbarui": (None, updated),
                "tidak_berubah": (None, unchanged),
                "ditolak": (None, len(reading.refused)),
            },
            at=now,
        )
    if duplicates:
        listed = ", ".join(
            f"baris {d.row} = baris {d.same_as_row}" for d in duplicates[:NOTE_LIST_LIMIT]
        )
        more = (
            f" dan {len(duplicates) - NOTE_LIST_LIMIT} lainnya"
            if len(duplicates) > NOTE_LIST_LIMIT
            else ""
        )
        reading.notes.append(
            f"{len(duplicates)} baris ganda (NIK dan data sama persis) dicatat sekali: "
            f"{listed}{more}."
        )
    return ImportReport(
        file_name=path.name,
        file_kind=kind,
        sha256=sha256,
        sheets=tuple(reading.sheets),
        added=added,
        updated=updated,
        unchanged=unchanged,
        refused=tuple(
            RefusedRow(
                row.sheet, row.row, _shown(row.nik_raw), _shown(row.nama_raw), tuple(row.problems)
            )
            for row in reading.refused
        ),
        duplicates=tuple(duplicates),
        skipped_rows=reading.skipped,
        notes=tuple(reading.notes),
    )


# --- the report file ----------------------------------------------------------------------------


def write_report(report: ImportReport, path: Path) -> None:
    """The import report as an xlsx: a summary sheet and every refused row with every reason.

    Written to a temporary file beside ``path`` and renamed, so a half-written report never
    replaces a good one.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    path = Path(path)
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DCE6F1")
    wrap = Alignment(wrap_text=True, vertical="top")
    from openpyxl.cell import WriteOnlyCell

    def header_cells(sheet: Any, titles: Iterable[str]) -> list[Any]:
        cells = []
        for title in titles:
            cell = WriteOnlyCell(sheet, value=title)
            cell.font = bold
            cell.fill = fill
            cells.append(cell)
        return cells

    summary = book.create_sheet("Ringkasan")
    summary.column_dimensions["A"].width = 34
    summary.column_dimensions["B"].width = 90
    title = WriteOnlyCell(summary, value="Laporan Impor Daftar Admin Instansi")
    title.font = Font(bold=True, size=14)
    summary.append([title])
    summary.append([])
    lines: list[tuple[str, Any]] = [
        ("Berkas", report.file_name),
        ("SHA-256 berkas", report.sha256),
        ("Jenis berkas", report.file_kind.upper()),
        ("Baru ditambahkan", report.added),
        ("Diperbarui", report.updated),
        ("Tidak berubah", report.unchanged),
        ("Ditolak", report.refused_count),
        ("Baris ganda (dicatat sekali)", len(report.duplicates)),
        ("Baris kosong/keterangan dilewati", report.skipped_rows),
    ]
    for label, value in lines:
        summary.append([WriteOnlyCell(summary, value=label), value])
    summary.append([])
    for info in report.sheets:
        summary.append([header_cells(summary, [f"Lembar '{info.name}'"])[0]])
        summary.append(["Baris judul kolom", info.header_row])
        for key, written in info.columns.items():
            summary.append([f"Kolom {key}", written])
        if info.not_imported:
            summary.append(["Kolom tidak diimpor", ", ".join(info.not_imported)])
        summary.append([])
    if report.notes:
        summary.append([header_cells(summary, ["Catatan"])[0]])
        for note in report.notes:
            cell = WriteOnlyCell(summary, value=note)
            cell.alignment = wrap
            summary.append(["", cell])

    refused = book.create_sheet("Baris Ditolak")
    for letter, width in zip("ABCDEFG", (18, 8, 8, 24, 20, 28, 100), strict=True):
        refused.column_dimensions[letter].width = width
    refused.freeze_panes = "A2"
    refused.append(
        header_cells(
            refused,
            ["Lembar", "Baris", "Sel", "Kolom", "NIK (tertulis)", "Nama (tertulis)", "Masalah"],
        )
    )
    count = 1
    for row in report.refused:
        for problem in row.problems:
            refused.append(
                [
                    row.sheet,
                    row.row,
                    problem.cell,
                    problem.column,
                    row.nik,
                    row.nama,
                    problem.message,
                ]
            )
            count += 1
    refused.auto_filter.ref = f"A1:G{count}"

    if report.duplicates:
        twins = book.create_sheet("Baris Ganda")
        for letter, width in zip("ABCDE", (18, 8, 20, 18, 14), strict=True):
            twins.column_dimensions[letter].width = width
        twins.append(
            header_cells(
                twins, ["Lembar", "Baris", "NIK", "Sama dengan lembar", "Sama dengan baris"]
            )
        )
        for dup in report.duplicates:
            twins.append([dup.sheet, dup.row, dup.nik, dup.same_as_sheet, dup.same_as_row])
    save_atomically(book, path)
