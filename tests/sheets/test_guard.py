"""Hostile spreadsheets are refused, with the bound named, before the reader sees them."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from helpers import hostile_sheets as hostile
from nonasn_desktop.policy import default_policy
from nonasn_desktop.policy.model import RosterFileLimits
from nonasn_desktop.sheets.guard_zip import _at_most, _column_letters
from nonasn_desktop.sheets.reading import SpreadsheetError, open_spreadsheet

LIMITS = default_policy().roster_file


def _rows(path: Path, limits: RosterFileLimits = LIMITS) -> list[list[object]]:
    with open_spreadsheet(path, limits) as book:
        return [cells for sheet in book.sheets() for _, cells in sheet.rows()]


def _refused(path: Path, words: str, limits: RosterFileLimits = LIMITS) -> str:
    with pytest.raises(SpreadsheetError, match=words) as info:
        _rows(path, limits)
    return str(info.value)


# Run in a child process: if the check ever let these through, the reader would abort the
# process (SIGABRT after a failed allocation of half a terabyte), and with it the test run.
_CHILD = """
import sys
from pathlib import Path
from nonasn_desktop.policy import default_policy
from nonasn_desktop.sheets.reading import SpreadsheetError, open_spreadsheet
try:
    with open_spreadsheet(Path(sys.argv[1]), default_policy().roster_file) as book:
        for sheet in book.sheets():
            for _ in sheet.rows():
                pass
except SpreadsheetError as exc:
    print("DITOLAK:", exc)
"""


def _refused_in_a_child(path: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "DITOLAK:" in done.stdout
    return done.stdout


def test_two_far_apart_cells_are_refused_not_allocated(tmp_path: Path) -> None:
    rows = (
        b'<row r="1"><c r="A1"><v>1</v></c></row>'
        b'<row r="1048576"><c r="XFD1048576"><v>2</v></c></row>'
    )
    path = hostile.minimal_xlsx(tmp_path / "sudut.xlsx", hostile.sheet_xml(rows, "A1:XFD1048576"))
    assert path.stat().st_size < 4096
    output = _refused_in_a_child(path)
    assert "sheet.max_rows" in output or "sheet.max_columns" in output


def test_a_cell_far_outside_its_row_is_found(tmp_path: Path) -> None:
    rows = hostile.valid_rows(3000) + b'<row r="3001"><c r="A1000000"><v>1</v></c></row>'
    path = hostile.minimal_xlsx(tmp_path / "jauh.xlsx", hostile.sheet_xml(rows))
    _refused(path, "baris lembar kerja")


def test_a_wide_column_late_in_the_sheet_is_found(tmp_path: Path) -> None:
    rows = hostile.valid_rows(3000) + b'<row r="3001"><c r="AMK3001"><v>1</v></c></row>'
    path = hostile.minimal_xlsx(tmp_path / "lebar.xlsx", hostile.sheet_xml(rows))
    _refused(path, "kolom lembar kerja")


def test_unusual_spellings_of_a_reference_are_read_exactly(tmp_path: Path) -> None:
    for name, cell in [
        ("kutip", b"<c r='XFD9'><v>1</v></c>"),
        ("spasi", b'<c r = "XFD9"><v>1</v></c>'),
        ("dolar", b'<c r="$XFD$9"><v>1</v></c>'),
        ("awalan", b'<x:c r="XFD9"><v>1</v></x:c>'),
    ]:
        rows = hostile.valid_rows(3000) + b'<row r="3001">' + cell + b"</row>"
        path = hostile.minimal_xlsx(tmp_path / f"{name}.xlsx", hostile.sheet_xml(rows))
        _refused(path, "kolom lembar kerja")


def test_two_billion_shared_strings_are_refused(tmp_path: Path) -> None:
    rows = b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    strings = hostile.shared_strings_xml(["NIK"], declared=2_000_000_000)
    path = hostile.minimal_xlsx(tmp_path / "teks.xlsx", hostile.sheet_xml(rows), strings)
    assert "sheet.max_shared_strings" in _refused_in_a_child(path)


def test_shared_strings_really_present_count_too(tmp_path: Path) -> None:
    limits = dataclasses.replace(LIMITS, max_shared_strings=1000)
    strings = hostile.shared_strings_xml(["x"] * 1001, declared=1)
    path = hostile.minimal_xlsx(tmp_path / "teks.xlsx", hostile.sheet_xml(b""), strings)
    _refused(path, "sharedStrings", limits)


def test_cells_without_references_in_one_row_are_refused(tmp_path: Path) -> None:
    rows = b"<row>" + b"<c><v>1</v></c>" * 3_000_000 + b"</row>"
    path = hostile.minimal_xlsx(tmp_path / "deret.xlsx", hostile.sheet_xml(rows))
    assert path.stat().st_size < 1 << 20
    _refused(path, "kolom lembar kerja|jumlah sel")


def test_a_zip_bomb_is_refused_from_its_declared_size(tmp_path: Path) -> None:
    path = hostile.bomb_xlsx(tmp_path / "bom.xlsx", unpacked_mb=300)
    assert path.stat().st_size < 2 << 20
    tracemalloc.start()
    try:
        message = _refused(path, "archive.max_unpacked_bytes")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "MB" in message
    assert peak < 32 << 20


def test_a_zip_bomb_that_lies_about_its_size_is_stopped_early(tmp_path: Path) -> None:
    path = hostile.declare_size(
        hostile.bomb_xlsx(tmp_path / "bohong.xlsx", unpacked_mb=300), hostile.SHEET, 1000
    )
    tracemalloc.start()
    try:
        _refused(path, "lebih besar daripada keterangannya")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Stopped after the first step of unpacking, not after 300 MB.
    assert peak < 32 << 20


def test_a_bomb_under_a_lower_bound_is_counted_as_it_unpacks(tmp_path: Path) -> None:
    limits = dataclasses.replace(LIMITS, max_unpacked_bytes=8 << 20)
    path = hostile.declare_size(
        hostile.bomb_xlsx(tmp_path / "bohong.xlsx", unpacked_mb=64), hostile.SHEET, 4 << 20
    )
    _refused(path, "lebih besar daripada keterangannya|archive.max_unpacked_bytes", limits)


def test_too_many_members_are_refused(tmp_path: Path) -> None:
    extra = {f"xl/media/gambar{n}.bin": b"" for n in range(LIMITS.max_members)}
    path = hostile.minimal_xlsx(tmp_path / "banyak.xlsx", hostile.sheet_xml(b""), extra=extra)
    _refused(path, "archive.max_members")


def test_two_members_with_one_name_are_refused(tmp_path: Path) -> None:
    path = hostile.minimal_xlsx(tmp_path / "kembar.xlsx", hostile.sheet_xml(b""))
    with (
        pytest.warns(UserWarning, match="Duplicate name"),
        zipfile.ZipFile(path, "a") as archive,
    ):
        archive.writestr(hostile.SHEET, hostile.sheet_xml(hostile.valid_rows(2)))
    _refused(path, "dua bagian dengan nama yang sama")


def test_a_plain_workbook_passes(tmp_path: Path) -> None:
    path = hostile.minimal_xlsx(tmp_path / "biasa.xlsx", hostile.sheet_xml(hostile.valid_rows(50)))
    rows = _rows(path)
    assert len(rows) == 50
    assert rows[-1][:2] == [50, 1]


def test_ods_repeated_cells_count_as_often_as_repeated(tmp_path: Path) -> None:
    cell = b'<table:table-cell office:value-type="float" office:value="1"/>'
    rows = (
        b'<table:table-row table:number-rows-repeated="1000000">'
        b'<table:table-cell office:value-type="float" office:value="1" '
        b'table:number-columns-repeated="16384"/></table:table-row>'
    )
    _refused(hostile.ods(tmp_path / "ulang.ods", rows), "baris lembar kerja|kolom lembar kerja")
    # LibreOffice's own filler (empty cells to AMJ, a last row repeated a million times) passes.
    filler = (
        b"<table:table-row>"
        + cell * 3
        + b'<table:table-cell table:number-columns-repeated="1021"/>'
        b'</table:table-row><table:table-row table:number-rows-repeated="1048575">'
        b'<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    )
    assert _rows(hostile.ods(tmp_path / "biasa.ods", filler))[0][:3] == [1.0, 1.0, 1.0]


def test_xls_cell_far_away_is_refused(tmp_path: Path) -> None:
    bof = hostile.biff(0x0809, b"\x00\x06\x10\x00" + b"\x00" * 12)
    far = hostile.biff(0x0203, b"\xff\xff\xff\x00" + b"\x00\x00" + b"\x00" * 8)
    eof = hostile.biff(0x000A, b"")
    path = hostile.xls(tmp_path / "jauh.xls", bof + far + eof)
    _refused(path, "sheet.max_cells")


def test_xls_shared_strings_count_is_checked(tmp_path: Path) -> None:
    sst = hostile.biff(0x00FC, (2_000_000_000).to_bytes(4, "little") * 2)
    _refused(hostile.xls(tmp_path / "teks.xls", sst), "sharedStrings")


def test_xls_chain_that_loops_is_refused(tmp_path: Path) -> None:
    path = hostile.xls(tmp_path / "putar.xls", b"")
    data = bytearray(path.read_bytes())
    # FAT entry of the Workbook's last sector points back at its first.
    data[512 + 4 * 9 : 512 + 4 * 10] = (2).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    _refused(path, "rantai sektor")


def test_a_long_csv_line_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "panjang.csv"
    path.write_text("NIK;Nama\n" + "a;" * (20 << 20) + "\n", encoding="utf-8")
    _refused(path, "csv.max_line_chars")


def test_a_large_csv_cell_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sel.csv"
    path.write_text("NIK;Nama\n1;" + "x" * (1 << 20) + "\n", encoding="utf-8")
    _refused(path, "csv.max_line_chars")
    # The same megabyte in a quoted cell over many short lines.
    path.write_text('NIK;Nama\n1;"' + ("x" * 50 + "\n") * 20_000 + '"\n', encoding="utf-8")
    _refused(path, "csv.max_cell_chars|tanda kutip")


def test_csv_cells_are_counted(tmp_path: Path) -> None:
    limits = dataclasses.replace(LIMITS, max_cells=1000)
    path = tmp_path / "sel.csv"
    path.write_text("NIK;Nama\n" + "1;2\n" * 600, encoding="utf-8")
    _refused(path, "sheet.max_cells", limits)


@pytest.mark.timeout(20)
def test_special_files_are_refused_before_they_are_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "pipa.csv"
    os.mkfifo(fifo)  # opening it for reading would wait for a writer forever
    _refused(fifo, "bukan berkas biasa")
    zero = tmp_path / "nol.xlsx"
    zero.symlink_to("/dev/zero")  # reading it would never end
    _refused(zero, "bukan berkas biasa")
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    _refused(folder, "adalah folder")


def test_file_size_is_bounded(tmp_path: Path) -> None:
    limits = dataclasses.replace(LIMITS, max_file_bytes=2048)
    path = tmp_path / "besar.csv"
    path.write_text("NIK;Nama\n" + "1;2\n" * 1000, encoding="utf-8")
    _refused(path, "file.max_bytes", limits)


def test_reading_time_is_bounded(tmp_path: Path) -> None:
    limits = dataclasses.replace(LIMITS, max_seconds=0)
    path = hostile.minimal_xlsx(tmp_path / "lama.xlsx", hostile.sheet_xml(hostile.valid_rows(5)))
    _refused(path, "batas waktu", limits)


@pytest.mark.parametrize("limit", [1, 9, 10, 99, 100, 101, 25_000, 100_003, 1_048_576])
def test_at_most_matches_exactly_the_numbers_up_to_its_limit(limit: int) -> None:
    import re

    pattern = re.compile(_at_most(str(limit).encode(), b"0", b"9") + rb"\Z")
    for number in [*range(0, 1200), limit - 1, limit, limit + 1, 10 * limit, 99_999_999]:
        assert bool(pattern.match(str(number).encode())) == (1 <= number <= limit)


@pytest.mark.parametrize("limit", [1, 20, 26, 27, 52, 702, 703, 1024, 16_384])
def test_at_most_matches_exactly_the_columns_up_to_its_limit(limit: int) -> None:
    import re

    pattern = re.compile(_at_most(_column_letters(limit), b"A", b"Z") + rb"\Z")
    for column in [*range(1, 800), limit, limit + 1, 16_384, 16_385]:
        assert bool(pattern.match(_column_letters(column))) == (column <= limit)


def test_merged_ranges_are_bounded(tmp_path: Path) -> None:
    limits = dataclasses.replace(LIMITS, max_merged_ranges=100)
    merges = b"".join(b'<mergeCell ref="A%d:B%d"/>' % (n, n) for n in range(1, 200))
    sheet = hostile.sheet_xml(hostile.valid_rows(200))
    sheet = sheet.replace(b"</sheetData>", b"</sheetData><mergeCells>" + merges + b"</mergeCells>")
    _refused(hostile.minimal_xlsx(tmp_path / "gabung.xlsx", sheet), "max_merged_ranges", limits)


def test_parts_besides_sheets_are_bounded(tmp_path: Path) -> None:
    # A styles part of 40 MB (a few KB packed): the reader would keep it whole.
    styles = b"<styleSheet><numFmts>" + b'<numFmt numFmtId="1" formatCode="a"/>' * (1 << 20)
    path = hostile.minimal_xlsx(
        tmp_path / "gaya.xlsx",
        hostile.sheet_xml(hostile.valid_rows(2)),
        extra={"xl/styles.xml": styles + b"</numFmts></styleSheet>"},
    )
    _refused(path, "archive.max_other_bytes")
