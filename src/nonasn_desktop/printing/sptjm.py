"""The SPTJM of a batch: the PPK's statement of absolute responsibility, with its list.

Data without an SPTJM is left out by the centre (DOMAIN.md, section 1). The paper names the
batch exactly (office, sequence number, batch id, the content fingerprint that the signed file
carries), sums the approved records per unit kerja, and leaves the PPK's name, NIP, place and
date blank to be written by hand over a duty stamp (materai). The list of every record follows
as an attachment (lampiran), grouped per unit kerja with subtotals.

Nothing here reads the database: :mod:`nonasn_desktop.batch.export` passes plain rows.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from nonasn_desktop.printing.common import (
    FAINT,
    INK,
    MUTED,
    NAVY,
    RULE,
    TINT,
    PrintJob,
    draw_footer,
    draw_letterhead,
)
from nonasn_desktop.printing.fonts import BOLD, ITALIC, REGULAR, register_fonts
from nonasn_desktop.rules.formatting import format_date
from nonasn_desktop.rules.timezones import office_zone

TITLE = "SURAT PERNYATAAN TANGGUNG JAWAB MUTLAK"
NO_UNIT = "(unit kerja tidak diisi)"
MARGIN = 20 * mm
_PAGE_W, _PAGE_H = A4
_LETTERHEAD_ROOM = 36 * mm
_HEADER_ROOM = 14 * mm
_FOOTER_ROOM = 14 * mm
# Left plus right padding of a table cell (reportlab's default is 6 points each side).
_CELL_PADDING = 12


@dataclass(frozen=True)
class SptjmBatch:
    """The batch the statement covers."""

    office_code: str
    office_name: str
    instansi_name: str | None
    batch_id: str
    sequence: int
    created_at: dt.datetime
    record_count: int
    file_name: str
    # SHA-256 of the batch's manifest: the content fingerprint, unchanged by re-encryption.
    manifest_sha256: str


@dataclass(frozen=True)
class SptjmRow:
    """One approved record in the list."""

    unit_kerja: str | None
    nama: str
    nik: str
    jabatan: str | None
    account_number: str | None
    # True MS, False TMS (approved with a written reason), None not assessed.
    eligible: bool | None


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=REGULAR, fontSize=10.5, leading=14.5, textColor=INK)
    return {
        "body": ParagraphStyle("body", parent=base, alignment=TA_JUSTIFY),
        "title": ParagraphStyle(
            "title", parent=base, fontName=BOLD, fontSize=13, leading=17, alignment=TA_CENTER
        ),
        "subtitle": ParagraphStyle(
            "subtitle", parent=base, alignment=TA_CENTER, textColor=MUTED, fontSize=10
        ),
        "heading": ParagraphStyle(
            "heading", parent=base, fontName=BOLD, fontSize=11, leading=15, textColor=NAVY
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5),
        "cell_bold": ParagraphStyle("cell_bold", parent=base, fontName=BOLD, fontSize=8.5),
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=11, textColor=MUTED),
        "sign": ParagraphStyle("sign", parent=base, alignment=TA_CENTER),
    }


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _outcome(eligible: bool | None) -> str:
    if eligible is None:
        return "-"
    return "MS" if eligible else "TMS"


def _unit(row: SptjmRow) -> str:
    return " ".join((row.unit_kerja or "").split()) or NO_UNIT


def _grouped(rows: Sequence[SptjmRow]) -> list[tuple[str, list[SptjmRow]]]:
    ordered = sorted(rows, key=lambda r: (_unit(r).casefold(), r.nama.casefold(), r.nik))
    return [(unit, list(group)) for unit, group in itertools.groupby(ordered, key=_unit)]


class _MateraiBlock(Flowable):  # type: ignore[misc]
    """The PPK's signature block: place and date, title, duty-stamp box, name and NIP lines."""

    def __init__(self, width: float, office_title: str) -> None:
        super().__init__()
        self.block_width = width
        self.office_title = office_title
        self.height = 62 * mm
        self._available = width

    # reportlab's Flowable.wrap signature; the height of this block does not depend on it.
    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:  # noqa: ARG002
        self._available = available_width
        return available_width, self.height

    def draw(self) -> None:
        canvas: Canvas = self.canv
        x = self._available - self.block_width
        top = self.height
        centre = x + self.block_width / 2
        canvas.setFillColor(INK)
        canvas.setFont(REGULAR, 10.5)
        canvas.drawCentredString(centre, top - 12, "………………………, …………………………… 20……")
        canvas.drawCentredString(centre, top - 27, "Pejabat Pembina Kepegawaian,")
        canvas.setFont(REGULAR, 9)
        canvas.setFillColor(MUTED)
        canvas.drawCentredString(centre, top - 39, self.office_title)
        # The duty stamp goes left of centre, where the signature overlaps it.
        box_w, box_h = 30 * mm, 20 * mm
        box_x, box_y = centre - box_w - 4 * mm, top - 46 - box_h
        canvas.setStrokeColor(FAINT)
        canvas.setDash(3, 2)
        canvas.setLineWidth(0.6)
        canvas.rect(box_x, box_y, box_w, box_h, stroke=1, fill=0)
        canvas.setDash()
        canvas.setFont(ITALIC, 7.5)
        canvas.setFillColor(FAINT)
        canvas.drawCentredString(box_x + box_w / 2, box_y + box_h / 2 + 2, "Materai")
        canvas.drawCentredString(box_x + box_w / 2, box_y + box_h / 2 - 8, "Rp 10.000")
        line_y = box_y - 16
        canvas.setStrokeColor(INK)
        canvas.setLineWidth(0.6)
        canvas.setFillColor(INK)
        canvas.setFont(REGULAR, 10)
        left = x + 6 * mm
        canvas.drawString(left, line_y, "Nama")
        canvas.drawString(left + 14 * mm, line_y, ":")
        canvas.line(left + 17 * mm, line_y - 2, x + self.block_width, line_y - 2)
        canvas.drawString(left, line_y - 17, "NIP")
        canvas.drawString(left + 14 * mm, line_y - 17, ":")
        canvas.line(left + 17 * mm, line_y - 19, x + self.block_width, line_y - 19)


def _office_date(batch: SptjmBatch) -> dt.date:
    """The batch's date on the office's own clock (not the laptop's)."""
    moment = batch.created_at
    return office_zone(batch.office_code, fallback=moment.astimezone().utcoffset()).today(moment)


def _facts_table(batch: SptjmBatch, styles: dict[str, ParagraphStyle]) -> Table:
    rows = [
        ("Kantor", f"{batch.office_name} (kode {batch.office_code})"),
        (
            "Batch",
            f"nomor urut {batch.sequence}, tanggal "
            f"{format_date(_office_date(batch))}, {batch.record_count} orang",
        ),
        ("ID batch", batch.batch_id),
        ("Berkas batch", batch.file_name),
        ("Sidik isi (SHA-256)", batch.manifest_sha256),
    ]
    data = [
        [
            Paragraph(_escape(label), styles["small"]),
            Paragraph(_escape(value), styles["cell_bold"]),
        ]
        for label, value in rows
    ]
    table = Table(data, colWidths=[42 * mm, _PAGE_W - 2 * MARGIN - 42 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, -1), TINT),
                ("BOX", (0, 0), (-1, -1), 0.5, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return table


def _summary_table(
    groups: list[tuple[str, list[SptjmRow]]], styles: dict[str, ParagraphStyle]
) -> Table:
    header = ["No", "Unit Kerja", "MS", "TMS", "Jumlah"]
    data: list[list[Any]] = [[Paragraph(h, styles["cell_bold"]) for h in header]]
    total_ms = total_tms = total = 0
    for number, (unit, rows) in enumerate(groups, start=1):
        ms = sum(1 for r in rows if r.eligible is True)
        tms = sum(1 for r in rows if r.eligible is False)
        total_ms, total_tms, total = total_ms + ms, total_tms + tms, total + len(rows)
        data.append(
            [str(number), Paragraph(_escape(unit), styles["cell"]), str(ms), str(tms), len(rows)]
        )
    data.append(["", Paragraph("<b>Jumlah seluruhnya</b>", styles["cell"]), total_ms, total_tms])
    data[-1].append(total)
    width = _PAGE_W - 2 * MARGIN
    table = Table(
        data, colWidths=[10 * mm, width - 70 * mm, 18 * mm, 18 * mm, 24 * mm], repeatRows=1
    )
    table.setStyle(_grid_style(total_row=True))
    return table


def _grid_style(*, total_row: bool) -> TableStyle:
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 0), TINT),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, NAVY),
        ("GRID", (0, 0), (-1, -1), 0.35, RULE),
        ("ALIGN", (0, 0), (0, -1), "RIGHT"),
        ("ALIGN", (-3, 1), (-1, -1), "RIGHT"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    if total_row:
        commands += [
            ("FONTNAME", (0, -1), (-1, -1), BOLD),
            ("BACKGROUND", (0, -1), (-1, -1), TINT),
            ("LINEABOVE", (0, -1), (-1, -1), 0.8, NAVY),
        ]
    return TableStyle(commands)


def _cell(text: str, width: float, style: ParagraphStyle) -> str | Paragraph:
    """Plain text when it fits on one line (fast to lay out), else a wrapping paragraph."""
    if stringWidth(text, style.fontName, style.fontSize) <= width - _CELL_PADDING:
        return text
    return Paragraph(_escape(text), style)


def _unit_table(rows: list[SptjmRow], styles: dict[str, ParagraphStyle], first: int) -> Table:
    header = ["No", "NIK", "Nama", "Jabatan", "Nomor Akun", "Hasil"]
    width = _PAGE_W - 2 * MARGIN
    widths = [10 * mm, 31 * mm, 0.0, 0.0, 30 * mm, 13 * mm]
    rest = width - sum(widths)
    widths[2], widths[3] = rest * 0.52, rest * 0.48
    data: list[list[Any]] = [[Paragraph(h, styles["cell_bold"]) for h in header]]
    for number, row in enumerate(rows, start=first):
        data.append(
            [
                str(number),
                row.nik,
                _cell(row.nama, widths[2], styles["cell"]),
                _cell(row.jabatan or "-", widths[3], styles["cell"]),
                row.account_number or "-",
                _outcome(row.eligible),
            ]
        )
    table = Table(data, colWidths=widths, repeatRows=1)
    style = _grid_style(total_row=False)
    style.add("ALIGN", (-3, 1), (-2, -1), "LEFT")
    style.add("ALIGN", (-1, 1), (-1, -1), "CENTER")
    style.add("FONTNAME", (1, 1), (1, -1), REGULAR)
    for index, row in enumerate(rows, start=1):
        if row.eligible is False:
            style.add("TEXTCOLOR", (-1, index), (-1, index), NAVY)
            style.add("FONTNAME", (-1, index), (-1, index), BOLD)
    table.setStyle(style)
    return table


def _story(
    batch: SptjmBatch, rows: Sequence[SptjmRow], styles: dict[str, ParagraphStyle]
) -> list[Flowable]:
    """The statement on the first page, then its attachment: the list of approved staff."""
    groups = _grouped(rows)
    return [*_statement(batch, rows, groups, styles), *_attachment(batch, rows, groups, styles)]


def _statement(
    batch: SptjmBatch,
    rows: Sequence[SptjmRow],
    groups: list[tuple[str, list[SptjmRow]]],
    styles: dict[str, ParagraphStyle],
) -> list[Flowable]:
    """The letter the PPK signs over a materai, ending with a page break."""
    instansi = batch.instansi_name or batch.office_name
    tms = sum(1 for r in rows if r.eligible is False)
    tms_text = (
        f" Dari jumlah itu, {tms} orang tidak memenuhi syarat (TMS) dan disetujui dengan alasan "
        "tertulis verifikator yang tercatat pada datanya."
        if tms
        else ""
    )
    statement = (
        "dengan ini menyatakan dengan sesungguhnya bahwa data tenaga non-ASN sebanyak "
        f"<b>{batch.record_count} orang</b> dari {len(groups)} unit kerja sebagaimana tercantum "
        "dalam lampiran surat pernyataan "
        f"ini, yang dikirim dalam berkas batch bertanda tangan elektronik nomor urut "
        f"<b>{batch.sequence}</b> dari kantor {_escape(batch.office_name)}, telah diverifikasi "
        "dan divalidasi, serta benar dan sesuai dengan keadaan sebenarnya." + tms_text
    )
    return [
        Paragraph(f"<u>{TITLE}</u>", styles["title"]),
        Paragraph("Nomor: ………………………………………………", styles["subtitle"]),
        Spacer(1, 6 * mm),
        Paragraph("Yang bertanda tangan di bawah ini:", styles["body"]),
        Spacer(1, 2 * mm),
        _identity_table(instansi, styles),
        Spacer(1, 3 * mm),
        Paragraph(statement, styles["body"]),
        Spacer(1, 3 * mm),
        Paragraph(
            "Apabila di kemudian hari terdapat data yang tidak benar, saya bersedia bertanggung "
            "jawab sepenuhnya dan menerima sanksi sesuai dengan ketentuan peraturan "
            "perundang-undangan.",
            styles["body"],
        ),
        Spacer(1, 4 * mm),
        _facts_table(batch, styles),
        Spacer(1, 4 * mm),
        Paragraph(
            "Demikian surat pernyataan ini saya buat dengan sebenar-benarnya untuk dapat "
            "dipergunakan sebagaimana mestinya.",
            styles["body"],
        ),
        Spacer(1, 4 * mm),
        KeepTogether([_MateraiBlock(80 * mm, instansi[:60])]),
        PageBreak(),
    ]


def _identity_table(instansi: str, styles: dict[str, ParagraphStyle]) -> Table:
    """Who signs: name and NIP left to be filled in by hand, the office's instansi."""
    identity = Table(
        [
            ["Nama", ":", "……………………………………………………………………………"],
            ["NIP", ":", "……………………………………………………………………………"],
            ["Jabatan", ":", "Pejabat Pembina Kepegawaian"],
            ["Instansi", ":", Paragraph(_escape(instansi), styles["body"])],
        ],
        colWidths=[28 * mm, 5 * mm, _PAGE_W - 2 * MARGIN - 33 * mm],
    )
    identity.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("FONTSIZE", (0, 0), (-1, -1), 10.5),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (0, -1), 8 * mm),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    return identity


def _attachment(
    batch: SptjmBatch,
    rows: Sequence[SptjmRow],
    groups: list[tuple[str, list[SptjmRow]]],
    styles: dict[str, ParagraphStyle],
) -> list[Flowable]:
    """The summary per work unit, then each unit's staff numbered on through the units."""
    story: list[Flowable] = [
        Paragraph(
            f"LAMPIRAN SURAT PERNYATAAN TANGGUNG JAWAB MUTLAK<br/>"
            f"Daftar Tenaga Non-ASN yang Disetujui — Batch Nomor Urut {batch.sequence}",
            styles["title"],
        ),
        Spacer(1, 5 * mm),
        Paragraph("Rekapitulasi per unit kerja", styles["heading"]),
        Spacer(1, 1.5 * mm),
        _summary_table(groups, styles),
        Spacer(1, 6 * mm),
    ]
    number = 1
    for unit, unit_rows in groups:
        story.append(CondPageBreak(40 * mm))
        story.append(
            Paragraph(f"Unit kerja: {_escape(unit)} ({len(unit_rows)} orang)", styles["heading"])
        )
        story.append(Spacer(1, 1.5 * mm))
        story.append(_unit_table(unit_rows, styles, number))
        story.append(Spacer(1, 5 * mm))
        number += len(unit_rows)
    story.append(
        Paragraph(
            f"<b>Jumlah seluruhnya: {len(rows)} orang</b> dalam {len(groups)} unit kerja "
            "(MS: memenuhi syarat, TMS: tidak memenuhi syarat).",
            styles["body"],
        )
    )
    return story


class _NumberedCanvas(Canvas):  # type: ignore[misc]
    """Defers each page so that the footer can say "Halaman x dari y"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._job: PrintJob = kwargs.pop("job")
        self._batch: SptjmBatch = kwargs.pop("batch")
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._decorate(total)
            super().showPage()
        super().save()

    def _decorate(self, total: int) -> None:
        number = self.getPageNumber()
        left, right = MARGIN, _PAGE_W - MARGIN
        if number == 1:
            draw_letterhead(self, self._job, left=left, right=right, top=_PAGE_H - 14 * mm)
        else:
            self.setFont(REGULAR, 8)
            self.setFillColor(MUTED)
            self.drawString(
                left,
                _PAGE_H - 13 * mm,
                f"Lampiran SPTJM · Batch nomor urut {self._batch.sequence} · "
                f"{self._batch.office_name}",
            )
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(left, _PAGE_H - 15 * mm, right, _PAGE_H - 15 * mm)
        draw_footer(self, self._job, left=left, right=right, bottom=9 * mm)
        self.setFont(REGULAR, 7.5)
        self.setFillColor(MUTED)
        self.drawCentredString(_PAGE_W / 2, 9 * mm + 2 - 10, f"Halaman {number} dari {total}")


def write_sptjm(
    target: BinaryIO | Path,
    batch: SptjmBatch,
    rows: Sequence[SptjmRow],
    *,
    printed_at: dt.datetime,
    printed_by: str | None = None,
) -> None:
    """Write the SPTJM of ``batch`` listing ``rows`` as a PDF to ``target``."""
    register_fonts()
    styles = _styles()
    job = PrintJob(
        office_code=batch.office_code,
        office_name=batch.office_name,
        instansi_name=batch.instansi_name,
        printed_at=printed_at,
        printed_by=printed_by,
    )
    output: Any = str(target) if isinstance(target, Path) else target
    document = SimpleDocTemplate(
        output,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=_HEADER_ROOM + 6 * mm,
        bottomMargin=_FOOTER_ROOM + 6 * mm,
        title=f"SPTJM batch {batch.sequence} kantor {batch.office_code}",
        author=batch.office_name,
        subject=TITLE,
        creator="Pendataan Tenaga Non-ASN",
    )

    def first_page(canvas: Canvas, _doc: Any) -> None:
        del canvas, _doc

    story = _story(batch, rows, styles)
    # The first page starts below the letterhead.
    story.insert(0, Spacer(1, _LETTERHEAD_ROOM - _HEADER_ROOM))
    document.build(
        story,
        onFirstPage=first_page,
        onLaterPages=first_page,
        canvasmaker=lambda *a, **k: _NumberedCanvas(*a, job=job, batch=batch, **k),
    )
