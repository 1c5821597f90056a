"""One policy file as the loader reads it: its TOML, and typed access to its tables with
errors that point at the line (policy/loader.py builds the Policy from these)."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from typing import Any, cast

from nonasn_desktop.errors import PolicyFileError
from nonasn_desktop.policy.model import Choice

SUPPORTED_SCHEMA = 1
_TOML_LINE = re.compile(r"at line (\d+)")


class _Source:
    """One TOML file: its parsed content plus enough of its text to point at a line."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.lines = text.splitlines()
        try:
            self.data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            match = _TOML_LINE.search(str(exc))
            line = int(match.group(1)) if match else None
            raise PolicyFileError(name, line, f"bukan TOML yang sah ({exc})") from None
        schema = self.data.get("schema")
        if schema != SUPPORTED_SCHEMA:
            self.fail(
                f"versi skema {schema!r} tidak didukung (yang didukung: {SUPPORTED_SCHEMA})",
                key="schema",
            )

    def line_of(
        self, header: str | None = None, key: str | None = None, nth: int = 0
    ) -> int | None:
        """Best-effort line number: the nth ``header`` line, then ``key =`` below it."""
        start = 0
        if header is not None:
            seen = -1
            for index, line in enumerate(self.lines):
                if line.strip() == header:
                    seen += 1
                    if seen == nth:
                        start = index
                        break
            else:
                return None
        if key is None:
            return start + 1
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for index in range(start, len(self.lines)):
            if pattern.match(self.lines[index]):
                return index + 1
        return start + 1 if header is not None else None

    def fail(
        self, problem: str, header: str | None = None, key: str | None = None, nth: int = 0
    ) -> None:
        raise PolicyFileError(self.name, self.line_of(header, key, nth), problem)


class _Table:
    """Typed access to one TOML table, with errors that point into the file."""

    def __init__(
        self, source: _Source, data: Mapping[str, Any], header: str | None, nth: int = 0
    ) -> None:
        self.source = source
        self.data = data
        self.header = header
        self.nth = nth

    def fail(self, problem: str, key: str | None = None) -> None:
        where = f"{self.header} " if self.header else ""
        self.source.fail(f"{where}{problem}".strip(), self.header, key, self.nth)

    # ``default=...`` (Ellipsis) means "required": None is a legitimate default here.
    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
        if key not in self.data:
            if default is ...:
                self.fail(f"kunci '{key}' wajib ada", None)
            return default
        value = self.data[key]
        # bool is an int in Python; a policy number written as true is a mistake.
        if isinstance(value, bool) and kind is not bool and bool not in _as_tuple(kind):
            self.fail(f"'{key}' harus {_kind_name(kind)}, bukan {value!r}", key)
        if not isinstance(value, kind):
            self.fail(f"'{key}' harus {_kind_name(kind)}, bukan {value!r}", key)
        return value

    def text(self, key: str, default: str | None = None) -> str:
        value = self.get(key, str, ... if default is None else default)
        if not value.strip():
            self.fail(f"'{key}' tidak boleh kosong", key)
        return cast(str, value)

    def integer(self, key: str, default: int | None = None, minimum: int | None = None) -> int:
        value = cast(int, self.get(key, int, ... if default is None else default))
        if minimum is not None and value < minimum:
            self.fail(f"'{key}' paling kecil {minimum}, bukan {value}", key)
        return value

    def number(self, key: str, low: float, high: float) -> float:
        value = float(self.get(key, (int, float)))
        if not low <= value <= high:
            self.fail(f"'{key}' harus antara {low} dan {high}, bukan {value}", key)
        return value

    def flag(self, key: str, default: bool = False) -> bool:
        return cast(bool, self.get(key, bool, default))

    def strings(self, key: str, default: tuple[str, ...] | None = None) -> tuple[str, ...]:
        value = self.get(key, list, ... if default is None else list(default))
        if not all(isinstance(item, str) and item for item in value):
            self.fail(f"'{key}' harus daftar teks", key)
        return tuple(value)

    def table(self, key: str, header: str) -> _Table:
        value = self.get(key, dict)
        return _Table(self.source, value, header)

    def choices(self, key: str) -> tuple[Choice, ...]:
        value = self.get(key, list)
        result = []
        for item in value:
            if not isinstance(item, dict) or set(item) != {"key", "label"}:
                self.fail(f"setiap isian '{key}' harus berupa {{ key = ..., label = ... }}", key)
            result.append(Choice(str(item["key"]), str(item["label"])))
        _check_unique([c.key for c in result], lambda dup: self.fail(f"'{dup}' ganda", key))
        return tuple(result)


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {
        str: "teks",
        int: "bilangan bulat",
        float: "bilangan",
        bool: "true/false",
        list: "daftar",
        dict: "tabel",
        dt.date: "tanggal (yyyy-mm-dd)",
    }
    return " atau ".join(names.get(k, k.__name__) for k in _as_tuple(kind))


def _check_unique(keys: list[str], on_duplicate: Any) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            on_duplicate(key)
        seen.add(key)
