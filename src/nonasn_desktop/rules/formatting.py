"""Dates and money as clerks type and read them: dd-mm-yyyy and "Rp 1.500.000".

Parsing is tolerant of the ways people really type (d-m-yyyy, dd/mm/yyyy, ISO dates,
"Rp1.500.000,00") and strict about what would silently change meaning: two-digit years,
impossible dates, cents, negative or absurd amounts. The sanity bounds come from
forms/input_limits.toml.
"""

from __future__ import annotations

import datetime as dt
import re

from nonasn_desktop.errors import FieldError
from nonasn_desktop.policy import default_policy
from nonasn_desktop.policy.model import InputLimits

__all__ = [
    "InputLimits",
    "format_date",
    "format_money",
    "input_limits",
    "parse_date",
    "parse_money",
]

_SEPARATOR_SPACES = re.compile(r"\s*([-/.])\s*")
_ISO = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})")
# "17 Agustus 1985", "17 Agt 1985", "17-Agu-1985": how dates are written in letters and SKs.
_WORDS = re.compile(r"(\d{1,2})[\s-]+([A-Za-z]+)\.?[\s-]+(\d{4})")
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("januari", "jan", "january"),
            ("februari", "feb", "pebruari", "peb", "february"),
            ("maret", "mar", "march"),
            ("april", "apr"),
            ("mei", "may"),
            ("juni", "jun", "june"),
            ("juli", "jul", "july"),
            ("agustus", "agu", "agt", "ags", "aug", "august"),
            ("september", "sep", "sept"),
            ("oktober", "okt", "oct", "october"),
            ("november", "nov", "nop", "nopember"),
            ("desember", "des", "dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_DMY = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4})")
_DMY_SHORT_YEAR = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{2})")

_CURRENCY = re.compile(r"^(?:rp\.?|idr)", re.IGNORECASE)
_GROUPED = re.compile(r"\d{1,3}(?:\.\d{3})+")
_PLAIN = re.compile(r"\d+")
_WHOLE_CENTS = re.compile(r"(.*),(?:0{1,2}|-)")
_CENTS = re.compile(r"(?:\d{1,3}(?:\.\d{3})+|\d+),(\d+)")
_COMMA_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+")
_DOT_DECIMAL = re.compile(r"\d+\.\d{1,2}")


def input_limits() -> InputLimits:
    """The installed limits (forms/input_limits.toml, read with the rest of the policy)."""
    return default_policy().input_limits


def format_date(value: dt.date) -> str:
    """dd-mm-yyyy, as dates are shown everywhere in the application."""
    return f"{value.day:02d}-{value.month:02d}-{value.year:04d}"


def parse_date(raw: str, field: str, *, limits: InputLimits | None = None) -> dt.date:
    """A typed date: dd-mm-yyyy, d-m-yyyy, dd/mm/yyyy, dd.mm.yyyy, yyyy-mm-dd, yyyy/mm/dd, or
    with the month in words ("17 Agustus 1985", "17 Agt 1985")."""
    bounds = limits if limits is not None else input_limits()
    stripped = " ".join(raw.split())
    text = _SEPARATOR_SPACES.sub(r"\1", stripped)
    if not text:
        raise FieldError(field, "Tanggal belum diisi. Ketik dd-mm-yyyy, mis. 17-08-1985.")
    if iso := _ISO.fullmatch(text):
        year, month, day = int(iso.group(1)), int(iso.group(3)), int(iso.group(4))
    elif words := _WORDS.fullmatch(stripped):
        month_number = _MONTHS.get(words.group(2).casefold())
        if month_number is None:
            raise FieldError(
                field,
                f"Nama bulan '{words.group(2)}' pada tanggal '{stripped}' tidak dikenal. "
                "Ketik dd-mm-yyyy, mis. 17-08-1985.",
            )
        day, month, year = int(words.group(1)), month_number, int(words.group(3))
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
