"""Field validation driven by forms/fields.toml.

:func:`validate_field` turns what was typed into one field into its Python value (str, date,
int, bool or None) by the field's type, then applies the named validators listed for it in
fields.toml. A value a user can fix raises :class:`FieldError` with the field's key; a
validator name the code does not know is a programming error (ValueError).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from nonasn_desktop.errors import FieldError
from nonasn_desktop.policy.model import FieldDef, Policy
from nonasn_desktop.rules.formatting import format_date, parse_date, parse_money
from nonasn_desktop.rules.identity import (
    normalise_email,
    normalise_name,
    normalise_phone,
    normalise_place,
    parse_kk,
    parse_nik,
)

_TRUE = frozenset({"1", "true", "ya", "y"})
_FALSE = frozenset({"0", "false", "tidak", "t"})
# Invisible characters that come along when text is pasted from chat apps or documents.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
# Tabs count as spaces; line breaks are kept in a textarea and refused elsewhere.
_ALLOWED_CONTROLS = frozenset("\n\r\t")


@dataclass(frozen=True)
class _Context:
    field: FieldDef
    raw: str
    values: Mapping[str, str]
    policy: Policy
    today: dt.date


Validator = Callable[[object, str, _Context], None]


def validate_field(
    field: FieldDef,
    raw: str,
    values: Mapping[str, str],
    policy: Policy,
    *,
    today: dt.date,
) -> object:
    """The normalised value of one field, None for an empty optional field.

    ``values`` holds the raw text of the other fields of the form (for same_as, not_before,
    password_strength). ``today`` is the caller's date (``ctx.now()`` or the flow's clock):
    the rules stay pure and never read the system clock. Raises FieldError(field.key, message)
    when the value breaks a rule.
    """
    checks = [_validator(field, spec) for spec in field.validators]
    context = _Context(field, raw, values, policy, today)
    value = _typed_value(context)
    if value is None:
        return None
    for check, argument in checks:
        check(value, argument, context)
    return value


def validate_fields(
    keys: Iterable[str],
    values: Mapping[str, str],
    policy: Policy,
    *,
    today: dt.date,
) -> tuple[dict[str, object], dict[str, str]]:
    """Validate several fields: (clean values by key, error messages by key)."""
    clean: dict[str, object] = {}
    errors: dict[str, str] = {}
    for key in keys:
        field = policy.fields.get(key)
        if field is None:
            raise ValueError(f"unknown field {key!r}")
        try:
            clean[key] = validate_field(field, values.get(key, ""), values, policy, today=today)
        except FieldError as error:
            errors[key] = str(error)
    return clean, errors


# --- types ------------------------------------------------------------------------------------


def _typed_value(context: _Context) -> object:
    field = context.field
    # A password is kept exactly as typed; everything else loses invisible and outer spaces.
    text = context.raw if field.type == "password" else context.raw.translate(_INVISIBLE).strip()
    if text == "":
        if field.required:
            raise FieldError(field.key, f"{field.label} wajib diisi.")
        return None
    _check_control_characters(field, text)
    if field.max_length is not None and len(text) > field.max_length:
        raise FieldError(
            field.key,
            f"{field.label} paling banyak {field.max_length} karakter; "
            f"yang diketik {len(text)} karakter.",
        )
    try:
        return _convert(field, text, context)
    except FieldError as error:
        if error.field == field.key:
            raise
        raise FieldError(field.key, error.message, hint=error.hint) from None


def _convert(field: FieldDef, text: str, context: _Context) -> object:
    """The value of cleaned, non-empty ``text`` as ``field``'s type asks; a FieldError of a
    parser may name another field (the caller files it under this one)."""
    key = field.key
    match field.type:
        case "text":
            return " ".join(text.split())
        case "textarea":
            return text.replace("\r\n", "\n").replace("\r", "\n")
        case "nik":
            return parse_nik(text, today=context.today).nik
        case "kk":
            return parse_kk(text)
        case "name":
            return normalise_name(text, key)
        case "phone":
            return normalise_phone(text)
        case "email":
            return normalise_email(text)
        case "date":
            return parse_date(text, key)
        case "money":
            return parse_money(text, key)
        case "choice":
            return _choice(field, text)
        case "bool":
            return _boolean(field, text)
        case "password" | "captcha":
            return text
    raise ValueError(f"field {key!r} has unknown type {field.type!r}")


def _check_control_characters(field: FieldDef, text: str) -> None:
    if field.type != "textarea" and ("\n" in text or "\r" in text):
        raise FieldError(field.key, f"{field.label} harus ditulis dalam satu baris.")
    if any(unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS for ch in text):
        raise FieldError(
            field.key,
            f"{field.label} berisi karakter kendali yang tidak terlihat (biasanya terbawa saat "
            "menyalin). Hapus isian lalu ketik ulang.",
        )


def _choice(field: FieldDef, text: str) -> str:
    for choice in field.choices:
        if text == choice.key or text == choice.label:
            return choice.key
    folded = text.casefold()
    matches = {c.key for c in field.choices if folded in (c.key.casefold(), c.label.casefold())}
    if len(matches) == 1:
        return matches.pop()
    options = ", ".join(c.label for c in field.choices)
    raise FieldError(
        field.key, f"Pilihan '{text}' tidak ada untuk {field.label}. Pilih salah satu: {options}."
    )


def _boolean(field: FieldDef, text: str) -> bool:
    word = text.casefold()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise FieldError(field.key, f"{field.label}: jawab ya atau tidak (bukan '{text}').")


# --- named validators -------------------------------------------------------------------------


def _past_date(value: object, _: str, context: _Context) -> None:
    if isinstance(value, dt.date) and value > context.today:
        raise FieldError(
            context.field.key,
            f"{context.field.label} tidak boleh setelah hari ini ({format_date(context.today)}); "
            f"yang diketik {format_date(value)}.",
        )


def _not_before(value: object, other_key: str, context: _Context) -> None:
    other_raw = context.values.get(other_key, "")
    if not isinstance(value, dt.date) or not other_raw.strip():
        return
    try:
        other = parse_date(other_raw, other_key)
    except FieldError:
        return  # the other field reports its own mistake
    if value < other:
        other_field = context.policy.fields.get(other_key)
        other_label = other_field.label if other_field else other_key
        raise FieldError(
            context.field.key,
            f"{context.field.label} ({format_date(value)}) tidak boleh sebelum {other_label} "
            f"({format_date(other)}).",
        )


def _same_as(value: object, other_key: str, context: _Context) -> None:
    other_raw = context.values.get(other_key, "")
    field = context.field
    if field.type == "password":
        if context.raw != other_raw:
            raise FieldError(field.key, "Kata sandi dan ulangan kata sandi tidak sama.")
        return
    if str(value) != " ".join(other_raw.split()):
        other_field = context.policy.fields.get(other_key)
        other_label = other_field.label if other_field else other_key
        raise FieldError(field.key, f"{field.label} tidak sama dengan {other_label}.")


def _must_be_true(value: object, _: str, context: _Context) -> None:
    if value is not True:
        raise FieldError(context.field.key, "Centang pernyataan ini untuk dapat melanjutkan.")


def _password_strength(value: object, _: str, context: _Context) -> None:
    rules = context.policy.password
    password = str(value)
    problems: list[str] = []
    if len(password) < rules.min_length:
        problems.append(
            f"paling sedikit {rules.min_length} karakter (yang diketik {len(password)})"
        )
    if rules.require_letter and not any(ch.isalpha() for ch in password):
        problems.append("berisi paling sedikit satu huruf")
    if rules.require_digit and not any(ch.isdigit() for ch in password):
        problems.append("berisi paling sedikit satu angka")
    digits_only = re.sub(r"\D", "", password)
    nik = re.sub(r"\D", "", context.values.get("nik", ""))
    if len(nik) == 16 and nik in digits_only:
        problems.append("tidak memuat NIK")
    birth_raw = context.values.get("tanggal_lahir", "")
    if birth_raw.strip():
        try:
            birth = parse_date(birth_raw, "tanggal_lahir")
        except FieldError:
            birth = None
        if birth is not None and birth.strftime("%d%m%Y") in digits_only:
            problems.append("tidak memuat tanggal lahir")
    if problems:
        raise FieldError(
            context.field.key, f"{context.field.label} harus " + "; ".join(problems) + "."
        )


def _place_name(value: object, _: str, context: _Context) -> None:
    try:
        normalise_place(str(value), context.field.key)
    except FieldError as error:
        raise FieldError(context.field.key, error.message) from None


_VALIDATORS: dict[str, tuple[Validator, bool]] = {
    # name: (check, takes an argument after ':')
    "past_date": (_past_date, False),
    "not_before": (_not_before, True),
    "same_as": (_same_as, True),
    "must_be_true": (_must_be_true, False),
    "password_strength": (_password_strength, False),
    "place_name": (_place_name, False),
}

VALIDATOR_NAMES: frozenset[str] = frozenset(_VALIDATORS)


def _validator(field: FieldDef, spec: str) -> tuple[Validator, str]:
    name, colon, argument = spec.partition(":")
    entry = _VALIDATORS.get(name)
    if entry is None:
        raise ValueError(f"unknown validator {spec!r} on field {field.key!r}")
    check, takes_argument = entry
    if takes_argument != bool(colon and argument):
        raise ValueError(f"validator {spec!r} on field {field.key!r} is malformed")
    return check, argument
