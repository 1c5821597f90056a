"""The centre's conflict workbook: batch text only as text, faults as messages."""

from __future__ import annotations

import datetime as dt
import errno
import os
from pathlib import Path

import openpyxl
import pytest

from helpers.injection import HOSTILE, assert_only_text
from nonasn_desktop.central.conflicts import KIND_OFFICES, ConflictEntry, write_conflicts_xlsx
from nonasn_desktop.sheets import writing
from nonasn_desktop.sheets.writing import WorkbookWriteError


def test_batch_text_stays_text(tmp_path: Path) -> None:
    # Names, offices and units arrive from the offices' batches: the centre cannot trust them.
    when = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)
    entries = [
        ConflictEntry(
            nik=value if index % 2 else "3273014508900001",
            nama=value,
            kind=KIND_OFFICES,
            office_code="3273",
            office_name=value,
            sequence=index + 1,
            batch_id=f"batch-{index}",
            account_number=value,
            unit_kerja=value,
            ingested_at=when,
        )
        for index, value in enumerate(HOSTILE)
    ]
    out = tmp_path / "konflik.xlsx"
    assert write_conflicts_xlsx(entries, out) == len(HOSTILE)
    assert_only_text(out, HOSTILE)
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert [row[1] for row in rows[1:]] == list(HOSTILE)
    assert sheet.cell(row=2, column=1).number_format == "@"
    assert sheet.freeze_panes == "A2"


def test_a_missing_folder_is_made(tmp_path: Path) -> None:
    out = tmp_path / "laporan" / "konflik.xlsx"
    assert write_conflicts_xlsx([], out) == 0
    assert out.is_file()


def test_a_full_disk_is_a_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(target: Path, content: bytes) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(writing, "write_bytes_atomically", full)
    with pytest.raises(WorkbookWriteError, match="penuh"):
        write_conflicts_xlsx([], tmp_path / "konflik.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_cannot_be_made_is_a_message(tmp_path: Path) -> None:
    blocker = tmp_path / "berkas"
    blocker.write_text("bukan folder")
    with pytest.raises(WorkbookWriteError, match="tidak dapat ditulis"):
        write_conflicts_xlsx([], blocker / "konflik.xlsx")
