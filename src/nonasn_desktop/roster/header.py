"""Finding the header row of a roster sheet among its first rows.

Matched by the column names of ``forms/roster_columns.toml`` ignoring case, spaces,
punctuation and bracketed remarks; a two-row header (a group cell such as "SK" above
"Nomor", "Tanggal", "TMT") is recognised, and so is a row of column numbers under it.
At least the NIK and the name columns must be found.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass

from nonasn_desktop.roster.columns import (
    PLACE_DATE_KEY,
    GroupSpec,
    RosterColumns,
    normalise_label,
)
from nonasn_desktop.roster.values import shown
from nonasn_desktop.sheets.reading import CellValue

_COLUMN_NUMBER = re.compile(r"\(?(\d{1,3})\)?")


def column_letter(number: int) -> str:
    """A for 1, Z for 26, AA for 27, as Excel names columns."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass(frozen=True)
class Binding:
    index: int  # 0-based column
    key: str
    header: str  # as written in the file

    @property
    def letter(self) -> str:
        return column_letter(self.index + 1)


@dataclass(frozen=True)
class Header:
    row: int  # first header row (1-based)
    last_row: int  # last header row (a two-row header ends one row lower)
    bindings: tuple[Binding, ...]
    not_imported: tuple[str, ...]

    @property
    def keys(self) -> set[str]:
        return {binding.key for binding in self.bindings}


def cell_text(cells: list[CellValue], index: int) -> str:
    if index >= len(cells):
        return ""
    value = cells[index]
    if value is None or isinstance(value, bool):
        return ""
    return " ".join(shown(value).split())


def _match_header(
    top: list[CellValue], sub: list[CellValue] | None, columns: RosterColumns, row: int
) -> Header:
    width = max(len(top), len(sub) if sub else 0)
    bindings: list[Binding] = []
    not_imported: list[str] = []
    seen: set[str] = set()
    group: GroupSpec | None = None
    group_text = ""
    for index in range(width):
        top_text = cell_text(top, index)
        sub_text = cell_text(sub, index) if sub else ""
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
        letter = column_letter(index + 1)
        if key is None:
            not_imported.append(f"{written} ({letter})")
        elif key in seen:
            not_imported.append(f"{written} ({letter}, kolom ganda)")
        else:
            seen.add(key)
            bindings.append(Binding(index, key, written))
    return Header(row, row + (1 if sub else 0), tuple(bindings), tuple(not_imported))


def _score(header: Header) -> int:
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


def find_header(rows: list[tuple[int, list[CellValue]]], columns: RosterColumns) -> Header | None:
    """The header among the first rows of a sheet, or None (needs the NIK and name columns)."""
    singles = [
        _match_header(cells, None, columns, number) if _has_text(cells) else None
        for number, cells in rows
    ]
    best: Header | None = None
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
    return any(cell_text(cells, index) for index in range(len(cells)))


def is_column_numbers(cells: list[CellValue]) -> bool:
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
