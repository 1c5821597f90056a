"""How each recognised column's cells are converted: one function per column, cached.

A converter returns the roster value, a :class:`FieldError` (returned, not raised, so the
result can be cached either way) or None for a blank cell. The common cases (a clean NIK, a
plain name, plain text) take a fast path; property tests check that it agrees with the
foundation's rules.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from nonasn_desktop.errors import FieldError
from nonasn_desktop.roster.columns import ColumnSpec, RosterColumns
from nonasn_desktop.roster.values import Values
from nonasn_desktop.rules.identity import gelar_list
from nonasn_desktop.sheets.reading import CellValue

Converter = Callable[[CellValue], Any]
_PLAIN_NAME = re.compile(r"[A-Za-z][A-Za-z' -]*")


def guarded(convert: Converter) -> Converter:
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


class Converters:
    """The converter of each roster column, made once per import and shared by its sheets."""

    def __init__(self, values: Values, columns: RosterColumns) -> None:
        self.v = values
        self.columns = columns
        self._made: dict[str, tuple[Converter, dict[Any, Any] | None]] = {}

    def for_key(self, key: str) -> tuple[Converter, dict[Any, Any] | None]:
        """The converter of column ``key`` and its cache of converted values."""
        entry = self._made.get(key)
        if entry is None:
            entry = self._made[key] = self._make(key)
        return entry

    def _make(self, key: str) -> tuple[Converter, dict[Any, Any] | None]:
        v = self.v
        spec = self._spec(key)
        kind = spec.kind if spec is not None else "text"
        converter: Converter
        match kind:
            case "name":
                return self.name(), {}
            case "place":
                converter = lambda raw: v.place(raw, key)  # noqa: E731
            case "date":
                return self.date(key), {}
            case "sex" | "education" | "funding" | "appointer":
                converter = lambda raw: v.choice(raw, key)  # noqa: E731
            case "money":
                converter = lambda raw: v.money(raw, key)  # noqa: E731
            case "place_date":
                converter = v.place_date
            case _:
                return self.text(key), {}
        return guarded(converter), {}

    def nik(self) -> Converter:
        fast = self.v.fast_nik
        slow = guarded(self.v.nik_parts)

        def convert(raw: CellValue) -> Any:
            if type(raw) is str:
                parts = fast(raw)
                if parts is not None:
                    return parts
            return slow(raw)

        return convert

    def name(self) -> Converter:
        # For a plain name (letters, spaces, apostrophes, hyphens; no dot or comma),
        # normalise_name only joins the words and refuses a bare academic title among them;
        # anything else goes through normalise_name itself. A property test checks both agree.
        bare_titles = frozenset(title.squashed for title in gelar_list().titles if title.bare)
        field = self.v.policy.fields["nama"]
        longest = field.max_length or 10**6
        slow = guarded(self.v.name)

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

    def date(self, key: str) -> Converter:
        # A real date cell (the common case) needs only the year bounds and "not after today"
        # that Values.date checks; anything else goes through Values.date itself.
        v = self.v
        low, high = v.limits.min_year, v.limits.max_year
        past = "past_date" in v.policy.fields[key].validators
        today = v.today
        slow = guarded(lambda raw: v.date(raw, key))

        def convert(raw: CellValue) -> Any:
            value: dt.date | None = None
            if type(raw) is dt.datetime:
                value = raw.date()
            elif type(raw) is dt.date:
                value = raw
            if value is not None and low <= value.year <= high and not (past and value > today):
                return value
            return slow(raw)

        return convert

    def text(self, key: str) -> Converter:
        field = self.v.policy.fields.get(key)
        longest = field.max_length if field is not None and field.max_length else 10**6
        text = self.v.text
        slow = guarded(lambda raw: text(raw, key))

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
