"""Dates and money as clerks type and read them: dd-mm-yyyy and "Rp 1.500.000".

Parsing is tolerant of the ways people really type (d-m-yyyy, dd/mm/yyyy, ISO dates,
"Rp1.500.000,00") and strict about what would silently change meaning: two-digit years,
impossible dates, cents, negative or absurd amounts. The sanity bounds come from
forms/input_limits.toml.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import tomllib
from dataclasses import dataclass
from typing import Any

from nonasn_desktop.errors import FieldError, PolicyFileError
from nonasn_desktop.policy import read_forms_text

LIMITS_FILE = "input_limits.toml"
_LIMITS_SCHEMA = 1

_SEPARATOR_SPACES = re.compile(r"\s*([-/.])\s*")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DMY = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4})")
_DMY_SHORT_YEAR = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{2})")

_CURRENCY = re.compile(r"^(?:rp\.?|idr)", re.IGNORECASE)
_GROUPED = re.compile(r"\d{1,3}(?:\.\d{3})+")
_PLAIN = re.compile(r"\d+")
_WHOLE_CENTS = re.compile(r"(.*),(?:0{1,2}|-)")
_CENTS = re.compile(r"(?:\d{1,3}(?:\.\d{3})+|\d+),(\d+)")
_COMMA_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+")
_DOT_DECIMAL = re.compile(r"\d+\.\d{1,2}")


@dataclass(frozen=True)
class InputLimits:
    """Sanity bounds on typed values (forms/input_limits.toml)."""

    max_rupiah: int
    min_year: int
    max_year: int


def parse_input_limits(text: str, file: str = LIMITS_FILE) -> InputLimits:
    """Read and validate the limits file; PolicyFileError naming the line on any problem."""
    lines = text.splitlines()

    def line_of(key: str) -> int | None:
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        return next((i for i, line in enumerate(lines, start=1) if pattern.match(line)), None)

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"at line (\d+)", str(exc))
        raise PolicyFileError(
            file, int(match.group(1)) if match else None, f"bukan TOML yang sah ({exc})"
        ) from None
    if data.get("schema") != _LIMITS_SCHEMA:
        raise PolicyFileError(
            file, line_of("schema"), f"versi skema {data.get('schema')!r} tidak didukung"
        )

    def integer(table: str, key: str, low: int, high: int) -> int:
        section: Any = data.get(table)
        if not isinstance(section, dict):
            raise PolicyFileError(file, None, f"tabel [{table}] wajib ada")
        value = section.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            raise PolicyFileError(file, line_of(key), f"'{key}' harus bilangan bulat")
        if not low <= value <= high:
            raise PolicyFileError(
                file, line_of(key), f"'{key}' harus antara {low} dan {high}, bukan {value}"
            )
        return value

    limits = InputLimits(
        max_rupiah=integer("money", "max_rupiah", 1, 10**15),
        min_year=integer("date", "min_year", 1, 9999),
        max_year=integer("date", "max_year", 1, 9999),
    )
    if limits.min_year >= limits.max_year:
        raise PolicyFileError(
            file, line_of("max_year"), "'max_year' harus lebih besar dari 'min_year'"
        )
    return limits


@functools.cache
def input_limits() -> InputLimits:
    """The installed limits, read once per process."""
    return parse_input_limits(read_forms_text(LIMITS_FILE))


def format_date(value: dt.date) -> str:
    """dd-mm-yyyy, as dates are shown everywhere in the application."""
    return f"{value.day:02d}-{value.month:02d}-{value.year:04d}"


def parse_date(raw: str, field: str, *, limits: InputLimits | None = None) -> dt.date:
    """A typed date: dd-mm-yyyy, d-m-yyyy, dd/mm/yyyy, dd.mm.yyyy or yyyy-mm-dd."""
    bounds = limits if limits is not None else input_limits()
    text = _SEPARATOR_SPACES.sub(r"\1", raw.strip())
    if not text:
        raise FieldError(field, "Tanggal belum diisi. Ketik dd-mm-yyyy, mis. 17-08-1985.")
    if iso := _ISO.fullmatch(text):
        year, month, day = (int(part) for part in iso.groups())
    elif dmy := _DMY.fullmatch(text):
        day, month, year = int(dmy.group(1)), int(dmy.group(3)), int(dmy.group(4))
    elif _DMY_SHORT_YEAR.fullmatch(text):
        raise FieldError(
            field,
            f"Tahun pada tanggal '{raw.strip()}' harus ditulis 4 digit, "
            "mis. 17-08-1985 (bukan 17-08-85).",
        )
    else:
        raise FieldError(
            field,
            f"Tanggal '{raw.strip()}' tidak dapat dibaca. Ketik dd-mm-yyyy, mis. 17-08-1985.",
        )
    shown = f"{day:02d}-{month:02d}-{year:04d}"
    if not 1 <= month <= 12:
        raise FieldError(field, f"Bulan {month:02d} pada tanggal {shown} tidak ada; bulan 01–12.")
    try:
        value = dt.date(year, month, day)
    except ValueError:
        raise FieldError(field, f"Tanggal {shown} tidak ada di kalender.") from None
    if not bounds.min_year <= year <= bounds.max_year:
        raise FieldError(
            field,
            f"Tahun {year:04d} pada tanggal {shown} tidak masuk akal; "
            f"periksa kembali (tahun {bounds.min_year}–{bounds.max_year}).",
        )
    return value


def format_money(amount: int) -> str:
    """Rupiah with dots between thousands: 1500000 -> "Rp 1.500.000"."""
    if amount < 0:
        raise ValueError(f"negative amount {amount}")
    return "Rp " + f"{amount:,}".replace(",", ".")


def parse_money(raw: str, field: str, *, limits: InputLimits | None = None) -> int:
    """Whole rupiah from "Rp 1.500.000", "1500000", "1.500.000", "Rp1.500.000,00"."""
    bounds = limits if limits is not None else input_limits()
    typed = raw.strip()
    text = "".join(typed.split())
    if not text:
        raise FieldError(field, "Jumlah uang belum diisi. Ketik angka rupiah, mis. 1.500.000.")
    if text.startswith(("-", "(")) or _CURRENCY.sub("", text).startswith(("-", "(")):
        raise FieldError(field, f"Jumlah uang tidak boleh negatif ('{typed}').")
    text = _CURRENCY.sub("", text)
    if whole := _WHOLE_CENTS.fullmatch(text):
        text = whole.group(1)
    if _GROUPED.fullmatch(text):
        amount = int(text.replace(".", ""))
    elif _PLAIN.fullmatch(text):
        amount = int(text)
    elif cents := _CENTS.fullmatch(text):
        raise FieldError(
            field,
            f"Jumlah uang ditulis dalam rupiah penuh tanpa sen; ',{cents.group(1)}' "
            "tidak diterima.",
        )
    elif _COMMA_GROUPED.fullmatch(text):
        raise FieldError(
            field, f"Gunakan titik sebagai pemisah ribuan, mis. 1.500.000 (bukan '{typed}')."
        )
    elif _DOT_DECIMAL.fullmatch(text):
        raise FieldError(
            field,
            f"'{typed}' tidak dapat dibaca sebagai rupiah: titik hanya untuk pemisah ribuan "
            "(mis. 1.500.000) dan jumlah ditulis tanpa sen.",
        )
    else:
        raise FieldError(
            field, f"Jumlah uang '{typed}' tidak dapat dibaca. Ketik angka rupiah, mis. 1.500.000."
        )
    if amount > bounds.max_rupiah:
        raise FieldError(
            field,
            f"Jumlah {format_money(amount)} terlalu besar (paling banyak "
            f"{format_money(bounds.max_rupiah)}); periksa jumlah nol yang diketik.",
        )
    return amount
