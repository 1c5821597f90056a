"""A stored raw value as a clerk reads it: the words of a choice, dd-mm-yyyy, Rp 1.500.000,
a NIK in groups of four."""

from __future__ import annotations

from nonasn_desktop.errors import FieldError
from nonasn_desktop.policy import FieldDef
from nonasn_desktop.rules.formatting import format_date, format_money, parse_date, parse_money
from nonasn_desktop.rules.identity import format_phone, normalise_phone

# How a yes/no field stores its answer.
YES, NO = "ya", "tidak"


def only_digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def display_value(field: FieldDef, raw: str) -> str:
    """A stored raw value as a clerk reads it (choice label, dd-mm-yyyy, Rp 1.500.000)."""
    text = raw.strip()
    if not text:
        return "—"
    try:
        match field.type:
            case "choice":
                for choice in field.choices:
                    if text in (choice.key, choice.label):
                        return choice.label
                return text
            case "bool":
                return {YES: "Ya", NO: "Tidak"}.get(text.casefold(), text)
            case "date":
                return format_date(parse_date(text, field.key))
            case "money":
                return format_money(parse_money(text, field.key))
            case "nik" | "kk":
                digits = only_digits(text)
                if len(digits) == 16:
                    return " ".join(digits[i : i + 4] for i in range(0, 16, 4))
                return text
            case "phone":
                return format_phone(normalise_phone(text))
            case "password" | "captcha":
                return "••••••••"
    except FieldError:
        return text
    return text
