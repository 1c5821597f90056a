"""Roster import of 100,000 rows: at most 3x the time python-calamine alone needs to read the
same file (same run), peak memory under 400 MB.

The file: a roster as an agency sends it (two title rows, then the header, then 100,000 rows of
20 columns), written once per run with openpyxl's write-only mode. Every row is valid: NIKs
from the region table agreeing with the birth date and sex, names mixed from the demo name
lists, dates as real date cells, a work unit from 60.

Timing: calamine alone (open, load the sheet, walk every row) and the whole import
(``roster.importing.import_roster`` into a fresh data folder: read, check every row,
insert in one transaction, commit) are each run in a fresh subprocess, interleaved, best of
three (the CPU-time ratio is reported too: on a shared machine it moves less than wall
time). The import's peak memory is the subprocess's own ``resource.getrusage(RUSAGE_SELF)``
maximum resident set size at its end (the whole process: interpreter, libraries, calamine's
copy of the sheet, the rows and SQLite), reported by the subprocess.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.harness import Result, reported, within

ROWS = 100_000
RATIO_LIMIT = 3.0
MEMORY_LIMIT_MB = 400.0
REPEAT = 3

_CHILD = r"""
import json, resource, sys, time
from pathlib import Path
mode, path, folder = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
if mode == "calamine":
    import python_calamine
    started, cpu = time.perf_counter(), time.process_time()
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    rows = 0
    for _ in book.get_sheet_by_index(0).iter_rows():
        rows += 1
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    extra = {"rows": rows}
else:
    from nonasn_desktop.startup import open_app
    from nonasn_desktop.roster.importing import import_roster
    from benchmarks.harness import signed_in_admin
    with open_app(folder, create=True) as ctx:
        actor = signed_in_admin(ctx)
        started, cpu = time.perf_counter(), time.process_time()
        report = import_roster(ctx, path, actor=actor)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    extra = {"added": report.added, "refused": report.refused_count}
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak / 1024, **extra}))
"""


def build_roster(path: Path, rows: int = ROWS, seed: int = 2022) -> Path:
    """A valid 100,000-row roster with two title rows above the header."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    from nonasn_desktop.demo.people import FAMILY_NAMES, FEMALE_NAMES, MALE_NAMES
    from nonasn_desktop.rules.regions import region_table

    rng = random.Random(seed)
    table = region_table()
    regencies = [code for code in table.regencies if code[:2] in ("32", "33", "35", "36")]
    units = [f"{kind} {n}" for kind in ("SD Negeri", "Puskesmas", "Kecamatan") for n in range(20)]
    jobs = ("Guru Kelas", "Tenaga Administrasi", "Perawat", "Pengemudi", "Operator Komputer")
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Daftar")
    sheet.append(["DAFTAR TENAGA NON ASN"])
    sheet.append(["Keadaan 31 Oktober 2022"])
    sheet.append(
        ["NIK", "Nama Lengkap", "Nomor THK-II", "Tempat Lahir", "Tanggal Lahir", "Jenis Kelamin",
         "Pendidikan", "Nama Sekolah", "Jurusan", "Nomor Ijazah", "Tanggal Ijazah", "Nomor SK",
         "Tanggal SK", "TMT", "Tanggal Selesai", "Jabatan", "Unit Kerja",
         "Jabatan Penandatangan SK", "Sumber Gaji", "Gaji per Bulan"]
    )  # fmt: skip
    date_cells = [WriteOnlyCell(sheet) for _ in range(4)]
    for cell in date_cells:
        cell.number_format = "dd-mm-yyyy"
    first_day = dt.date(1966, 1, 1)
    for index in range(rows):
        sex = "P" if rng.random() < 0.5 else "L"
        born = first_day + dt.timedelta(days=rng.randrange(35 * 365))
        day = born.day + (40 if sex == "P" else 0)
        nik = (
            f"{rng.choice(regencies)}{rng.randint(1, 40):02d}{day:02d}{born.month:02d}"
            f"{born.year % 100:02d}{index % 9999 + 1:04d}"
        )
        given = rng.choice(FEMALE_NAMES if sex == "P" else MALE_NAMES)
        name = given if rng.random() < 0.1 else f"{given} {rng.choice(FAMILY_NAMES)}"
        if rng.random() < 0.3:
            name = f"{given} {rng.choice(FAMILY_NAMES)} {rng.choice(FAMILY_NAMES)}"
        start = dt.date(2005, 1, 1) + dt.timedelta(days=rng.randrange(5000))
        values = [born, born.replace(year=born.year + 20, day=min(born.day, 28)), start, start]
        for cell, value in zip(date_cells, values, strict=True):
            cell.value = value
        sheet.append(
            [nik, name, None, "Bandung", date_cells[0], sex, "S-1", "Universitas Terbuka",
             "Administrasi Negara", f"UT/{index:06d}", date_cells[1], f"800/{index}/2015",
             date_cells[2], date_cells[3], None, rng.choice(jobs), rng.choice(units),
             "Kepala Dinas", "APBD", 1_500_000 + 50_000 * rng.randrange(20)]
        )  # fmt: skip
    book.save(path)
    return path


def _child(mode: str, path: Path, folder: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, mode, str(path), str(folder)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run() -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="bench-roster-") as temp:
        folder = Path(temp)
        path = build_roster(folder / "daftar.xlsx")
        calamine: list[dict[str, float]] = []
        imports: list[dict[str, float]] = []
        for attempt in range(REPEAT):
            calamine.append(_child("calamine", path, folder / "unused"))
            imports.append(_child("import", path, folder / f"data-{attempt}"))
    if any(run["added"] != ROWS or run["refused"] for run in imports):
        raise RuntimeError(f"the benchmark roster did not import cleanly: {imports}")
    read = min(run["seconds"] for run in calamine)
    imported = min(run["seconds"] for run in imports)
    peak = max(run["peak_mb"] for run in imports)
    cpu_ratio = min(run["cpu"] for run in imports) / min(run["cpu"] for run in calamine)
    return [
        within(
            f"impor daftar {ROWS:,} baris (calamine saja {read:.2f} s)".replace(",", "."),
            imported,
            RATIO_LIMIT * read,
            f"<= {RATIO_LIMIT:g}x calamine",
        ),
        reported(
            f"impor daftar {ROWS:,} baris: waktu CPU terhadap calamine".replace(",", "."),
            f"{cpu_ratio:.2f}x",
        ),
        within(
            f"impor daftar {ROWS:,} baris: memori puncak proses".replace(",", "."),
            peak,
            MEMORY_LIMIT_MB,
            f"< {MEMORY_LIMIT_MB:g} MB",
            unit="MB",
        ),
    ]


if __name__ == "__main__":
    for result in run():
        print(result)
