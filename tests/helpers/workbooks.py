"""Builders of roster spreadsheets with the traps of real agency files, for tests.

Import as ``from helpers.workbooks import ...``. Every builder is deterministic.

People come from :func:`person`: valid, made-up staff of Kota Bandung (NIK region 3273) whose
NIK agrees with their birth date and sex. Rows are lists of cells as openpyxl writes them;
:func:`write_xlsx` and :func:`write_csv` put them in a file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

# The canonical headers (forms/roster_columns.toml) in template order, by roster field.
HEADERS: dict[str, str] = {
    "nik": "NIK",
    "nama": "Nama Lengkap",
    "nomor_thk2": "Nomor THK-II",
    "tempat_lahir": "Tempat Lahir",
    "tanggal_lahir": "Tanggal Lahir",
    "jenis_kelamin": "Jenis Kelamin",
    "pendidikan_jenjang": "Pendidikan",
    "nama_sekolah": "Nama Sekolah",
    "jurusan": "Jurusan",
    "nomor_ijazah": "Nomor Ijazah",
    "tanggal_ijazah": "Tanggal Ijazah",
    "nomor_sk": "Nomor SK",
    "tanggal_sk": "Tanggal SK",
    "tmt": "TMT",
    "tanggal_selesai": "Tanggal Selesai",
    "jabatan": "Jabatan",
    "unit_kerja": "Unit Kerja",
    "pejabat_penandatangan": "Jabatan Penandatangan SK",
    "sumber_gaji": "Sumber Gaji",
    "gaji_bulanan": "Gaji per Bulan",
}
FIRST = ("Siti", "Budi", "Dewi", "Agus", "Rina", "Asep", "Neneng", "Ujang", "Euis", "Dedi")
LAST = ("Rahmawati", "Santoso", "Lestari", "Hidayat", "Permata", "Saputra", "Kurniasih")
UNITS = ("Dinas Pendidikan", "Puskesmas Sukajadi", "SD Negeri 12 Bandung", "Kecamatan Coblong")
INDONESIAN_MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
    "Oktober", "November", "Desember",
)  # fmt: skip


def nik_for(birth: dt.date, sex: str, serial: int, district: int = 1, regency: str = "3273") -> str:
    """A structurally valid NIK (women: day + 40)."""
    day = birth.day + (40 if sex == "P" else 0)
    return f"{regency}{district:02d}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def person(index: int, **overrides: Any) -> dict[str, Any]:
    """Roster values of a valid, made-up person (field key -> value); dates are dates."""
    sex = "P" if index % 2 else "L"
    birth = dt.date(1975 + index % 25, 1 + index % 12, 1 + index % 28)
    values: dict[str, Any] = {
        "nik": nik_for(birth, sex, serial=1 + index % 9999, district=1 + index % 30),
        "nama": f"{FIRST[index % len(FIRST)]} {LAST[index % len(LAST)]}",
        "nomor_thk2": None,
        "tempat_lahir": "Bandung",
        "tanggal_lahir": birth,
        "jenis_kelamin": sex,
        "pendidikan_jenjang": "S-1",
        "nama_sekolah": "Universitas Padjadjaran",
        "jurusan": "Administrasi Negara",
        "nomor_ijazah": f"UNPAD/{2000 + index % 20}/{index:05d}",
        "tanggal_ijazah": dt.date(2000 + index % 20, 8, 30),
        "nomor_sk": f"800/{index:04d}/Disdik/2015",
        "tanggal_sk": dt.date(2015, 1, 2),
        "tmt": dt.date(2015, 1, 5),
        "tanggal_selesai": None,
        "jabatan": "Tenaga Administrasi",
        "unit_kerja": UNITS[index % len(UNITS)],
        "pejabat_penandatangan": "Kepala Dinas",
        "sumber_gaji": "APBD",
        "gaji_bulanan": 1_500_000,
    }
    values.update(overrides)
    return values


def people(count: int, start: int = 0) -> list[dict[str, Any]]:
    return [person(index) for index in range(start, start + count)]


def indonesian_date(value: dt.date) -> str:
    """ "12 Maret 1990"."""
    return f"{value.day} {INDONESIAN_MONTHS[value.month - 1]} {value.year}"


def excel_serial(value: dt.date) -> int:
    return (value - dt.date(1899, 12, 30)).days


def rows_of(
    persons: Iterable[dict[str, Any]], keys: Sequence[str] | None = None
) -> list[list[Any]]:
    """One list of cells per person, in ``keys`` order (default: every template column)."""
    order = list(keys or HEADERS)
    return [[values.get(key) for key in order] for values in persons]


def header_of(keys: Sequence[str] | None = None) -> list[str]:
    return [HEADERS[key] for key in (keys or HEADERS)]


def write_xlsx(
    path: Path,
    rows: Sequence[Sequence[Any]],
    *,
    sheet: str = "Data",
    merges: Sequence[str] = (),
    text_columns: Sequence[int] = (),
    date_columns: Sequence[int] = (),
    extra_sheets: dict[str, Sequence[Sequence[Any]]] | None = None,
    hidden_sheets: dict[str, Sequence[Sequence[Any]]] | None = None,
) -> Path:
    """Write ``rows`` (from A1 down) to an xlsx; ``merges`` like "A1:F1".

    ``text_columns``/``date_columns`` (1-based) get the "@" / "dd-mm-yyyy" number format,
    as a careful clerk would set them.
    """
    book = Workbook()
    first = book.active
    assert first is not None
    first.title = sheet
    for cells in rows:
        first.append(list(cells))
    for column in text_columns:
        for (cell,) in first.iter_rows(min_col=column, max_col=column):
            cell.number_format = "@"
    for column in date_columns:
        for (cell,) in first.iter_rows(min_col=column, max_col=column):
            if isinstance(cell.value, dt.date):
                cell.number_format = "dd-mm-yyyy"
    for merge in merges:
        # Merging keeps only the top-left value, as Excel does.
        first.merge_cells(merge)
    for name, extra in (extra_sheets or {}).items():
        other = book.create_sheet(name)
        for cells in extra:
            other.append(list(cells))
    for name, extra in (hidden_sheets or {}).items():
        other = book.create_sheet(name)
        other.sheet_state = "hidden"
        for cells in extra:
            other.append(list(cells))
    book.save(path)
    return path


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return f"{value.day:02d}-{value.month:02d}-{value.year}"
    return str(value)


def write_csv(
    path: Path,
    rows: Sequence[Sequence[Any]],
    *,
    delimiter: str = ";",
    bom: bool = False,
    encoding: str = "utf-8",
) -> Path:
    """A CSV as Excel saves it (``;`` in an Indonesian locale); dates as dd-mm-yyyy."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for cells in rows:
        writer.writerow([_csv_cell(value) for value in cells])
    data = buffer.getvalue().encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def _ods_cell(value: Any) -> str:
    from xml.sax.saxutils import escape

    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, dt.date):
        shown = f"{value.day:02d}-{value.month:02d}-{value.year}"
        return (
            f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}">'
            f"<text:p>{shown}</text:p></table:table-cell>"
        )
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    return (
        f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p>'
        "</table:table-cell>"
    )


def write_ods(path: Path, rows: Sequence[Sequence[Any]], *, sheet: str = "Daftar") -> Path:
    """A minimal OpenDocument spreadsheet (LibreOffice Calc), written by hand."""
    office = "urn:oasis:names:tc:opendocument:xmlns"
    body = "".join(
        "<table:table-row>" + "".join(_ods_cell(v) for v in cells) + "</table:table-row>"
        for cells in rows
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<office:document-content xmlns:office="{office}:office:1.0" '
        f'xmlns:table="{office}:table:1.0" xmlns:text="{office}:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{sheet}">{body}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<manifest:manifest xmlns:manifest="{office}:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content)
    return path


# --- whole agency-style files -----------------------------------------------------------------


def agency_workbook(path: Path) -> tuple[Path, dict[str, Any]]:
    """A roster as a BKD really receives it. Returns the path and what the test should expect.

    - two title rows (merged across the sheet) and a blank row above the header;
    - a two-row header: "Tempat/Tgl Lahir" and "SK" are group cells merged over their
      sub-headers, the other headers are merged vertically over both rows;
    - a row of column numbers (1, 2, 3, ...) under the header;
    - a section heading row ("A. DINAS PENDIDIKAN") before the staff of each unit;
    - "Unit Kerja" merged down the rows of its staff;
    - dates as real dates, as text dd/mm/yyyy, as "12 Maret 1990" and as serial numbers;
    - jenis kelamin as words ("Laki-laki", "Perempuan"), sumber gaji "APBD";
    - blank rows between units and a signature block ("Mengetahui, Kepala Dinas ...").
    """
    group = ["No", "NIK", "Nama", "Tempat/Tgl Lahir", None, "L/P", "SK", None, None, "Unit Kerja",
             "Jabatan", "Sumber Dana"]  # fmt: skip
    sub = [None, None, None, "Tempat", "Tanggal", None, "Nomor", "Tanggal", "TMT", None, None, None]
    staff = people(6)
    rows: list[list[Any]] = [
        ["DAFTAR TENAGA NON ASN PEMERINTAH KOTA BANDUNG"],
        ["KEADAAN BULAN OKTOBER 2022"],
        [],
        group,
        sub,
        list(range(1, 13)),
        ["A. DINAS PENDIDIKAN"],
    ]
    date_forms = [
        lambda d: d,
        lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}",
        indonesian_date,
        excel_serial,
        lambda d: f"{d.day:02d}-{d.month:02d}-{d.year}",
        lambda d: d,
    ]
    expected_rows: dict[str, int] = {}
    for position, values in enumerate(staff):
        if position == 3:
            rows.append([])
            rows.append(["B. PUSKESMAS SUKAJADI"])
        unit = "Dinas Pendidikan" if position < 3 else "Puskesmas Sukajadi"
        first_of_unit = position in (0, 3)
        rows.append(
            [
                position + 1,
                values["nik"],
                values["nama"],
                "Bandung",
                date_forms[position](values["tanggal_lahir"]),
                "Laki-laki" if values["jenis_kelamin"] == "L" else "Perempuan",
                values["nomor_sk"],
                date_forms[(position + 1) % 6](values["tanggal_sk"]),
                date_forms[(position + 2) % 6](values["tmt"]),
                unit if first_of_unit else None,
                values["jabatan"],
                "APBD",
            ]
        )
        expected_rows[values["nik"]] = len(rows)
    rows += [
        [],
        [None, None, "Mengetahui,"],
        [None, None, "Kepala Dinas Pendidikan Kota Bandung"],
        [],
        [None, None, "Drs. H. Asep Sunandar, M.Si."],
        [None, None, "NIP. 19700101 199001 1 001"],
    ]
    first_unit_row = expected_rows[staff[0]["nik"]]
    second_unit_row = expected_rows[staff[3]["nik"]]
    merges = [
        "A1:L1",
        "A2:L2",
        "A4:A5",
        "B4:B5",
        "C4:C5",
        "D4:E4",
        "F4:F5",
        "G4:I4",
        "J4:J5",
        "K4:K5",
        "L4:L5",
        f"J{first_unit_row}:J{first_unit_row + 2}",
        f"J{second_unit_row}:J{second_unit_row + 2}",
    ]
    write_xlsx(path, rows, sheet="Non ASN", merges=merges, text_columns=[2])
    return path, {
        "people": staff,
        "rows": expected_rows,
        "units": {v["nik"]: ("Dinas Pendidikan" if i < 3 else "Puskesmas Sukajadi")
                  for i, v in enumerate(staff)},
    }  # fmt: skip


# --- files that are not (good) spreadsheets ---------------------------------------------------


def truncated_xlsx(path: Path, source: Path) -> Path:
    """The first half of a real xlsx, as from an interrupted download."""
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def not_a_spreadsheet(path: Path) -> Path:
    """A small PNG picture saved under a spreadsheet's name."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def encrypted_xlsx(path: Path) -> Path:
    """What Excel writes for a password-protected workbook: an OLE container holding an
    ``EncryptedPackage`` stream (only the parts the importer looks at are real)."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    directory = (
        "EncryptedInfo".encode("utf-16-le") + bytes(50) + "EncryptedPackage".encode("utf-16-le")
    )
    path.write_bytes(header + directory + bytes(4096))
    return path


def word_document(path: Path) -> Path:
    """A .docx-like zip renamed to .xlsx."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return path


def html_as_xls(path: Path) -> Path:
    """The HTML table some personnel applications download with an .xls name."""
    path.write_text(
        "<html><body><table><tr><td>NIK</td><td>Nama</td></tr></table></body></html>",
        encoding="utf-8",
    )
    return path
