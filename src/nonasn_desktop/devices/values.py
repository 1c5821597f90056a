"""Values crossing between office and device, checked against the column they are meant for.

Records, roster entries, clerks and audit entries travel as JSON objects whose keys are
column names of storage.models. Writing is generic (dates as ISO text, times as RFC 3339
UTC, enums as their value); so is reading, and reading is where a hostile file is stopped:
every value is checked against its column (type, length in characters, no NUL or control
characters, integers within 32 bits, enum members) before anything is written, and a refusal
names the record and the field.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, Column, Date, Enum, Integer, String, Text

from nonasn_desktop.central.format import text_problem
from nonasn_desktop.errors import UserError
from nonasn_desktop.storage.models import UTCDateTime

MAX_INTEGER = 2**31 - 1


class TransferValueError(UserError):
    """A value in a file from the office or a device does not fit where it is meant to go."""


def utc_text(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def to_json(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return utc_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def row_json(row: object, columns: Iterable[Column[Any]]) -> dict[str, Any]:
    return {column.key: to_json(getattr(row, column.key)) for column in columns}


def _parse_time(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError("no zone")
    return value.astimezone(dt.UTC)


def _bad(where: str, key: str, what: str) -> TransferValueError:
    return TransferValueError(
        f"{where}: isian '{key}' {what}; berkas ditolak, tidak ada yang disimpan.",
        hint="Berkas ini rusak atau bukan buatan aplikasi ini; minta pengirimnya membuat ulang.",
    )


@dataclass(frozen=True)
class _Kind:
    """What a column accepts, worked out once per column (a transfer checks ~10^5 values)."""

    tag: str
    required: bool
    limit: int | None = None
    choices: frozenset[str] = frozenset()
    enum_class: Any = None


_KINDS: dict[Column[Any], _Kind] = {}


def _kind(column: Column[Any]) -> _Kind:
    found = _KINDS.get(column)
    if found is not None:
        return found
    kind = column.type
    required = not column.nullable and not column.primary_key
    if isinstance(kind, Enum):
        made = _Kind("enum", required, choices=frozenset(kind.enums), enum_class=kind.enum_class)
    elif isinstance(kind, Boolean):
        made = _Kind("bool", required)
    elif isinstance(kind, Integer):
        made = _Kind("int", required)
    elif isinstance(kind, UTCDateTime):
        made = _Kind("datetime", required)
    elif isinstance(kind, Date):
        made = _Kind("date", required)
    elif isinstance(kind, String | Text):
        made = _Kind("text", required, limit=getattr(kind, "length", None))
    else:
        raise AssertionError(f"no JSON reading for column {column.key} of type {kind!r}")
    _KINDS[column] = made
    return made


def _text(raw: Any, kind: _Kind, text_limit: int) -> str:
    if not isinstance(raw, str):
        raise ValueError("harus teks")
    problem = text_problem(raw, min(kind.limit or text_limit, text_limit))
    if problem:
        raise ValueError(problem)
    return raw


def _int(raw: Any, _kind: _Kind, _limit: int) -> int:
    if type(raw) is not int or not -MAX_INTEGER <= raw <= MAX_INTEGER:
        raise ValueError("harus bilangan bulat 32 bit")
    return raw


def _bool(raw: Any, _kind: _Kind, _limit: int) -> bool:
    if not isinstance(raw, bool):
        raise ValueError("harus true/false")
    return raw


def _datetime(raw: Any, _kind: _Kind, _limit: int) -> dt.datetime:
    try:
        if isinstance(raw, str) and len(raw) <= 40:
            return _parse_time(raw)
    except (ValueError, OverflowError):
        pass
    raise ValueError("harus waktu UTC (RFC 3339)")


def _date(raw: Any, _kind: _Kind, _limit: int) -> dt.date:
    try:
        if isinstance(raw, str) and len(raw) == 10:
            return dt.date.fromisoformat(raw)
    except ValueError:
        pass
    raise ValueError("harus tanggal YYYY-MM-DD")


def _choice(raw: Any, kind: _Kind, _limit: int) -> Any:
    if raw not in kind.choices:
        raise ValueError("bukan salah satu nilai yang dikenal")
    return kind.enum_class(raw) if kind.enum_class is not None else raw


# How each kind of column reads its JSON value; a ValueError's text says what is wrong.
_READERS: dict[str, Callable[[Any, _Kind, int], Any]] = {
    "text": _text,
    "int": _int,
    "bool": _bool,
    "datetime": _datetime,
    "date": _date,
}


def from_json(column: Column[Any], raw: Any, *, where: str, text_limit: int) -> Any:
    """The Python value of ``raw`` for ``column``, or TransferValueError naming ``where``."""
    kind = _kind(column)
    if raw is None:
        if kind.required:
            raise _bad(where, column.key, "wajib diisi")
        return None
    try:
        return _READERS.get(kind.tag, _choice)(raw, kind, text_limit)
    except ValueError as exc:
        raise _bad(where, column.key, str(exc)) from None


def read_row(
    data: Any,
    columns: Iterable[Column[Any]],
    *,
    where: str,
    text_limit: int,
) -> dict[str, Any]:
    """Every column of ``columns`` read from the JSON object ``data`` (missing keys: None)."""
    if not isinstance(data, Mapping):
        raise TransferValueError(f"{where}: bukan objek JSON; berkas ditolak.")
    return {
        column.key: from_json(column, data.get(column.key), where=where, text_limit=text_limit)
        for column in columns
    }
