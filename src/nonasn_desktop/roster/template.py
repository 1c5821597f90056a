"""The ready-to-fill roster workbook the Admin Instansi hands to its units.

One sheet to fill ("Daftar Tenaga Non-ASN") with the canonical headers of
``forms/roster_columns.toml``, the NIK column formatted as text (so Excel cannot round it),
date columns shown dd-mm-yyyy, drop-down lists where the values are fixed (their choices
from forms/), a "Petunjuk" sheet in Indonesian, and a hidden sheet holding the drop-down
choices. A filled-in template imports without a single refused row.
"""

from __future__ import annotations

from pathlib import Path

from nonasn_desktop.policy import Policy
from nonasn_desktop.policy.model import Choice
from nonasn_desktop.roster.columns import ColumnSpec, roster_columns
from nonasn_desktop.sheets.writing import SafeSheet, SafeWorkbook, Style

DATA_SHEET = "Daftar Tenaga Non-ASN"
GUIDE_SHEET = "Petunjuk"
CHOICES_SHEET = "Pilihan"
# Rows prepared (formats and drop-downs) below the header; Excel extends them when copied down.
PREPARED_ROWS = 2000
TEXT_FORMAT = "@"
DATE_FORMAT = "dd-mm-yyyy"
MONEY_FORMAT = "#,##0"
HEADER_FILL = "#1F4E79"
REQUIRED_FILL = "#C00000"
BORDER_COLOUR = "#A6A6A6"
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


def _column_letter(index: int) -> str:
    """Excel's letters of the 0-based column ``index`` (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def write_template(path: Path, policy: Policy) -> Path:
    """Write the empty roster template to ``path`` (replaced atomically) and return it."""
    path = Path(path)
    columns = roster_columns().template_columns
    with SafeWorkbook(path) as book:
        sheet = book.add_sheet(DATA_SHEET)
        guide = book.add_sheet(GUIDE_SHEET)
        lists = book.add_sheet(CHOICES_SHEET)
        lists.hide()
        header = {"bold": True, "font_color": "#FFFFFF", "pattern": 1, "align": "center"}
        header.update({"valign": "vcenter", "text_wrap": True, "border": 1})
        header["border_color"] = BORDER_COLOUR
        _data_sheet(book, sheet, lists, policy, columns, header)
        _guide_sheet(book, guide, policy, columns, header)
        sheet.activate()
        book.save()
    return path


def _data_sheet(
    book: SafeWorkbook,
    sheet: SafeSheet,
    lists: SafeSheet,
    policy: Policy,
    columns: tuple[ColumnSpec, ...],
    header: dict[str, object],
) -> None:
    last = PREPARED_ROWS  # 0-based index of the last prepared row
    list_column = -1
    for position, spec in enumerate(columns):
        fill = REQUIRED_FILL if spec.required else HEADER_FILL
        sheet.write(0, position, spec.header, book.style(**header, bg_color=fill))
        if spec.note:
            text = ("Wajib. " if spec.required else "") + spec.note
            sheet.comment(0, position, text, author="BKD", width=260, height=90)
        number_format = _FORMATS.get(spec.kind)
        style: Style | None = book.style(num_format=number_format) if number_format else None
        sheet.set_column(position, position, spec.width, style)
        if style is not None:
            # The prepared rows carry the format themselves too, so that it survives a copy
            # of the rows into another workbook.
            for row in range(1, last + 1):
                sheet.format_blank(row, position, style)
        choices = _choices(policy, spec)
        if choices is None:
            continue
        list_column += 1
        list_letter = _column_letter(list_column)
        lists.write(0, list_column, spec.header)
        for offset, choice in enumerate(choices, start=1):
            lists.write(offset, list_column, choice.label)
        prompt = f"Pilih {spec.header} dari daftar."
        sheet.list_validation(
            1,
            position,
            last,
            f"={CHOICES_SHEET}!${list_letter}$2:${list_letter}${len(choices) + 1}",
            title=spec.header or spec.key,
            message=prompt,
            error_title="Pilihan tidak ada",
            error=prompt,
        )
    sheet.set_row(0, 32)
    sheet.freeze_panes(1, 2)
    sheet.autofilter(0, 0, 0, len(columns) - 1)


def _guide_sheet(
    book: SafeWorkbook,
    guide: SafeSheet,
    policy: Policy,
    columns: tuple[ColumnSpec, ...],
    header: dict[str, object],
) -> None:
    guide.set_column(0, 0, 28)
    guide.set_column(1, 1, 10)
    guide.set_column(2, 2, 90)
    wrap = book.style(text_wrap=True, valign="top")
    title = book.style(text_wrap=True, valign="top", bold=True, font_size=14)
    lines = guide_lines(policy)
    for row, line in enumerate(lines):
        guide.merge(row, 0, row, 2, line or None, title if row == 0 else wrap)
        if row and line:
            # Roughly 110 characters fit on one line of the merged A:C width.
            guide.set_row(row, 15 * (1 + len(line) // 110))
    table = len(lines)
    titles = ("Kolom", "Wajib", "Keterangan")
    guide.write_row(table, titles, [book.style(**header, bg_color=HEADER_FILL)] * len(titles))
    for offset, spec in enumerate(columns, start=1):
        guide.write_row(
            table + offset,
            (spec.header, "Ya" if spec.required else "", spec.note or None),
            (None, None, wrap),
        )
