"""The safe workbook writer: text stays text, the save is all or nothing, faults are messages."""

from __future__ import annotations

import datetime as dt
import errno
import os
import shutil
import stat
import tempfile
from pathlib import Path

import pytest
import python_calamine
import xlsxwriter.worksheet
from openpyxl import load_workbook

from helpers.injection import HOSTILE, assert_only_text, formula_elements
from nonasn_desktop.sheets import writing
from nonasn_desktop.sheets.writing import (
    TEMPORARY_PREFIX,
    SafeWorkbook,
    WorkbookWriteError,
    needs_quote_prefix,
)

HOSTILE_WITH_CONTROLS = (*HOSTILE, "\t=1+2", "\r=1+2")


@pytest.fixture
def private_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The system temporary folder, for this test alone (to see what is left there)."""
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _write(path: Path, values: tuple[object, ...], *, constant_memory: bool) -> None:
    with SafeWorkbook(path, constant_memory=constant_memory) as book:
        sheet = book.add_sheet("Data")
        text = book.style(num_format="@")
        sheet.write_row(0, values)
        sheet.write_row(1, values, [text] * len(values))
        sheet.merge(2, 0, 2, 2, values[0], book.style(bold=True))
        book.save()


@pytest.mark.parametrize("constant_memory", [False, True])
def test_text_that_looks_like_a_formula_is_quote_prefixed_text(
    tmp_path: Path, constant_memory: bool
) -> None:
    path = tmp_path / "uji.xlsx"
    _write(path, HOSTILE_WITH_CONTROLS, constant_memory=constant_memory)
    assert_only_text(path, HOSTILE)
    # Tab and carriage return too (openpyxl does not unescape _x000D_; calamine does, as
    # Excel does): the values read back exactly.
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    rows = book.get_sheet_by_name("Data").to_python()
    assert tuple(rows[0]) == HOSTILE_WITH_CONTROLS
    assert tuple(rows[1]) == HOSTILE_WITH_CONTROLS
    assert rows[2][0] == HOSTILE[0]
    sheet = load_workbook(path)["Data"]
    assert sheet.cell(row=2, column=1).number_format == "@"
    assert sheet.cell(row=2, column=1).quotePrefix


def test_ordinary_values_keep_their_types(tmp_path: Path) -> None:
    path = tmp_path / "jenis.xlsx"
    with SafeWorkbook(path, constant_memory=True) as book:
        sheet = book.add_sheet("Data")
        date = book.style(num_format="dd-mm-yyyy")
        values = ("Siti", 3, 2.5, True, dt.date(1990, 8, 5), None, "", "3273014508900001")
        sheet.write_row(0, values, [None, None, None, None, date])
        book.save()
    cells = load_workbook(path)["Data"][1]
    assert [cell.value for cell in cells] == [
        "Siti",
        3,
        2.5,
        True,
        dt.datetime(1990, 8, 5),  # noqa: DTZ001 (spreadsheet cells are naive)
        None,
        None,
        "3273014508900001",
    ]
    assert cells[4].number_format == "dd-mm-yyyy"
    assert not cells[0].quotePrefix
    assert formula_elements(path) == []


def test_unknown_types_are_a_bug_not_a_cell(tmp_path: Path) -> None:
    with SafeWorkbook(tmp_path / "x.xlsx") as book, pytest.raises(TypeError):
        book.add_sheet("Data").write_row(0, [object()])
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize(
    ("text", "prefixed"),
    [
        *[(text, True) for text in ("=A1", "+1", "-1", "@x", "\tx", "\rx")],
        *[(text, False) for text in ("Siti", "1=1", "", " =A1")],
    ],
)
def test_needs_quote_prefix(text: str, prefixed: bool) -> None:
    assert needs_quote_prefix(text) is prefixed


def test_leaving_without_save_writes_nothing_and_cleans_up(
    tmp_path: Path, private_temp: Path
) -> None:
    out = tmp_path / "keluar"
    out.mkdir()

    def cancelled_export() -> None:
        with SafeWorkbook(out / "x.xlsx", constant_memory=True) as book:
            sheet = book.add_sheet("Data")
            for row in range(100):
                sheet.write_row(row, ["baris", row])
            raise RuntimeError("dibatalkan")

    with pytest.raises(RuntimeError):
        cancelled_export()
    assert list(out.iterdir()) == []
    assert list(private_temp.iterdir()) == []


def test_a_saved_workbook_leaves_no_temporary_files(tmp_path: Path, private_temp: Path) -> None:
    _write(tmp_path / "x.xlsx", HOSTILE, constant_memory=True)
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == ["x.xlsx"]
    assert list(private_temp.iterdir()) == []


def test_a_missing_folder_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    with pytest.raises(WorkbookWriteError, match=r"folder .*hilang tidak ada"):
        SafeWorkbook(tmp_path / "hilang" / "x.xlsx")
    assert not (tmp_path / "hilang").exists()


def test_a_folder_given_as_the_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(WorkbookWriteError, match="adalah folder"):
        SafeWorkbook(tmp_path)


@pytest.mark.skipif(
    os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user (root writes)"
)
def test_a_read_only_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "baca"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(WorkbookWriteError, match="izin menulis"):
            SafeWorkbook(folder / "x.xlsx")
    finally:
        folder.chmod(stat.S_IRWXU)
    assert list(folder.iterdir()) == []


def test_a_read_only_folder_is_refused_even_as_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What the operating system says for a write-protected USB stick or a read-only share.
    monkeypatch.setattr(writing.os, "access", lambda *_args, **_kw: False)
    with pytest.raises(WorkbookWriteError, match="izin menulis"):
        SafeWorkbook(tmp_path / "x.xlsx")


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (errno.ENOSPC, "ruang disk tujuan penuh"),
        (errno.EROFS, "hanya dapat dibaca"),
        (errno.EIO, "diska USB dilepas"),
        (errno.EACCES, "izin menulis"),
        (errno.ENAMETOOLONG, "tidak dapat ditulis"),
    ],
)
def test_faults_at_the_save_are_messages_and_leave_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, message: str
) -> None:
    target = tmp_path / "x.xlsx"

    def refuse(path: Path, data: bytes) -> None:
        raise OSError(code, os.strerror(code))

    with SafeWorkbook(target) as book:
        book.add_sheet("Data").write(0, 0, "isi")
        monkeypatch.setattr(writing, "write_bytes_atomically", refuse)
        with pytest.raises(WorkbookWriteError, match=message):
            book.save()
    assert not target.exists()


def test_a_file_open_in_excel_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "x.xlsx"
    target.write_bytes(b"lama")

    def locked(path: Path, data: bytes) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(writing, "write_bytes_atomically", locked)
    with SafeWorkbook(target) as book:
        book.add_sheet("Data").write(0, 0, "isi")
        with pytest.raises(WorkbookWriteError, match="terbuka di Excel"):
            book.save()
    assert target.read_bytes() == b"lama"


def test_a_full_disk_during_the_real_save_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Through the real atomic write: the temporary file is written, its fsync fails.
    out = tmp_path / "usb"
    out.mkdir()

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with SafeWorkbook(out / "x.xlsx") as book:
        book.add_sheet("Data").write(0, 0, "isi")
        monkeypatch.setattr(os, "fsync", full)
        with pytest.raises(WorkbookWriteError, match="penuh"):
            book.save()
    assert list(out.iterdir()) == []


def test_a_usb_stick_pulled_before_the_save(tmp_path: Path) -> None:
    stick = tmp_path / "usb"
    stick.mkdir()
    with SafeWorkbook(stick / "x.xlsx") as book:
        book.add_sheet("Data").write(0, 0, "isi")
        shutil.rmtree(stick)
        with pytest.raises(WorkbookWriteError, match="diska USB-nya sudah dilepas"):
            book.save()
    assert not stick.exists()


def test_a_disk_that_fills_while_rows_are_written_is_a_message(
    tmp_path: Path, private_temp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # constant_memory rows go to a file beside the workbook as they are written.
    with SafeWorkbook(tmp_path / "x.xlsx", constant_memory=True) as book:
        sheet = book.add_sheet("Data")
        sheet.write_row(0, ["a"])

        def full(*_args: object, **_kw: object) -> None:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        # The library's row file refuses the next row.
        monkeypatch.setattr(xlsxwriter.worksheet.Worksheet, "write_string", full)
        with pytest.raises(WorkbookWriteError, match="ruang disk tujuan penuh"):
            sheet.write_row(1, ["b"])
    assert not (tmp_path / "x.xlsx").exists()
    assert list(private_temp.iterdir()) == []
    assert not list(tmp_path.glob(f"{TEMPORARY_PREFIX}*"))


def test_rows_wait_beside_the_workbook_never_in_the_system_temporary_folder(
    tmp_path: Path, private_temp: Path
) -> None:
    # They hold names and NIKs: a crash must not leave them where nobody looks (issue 11).
    out = tmp_path / "keluar"
    out.mkdir()
    with SafeWorkbook(out / "x.xlsx", constant_memory=True) as book:
        sheet = book.add_sheet("Data")
        for row in range(50):
            sheet.write_row(row, ["SITI RAHMAWATI", "3273010101900001"])
        (waiting,) = out.glob(f"{TEMPORARY_PREFIX}*")
        assert list(waiting.iterdir())  # the sheet's row file
        assert list(private_temp.iterdir()) == []
        book.save()
    assert [path.name for path in out.iterdir()] == ["x.xlsx"]


@pytest.mark.parametrize("constant_memory", [False, True])
def test_unstyled_cells_take_their_columns_style_quoted_or_not(
    tmp_path: Path, constant_memory: bool
) -> None:
    path = tmp_path / "kolom.xlsx"
    with SafeWorkbook(path, constant_memory=constant_memory) as book:
        sheet = book.add_sheet("Data")
        sheet.set_column(0, 1, 20, book.style(num_format="@"))
        sheet.set_column(2, 2, 12, book.style(num_format="dd-mm-yyyy"))
        sheet.write_row(0, ["3273014508900001", HOSTILE[4], dt.date(1990, 8, 5)])
        book.save()
    cells = load_workbook(path)["Data"][1]
    assert [cell.number_format for cell in cells] == ["@", "@", "dd-mm-yyyy"]
    assert [cell.quotePrefix for cell in cells[:2]] == [False, True]
    assert cells[2].value == dt.datetime(1990, 8, 5)  # noqa: DTZ001 (spreadsheet cells are naive)
    assert_only_text(path, [HOSTILE[4]])
