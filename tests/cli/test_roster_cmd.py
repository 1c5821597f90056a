"""``nonasn roster template | import | lookup``."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

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
