"""The roster's spreadsheet columns as data (forms/roster_columns.toml).

Header names, their Indonesian variants, two-row header groups, month names and the spellings
accepted for the choice columns live in that file, so a new spelling found in a real agency
sheet is a one-line change there. :func:`normalise_label` is how every header and choice value
is compared: case, accents, spaces, punctuation and bracketed remarks do not count.
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from nonasn_desktop.errors import PolicyFileError
from nonasn_desktop.policy import read_forms_text

COLUMNS_FILE = "roster_columns.toml"
_SCHEMA = 1

ColumnKind = Literal[
    "nik",
    "name",
    "place",
    "date",
    "sex",
    "education",
    "funding",
    "appointer",
    "money",
    "text",
    "place_date",
]
COLUMN_KINDS: tuple[str, ...] = ColumnKind.__args__  # type: ignore[attr-defined]
# The combined "Tempat/Tgl Lahir" column: split into tempat_lahir and tanggal_lahir.
PLACE_DATE_KEY = "tempat_tanggal_lahir"
# Roster fields whose values are choices, and the choice map each one uses.
CHOICE_FIELDS = ("jenis_kelamin", "pendidikan_jenjang", "sumber_gaji", "pejabat_penandatangan")
ROSTER_FIELDS = (
    "nik",
    "nama",
    "nomor_thk2",
    "tempat_lahir",
    "tanggal_lahir",
    "jenis_kelamin",
    "pendidikan_jenjang",
    "nama_sekolah",
    "jurusan",
    "nomor_ijazah",
    "tanggal_ijazah",
    "nomor_sk",
    "tanggal_sk",
    "tmt",
    "tanggal_selesai",
    "jabatan",
    "unit_kerja",
    "pejabat_penandatangan",
    "sumber_gaji",
    "gaji_bulanan",
)

_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise_label(text: str) -> str:
    """A header or choice value as compared: "No. KTP (16 digit)" -> "noktp".

    Bracketed remarks are dropped unless nothing else is left ("(1)" stays "1").
    """
    folded = unicodedata.normalize("NFKD", text).casefold()
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    squashed = _NOT_ALNUM.sub("", _BRACKETS.sub(" ", folded))
    return squashed or _NOT_ALNUM.sub("", folded)


@dataclass(frozen=True)
class ColumnSpec:
    key: str
    kind: ColumnKind
    names: tuple[str, ...]
    # Canonical header of the template and the recap; None for import-only columns.
    header: str | None = None
    required: bool = False
    width: int = 14
    note: str = ""


@dataclass(frozen=True)
class GroupSpec:
    """A group header of a two-row header ("SK" above "Nomor", "Tanggal", "TMT")."""

    names: tuple[str, ...]
    # normalised sub-header -> column key
    parts: Mapping[str, str]


@dataclass(frozen=True)
class RosterColumns:
    columns: tuple[ColumnSpec, ...]
    groups: tuple[GroupSpec, ...]
    # normalised header -> column key
    by_name: Mapping[str, str]
    # normalised header -> group
    group_by_name: Mapping[str, GroupSpec]
    ignored: frozenset[str]
    footer_words: tuple[str, ...]
    # normalised month name -> 1..12
    months: Mapping[str, int]
    # field key -> {normalised spelling: choice key}
    values: Mapping[str, Mapping[str, str]]
    header_scan_rows: int
    serial_min_year: int
    serial_max_year: int

    def column(self, key: str) -> ColumnSpec:
        for spec in self.columns:
            if spec.key == key:
                return spec
        raise KeyError(key)

    @property
    def template_columns(self) -> tuple[ColumnSpec, ...]:
        """The columns with a canonical header, in file order (template and recap)."""
        return tuple(spec for spec in self.columns if spec.header is not None)


def _line_of(lines: list[str], needle: str) -> int | None:
    for number, line in enumerate(lines, start=1):
        if needle in line:
            return number
    return None


class _Reader:
    """The parsed columns file with the checks every part of it shares; each problem is a
    PolicyFileError naming the file and, where it can be found, the line."""

    def __init__(self, text: str, file: str) -> None:
        self.file = file
        self.lines = text.splitlines()
        try:
            self.data: dict[str, Any] = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            match = re.search(r"at line (\d+)", str(exc))
            raise PolicyFileError(
                file, int(match.group(1)) if match else None, f"bukan TOML yang sah ({exc})"
            ) from None

    def fail(self, problem: str, needle: str | None = None) -> PolicyFileError:
        return PolicyFileError(self.file, _line_of(self.lines, needle) if needle else None, problem)

    def integer(self, key: str, low: int, high: int) -> int:
        value = self.data.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise self.fail(f"'{key}' harus bilangan bulat {low}–{high}", key)
        return value

    def strings(self, value: Any, what: str, needle: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail(f"{what} harus daftar teks yang tidak kosong", needle)
        if not all(isinstance(item, str) and item.strip() for item in value):
            raise self.fail(f"{what} hanya boleh berisi teks yang tidak kosong", needle)
        return tuple(value)

    def column(self, raw: Any, columns: list[ColumnSpec], by_name: dict[str, str]) -> ColumnSpec:
        """One [[columns]] entry; its names are added to ``by_name``."""
        key = raw.get("key")
        needle = f'key = "{key}"'
        if key not in (*ROSTER_FIELDS, PLACE_DATE_KEY):
            raise self.fail(f"kolom '{key}' bukan isian daftar Admin Instansi", needle)
        if any(spec.key == key for spec in columns):
            raise self.fail(f"kolom '{key}' ganda", needle)
        kind = raw.get("kind")
        if kind not in COLUMN_KINDS:
            raise self.fail(f"jenis kolom '{kind}' tidak dikenal (kolom {key})", needle)
        header = raw.get("header")
        if header is not None and (not isinstance(header, str) or not header.strip()):
            raise self.fail(f"'header' kolom {key} harus teks", needle)
        names = self.strings(raw.get("names"), f"'names' kolom {key}", needle)
        for name in (*names, *((header,) if header else ())):
            norm = normalise_label(name)
            if by_name.get(norm, key) != key:
                raise self.fail(
                    f"nama kolom '{name}' dipakai juga oleh kolom {by_name[norm]}", name
                )
            by_name[norm] = key
        width = raw.get("width", 14)
        if not isinstance(width, int) or isinstance(width, bool) or not 4 <= width <= 80:
            raise self.fail(f"'width' kolom {key} harus 4–80", needle)
        return ColumnSpec(
            key=key,
            kind=kind,
            names=names,
            header=header,
            required=bool(raw.get("required", False)),
            width=width,
            note=str(raw.get("note", "")),
        )

    def columns(self) -> tuple[tuple[ColumnSpec, ...], dict[str, str]]:
        by_name: dict[str, str] = {}
        columns: list[ColumnSpec] = []
        raw_columns = self.data.get("columns")
        if not isinstance(raw_columns, list) or not raw_columns:
            raise self.fail("daftar [[columns]] wajib ada")
        for raw in raw_columns:
            columns.append(self.column(raw, columns, by_name))
        for required in ("nik", "nama"):
            if not any(spec.key == required for spec in columns):
                raise self.fail(f"kolom '{required}' wajib ada")
        return tuple(columns), by_name

    def groups(self) -> tuple[tuple[GroupSpec, ...], dict[str, GroupSpec]]:
        groups: list[GroupSpec] = []
        group_by_name: dict[str, GroupSpec] = {}
        for raw in self.data.get("groups", []):
            names = self.strings(raw.get("names"), "'names' grup", "[[groups]]")
            parts: dict[str, str] = {}
            raw_parts = raw.get("parts")
            if not isinstance(raw_parts, dict) or not raw_parts:
                raise self.fail(f"grup {names[0]} harus punya 'parts'", names[0])
            for key, spellings in raw_parts.items():
                if key not in ROSTER_FIELDS:
                    raise self.fail(f"bagian grup '{key}' bukan isian daftar", key)
                for spelling in self.strings(spellings, f"bagian {key}", key):
                    parts[normalise_label(spelling)] = key
            group = GroupSpec(names=names, parts=parts)
            groups.append(group)
            for name in names:
                group_by_name[normalise_label(name)] = group
        return tuple(groups), group_by_name

    def months(self) -> dict[str, int]:
        months: dict[str, int] = {}
        raw_months = self.data.get("months")
        if not isinstance(raw_months, dict) or sorted(raw_months) != sorted(
            str(n) for n in range(1, 13)
        ):
            raise self.fail("tabel [months] harus berisi bulan 1 sampai 12", "[months]")
        for number, spellings in raw_months.items():
            for spelling in self.strings(spellings, f"bulan {number}", "[months]"):
                months[normalise_label(spelling)] = int(number)
        return months

    def values(self) -> dict[str, dict[str, str]]:
        """Spellings of the choice values, per field: {normalised spelling: choice key}."""
        values: dict[str, dict[str, str]] = {}
        for field, table in self.data.get("values", {}).items():
            if field not in CHOICE_FIELDS:
                raise self.fail(f"[values.{field}] bukan kolom pilihan", f"[values.{field}]")
            mapping: dict[str, str] = {}
            for choice, spellings in table.items():
                for spelling in self.strings(spellings, f"{field}.{choice}", f"[values.{field}]"):
                    norm = normalise_label(spelling)
                    if mapping.get(norm, choice) != choice:
                        raise self.fail(
                            f"'{spelling}' dipetakan ke dua pilihan ({mapping[norm]} dan {choice})",
                            spelling,
                        )
                    mapping[norm] = choice
            values[field] = mapping
        if set(values.get("jenis_kelamin", {}).values()) - {"L", "P"}:
            raise self.fail("[values.jenis_kelamin] hanya boleh L atau P", "[values.jenis_kelamin]")
        return values


def parse_roster_columns(text: str, file: str = COLUMNS_FILE) -> RosterColumns:
    """Read and check the columns file; PolicyFileError naming the line on a problem."""
    reader = _Reader(text, file)
    data = reader.data
    if data.get("schema") != _SCHEMA:
        raise reader.fail(f"versi skema {data.get('schema')!r} tidak didukung", "schema")
    columns, by_name = reader.columns()
    groups, group_by_name = reader.groups()
    months = reader.months()
    values = reader.values()
    ignored = frozenset(
        normalise_label(name)
        for name in reader.strings(data.get("ignored"), "'ignored'", "ignored")
    )
    footer_words = tuple(
        word.casefold()
        for word in reader.strings(data.get("footer_words"), "'footer_words'", "footer_words")
    )
    serial_min = reader.integer("serial_min_year", 1900, 9999)
    serial_max = reader.integer("serial_max_year", 1900, 9999)
    if serial_min >= serial_max:
        raise reader.fail(
            "'serial_max_year' harus lebih besar dari 'serial_min_year'", "serial_max_year"
        )
    return RosterColumns(
        columns=columns,
        groups=groups,
        by_name=by_name,
        group_by_name=group_by_name,
        ignored=ignored,
        footer_words=footer_words,
        months=months,
        values=values,
        header_scan_rows=reader.integer("header_scan_rows", 1, 1000),
        serial_min_year=serial_min,
        serial_max_year=serial_max,
    )


@functools.cache
def roster_columns() -> RosterColumns:
    """The installed columns file, read once per process."""
    return parse_roster_columns(read_forms_text(COLUMNS_FILE))
