"""Recap export of 100,000 registrations: at most 1.2x a bare XlsxWriter constant-memory write
of the same cells.

The data: 60 registrations made by ``demo.generate.generate`` (finished, approved, with an
account), cloned with SQL in the benchmark's own temporary data folder to 100,000, each clone
with its own NIK and account number and its source's work history.

Timing: ``reports.recap.write_recap`` (read the database in pages, write both sheets through
the safe writer, save atomically with fsync) against the baseline: XlsxWriter in
constant-memory mode writing exactly the cells the recap wrote (captured once: values and
their cell formats, the same column widths and formats, frozen panes and filter) with its
plain ``write()``, straight to a file. Both are run in this process, interleaved, best of
three, both with the garbage collector paused (the export pauses it; the captured cells are
frozen out of its way).
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
RATIO_LIMIT = 1.2
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
    # Unique per record (migration 0006): a copied uid breaks the clone's INSERT.
    "uid": "printf('%08x-0000-4000-8000-000000000000', seq.n)",
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


# Per sheet: (row, first column, values, format properties per value) for each row written.
Captured = dict[str, list[tuple[int, int, Any, tuple[dict[str, Any] | None, ...]]]]


def capture_cells(ctx: Any, path: Path) -> tuple[Captured, dict[str, list[Any]]]:
    """Every row the recap writes, per sheet, and every column set up per sheet: (first,
    last, width, format properties)."""
    from nonasn_desktop.reports.recap import write_recap
    from nonasn_desktop.sheets.writing import SafeSheet

    cells: Captured = {}
    columns: dict[str, list[Any]] = {}
    properties: dict[int, tuple[dict[str, Any] | None, ...]] = {}
    write_row, set_column = SafeSheet.write_row, SafeSheet.set_column
    actor = signed_in_admin(ctx)

    def capture_row(
        sheet: SafeSheet, row: int, values: Any, styles: Any = (), *, first_col: int = 0
    ) -> None:
        # The recap passes one list of styles for every row: describe it once.
        described = properties.get(id(styles))
        if described is None:
            described = tuple(style and style.properties for style in styles)
            properties[id(styles)] = described
        cells.setdefault(sheet.name, []).append((row, first_col, tuple(values), described))
        write_row(sheet, row, values, styles, first_col=first_col)

    def capture_column(
        sheet: SafeSheet, first: int, last: int, width: float, style: Any = None
    ) -> None:
        columns.setdefault(sheet.name, []).append((first, last, width, style and style.properties))
        set_column(sheet, first, last, width, style)

    SafeSheet.write_row = capture_row  # type: ignore[method-assign,assignment]
    SafeSheet.set_column = capture_column  # type: ignore[method-assign,assignment]
    try:
        write_recap(ctx, path, actor=actor)
    finally:
        SafeSheet.write_row = write_row  # type: ignore[method-assign]
        SafeSheet.set_column = set_column  # type: ignore[method-assign]
    return cells, columns


def write_baseline(captured: Captured, columns: dict[str, list[Any]], path: Path) -> None:
    """XlsxWriter in constant-memory mode writing the same cells, as plainly as it allows."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    formats: dict[tuple[tuple[str, Any], ...], Any] = {}

    def fmt(properties: dict[str, Any] | None) -> Any:
        if properties is None:
            return None
        key = tuple(sorted(properties.items()))
        if key not in formats:
            formats[key] = book.add_format(properties)
        return formats[key]

    for title, cells in captured.items():
        sheet = book.add_worksheet(title)
        for first, last, width, properties in columns.get(title, ()):
            sheet.set_column(first, last, width, fmt(properties))
        sheet.freeze_panes(1, 3)
        write = sheet.write
        resolved: dict[int, list[Any]] = {}
        for row, first_col, values, described in cells:
            row_formats = resolved.get(id(described))
            if row_formats is None:
                row_formats = resolved[id(described)] = [fmt(p) for p in described]
            count = len(row_formats)
            for offset, value in enumerate(values):
                cell_format = row_formats[offset] if offset < count else None
                write(row, first_col + offset, value, cell_format)
        sheet.autofilter(0, 0, cells[-1][0], max(len(values) for _, _, values, _ in cells) - 1)
    book.close()


def run() -> list[Result]:
    from nonasn_desktop.core.bulk import gc_paused
    from nonasn_desktop.reports.recap import write_recap
    from nonasn_desktop.startup import open_app

    with tempfile.TemporaryDirectory(prefix="bench-recap-") as temp:
        folder = Path(temp)
        build_data_folder(folder / "data")
        with open_app(folder / "data") as ctx:
            actor = signed_in_admin(ctx)
            captured, columns = capture_cells(ctx, folder / "capture.xlsx")
            # The captured cells are this harness's, not the export's: keep the collector
            # from walking them during both timings.
            gc.collect()
            gc.freeze()
            rows = captured["Data"][-1][0]
            if rows != TOTAL:
                raise RuntimeError(f"the recap wrote {rows} rows, expected {TOTAL}")
            recap: list[float] = []
            baseline: list[float] = []
            for attempt in range(REPEAT):
                started = time.perf_counter()
                # Under the same conditions as the export, which pauses the collector.
                with gc_paused():
                    write_baseline(captured, columns, folder / f"baseline-{attempt}.xlsx")
                baseline.append(time.perf_counter() - started)
                started = time.perf_counter()
                write_recap(ctx, folder / f"rekap-{attempt}.xlsx", actor=actor)
                recap.append(time.perf_counter() - started)
    gc.unfreeze()
    plain = min(baseline)
    return [
        within(
            f"rekap Excel {TOTAL:,} data (XlsxWriter {plain:.2f} s)".replace(",", "."),
            min(recap),
            RATIO_LIMIT * plain,
            f"<= {RATIO_LIMIT:g}x XlsxWriter constant_memory",
        )
    ]


if __name__ == "__main__":
    for result in run():
        print(result)
