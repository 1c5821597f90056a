"""Roster import of 100,000 rows: at most 3x the time python-calamine alone needs to read the
same file (same run), peak memory under 400 MB; and the peak memory of importing the largest
roster the bounds of forms/roster_file.toml admit, and of refusing the largest hostile file,
each under 400 MB (issue 12).

The file: a roster as an agency sends it (two title rows, then the header, then 100,000 rows of
20 columns), written once per run with openpyxl's write-only mode. Every row is valid: NIKs
from the region table agreeing with the birth date and sex, names mixed from the demo name
lists, dates as real date cells, a work unit from 60.

Issue 11: each import is made twice, into an empty plain data folder and into an encrypted
copy of it (SQLCipher, made as ``nonasn init`` makes it, unlocked before the timing starts);
both meet the same targets, and the encrypted time is reported beside the plain one (at most
1.15x).

Timing: calamine alone (open, load the sheet, walk every row) and the whole import
(``roster.importing.import_roster`` into a fresh data folder: read, check every row,
insert in one transaction, commit) are each run in a fresh subprocess, interleaved, best of
three (the CPU-time ratio is reported too: on a shared machine it moves less than wall
time). The import's peak memory is the subprocess's own (``VmHWM`` on Linux, where
``resource.getrusage``'s ``ru_maxrss`` includes the parent's high-water mark inherited over
fork and exec; ``ru_maxrss`` elsewhere): the whole process's peak resident memory (interpreter,
libraries, calamine's copy of the sheet, the rows and SQLite), reported by the subprocess.

The largest accepted roster has as many rows of 20 columns as ``max_cells`` admits (rows are
counted in steps of ``ROW_STEP``). The largest hostile file is as large as ``max_bytes``
admits: an xlsx whose worksheet claims to unpack to just under ``max_unpacked_bytes`` but
really unpacks to 2 GB, padded with a stored member of random bytes; it must be refused (the
check unpacks it step by step and stops once it produces more than it claimed).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from benchmarks.harness import Result, beside, encrypted_copy, reported, signed_in_admin, within
from benchmarks.peak_memory import child_env

ROWS = 100_000
RATIO_LIMIT = 3.0
MEMORY_LIMIT_MB = 400.0
REPEAT = 3

_CHILD = r"""
import json, sys, time
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
elif mode == "import":
    from nonasn_desktop.roster.importing import import_roster
    from benchmarks.harness import open_folder, signed_in_admin
    # Unlocked first when the folder is encrypted, as signing in does (not timed).
    with open_folder(folder, create=True) as ctx:
        actor = signed_in_admin(ctx)
        started, cpu = time.perf_counter(), time.process_time()
        report = import_roster(ctx, path, actor=actor)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    extra = {"added": report.added, "refused": report.refused_count}
elif mode == "refuse":
    from nonasn_desktop.startup import open_app
    from nonasn_desktop.roster.importing import import_roster
    from nonasn_desktop.sheets.reading import SpreadsheetError
    from benchmarks.harness import signed_in_admin
    with open_app(folder, create=True) as ctx:
        actor = signed_in_admin(ctx)
        started, cpu = time.perf_counter(), time.process_time()
        try:
            import_roster(ctx, path, actor=actor)
            refused = ""
        except SpreadsheetError as exc:
            refused = str(exc)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    extra = {"refused_with": refused}
from benchmarks.peak_memory import peak_kib
print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak_kib() / 1024, **extra}))
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


def build_hostile(path: Path, max_bytes: int, max_unpacked: int) -> Path:
    """An xlsx of about ``max_bytes`` whose worksheet claims to unpack to what ``max_unpacked``
    leaves beside the padding, less 1 MB, but really unpacks to 2 GB."""
    sheet = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        with archive.open(sheet, "w", force_zip64=True) as member:
            member.write(b"<worksheet><sheetData>")
            blank = b" " * (1 << 20)
            for _ in range(2048):
                member.write(blank)
            member.write(b"</sheetData></worksheet>")
        padding = max(0, max_bytes - path.stat().st_size - (64 << 10))
        archive.writestr(zipfile.ZipInfo("xl/media/isi.bin"), os.urandom(padding))
    _declare_size(path, sheet, max_unpacked - padding - (1 << 20))
    return path


def _declare_size(path: Path, member: str, size: int) -> None:
    """Make the zip64 size fields of ``member`` (local header and central directory) claim
    ``size``: the lie the check must not believe."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    for signature, header in ((b"PK\x03\x04", 30), (b"PK\x01\x02", 46)):
        at = info.header_offset if signature == b"PK\x03\x04" else data.rfind(b"PK\x01\x02")
        while data[at + header : at + header + len(member)] != member.encode():
            at = data.rfind(signature, 0, at)
        name_length, extra_length = struct.unpack_from(
            "<HH", data, at + (26 if header == 30 else 28)
        )
        extra = at + header + name_length
        tag = data.find(b"\x01\x00", extra, extra + extra_length)
        struct.pack_into("<Q", data, tag + 4, size)
    path.write_bytes(bytes(data))


def _child(mode: str, path: Path, folder: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, mode, str(path), str(folder)],
        check=True,
        capture_output=True,
        text=True,
        env=child_env(),
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _import_figures(
    label: str, imports: list[dict[str, float]], calamine: list[dict[str, float]]
) -> list[Result]:
    read = min(run["seconds"] for run in calamine)
    cpu_ratio = min(run["cpu"] for run in imports) / min(run["cpu"] for run in calamine)
    return [
        within(
            f"{label} (calamine saja {read:.2f} s)",
            min(run["seconds"] for run in imports),
            RATIO_LIMIT * read,
            f"<= {RATIO_LIMIT:g}x calamine",
        ),
        reported(f"{label}: waktu CPU terhadap calamine", f"{cpu_ratio:.2f}x"),
        within(
            f"{label}: memori puncak proses",
            max(run["peak_mb"] for run in imports),
            MEMORY_LIMIT_MB,
            f"< {MEMORY_LIMIT_MB:g} MB",
            unit="MB",
        ),
    ]


def _bounds() -> tuple[int, int, int]:
    from nonasn_desktop.policy import default_policy
    from nonasn_desktop.sheets.guard_zip import ROW_STEP

    limits = default_policy().roster_file
    # 20 columns; rows counted in steps of ROW_STEP; three rows above the people.
    largest = (limits.max_cells // 20) // ROW_STEP * ROW_STEP - 3
    return largest, limits.max_file_bytes, limits.max_unpacked_bytes


def _empty_folders(root: Path) -> tuple[Path, Path]:
    """A new data folder with its admin, plain, and an encrypted copy of it (issue 11); each
    import starts from a copy of one of them."""
    from nonasn_desktop.startup import open_app

    plain = root / "kosong"
    with open_app(plain, create=True) as ctx:
        signed_in_admin(ctx)
    return plain, encrypted_copy(plain, root / "kosong-terenkripsi")


def _import(path: Path, empty: Path, folder: Path) -> dict[str, float]:
    shutil.copytree(empty, folder)
    try:
        return _child("import", path, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run() -> list[Result]:
    largest, max_bytes, max_unpacked = _bounds()
    with tempfile.TemporaryDirectory(prefix="bench-roster-") as temp:
        folder = Path(temp)
        path = build_roster(folder / "daftar.xlsx")
        empty, empty_encrypted = _empty_folders(folder)
        calamine: list[dict[str, float]] = []
        imports: list[dict[str, float]] = []
        encrypted: list[dict[str, float]] = []
        for attempt in range(REPEAT):
            # Interleaved: calamine, the plain and the encrypted folder meet the same load.
            calamine.append(_child("calamine", path, folder / "unused"))
            imports.append(_import(path, empty, folder / f"data-{attempt}"))
            encrypted.append(_import(path, empty_encrypted, folder / f"enc-{attempt}"))
        path.unlink()
        biggest = _child(
            "import", build_roster(folder / "terbesar.xlsx", largest), folder / "data-largest"
        )
        hostile = _child(
            "refuse", build_hostile(folder / "bom.xlsx", max_bytes, max_unpacked), folder / "h"
        )
    if any(run["added"] != ROWS or run["refused"] for run in imports + encrypted):
        raise RuntimeError(f"the benchmark roster did not import cleanly: {imports}")
    if biggest["added"] != largest or biggest["refused"]:
        raise RuntimeError(f"the largest admitted roster did not import cleanly: {biggest}")
    if not hostile["refused_with"]:
        raise RuntimeError("the hostile file was not refused")
    people = f"{largest:,}".replace(",", ".")
    rows = f"{ROWS:,}".replace(",", ".")
    return [
        *_import_figures(f"impor daftar {rows} baris", imports, calamine),
        *_import_figures(f"impor daftar {rows} baris, folder terenkripsi", encrypted, calamine),
        beside(
            f"impor daftar {rows} baris",
            min(run["seconds"] for run in imports),
            min(run["seconds"] for run in encrypted),
        ),
        within(
            f"impor daftar terbesar yang diterima ({people} baris): memori puncak",
            biggest["peak_mb"],
            MEMORY_LIMIT_MB,
            f"< {MEMORY_LIMIT_MB:g} MB",
            unit="MB",
        ),
        within(
            f"menolak berkas berbahaya terbesar ({max_bytes >> 20} MB, isi 2 GB): memori puncak",
            hostile["peak_mb"],
            MEMORY_LIMIT_MB,
            f"< {MEMORY_LIMIT_MB:g} MB",
            unit="MB",
        ),
        reported(
            "menolak berkas berbahaya terbesar: waktu",
            f"{hostile['seconds']:.2f} s",
        ),
    ]


if __name__ == "__main__":
    for result in run():
        print(result)
