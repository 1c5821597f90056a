"""Step 12, "Informasi Pendaftaran": the A4 sheet the honorer takes home once the account exists.

It proves the account was made (number, date, QR code), shows the identity as recorded, and
says what comes next: logging in again, the documents to bring, keeping the secrets secret.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from nonasn_desktop.policy.model import DocumentRule
from nonasn_desktop.printing.common import (
    INK,
    MM,
    MUTED,
    NAVY,
    RULE,
    TINT,
    PrintJob,
    draw_footer,
    draw_label_values,
    draw_letterhead,
    draw_lines,
    draw_qr,
    draw_section_title,
    fit_lines,
    format_date_time,
    format_size,
    label_values_height,
    mask_phone,
    or_placeholder,
)
from nonasn_desktop.printing.fonts import BOLD, FAMILY, REGULAR, register_fonts
from nonasn_desktop.rules.formatting import format_date

if TYPE_CHECKING:
    from nonasn_desktop.printing.model import PrintableRegistration

TITLE = "Informasi Pendaftaran"
MARGIN_X = 22 * MM
MARGIN_TOP = 15 * MM
MARGIN_BOTTOM = 12 * MM
LABEL_WIDTH = 48 * MM
QR_SIZE = 25 * MM
# The lowest y the page's content may reach: the footer sits below.
CONTENT_BOTTOM = MARGIN_BOTTOM + 11 + 8
# Spacing between blocks shrinks at most to this fraction when long values need the room.
MIN_SPACING = 0.35
_FORMAT_NAMES = {"jpeg": "JPG", "pdf": "PDF"}


@dataclass(frozen=True)
class RequiredDocument:
    """One document the honorer brings for the second phase, as the sheet lists it."""

    label: str
    formats: str
    size: str

    @classmethod
    def from_rule(cls, rule: DocumentRule) -> RequiredDocument:
        formats = " atau ".join(_FORMAT_NAMES.get(f, f.upper()) for f in rule.formats)
        if rule.min_bytes > 0:
            size = f"{format_size(rule.min_bytes)} – {format_size(rule.max_bytes)}"
        else:
            size = f"maks. {format_size(rule.max_bytes)}"
        return cls(label=rule.label, formats=formats, size=size)


def _style(size: float, leading: float, **extra: object) -> ParagraphStyle:
    return ParagraphStyle(
        "body",
        fontName=FAMILY,
        fontSize=size,
        leading=leading,
        textColor=INK,
        alignment=TA_LEFT,
        **extra,
    )


class InformationSheet:
    """Draws the sheet; the parts that are the same for everyone are laid out once."""

    page_size = A4
    title = TITLE

    def __init__(self, job: PrintJob, documents: tuple[RequiredDocument, ...]) -> None:
        register_fonts()
        self._job = job
        self._documents = documents
        self._left = MARGIN_X
        self._right = A4[0] - MARGIN_X
        self._width = self._right - self._left
        self._steps = self._build_steps()
        self._notice = Paragraph(
            "<b>Jaga kerahasiaan kata sandi dan jawaban pertanyaan pengaman.</b> Keduanya hanya "
            "diketahui oleh Anda; jangan diberikan kepada siapa pun, termasuk petugas. Simpan "
            "lembar ini dan bawa kembali bersama KTP asli saat melanjutkan pendaftaran.",
            _style(9, 12.2),
        )
        self._notice_height: float = self._notice.wrap(self._width - 16, 200)[1]
        self._spare, self._gap_total = self._measure()

    def _build_steps(self) -> list[tuple[Paragraph, float]]:
        office = " ".join(self._job.office_name.split())
        texts = [
            f"Datang kembali ke {office} dengan membawa lembar ini. Masuk (<b>Login "
            "Pendaftaran</b>) dengan <b>NIK</b> dan <b>kata sandi yang Anda buat</b> saat "
            "pembuatan akun, lalu pilih <b>Lanjutkan Login Pendaftaran</b>.",
            "Lengkapi biodata dan pendidikan terakhir, lalu riwayat pekerjaan sesuai SK.",
            "Unggah dokumen pada daftar di bawah ini. Siapkan berkasnya atau bawa dokumen "
            "aslinya untuk dipindai petugas.",
            "Periksa kembali resume data, centang pernyataan, lalu pilih <b>Akhiri Proses "
            "Pendaftaran</b>. Setelah itu <b>Kartu Informasi Akun</b> dicetak untuk Anda.",
        ]
        style = _style(9.5, 12.8, leftIndent=14, bulletIndent=0, bulletFontName=BOLD)
        steps = []
        for number, text in enumerate(texts, start=1):
            paragraph = Paragraph(text, style, bulletText=f"{number}.")
            steps.append((paragraph, paragraph.wrap(self._width - 4, 400)[1]))
        return steps

    # -- drawing ---------------------------------------------------------------------------

    def draw(self, canvas: Canvas, person: PrintableRegistration) -> None:
        born = ", ".join(
            part
            for part in (
                " ".join((person.tempat_lahir or "").split()),
                format_date(person.tanggal_lahir) if person.tanggal_lahir else "",
            )
            if part
        )
        identity = [
            ("NIK", or_placeholder(person.nik)),
            ("Nama Lengkap", or_placeholder(person.nama)),
            ("Tempat, Tanggal Lahir", or_placeholder(born)),
            ("Jenis Kelamin", or_placeholder(person.jenis_kelamin)),
            ("Nomor Handphone", mask_phone(person.nomor_hp)),
        ]
        instansi = [
            ("Instansi", or_placeholder(person.instansi)),
            ("Unit Kerja", or_placeholder(person.unit_kerja)),
            ("Jabatan", or_placeholder(person.jabatan)),
        ]
        created = (
            format_date_time(person.account_created_at, self._job.zone)
            if person.account_created_at
            else "-"
        )
        spacing, max_lines = self._fit(identity + instansi)
        self._body(canvas, person.account_number, created, identity, instansi, spacing, max_lines)
        draw_footer(canvas, self._job, left=self._left, right=self._right, bottom=MARGIN_BOTTOM)

    def _fit(self, rows: list[tuple[str, str]]) -> tuple[float, int]:
        """(spacing scale, lines per value) so that the page ends above the footer.

        Only the rows vary from person to person: values that wrap first take the spare room,
        then the spacing between blocks shrinks, and as a last resort every value keeps one
        line (with an ellipsis).
        """
        width = self._width - LABEL_WIDTH - 4
        extra = label_values_height(rows, value_width=width) - label_values_height(
            rows, value_width=width, max_lines=1
        )
        if extra <= self._spare:
            return 1.0, 2
        spacing = 1 - (extra - self._spare) / self._gap_total
        if spacing >= MIN_SPACING:
            return spacing, 2
        return max(MIN_SPACING, min(1.0, 1 + self._spare / self._gap_total)), 1

    def _measure(self) -> tuple[float, float]:
        """(room left above the footer, total of the spacing) for one-line values."""
        scratch = Canvas(io.BytesIO(), pagesize=A4)
        rows_a = [("NIK", "-")] * 5
        rows_b = [("Instansi", "-")] * 3
        bottom = self._body(scratch, "-", "-", rows_a, rows_b, 1.0, 1)
        bottom_tight = self._body(scratch, "-", "-", rows_a, rows_b, 0.0, 1)
        return bottom - CONTENT_BOTTOM, bottom_tight - bottom

    def _body(
        self,
        canvas: Canvas,
        account_number: str,
        created: str,
        identity: list[tuple[str, str]],
        instansi: list[tuple[str, str]],
        spacing: float,
        max_lines: int,
    ) -> float:
        """Everything above the footer; returns the lowest y drawn."""
        left, right = self._left, self._right
        value_width = self._width - LABEL_WIDTH - 4

        def gap(points: float) -> float:
            return points * spacing

        y = draw_letterhead(canvas, self._job, left=left, right=right, top=A4[1] - MARGIN_TOP)
        y = self._heading(canvas, y - gap(18))
        y = self._account_box(canvas, account_number, created, y - gap(14))
        for title, rows, before in (
            ("A. Data Identitas", identity, 18),
            ("B. Instansi dan Unit Kerja", instansi, 8),
        ):
            y = draw_section_title(canvas, title, left=left, right=right, top=y - gap(before))
            y = draw_label_values(
                canvas,
                rows,
                left=left + 4,
                top=y - gap(8),
                label_width=LABEL_WIDTH,
                value_width=value_width,
                max_lines=max_lines,
            )
        y = draw_section_title(
            canvas, "C. Langkah Selanjutnya", left=left, right=right, top=y - gap(8)
        )
        y -= gap(7)
        for paragraph, height in self._steps:
            paragraph.drawOn(canvas, left + 4, y - height)
            y -= height + gap(3.5)
        y = self._documents_table(canvas, y - gap(4))
        return self._notice_box(canvas, y - gap(14))

    def _heading(self, canvas: Canvas, top: float) -> float:
        centre = (self._left + self._right) / 2
        y = draw_lines(canvas, [TITLE.upper()], centre, top, BOLD, 15, align="center", color=INK)
        return draw_lines(
            canvas,
            ["Tanda bukti pembuatan akun Pendataan Tenaga Non-ASN"],
            centre,
            y - 4,
            REGULAR,
            9.5,
            align="center",
            color=MUTED,
        )

    def _account_box(self, canvas: Canvas, account_number: str, created: str, top: float) -> float:
        left, right = self._left, self._right
        pad = 5 * MM
        height = QR_SIZE + 2 * pad
        bottom = top - height
        canvas.setFillColor(TINT)
        canvas.setStrokeColor(NAVY)
        canvas.setLineWidth(0.8)
        canvas.rect(left, bottom, right - left, height, stroke=1, fill=1)
        # The QR code on a white square (its quiet zone).
        quiet = 2.2 * MM
        qr_x = right - pad - QR_SIZE
        canvas.setFillColorRGB(1, 1, 1)
        canvas.rect(
            qr_x - quiet,
            bottom + pad - quiet,
            QR_SIZE + 2 * quiet,
            QR_SIZE + 2 * quiet,
            stroke=0,
            fill=1,
        )
        draw_qr(canvas, account_number, qr_x, bottom + pad, QR_SIZE)

        text_x = left + pad
        text_width = qr_x - quiet - pad - text_x
        y = draw_lines(canvas, ["NOMOR AKUN"], text_x, top - pad - 1, BOLD, 8.5, color=MUTED)
        lines, size = fit_lines(account_number, BOLD, 25, text_width, max_lines=1, min_size=14)
        y = draw_lines(canvas, lines, text_x, y - 5, BOLD, size, color=NAVY)
        y = draw_lines(canvas, ["Akun dibuat pada"], text_x, y - 9, REGULAR, 8.5, color=MUTED)
        draw_lines(canvas, [created], text_x, y - 2.5, BOLD, 10, color=INK)
        return bottom

    def _documents_table(self, canvas: Canvas, top: float) -> float:
        left, right = self._left + 4, self._right
        columns = (left, left + 22, right - 62 * MM, right - 30 * MM)
        row_height = 15.5
        canvas.setFillColor(TINT)
        canvas.rect(left, top - row_height, right - left, row_height, stroke=0, fill=1)
        for x, text in zip(columns, ("No", "Dokumen", "Format", "Ukuran berkas"), strict=True):
            draw_lines(canvas, [text], x + 4, top - 4.5, BOLD, 8.5, color=INK)
        y = top - row_height
        for number, document in enumerate(self._documents, start=1):
            label_width = columns[2] - columns[1] - 8
            label, size = fit_lines(
                document.label, REGULAR, 9, label_width, max_lines=1, min_size=7.5
            )
            draw_lines(canvas, [f"{number}."], columns[0] + 4, y - 4.5, REGULAR, 9)
            draw_lines(canvas, label, columns[1] + 4, y - 4.5, REGULAR, size)
            draw_lines(canvas, [document.formats], columns[2] + 4, y - 4.5, REGULAR, 9)
            draw_lines(canvas, [document.size], columns[3] + 4, y - 4.5, REGULAR, 9)
            y -= row_height
            canvas.setStrokeColor(RULE)
            canvas.setLineWidth(0.4)
            canvas.line(left, y, right, y)
        return y

    def _notice_box(self, canvas: Canvas, top: float) -> float:
        left, right = self._left, self._right
        height = self._notice_height + 14
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.rect(left, top - height, right - left, height, stroke=1, fill=0)
        canvas.setFillColor(NAVY)
        canvas.rect(left, top - height, 3, height, stroke=0, fill=1)
        self._notice.drawOn(canvas, left + 12, top - 7 - self._notice_height)
        return top - height
