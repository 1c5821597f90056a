"""The ready-to-fill roster workbook the Admin Instansi hands to its units.

One sheet to fill ("Daftar Tenaga Non-ASN") with the canonical headers of
``forms/roster_columns.toml``, the NIK column formatted as text (so Excel cannot round it),
date columns shown dd-mm-yyyy, drop-down lists where the values are fixed (their choices
from forms/), a "Petunjuk" sheet in Indonesian, and a hidden sheet holding the drop-down
choices. A filled-in template imports without a single refused row.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from nonasn_desktop.policy import Policy
from nonasn_desktop.policy.model import Choice
from nonasn_desktop.roster.columns import ColumnSpec, roster_columns
from nonasn_desktop.sheets.spreadsheet import save_atomically

DATA_SHEET = "Daftar Tenaga Non-ASN"
GUIDE_SHEET = "Petunjuk"
CHOICES_SHEET = "Pilihan"
# Rows prepared (formats and drop-downs) below the header; Excel extends them when copied down.
PREPARED_ROWS = 2000
TEXT_FORMAT = "@"
DATE_FORMAT = "dd-mm-yyyy"
MONEY_FORMAT = "#,##0"
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
REQUIRED_FILL = PatternFill("solid", fgColor="C00000")
THIN = Side(style="thin", color="A6A6A6")
# Text columns are formatted as text too: a Nomor SK typed 1/2/2015 must not become a date.
_FORMATS = {
    "nik": TEXT_FORMAT,
    "name": TEXT_FORMAT,
    "place": TEXT_FORMAT,
    "text": TEXT_FORMAT,
    "date": DATE_FORMAT,
    "money": MONEY_FORMAT,
}


def _choices(policy: Policy, spec: ColumnSpec) -> tuple[Choice, ...] | None:
    match spec.kind:
        case "sex":
            return (Choice("L", "L"), Choice("P", "P"))
        case "education":
            return policy.fields["pendidikan_jenjang"].choices
        case "funding":
            return policy.eligibility.funding_sources
        case "appointer":
            return policy.eligibility.appointers
    return None


def guide_lines(policy: Policy) -> list[str]:
    """The instructions of the "Petunjuk" sheet, one paragraph per line."""
    columns = roster_columns()
    required = ", ".join(spec.header or spec.key for spec in columns.columns if spec.required)
    limits = policy.fields["nama"].max_length
    return [
        "Petunjuk Pengisian Daftar Tenaga Non-ASN (Admin Instansi)",
        "",
        f"1. Isi lembar '{DATA_SHEET}': satu baris untuk satu orang, mulai baris 2. Jangan "
        "mengubah, menghapus atau menggabungkan (merge) judul kolom di baris 1, dan jangan "
        "menyisipkan baris judul atau baris jumlah di tengah daftar.",
        f"2. Kolom wajib: {required}. Sangat dianjurkan juga Tanggal Lahir dan Jenis Kelamin, "
        "karena keduanya dicocokkan dengan NIK; baris yang tidak cocok ditolak.",
        "3. NIK diketik sebagai TEKS, 16 digit, tanpa spasi. Excel hanya menyimpan 15 digit "
        "angka: bila NIK diketik di sel berformat angka (General/Number), digit ke-16 berubah "
        "menjadi 0 dan NIK tampil seperti 3,27301E+15. NIK seperti itu tidak dapat diperbaiki "
        "dengan mengubah format sel dan akan ditolak saat impor. Kolom NIK di templat ini "
        "sudah berformat Teks.",
        "4. Bila menyalin NIK dari berkas lain, gunakan Paste Special › Values (Tempel Nilai) "
        "agar format Teks tidak tertimpa, lalu periksa bahwa setiap NIK tampil 16 digit "
        "lengkap dan rata kiri. NIK yang sudah terpotong harus diketik ulang dari KTP.",
        "5. Tanggal ditulis dd-mm-yyyy, mis. 12-03-1990 (juga diterima 12/03/1990 dan "
        "12 Maret 1990). Tahun selalu 4 digit: 12-03-90 ditolak.",
        "6. Jenis Kelamin, Pendidikan, Jabatan Penandatangan SK dan Sumber Gaji dipilih dari "
        "daftar pilihan (klik sel, lalu panah di sisinya).",
        "7. Gaji per Bulan ditulis sebagai angka rupiah penuh tanpa sen, mis. 1500000.",
        f"8. Nama Lengkap sesuai KTP, tanpa gelar akademik (paling banyak {limits} karakter).",
        "9. Satu NIK hanya boleh ada di satu baris. Baris dengan NIK sama tetapi data berbeda "
        "ditolak seluruhnya karena tidak dapat diketahui mana yang benar.",
        "10. Simpan sebagai Excel Workbook (.xlsx), lalu serahkan kepada admin kantor untuk "
        "diimpor. Laporan impor menyebut setiap baris yang ditolak beserta nomor barisnya di "
        "lembar ini dan alasannya.",
        "",
        "Daftar kolom:",
    ]


def write_template(path: Path, policy: Policy) -> Path:
    """Write the empty roster template to ``path`` (replaced atomically) and return it."""
    path = Path(path)
    columns = roster_columns().template_columns
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = DATA_SHEET
    guide = book.create_sheet(GUIDE_SHEET)
    lists = book.create_sheet(CHOICES_SHEET)
    lists.sheet_state = "hidden"

    header_font = Font(bold=True, color="FFFFFF")
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    last = PREPARED_ROWS + 1
    list_column = 0
    for position, spec in enumerate(columns, start=1):
        letter = get_column_letter(position)
        cell = sheet.cell(row=1, column=position, value=spec.header)
        cell.font = header_font
        cell.fill = REQUIRED_FILL if spec.required else HEADER_FILL
        cell.alignment = centred
        cell.border = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
        if spec.note:
            comment = Comment(("Wajib. " if spec.required else "") + spec.note, "BKD")
            comment.width, comment.height = 260, 90
            cell.comment = comment
        sheet.column_dimensions[letter].width = spec.width
        number_format = _FORMATS.get(spec.kind)
        if number_format is not None:
            sheet.column_dimensions[letter].number_format = number_format
            for row in range(2, last + 1):
                sheet.cell(row=row, column=position).number_format = number_format
        choices = _choices(policy, spec)
        if choices is not None:
            list_column += 1
            list_letter = get_column_letter(list_column)
            lists.cell(row=1, column=list_column, value=spec.header)
            for offset, choice in enumerate(choices, start=2):
                lists.cell(row=offset, column=list_column, value=choice.label)
            source = f"={CHOICES_SHEET}!${list_letter}$2:${list_letter}${len(choices) + 1}"
            validation = DataValidation(type="list", formula1=source, allow_blank=True)
            validation.error = f"Pilih {spec.header} dari daftar."
            validation.errorTitle = "Pilihan tidak ada"
            validation.prompt = f"Pilih {spec.header} dari daftar."
            validation.promptTitle = spec.header
            validation.showErrorMessage = True
            validation.showInputMessage = True
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{last}")
    sheet.row_dimensions[1].height = 32
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}1"

    guide.column_dimensions["A"].width = 28
    guide.column_dimensions["B"].width = 10
    guide.column_dimensions["C"].width = 90
    wrap = Alignment(wrap_text=True, vertical="top")
    lines = guide_lines(policy)
    for row, line in enumerate(lines, start=1):
        guide.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
        cell = guide.cell(row=row, column=1, value=line or None)
        cell.alignment = wrap
        if row == 1:
            cell.font = Font(bold=True, size=14)
        elif line:
            # Roughly 110 characters fit on one line of the merged A:C width.
            guide.row_dimensions[row].height = 15 * (1 + len(line) // 110)
    table = len(lines) + 1
    for position, title in enumerate(("Kolom", "Wajib", "Keterangan"), start=1):
        cell = guide.cell(row=table, column=position, value=title)
        cell.font = header_font
        cell.fill = HEADER_FILL
    for offset, spec in enumerate(columns, start=1):
        guide.cell(row=table + offset, column=1, value=spec.header)
        guide.cell(row=table + offset, column=2, value="Ya" if spec.required else "")
        guide.cell(row=table + offset, column=3, value=spec.note or None).alignment = wrap
    book.active = 0
    save_atomically(book, path)
    return path
