"""Step 24, "Kartu Informasi Akun": the card of a finished registration.

Two layouts: ``"id1"`` is one page of exactly 85.6 × 54 mm (ISO/IEC 7810 ID-1, the size of a
KTP) for card printers; ``"a4"`` draws the same card at its real size on an A4 page with a cut
line, the full details and what happens next.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from reportlab.lib.colors import white
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from nonasn_desktop.printing.common import (
    FAINT,
    INK,
    MM,
    MUTED,
    NAVY,
    PHOTO_RATIO,
    PhotoForms,
    PrintJob,
    draw_footer,
    draw_label_values,
    draw_letterhead,
    draw_lines,
    draw_photo,
    draw_qr,
    draw_section_title,
    fit_lines,
    format_date_time,
    or_placeholder,
)
from nonasn_desktop.printing.fonts import BOLD, FAMILY, ITALIC, REGULAR, register_fonts
from nonasn_desktop.rules.formatting import format_date

if TYPE_CHECKING:
    from nonasn_desktop.printing.model import PrintableRegistration

CardLayout = Literal["a4", "id1"]

TITLE = "Kartu Informasi Akun"
CARD_WIDTH = 85.6 * MM
CARD_HEIGHT = 54 * MM
CARD_SIZE = (CARD_WIDTH, CARD_HEIGHT)
# ISO/IEC 7810 corner radius.
CORNER = 3.18 * MM

_PAD = 3.5 * MM
_BAND = 10.5 * MM
_PHOTO_W = 17.5 * MM
_PHOTO_H = _PHOTO_W * PHOTO_RATIO
_QR = 14 * MM
_FIELDS_X = _PAD + _PHOTO_W + 3.2 * MM
_FIELDS_RIGHT = CARD_WIDTH - _PAD
_LABEL_W = 12.5 * MM
# The fields sit between the band and the strip with the account number and QR code.
_FIELDS_TOP = CARD_HEIGHT - _BAND - 3.0 * MM
_FIELDS_BOTTOM = _PAD + _QR + 1.6 * MM
# Font scales tried, largest first, until every field fits.
_SCALES = (1.0, 0.92, 0.85, 0.78)

_A4_MARGIN_X = 22 * MM
_A4_MARGIN_TOP = 15 * MM
_A4_MARGIN_BOTTOM = 12 * MM
_A4_LABEL_WIDTH = 48 * MM


@dataclass(frozen=True)
class _Field:
    label: str
    value: str
    font: str
    size: float
    max_lines: int


@dataclass(frozen=True)
class _Placed:
    field: _Field
    lines: list[str]
    size: float


def _fields(person: PrintableRegistration) -> list[_Field]:
    return [
        _Field("Nama", or_placeholder(person.nama), BOLD, 7.6, 2),
        _Field("NIK", or_placeholder(person.nik), BOLD, 6.8, 1),
        _Field("Jabatan", or_placeholder(person.jabatan), BOLD, 6.3, 2),
        _Field("Unit Kerja", or_placeholder(person.unit_kerja), BOLD, 6.3, 2),
        _Field("Instansi", or_placeholder(person.instansi), BOLD, 6.3, 2),
    ]


def _layout_fields(
    fields: list[_Field], width: float, height: float
) -> tuple[list[_Placed], float]:
    """The largest scale at which every field fits ``height``; at the smallest, long values
    get one line fewer (and an ellipsis) until they fit. Returns the placement and the gap."""
    placed: list[_Placed] = []
    for scale in _SCALES:
        placed = []
        for field in fields:
            lines, size = fit_lines(
                field.value,
                field.font,
                field.size * scale,
                width,
                max_lines=field.max_lines,
                min_size=field.size * scale,
            )
            placed.append(_Placed(field, lines, size))
        if _height(placed, scale) <= height:
            return placed, 1.1 * MM * scale
    # Still too tall at the smallest scale: give the least important fields (the last ones)
    # one line fewer, with an ellipsis, until everything fits.
    scale = _SCALES[-1]
    for index in itertools.cycle(range(len(placed) - 1, -1, -1)):
        if _height(placed, scale) <= height or all(len(p.lines) == 1 for p in placed):
            break
        item = placed[index]
        if len(item.lines) > 1:
            lines, size = fit_lines(
                item.field.value,
                item.field.font,
                item.size,
                width,
                max_lines=len(item.lines) - 1,
                min_size=item.size,
            )
            placed[index] = _Placed(item.field, lines, size)
    return placed, 1.1 * MM * scale


def _height(placed: list[_Placed], scale: float) -> float:
    gap = 1.1 * MM * scale
    return sum(len(p.lines) * p.size * 1.18 for p in placed) + gap * (len(placed) - 1)


def draw_card(
    canvas: Canvas,
    person: PrintableRegistration,
    job: PrintJob,
    photos: PhotoForms,
    *,
    x: float = 0,
    y: float = 0,
) -> None:
    """The card with its lower left corner at (x, y), 85.6 × 54 mm."""
    # Stored (once) before this card's drawing starts: a form is a drawing of its own.
    photo = (
        photos.get(canvas, person.photo_sha256 or person.account_number, person.photo)
        if person.photo
        else None
    )
    canvas.saveState()
    canvas.translate(x, y)
    _draw_blank(canvas)
    _draw_band_text(canvas, job)
    draw_photo(canvas, photo, _PAD, _FIELDS_TOP - _PHOTO_H, _PHOTO_W, _PHOTO_H)
    _draw_fields(canvas, person)
    _draw_number_strip(canvas, person, job)
    canvas.restoreState()


def _draw_blank(canvas: Canvas) -> None:
    """White card, navy band: the band is clipped to the rounded corners."""
    outline = canvas.beginPath()
    outline.roundRect(0, 0, CARD_WIDTH, CARD_HEIGHT, CORNER)
    canvas.saveState()
    canvas.clipPath(outline, stroke=0, fill=0)
    canvas.setFillColor(white)
    canvas.rect(0, 0, CARD_WIDTH, CARD_HEIGHT, stroke=0, fill=1)
    canvas.setFillColor(NAVY)
    canvas.rect(0, CARD_HEIGHT - _BAND, CARD_WIDTH, _BAND, stroke=0, fill=1)
    canvas.restoreState()


def _draw_band_text(canvas: Canvas, job: PrintJob) -> None:
    """The title and the office's name, white on the band."""
    band_width = CARD_WIDTH - 2 * _PAD
    canvas.setFillColor(white)
    canvas.setFont(BOLD, 8.2)
    canvas.drawString(_PAD, CARD_HEIGHT - 4.6 * MM, TITLE.upper())
    office, office_size = fit_lines(
        " ".join(job.office_name.split()), REGULAR, 5.8, band_width, max_lines=1, min_size=4.6
    )
    canvas.setFont(REGULAR, office_size)
    canvas.drawString(_PAD, CARD_HEIGHT - 8.1 * MM, office[0])


def _draw_fields(canvas: Canvas, person: PrintableRegistration) -> None:
    """The person's fields right of the photo, fitted into the space between band and strip."""
    # Label and value share the baseline of the value's first line.
    value_x = _FIELDS_X + _LABEL_W
    placed, gap = _layout_fields(
        _fields(person), _FIELDS_RIGHT - value_x, _FIELDS_TOP - _FIELDS_BOTTOM
    )
    top = _FIELDS_TOP
    for item in placed:
        leading = item.size * 1.18
        baseline = top - item.size * 0.8
        canvas.setFillColor(MUTED)
        canvas.setFont(REGULAR, max(4.6, min(5.4, item.size * 0.85)))
        canvas.drawString(_FIELDS_X, baseline, item.field.label)
        canvas.setFillColor(INK)
        canvas.setFont(item.field.font, item.size)
        for line in item.lines:
            canvas.drawString(value_x, baseline, line)
            baseline -= leading
        top -= len(item.lines) * leading + gap


def _draw_number_strip(canvas: Canvas, person: PrintableRegistration, job: PrintJob) -> None:
    """The strip along the bottom: account number and date left, QR code right; laid out
    from the bottom edge up."""
    completed = person.completed_at
    registered = format_date(job.zone.today(completed)) if completed else "-"
    canvas.setFillColor(INK)
    canvas.setFont(REGULAR, 5.8)
    date_baseline = _PAD + 0.4 * MM
    canvas.drawString(_PAD, date_baseline, f"Tanggal pendaftaran: {registered}")
    number, size = fit_lines(
        person.account_number,
        BOLD,
        11.5,
        CARD_WIDTH - 2 * _PAD - _QR - 3 * MM,
        max_lines=1,
        min_size=7,
    )
    number_baseline = date_baseline + 5.8 * 0.3 + 2.8 * MM
    canvas.setFillColor(NAVY)
    canvas.setFont(BOLD, size)
    canvas.drawString(_PAD, number_baseline, number[0])
    canvas.setFillColor(MUTED)
    canvas.setFont(BOLD, 5)
    canvas.drawString(_PAD, number_baseline + size * 0.78 + 1.3 * MM, "NOMOR AKUN")
    draw_qr(canvas, person.account_number, CARD_WIDTH - _PAD - _QR, _PAD, _QR)


class AccountCardSheet:
    """One card per page: on A4 with details and a cut line, or on an ID-1 page."""

    title = TITLE

    def __init__(self, job: PrintJob, layout: CardLayout = "a4") -> None:
        register_fonts()
        self._job = job
        self.layout = layout
        self.page_size = A4 if layout == "a4" else CARD_SIZE
        self._photos = PhotoForms()
        self._left = _A4_MARGIN_X
        self._right = A4[0] - _A4_MARGIN_X
        self._width = self._right - self._left
        self._notes = self._build_notes()

    def draw(self, canvas: Canvas, person: PrintableRegistration) -> None:
        if self.layout == "id1":
            draw_card(canvas, person, self._job, self._photos)
        else:
            self._draw_a4(canvas, person)

    # -- A4 ----------------------------------------------------------------------------------

    def _build_notes(self) -> list[tuple[Paragraph, float]]:
        texts = [
            "Data Anda selanjutnya diverifikasi dan divalidasi (verval) oleh instansi. Hasilnya "
            "diumumkan oleh instansi masing-masing.",
            "Data yang sudah diakhiri tidak dapat diubah lagi, kecuali dikembalikan oleh "
            "verifikator untuk diperbaiki.",
            "Kartu ini adalah bukti keikutsertaan dalam pendataan, <b>bukan</b> surat "
            "keputusan pengangkatan.",
            "Sebutkan nomor akun atau NIK setiap kali menanyakan status pendataan Anda. Jaga "
            "kerahasiaan kata sandi dan jawaban pertanyaan pengaman.",
        ]
        style = ParagraphStyle(
            "notes",
            fontName=FAMILY,
            fontSize=9.5,
            leading=12.8,
            textColor=INK,
            alignment=TA_LEFT,
            leftIndent=14,
            bulletIndent=0,
            bulletFontName=BOLD,
        )
        notes = []
        for number, text in enumerate(texts, start=1):
            paragraph = Paragraph(text, style, bulletText=f"{number}.")
            notes.append((paragraph, paragraph.wrap(self._width - 4, 400)[1]))
        return notes

    def _draw_a4(self, canvas: Canvas, person: PrintableRegistration) -> None:
        left, right = self._left, self._right
        centre = A4[0] / 2
        y = draw_letterhead(canvas, self._job, left=left, right=right, top=A4[1] - _A4_MARGIN_TOP)
        y = draw_lines(canvas, [TITLE.upper()], centre, y - 18, BOLD, 15, align="center")
        y = draw_lines(
            canvas,
            ["Bukti pendaftaran Pendataan Tenaga Non-ASN"],
            centre,
            y - 4,
            REGULAR,
            9.5,
            align="center",
            color=MUTED,
        )

        # The card at its real size, inside a dashed cut line.
        card_x = centre - CARD_WIDTH / 2
        card_top = y - 22
        card_y = card_top - CARD_HEIGHT
        draw_card(canvas, person, self._job, self._photos, x=card_x, y=card_y)
        canvas.saveState()
        canvas.setStrokeColor(FAINT)
        canvas.setLineWidth(0.6)
        canvas.setDash(3, 2)
        canvas.roundRect(card_x, card_y, CARD_WIDTH, CARD_HEIGHT, CORNER, stroke=1, fill=0)
        canvas.restoreState()
        draw_lines(
            canvas,
            ["Gunting di sepanjang garis putus-putus"],
            centre,
            card_top + 11,
            ITALIC,
            7.5,
            align="center",
            color=MUTED,
        )

        y = draw_section_title(
            canvas, "Rincian Pendaftaran", left=left, right=right, top=card_y - 22
        )
        born = ", ".join(
            part
            for part in (
                " ".join((person.tempat_lahir or "").split()),
                format_date(person.tanggal_lahir) if person.tanggal_lahir else "",
            )
            if part
        )
        y = draw_label_values(
            canvas,
            [
                ("Nomor Akun", person.account_number),
                ("NIK", or_placeholder(person.nik)),
                ("Nama Lengkap", or_placeholder(person.nama)),
                ("Tempat, Tanggal Lahir", or_placeholder(born)),
                ("Jenis Kelamin", or_placeholder(person.jenis_kelamin)),
                ("Jabatan", or_placeholder(person.jabatan)),
                ("Unit Kerja", or_placeholder(person.unit_kerja)),
                ("Instansi", or_placeholder(person.instansi)),
                (
                    "Pendaftaran diakhiri",
                    format_date_time(person.completed_at, self._job.zone)
                    if person.completed_at
                    else "-",
                ),
                ("Status saat dicetak", person.status.label),
            ],
            left=left + 4,
            top=y - 8,
            label_width=_A4_LABEL_WIDTH,
            value_width=self._width - _A4_LABEL_WIDTH - 4,
            gap=3.5,
        )
        y = draw_section_title(canvas, "Keterangan", left=left, right=right, top=y - 8)
        y -= 7
        for paragraph, height in self._notes:
            paragraph.drawOn(canvas, left + 4, y - height)
            y -= height + 3.5
        draw_footer(canvas, self._job, left=left, right=right, bottom=_A4_MARGIN_BOTTOM)
