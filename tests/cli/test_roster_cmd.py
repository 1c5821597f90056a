"""``nonasn roster template | import | lookup``."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook

from helpers import hostile_sheets as hostile
from helpers.injection import HOSTILE, assert_only_text
from helpers.workbooks import (
    header_of,
    not_a_spreadsheet,
    people,
    rows_of,
    truncated_xlsx,
    write_csv,
    write_xlsx,
)
from nonasn_desktop.cli.main import main
from nonasn_desktop.sheets import writing


@pytest.fixture
def data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    folder = tmp_path / "data"
    init = [
        "--data-dir",
        str(folder),
        "init",
        "--office-code",
        "3273",
        "--office-name",
        "BKD",
        "--admin",
        "admin",
    ]
    assert main(init) == 0
    capsys.readouterr()
    return folder


def _run(data: Path, *argv: str) -> int:
    return main(["--data-dir", str(data), "roster", *argv])


def test_template(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "templat.xlsx"
    assert main(["roster", "template", str(out)]) == 0
    assert "Templat" in capsys.readouterr().out
    assert load_workbook(out).sheetnames[:2] == ["Daftar Tenaga Non-ASN", "Petunjuk"]


def test_import_clean_file_exits_0(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    staff = people(3)
    path = write_xlsx(tmp_path / "daftar.xlsx", [header_of(), *rows_of(staff)])
    assert _run(data, "import", str(path)) == 0
    out = capsys.readouterr().out
    assert "3 baru, 0 diperbarui, 0 tidak berubah, 0 ditolak." in out
    assert _run(data, "import", str(path)) == 0
    assert "0 baru, 0 diperbarui, 3 tidak berubah" in capsys.readouterr().out


def test_import_with_refused_rows_exits_1_and_writes_the_report(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    staff = people(4)
    rows = rows_of(staff)
    rows[2][0] = float(staff[2]["nik"])
    path = write_xlsx(tmp_path / "daftar.xlsx", [["DAFTAR"], [], header_of(), *rows])
    report = tmp_path / "laporan.xlsx"
    assert _run(data, "import", str(path), "--report", str(report)) == 1
    captured = capsys.readouterr()
    assert "3 baru" in captured.out
    assert "1 ditolak" in captured.out
    assert "Baris 6" in captured.err
    assert "15 digit" in captured.err
    lines = list(load_workbook(report)["Baris Ditolak"].iter_rows(values_only=True))
    assert lines[1][1:3] == (6, "A6")
    # The good rows are on the roster.
    assert _run(data, "lookup", staff[0]["nik"]) == 0


def test_import_csv(data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_csv(tmp_path / "daftar.csv", [header_of(), *rows_of(people(2))], bom=True)
    assert _run(data, "import", str(path)) == 0
    assert "2 baru" in capsys.readouterr().out


@pytest.mark.parametrize("kind", ["damaged", "picture", "no-header"])
def test_unreadable_file_exits_2(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    good = write_xlsx(tmp_path / "baik.xlsx", [header_of(), *rows_of(people(30))])
    path = {
        "damaged": lambda: truncated_xlsx(tmp_path / "rusak.xlsx", good),
        "picture": lambda: not_a_spreadsheet(tmp_path / "foto.xlsx"),
        "no-header": lambda: write_xlsx(tmp_path / "x.xlsx", [["Daftar hadir"], ["a", "b"]]),
    }[kind]()
    assert _run(data, "import", str(path)) == 2
    captured = capsys.readouterr()
    assert captured.err.strip()
    assert "Traceback" not in captured.err
    assert _run(data, "lookup", str(people(1)[0]["nik"])) == 1


def test_lookup(data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    staff = people(1)
    _run(data, "import", str(write_xlsx(tmp_path / "d.xlsx", [header_of(), *rows_of(staff)])))
    capsys.readouterr()
    nik = staff[0]["nik"]
    assert _run(data, "lookup", f"{nik[:6]} {nik[6:12]} {nik[12:]}") == 0
    out = capsys.readouterr().out
    assert staff[0]["nama"] in out
    assert "Bandung, " in out
    assert "Rp 1.500.000" in out
    assert _run(data, "lookup", "3273010101900009") == 1
    assert "Anda Belum Didaftarkan oleh Admin Instansi" in capsys.readouterr().err


def test_the_report_echoes_hostile_cells_only_as_text(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Refused rows are echoed into the report: the NIK and the name as the agency wrote them.
    staff = people(len(HOSTILE))
    rows = rows_of(staff)
    for row, value in zip(rows, HOSTILE, strict=True):
        row[0] = value
        row[1] = value
    path = write_csv(tmp_path / "daftar.csv", [header_of(), *rows])
    report = tmp_path / "laporan.xlsx"
    assert _run(data, "import", str(path), "--report", str(report)) == 1
    capsys.readouterr()
    assert_only_text(report, HOSTILE)
    lines = list(load_workbook(report)["Baris Ditolak"].iter_rows(values_only=True))
    assert {line[4] for line in lines[1:]} == set(HOSTILE)


def test_a_report_into_a_missing_folder_is_a_message(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_xlsx(tmp_path / "daftar.xlsx", [header_of(), *rows_of(people(2))])
    report = tmp_path / "tidak-ada" / "laporan.xlsx"
    assert _run(data, "import", str(path), "--report", str(report)) == 1
    err = capsys.readouterr().err
    assert "tidak dapat ditulis: folder" in err
    assert "Traceback" not in err
    assert not report.parent.exists()


def test_a_report_onto_a_full_disk_is_a_message(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_xlsx(tmp_path / "daftar.xlsx", [header_of(), *rows_of(people(2))])
    out = tmp_path / "usb"
    out.mkdir()

    def full(target: Path, content: bytes) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(writing, "write_bytes_atomically", full)
    assert _run(data, "import", str(path), "--report", str(out / "laporan.xlsx")) == 1
    assert "ruang disk tujuan penuh" in capsys.readouterr().err
    assert list(out.iterdir()) == []


@pytest.mark.timeout(60)
def test_hostile_files_exit_2_with_the_bound_named(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corners = hostile.minimal_xlsx(
        tmp_path / "sudut.xlsx",
        hostile.sheet_xml(
            b'<row r="1"><c r="A1"><v>1</v></c></row>'
            b'<row r="1048576"><c r="XFD1048576"><v>2</v></c></row>'
        ),
    )
    line = tmp_path / "baris.csv"
    line.write_text("NIK;Nama\n" + "a;" * (1 << 20) + "\n", encoding="utf-8")
    fifo = tmp_path / "pipa.csv"
    os.mkfifo(fifo)
    for path, words in [
        (corners, "sheet.max_"),
        (line, "csv.max_line_chars"),
        (fifo, "bukan berkas biasa"),
    ]:
        assert _run(data, "import", str(path)) == 2
        err = capsys.readouterr().err
        assert words in err
        assert "Traceback" not in err
