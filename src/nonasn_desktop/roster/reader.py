"""Reading the rows of a roster file: every sheet, every row converted and checked.

Nothing is written here: ``read_roster_file`` returns a :class:`Reading` (the valid rows, the
refused rows with every problem, notes) that ``importing`` then writes in one transaction.

Speed: rows are converted in blocks, column by column, each distinct value of a column once;
rows that pass every check take no per-cell Python work.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from nonasn_desktop.core.context import AppContext
from nonasn_desktop.core.progress import Cancelled, OperationCancelledError, Progress, ProgressStep
from nonasn_desktop.errors import FieldError
from nonasn_desktop.roster.columns import PLACE_DATE_KEY, RosterColumns, roster_columns
from nonasn_desktop.roster.converters import Converters
from nonasn_desktop.roster.header import Binding, Header, find_header, is_column_numbers
from nonasn_desktop.roster.report import RowProblem, SheetInfo
from nonasn_desktop.roster.values import FIELD_COUNT, MISSING, SLOT, NikParts, Values, shown
from nonasn_desktop.rules.formatting import format_date
from nonasn_desktop.rules.identity import NikInfo, nik_disagreements, parse_nik
from nonasn_desktop.sheets.reading import CellValue, Sheet, SpreadsheetError, open_spreadsheet

# The phases of an import as the clerk sees them (ProgressStep.phase).
PHASE_READING = "Membaca dan memeriksa"
PHASE_SAVING = "Menyimpan ke daftar"

# Rows converted together, column by column; also how often progress and cancel are checked.
CHUNK = 2048
# How many rows a note lists before it says "and N more".
NOTE_LIST_LIMIT = 20
_CACHE_LIMIT = 50_000
_UNCACHED_SHARE = 0.8


class ImportCancelledError(OperationCancelledError):
    """The user cancelled; nothing was written."""

    def __init__(self) -> None:
        super().__init__("Impor dibatalkan. Daftar Admin Instansi tidak berubah.")


@dataclass(frozen=True, slots=True)
class Step:
    index: int  # 0-based column in the sheet
    slot: int  # index in ROSTER_FIELDS; -1 for the combined place/date column
    convert: Callable[[CellValue], Any]  # value, FieldError, or None for a blank cell
    cache: dict[Any, Any] | None
    binding: Binding


_PLACE = SLOT["tempat_lahir"]
_BORN = SLOT["tanggal_lahir"]
_SEX = SLOT["jenis_kelamin"]
_TMT = SLOT["tmt"]
_END = SLOT["tanggal_selesai"]


@dataclass(slots=True)
class Row:
    sheet: str
    row: int
    values: tuple[Any, ...]  # in ROSTER_FIELDS order
    nik_raw: CellValue = None
    nama_raw: CellValue = None
    # A shared empty tuple for the many rows without problems (a list each would cost
    # 56 bytes per row); a refused row has its own list.
    problems: Sequence[RowProblem] = ()


@dataclass
class Reading:
    """Everything gathered from the file before anything is written."""

    valid: list[Row] = dataclasses.field(default_factory=list)
    refused: list[Row] = dataclasses.field(default_factory=list)
    sheets: list[SheetInfo] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)
    skipped: int = 0
    # NIK (16 digits, or the digits as written) -> the first row carrying it
    first_by_nik: dict[str, Row] = dataclasses.field(default_factory=dict)
    # NIK -> every row carrying it, for NIKs on more than one row
    repeated: dict[str, list[Row]] = dataclasses.field(default_factory=dict)
    bound_keys: set[str] = dataclasses.field(default_factory=set)


class SheetReader:
    def __init__(
        self,
        values: Values,
        columns: RosterColumns,
        reading: Reading,
        cancelled: Cancelled | None,
    ) -> None:
        self.v = values
        self.columns = columns
        self.reading = reading
        self.cancelled = cancelled
        self.required = [spec.key for spec in columns.columns if spec.required]
        self.required_slots = frozenset(SLOT[key] for key in self.required)
        self.converters = Converters(values, columns)
        self.section_rows: list[str] = []
        # Columns whose values hardly repeat: converted without the cache.
        self._uncached: set[str] = set()
        self.footer_words = re.compile(
            r"\b(?:" + "|".join(re.escape(w) for w in columns.footer_words) + r")\b"
        )

    def read(self, sheet: Sheet, progress: Callable[[int], None]) -> bool:
        """Read one sheet; False when it has no roster header."""
        rows = sheet.rows()
        head: list[tuple[int, list[CellValue]]] = []
        for number, cells in rows:
            head.append((number, cells))
            if number >= self.columns.header_scan_rows:
                break
        header = find_header(head, self.columns)
        if header is None:
            return False
        self.reading.sheets.append(
            SheetInfo(
                name=sheet.name,
                header_row=header.row,
                columns={b.key: f"{b.header} ({b.letter})" for b in header.bindings},
                not_imported=header.not_imported,
            )
        )
        self.reading.bound_keys |= header.keys - {PLACE_DATE_KEY}
        pending = [item for item in head if item[0] > header.last_row]
        plan = self._plan(header)
        remaining = self._past_column_numbers(sheet.name, itertools.chain(pending, rows))
        while chunk := list(itertools.islice(remaining, CHUNK)):
            if self.cancelled is not None and self.cancelled():
                raise ImportCancelledError
            self._chunk(sheet.name, chunk, plan)
            progress(chunk[-1][0])
        progress(sheet.last_row)
        self._note_merges(sheet, header)
        return True

    def _past_column_numbers(
        self, sheet: str, remaining: Iterator[tuple[int, list[CellValue]]]
    ) -> Iterator[tuple[int, list[CellValue]]]:
        """The rows below the header, without a row of column numbers (1, 2, 3, ...) that
        may follow it."""
        for number, cells in remaining:
            if not any(c not in ("", None) for c in cells):
                continue
            if is_column_numbers(cells):
                self.reading.notes.append(
                    f"Lembar '{sheet}' baris {number}: nomor kolom di bawah judul, dilewati."
                )
                return remaining
            return itertools.chain([(number, cells)], remaining)
        return remaining

    def _note_merges(self, sheet: Sheet, header: Header) -> None:
        for index, filled in sorted(sheet.filled_from_merges.items()):
            binding = next((b for b in header.bindings if b.index == index), None)
            count = sum(1 for number in filled if number > header.last_row)
            if binding is not None and count:
                self.reading.notes.append(
                    f"Lembar '{sheet.name}': kolom {binding.header} ({binding.letter}) berisi sel "
                    f"gabungan (merge); nilainya berlaku untuk {count} baris di bawahnya."
                )

    def _plan(self, header: Header) -> list[Step]:
        """For each recognised column: where it is, where its value goes, how it is read."""
        plan: list[Step] = []
        for binding in header.bindings:
            key = binding.key
            if key == "nik":
                plan.append(Step(binding.index, 0, self.converters.nik(), None, binding))
                continue
            entry = self.converters.for_key(key)
            slot = -1 if key == PLACE_DATE_KEY else SLOT[key]
            plan.append(Step(binding.index, slot, entry[0], entry[1], binding))
        # The combined place/date cell only fills what the separate columns left empty.
        plan.sort(key=lambda step: step.slot == -1)
        return plan

    def _chunk(
        self, sheet: str, chunk: list[tuple[int, list[CellValue]]], plan: list[Step]
    ) -> None:
        """Convert a block of rows column by column, then check each row.

        Column-wise, the common case (a value seen before in that column) is a dictionary
        lookup in a list comprehension; the per-row work is left to what needs the row.
        """
        count = len(chunk)
        columns: list[list[Any] | None] = [None] * FIELD_COUNT
        place_dates: list[Any] | None = None
        errors: dict[int, list[tuple[Step, FieldError]]] = {}
        lines = [cells for _, cells in chunk]
        width = max(step.index for step in plan) + 1
        if any(len(cells) < width for cells in lines):
            lines = [cells + [None] * (width - len(cells)) for cells in lines]
        by_column = list(zip(*lines, strict=False))
        for step in plan:
            converted = self._convert(step, by_column[step.index])
            if FieldError in set(map(type, converted)):
                for k in [k for k, v in enumerate(converted) if type(v) is FieldError]:
                    errors.setdefault(k, []).append((step, cast(FieldError, converted[k])))
                    converted[k] = None
            if step.slot >= 0:
                columns[step.slot] = converted
            else:
                place_dates = converted
        empty: list[Any] = [None] * count
        cols = [column if column is not None else empty for column in columns]
        if place_dates is not None:
            # The combined place/date cell fills only what the separate columns left empty.
            for slot, part in ((_PLACE, 0), (_BORN, 1)):
                target = cols[slot] = list(cols[slot])
                for k, pair in enumerate(place_dates):
                    if pair is not None and target[k] is None:
                        target[k] = pair[part]
        flagged = self._flagged(cols, empty, errors)
        infos = cols[0]
        cols[0] = [info[0] if info is not None else None for info in infos]
        rows = list(zip(*cols, strict=True))
        for k in sorted(flagged):
            number, cells = chunk[k]
            self._row(sheet, number, cells, list(rows[k]), infos[k], errors.get(k), plan)
        good = [k for k in range(count) if k not in flagged] if flagged else range(count)
        self._keep(sheet, [chunk[k][0] for k in good], [rows[k] for k in good])

    def _convert(self, step: Step, raw: tuple[CellValue, ...]) -> list[Any]:
        """One column of a block converted: values, FieldErrors, None for blank cells."""
        convert, cache = step.convert, step.cache
        count = len(raw)
        if cache is None or step.binding.key in self._uncached:
            return [None if v is None or v == "" else convert(v) for v in raw]
        converted = list(map(cache.get, raw, itertools.repeat(MISSING, count)))
        if bool in set(map(type, raw)):
            # A bool hashes like 1 or 0: never answer it from the cache.
            for k in [k for k, v in enumerate(raw) if v is True or v is False]:
                converted[k] = convert(raw[k])
        if object in set(map(type, converted)):
            new = 0
            for k in [k for k, v in enumerate(converted) if v is MISSING]:
                value = raw[k]
                result = cache.get(value, MISSING)
                if result is MISSING:
                    new += 1
                    result = convert(value)
                    if len(cache) < _CACHE_LIMIT:
                        cache[value] = result
                converted[k] = result
            if new > count * _UNCACHED_SHARE and count >= CHUNK // 2:
                # Nearly every value new (names, numbers): the cache only costs.
                self._uncached.add(step.binding.key)
        return converted

    def _flagged(
        self,
        cols: list[list[Any]],
        empty: list[Any],
        errors: dict[int, list[tuple[Step, FieldError]]],
    ) -> set[int]:
        """Rows that need a closer look: a refused cell, a required cell missing (this includes
        blank rows and rows without NIK), NIK against birth date and sex, TMT against end."""
        flagged = set(errors)
        for slot in self.required_slots:
            flagged.update(k for k, value in enumerate(cols[slot]) if value is None)
        infos, borns, sexes = cols[0], cols[_BORN], cols[_SEX]
        if borns is not empty or sexes is not empty:
            flagged.update(
                k
                for k, (info, born, sex) in enumerate(zip(infos, borns, sexes, strict=True))
                if info is not None
                and (
                    (sex is not None and sex != info[2])
                    or (
                        born is not None
                        and (
                            born.day != info[1].day
                            or born.month != info[1].month
                            or born.year % 100 != info[1].year % 100
                        )
                    )
                )
            )
        starts, ends = cols[_TMT], cols[_END]
        if ends is not empty and starts is not empty:
            flagged.update(
                k
                for k, (begin, end) in enumerate(zip(starts, ends, strict=True))
                if begin is not None and end is not None and end < begin
            )
        return flagged

    def _keep(self, sheet: str, numbers: list[int], rows: list[tuple[Any, ...]]) -> None:
        """Rows that passed every check: valid, and indexed by NIK to find duplicates."""
        reading = self.reading
        first_by_nik = reading.first_by_nik
        made = list(map(Row, itertools.repeat(sheet), numbers, rows))
        reading.valid.extend(made)
        niks = [row.values[0] for row in made]
        if len(set(niks)) == len(niks) and first_by_nik.keys().isdisjoint(niks):
            first_by_nik.update(zip(niks, made, strict=True))
            return
        for nik, row in zip(niks, made, strict=True):
            first = first_by_nik.get(nik)
            if first is None:
                first_by_nik[nik] = row
            else:
                reading.repeated.setdefault(nik, [first]).append(row)

    def _row(
        self,
        sheet: str,
        number: int,
        cells: list[CellValue],
        values: list[Any],
        parts: NikParts | None,
        errors: list[tuple[Step, FieldError]] | None,
        plan: list[Step],
    ) -> None:
        """One row that needs a closer look (see _chunk): skip it, refuse it, or keep it."""
        info = parse_nik(parts[0], today=self.v.today) if parts is not None else None
        if errors is None and values.count(None) == FIELD_COUNT:
            self.reading.skipped += 1
            return
        if info is None:
            nik_index = plan[self.nik_position(plan)].index
            nik_cell = cells[nik_index] if nik_index < len(cells) else None
            if (nik_cell is None or nik_cell == "") and self._not_a_person(number, cells, plan):
                self.reading.skipped += 1
                return
        problems = self._problems(number, values, info, errors, plan)
        nik_key = info.nik if info is not None else ""
        if problems:
            nik_raw = self._raw(cells, plan, 0)
            row = Row(sheet, number, tuple(values), nik_raw, self._raw(cells, plan, 1), problems)
            self.reading.refused.append(row)
            if info is None:
                nik_key = _digits(nik_raw)
        else:
            row = Row(sheet, number, tuple(values), None, None, problems)
            self.reading.valid.append(row)
        if len(nik_key) == 16:
            first = self.reading.first_by_nik.get(nik_key)
            if first is None:
                self.reading.first_by_nik[nik_key] = row
            else:
                self.reading.repeated.setdefault(nik_key, [first]).append(row)

    @staticmethod
    def _raw(cells: list[CellValue], plan: list[Step], slot: int) -> CellValue:
        for step in plan:
            if step.slot == slot:
                return cells[step.index] if step.index < len(cells) else None
        return None

    def _problems(
        self,
        number: int,
        values: list[Any],
        info: NikInfo | None,
        errors: list[tuple[Step, FieldError]] | None,
        plan: list[Step],
    ) -> list[RowProblem]:
        """Every problem of one row: its cells, missing required cells, cross-checks."""
        problems = [
            RowProblem(step.binding.header, f"{step.binding.letter}{number}", str(error))
            for step, error in errors or ()
        ]
        failed = {step.slot for step, _ in errors or ()}
        for step in plan:
            if (
                step.slot in self.required_slots
                and values[step.slot] is None
                and step.slot not in failed
            ):
                problems.append(
                    RowProblem(
                        step.binding.header,
                        f"{step.binding.letter}{number}",
                        f"{self.v.label(step.binding.key)} wajib diisi.",
                    )
                )
        if info is not None and (values[_BORN] is not None or values[_SEX] is not None):
            disagreements = nik_disagreements(info, values[_BORN], values[_SEX])
            if disagreements:
                nik_step = plan[self.nik_position(plan)]
                for message in disagreements:
                    problems.append(
                        RowProblem(
                            nik_step.binding.header,
                            f"{nik_step.binding.letter}{number}",
                            f"{message} Periksa NIK, tanggal lahir dan jenis kelamin dengan KTP.",
                        )
                    )
        start, end = values[_TMT], values[_END]
        if start is not None and end is not None and end < start:
            problems.append(
                RowProblem(
                    "",
                    "",
                    f"Tanggal selesai ({format_date(end)}) tidak boleh sebelum TMT "
                    f"({format_date(start)}).",
                )
            )
        return problems

    @staticmethod
    def nik_position(plan: list[Step]) -> int:
        return next(position for position, step in enumerate(plan) if step.slot == 0)

    def _not_a_person(self, number: int, cells: list[CellValue], plan: list[Step]) -> bool:
        """A row without NIK that is a footer, a section heading or a remark."""
        texts = [
            shown(cells[step.binding.index])
            for step in plan
            if step.binding.index < len(cells) and cells[step.binding.index] not in ("", None)
        ]
        texts = [text for text in texts if text.strip()]
        joined = " ".join(texts)
        # A person whose NIK was forgotten fills many cells: refused, not skipped.
        if len(texts) <= 2 and self.footer_words.search(joined.casefold()):
            return True
        if len(texts) == 1:
            # A lone text without NIK: a section heading ("A. SEKRETARIAT") or a remark.
            self.section_rows.append(f"{number} ('{joined[:40]}')")
            return True
        return False


def _digits(raw: CellValue) -> str:
    if raw is None:
        return ""
    return re.sub(r"\D", "", shown(raw))


def read_roster_file(
    ctx: AppContext,
    path: Path,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> tuple[Reading, str]:
    """Read and check every row of the file (nothing is written). Internal to the import."""
    columns = roster_columns()
    values = Values(ctx.policy, columns, ctx.now().date())
    reading = Reading()
    with open_spreadsheet(path, ctx.policy.roster_file) as workbook:
        kind = workbook.kind
        reader = SheetReader(values, columns, reading, cancelled)
        done_before = 0
        total = 0
        passed_over: list[str] = []
        for sheet in workbook.sheets():
            total += sheet.last_row

            def report(row: int, base: int = done_before, known: int = total) -> None:
                if progress is not None:
                    progress(ProgressStep(PHASE_READING, base + row, max(known, base + row)))

            if not reader.read(sheet, report) and sheet.last_row:
                passed_over.append(sheet.name)
            done_before += sheet.last_row
        if workbook.hidden_sheets:
            reading.notes.append(
                "Lembar tersembunyi tidak dibaca: "
                + ", ".join(f"'{name}'" for name in workbook.hidden_sheets)
                + "."
            )
        if reader.section_rows:
            listed = ", ".join(reader.section_rows[:NOTE_LIST_LIMIT])
            more = len(reader.section_rows) - NOTE_LIST_LIMIT
            reading.notes.append(
                "Baris tanpa NIK yang hanya berisi satu isian (judul bagian atau keterangan) "
                f"dilewati: baris {listed}" + (f" dan {more} lainnya." if more > 0 else ".")
            )
    if not reading.sheets:
        expected = ", ".join(f"'{spec.names[0]}'" for spec in columns.columns if spec.required)
        raise SpreadsheetError(
            f"Baris judul kolom tidak ditemukan di {columns.header_scan_rows} baris pertama "
            f"lembar mana pun pada berkas {path.name}.",
            hint=f"Paling sedikit kolom {expected} harus ada dengan judulnya, mis. 'NIK' dan "
            "'Nama Lengkap'. Gunakan templat dari menu Daftar Admin Instansi bila ragu.",
        )
    if passed_over:
        reading.notes.append(
            "Lembar tanpa judul kolom daftar dilewati: "
            + ", ".join(f"'{name}'" for name in passed_over)
            + "."
        )
    return reading, kind
