"""JSON kept in TEXT columns (drafts, check results, audit changes).

Stored as plain text on purpose: the ORM's JSON type does not notice in-place changes of a dict,
a classic way to lose what a clerk typed. Callers always assign a freshly dumped string.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import json
from pathlib import PurePath
from typing import Any


def _default(value: object) -> object:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, PurePath):
        return str(value)
    raise TypeError(f"{type(value).__name__} cannot be stored as JSON")


def dumps(value: object) -> str:
    """Compact, key-sorted JSON that keeps non-ASCII text readable (names, addresses)."""
    return json.dumps(value, default=_default, ensure_ascii=False, sort_keys=True)


def loads(text: str | None) -> Any:
    """Parsed JSON, or None for a NULL column."""
    if text is None:
        return None
    return json.loads(text)
