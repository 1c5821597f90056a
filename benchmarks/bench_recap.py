"""Recap export of 100,000 registrations: at most 1.5x openpyxl's write-only mode writing the
same cells.

The data: 60 registrations made by ``demo.generate.generate`` (finished, approved, with an
account), cloned with SQL in the benchmark's own temporary data folder to 100,000, each clone
with its own NIK and account number and its source's work history.

Timing: ``reports.recap.write_recap`` (read the database in pages, write both sheets, save
atomically) against the baseline: openpyxl in write-only mode writing exactly the cells the
recap wrote (captured once, values and number formats, the same styled header row, column
widths, frozen panes and filter; formatted cells reused per column the way the recap does),
then saving. Both are run in this process, interleaved, best of three, both with the
garbage collector paused (the export pauses it; the captured cells are frozen out of its
way).
"""

from __future__ import annotations

import gc
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import Result, signed_in_admin, within

TOTAL = 100_000
RATIO_LIMIT = 1.5
REPEAT = 3
DEMO = (("pendaftaran_selesai", 30), ("disetujui", 20), ("akun_dibuat", 10))

_CLONE = """
WITH RECURSIVE
  seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n + 1 < :count),
  src AS (SELECT *, row_number() OVER (ORDER BY id) - 1 AS k FROM registration)
INSERT INTO registration ({columns})
SELECT {values} FROM seq JOIN src s ON s.k = seq.n % :demo ORDER BY seq.n
"""
_OVERRIDES = {
    "nik": "substr(s.nik, 1, 10) || printf('%06d', seq.n)",
    "account_number": "'BENCH-' || printf('%07d', seq.n)",
    "roster_entry_id": "NULL",
}
_CLONE_HISTORY = """
WITH src AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM registration
             WHERE id <= :demo_max)
INSERT INTO work_history ({columns})
SELECT r.id, {values}
FROM registration r
JOIN src ON src.k = (r.id - :demo_max - 1) % :demo
JOIN work_history w ON w.registration_id = src.id
WHERE r.id > :demo_max
"""


def build_data_folder(folder: Path, total: int = TOTAL) -> None:
    from nonasn_desktop.demo import generate as demo
    from nonasn_desktop.office import identity as office
    from nonasn_desktop.rules.status import RecordStatus
    from nonasn_desktop.startup import open_app

    with open_app(folder, create=True) as ctx:
        office.initialise(ctx, office_code="3273", office_name="BKD Kota Bandung")
        for seed, (status, count) in enumerate(DEMO):
            demo.generate(ctx, count, RecordStatus(status), actor=signed_in_admin(ctx), seed=seed)
        database = ctx.data_dir.database_path
    connection = sqlite3.connect(database)
    try:
        with connection:
            demo_count = connection.execute("SELECT count(*) FROM registration").fetchone()[0]
            demo_max = connection.execute("SELECT max(id) FROM registration").fetchone()[0]
            columns = [row[1] for row in connection.execute("PRAGMA table_info(registration)")]
            columns.remove("id")
            values = [_OVERRIDES.get(name, f"s.{name}") for name in columns]
            connection.execute(
                _CLONE.format(columns=", ".join(columns), values=", ".join(values)),
                {"count": total - demo_count, "demo": demo_count},
            )
            history = [
                row[1]
                for row in connection.execute("PRAGMA table_info(work_history)")
                if row[1] not in ("id", "registration_id")
            ]
            connection.execute(
                _CLONE_HISTORY.format(
                    columns=", ".join(["registration_id", *history]),
                    values=", ".join(f"w.{name}" for name in history),
                ),
                {"demo_max": demo_max, "demo": demo_count},
            )
    finally:
        connection.close()


def capture_cells(ctx: Any, path: Path) -> dict[str, list[list[Any]]]:
    """Every row the recap appends, per sheet: plain values, or (value, number format)."""
    from openpyxl.cell import Cell
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    from nonasn_desktop.reports.recap import write_recap

    captured: dict[str, list[list[Any]]] = {}
    original = WriteOnlyWorksheet.append

    def append(sheet: Any, row: Any) -> None:
        captured.setdefault(sheet.title, []).append(
            [(cell.value, cell.number_format) if isinstance(cell, Cell) else cell for cell in row]
        )
        original(sheet, row)

    actor = signed_in_admin(ctx)
    WriteOnlyWorksheet.append = append  # type: ignore[method-assign]
    try:
        write_recap(ctx, path, actor=actor)
    finally:
        WriteOnlyWorksheet.append = original  # type: ignore[method-assign]
    return captured


def write_baseline(captured: dict[str, list[list[Any]]], path: Path) -> None:
    """openpyxl write-only mode writing the same cells, as plainly as it allows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="1F4E79")
    for title, rows in captured.items():
        sheet = book.create_sheet(title)
        width = max(len(row) for row in rows)
        for column in range(1, width + 1):
            sheet.column_dimensions[get_column_letter(column)].width = 14
        sheet.freeze_panes = "D2"
        styled: dict[tuple[int, str], WriteOnlyCell] = {}
        for number, row in enumerate(rows):
            cells: list[Any] = []
            for position, value in enumerate(row):
                if isinstance(value, tuple):
                    value, number_format = value
                    if number == 0 or number_format == "General":
                        cell = WriteOnlyCell(sheet, value=value)
                        cell.font, cell.fill = bold, fill
                        cells.append(cell)
                        continue
                    cell = styled.get((position, number_format))
                    if cell is None:
                        cell = styled[(position, number_format)] = WriteOnlyCell(sheet)
                        cell.number_format = number_format
                    cell.value = value
                    cells.append(cell)
                else:
                    cells.append(value)
            sheet.append(cells)
        sheet.auto_filter.ref = f"A1:{get_column_letter(width)}{len(rows)}"
    book.save(path)


def run() -> list[Result]:
    from nonasn_desktop.reports.recap import write_recap
    from nonasn_desktop.sheets.spreadsheet import gc_paused
    from nonasn_desktop.startup import open_app

    with tempfile.TemporaryDirectory(prefix="bench-recap-") as temp:
        folder = Path(temp)
        build_data_folder(folder / "data")
        with open_app(folder / "data") as ctx:
            actor = signed_in_admin(ctx)
            captured = capture_cells(ctx, folder / "capture.xlsx")
            # The captured cells are this harness's, not the export's: keep the collector
            # from walking them during both timings.
            gc.collect()
            gc.freeze()
            rows = len(captured["Data"]) - 1
            if rows != TOTAL:
                raise RuntimeError(f"the recap wrote {rows} rows, expected {TOTAL}")
            recap: list[float] = []
            baseline: list[float] = []
            for attempt in range(REPEAT):
                started = time.perf_counter()
                # Under the same conditions as the export, which pauses the collector.
                with gc_paused():
                    write_baseline(captured, folder / f"baseline-{attempt}.xlsx")
                baseline.append(time.perf_counter() - started)
                started = time.perf_counter()
                write_recap(ctx, folder / f"rekap-{attempt}.xlsx", actor=actor)
                recap.append(time.perf_counter() - started)
    gc.unfreeze()
    plain = min(baseline)
    return [
        within(
            f"rekap Excel {TOTAL:,} data (openpyxl write-only {plain:.2f} s)".replace(",", "."),
            min(recap),
            RATIO_LIMIT * plain,
            f"<= {RATIO_LIMIT:g}x openpyxl write-only",
        )
    ]


if __name__ == "__main__":
    for result in run():
        print(result)
