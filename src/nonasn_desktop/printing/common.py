"""What every printed paper shares: the office letterhead, the footer, the QR code, the photo.

All drawing goes straight onto a reportlab canvas in points (1/72 inch), origin bottom left.
Nothing here reads the database: the callers pass plain values.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Protocol, TypeVar

import segno
from PIL import Image, ImageOps, UnidentifiedImageError
from reportlab.lib.colors import Color, HexColor, white
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from nonasn_desktop.printing.fonts import BOLD, ITALIC, REGULAR, register_fonts
from nonasn_desktop.rules.timezones import OfficeZone, office_zone

# A restrained palette that still reads well from a black-and-white laser printer.
INK = HexColor("#1A1A1A")
MUTED = HexColor("#4D4D4D")
FAINT = HexColor("#8C8C8C")
NAVY = HexColor("#14325C")
TINT = HexColor("#EDF1F7")
RULE = HexColor("#B3B3B3")

# One millimetre in points (reportlab's ``mm``, typed).
MM: float = 72 / 25.4

APP_TITLE = "Pendataan Tenaga Non-ASN"
ELLIPSIS = "…"
PLACEHOLDER = "-"
# Passport photos are 3 wide by 4 high.
PHOTO_RATIO = 4 / 3
_JPEG_QUALITY = 90

T = TypeVar("T")
T_contra = TypeVar("T_contra", contravariant=True)


@dataclass(frozen=True)
class PrintJob:
    """What stays the same on every page of one print run."""

    office_code: str
    office_name: str
    instansi_name: str | None
    # Aware datetime; shown on the office's own clock (see zone).
    printed_at: dt.datetime
    # The clerk's name, for "dicetak oleh".
    printed_by: str | None = None

    @property
    def zone(self) -> OfficeZone:
        """The office's time zone (WIB, WITA, WIT) from its code, whatever the laptop's is."""
        return office_zone(self.office_code, fallback=self.printed_at.astimezone().utcoffset())


# -- text ------------------------------------------------------------------------------------


def or_placeholder(value: str | None) -> str:
    text = " ".join((value or "").split())
    return text or PLACEHOLDER


def format_date_time(value: dt.datetime, zone: OfficeZone) -> str:
    """ "05-01-2026 pukul 15.00 WIB", on the office's clock (Indonesian writes hours with a
    dot). Stored times are UTC; an official paper shows the office's own time."""
    return zone.format(value)


def mask_phone(e164: str | None) -> str:
    """+6281234567890 -> "0812-****-7890": enough to recognise, not enough to misuse."""
    if not e164:
        return PLACEHOLDER
    digits = e164.lstrip("+")
    national = "0" + digits[2:] if digits.startswith("62") else digits
    if len(national) < 9:
        return national
    return f"{national[:4]}-{'*' * (len(national) - 8)}-{national[-4:]}"


def truncate(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut with an ellipsis so that it is at most ``width`` wide."""
    if stringWidth(text, font, size) <= width:
        return text
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if stringWidth(text[:middle].rstrip() + ELLIPSIS, font, size) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + ELLIPSIS


def fit_lines(
    text: str,
    font: str,
    size: float,
    width: float,
    *,
    max_lines: int,
    min_size: float,
) -> tuple[list[str], float]:
    """Wrap ``text`` into at most ``max_lines`` lines of ``width``, shrinking down to
    ``min_size``; what still does not fit is cut with an ellipsis. Returns (lines, size).
    """
    current = size
    while True:
        lines = simpleSplit(text, font, current, width) or [""]
        if len(lines) <= max_lines:
            return lines, current
        if current - 0.25 < min_size:
            break
        current -= 0.25
    kept = lines[:max_lines]
    rest = " ".join(lines[max_lines - 1 :])
    kept[-1] = truncate(rest + ELLIPSIS, font, current, width)
    return kept, current


def draw_lines(
    canvas: Canvas,
    lines: Sequence[str],
    x: float,
    top: float,
    font: str,
    size: float,
    *,
    leading: float | None = None,
    color: Color = INK,
    align: str = "left",
) -> float:
    """Draw lines whose first cap height starts at ``top``; return the baseline of the last
    line minus the descent (the y where the next block may start)."""
    step = leading if leading is not None else size * 1.2
    canvas.setFont(font, size)
    canvas.setFillColor(color)
    baseline = top - size * 0.78
    for line in lines:
        if align == "center":
            canvas.drawCentredString(x, baseline, line)
        elif align == "right":
            canvas.drawRightString(x, baseline, line)
        else:
            canvas.drawString(x, baseline, line)
        baseline -= step
    return baseline + step - size * 0.25


# -- letterhead and footer -------------------------------------------------------------------


def draw_letterhead(
    canvas: Canvas, job: PrintJob, *, left: float, right: float, top: float
) -> float:
    """The kop surat: instansi, office, the data collection; a double rule below.

    Returns the y just under the rules.
    """
    width = right - left
    centre = (left + right) / 2
    y = top
    if job.instansi_name:
        lines, size = fit_lines(job.instansi_name.upper(), BOLD, 12, width, max_lines=1, min_size=9)
        y = draw_lines(canvas, lines, centre, y, BOLD, size, align="center", color=NAVY) - 3
    lines, size = fit_lines(job.office_name.upper(), BOLD, 15, width, max_lines=2, min_size=10.5)
    y = draw_lines(canvas, lines, centre, y, BOLD, size, align="center", color=NAVY) - 3.5
    sub = f"{APP_TITLE.upper()}  ·  KODE KANTOR {job.office_code}"
    y = draw_lines(canvas, [sub], centre, y, REGULAR, 8.5, align="center", color=MUTED) - 5
    canvas.setStrokeColor(NAVY)
    canvas.setLineWidth(1.6)
    canvas.line(left, y, right, y)
    canvas.setLineWidth(0.5)
    canvas.line(left, y - 2.6, right, y - 2.6)
    return y - 2.6


def draw_footer(canvas: Canvas, job: PrintJob, *, left: float, right: float, bottom: float) -> None:
    """A hairline, then when and by whom the page was printed, and where from."""
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    canvas.line(left, bottom + 11, right, bottom + 11)
    printed = f"Dicetak {format_date_time(job.printed_at, job.zone)}"
    if job.printed_by:
        printed += f" oleh {' '.join(job.printed_by.split())}"
    source = f"{APP_TITLE} · {job.office_code}"
    canvas.setFont(REGULAR, 7.5)
    canvas.setFillColor(MUTED)
    room = right - left - stringWidth(source, REGULAR, 7.5) - 12
    canvas.drawString(left, bottom + 2, truncate(printed, REGULAR, 7.5, room))
    canvas.drawRightString(right, bottom + 2, source)


def draw_section_title(
    canvas: Canvas, title: str, *, left: float, right: float, top: float
) -> float:
    """A bold heading with a hairline under it; returns the y under the line."""
    y = draw_lines(canvas, [title], left, top, BOLD, 10.5, color=NAVY)
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    canvas.line(left, y - 1.5, right, y - 1.5)
    return y - 1.5


def value_lines(value: str, width: float, size: float, max_lines: int) -> tuple[list[str], float]:
    """How a value of a label/value row wraps: bold, shrinking at most 1.5 pt."""
    return fit_lines(value, BOLD, size, width, max_lines=max_lines, min_size=size - 1.5)


def label_values_height(
    rows: Sequence[tuple[str, str]],
    *,
    value_width: float,
    size: float = 10,
    gap: float = 4.5,
    max_lines: int = 2,
) -> float:
    """The height :func:`draw_label_values` uses for ``rows`` (gap after the last included)."""
    lines = sum(len(value_lines(v, value_width - 8, size, max_lines)[0]) for _, v in rows)
    return len(rows) * (size * 1.03 + gap) + (lines - len(rows)) * size * 1.25


def draw_label_values(
    canvas: Canvas,
    rows: Sequence[tuple[str, str]],
    *,
    left: float,
    top: float,
    label_width: float,
    value_width: float,
    size: float = 10,
    gap: float = 4.5,
    max_lines: int = 2,
) -> float:
    """Aligned "label : value" rows; long values wrap under themselves. Returns the next y."""
    y = top
    colon_x = left + label_width
    value_x = colon_x + 8
    for label, value in rows:
        lines, value_size = value_lines(value, value_width - 8, size, max_lines)
        baseline = y - size * 0.78
        canvas.setFillColor(MUTED)
        canvas.setFont(REGULAR, size)
        canvas.drawString(left, baseline, label)
        canvas.drawString(colon_x, baseline, ":")
        canvas.setFillColor(INK)
        canvas.setFont(BOLD, value_size)
        for line in lines:
            canvas.drawString(value_x, baseline, line)
            baseline -= size * 1.25
        y -= size * 1.03 + (len(lines) - 1) * size * 1.25 + gap
    return y


# -- QR code ---------------------------------------------------------------------------------


def qr_modules(value: str) -> list[list[bool]]:
    """The dark/light modules of the QR code of ``value``: error correction level M, a full
    QR code (never a Micro QR, which phone cameras often cannot read), the smallest version
    that holds it, and the mask the standard's penalty rules choose (segno scores all eight).
    """
    code = segno.make(value, error="m", boost_error=False, micro=False)
    return [[bool(module) for module in row] for row in code.matrix]


def draw_qr(canvas: Canvas, value: str, x: float, y: float, size: float) -> None:
    """A QR code ``size`` wide at (x, y), drawn as one vector path: crisp at any zoom.

    Runs of dark modules along a row become one rectangle; the caller keeps a quiet zone of
    white around it.
    """
    modules = qr_modules(value)
    count = len(modules)
    box = size / count
    path = canvas.beginPath()
    for row_index, row in enumerate(modules):
        column = 0
        row_y = y + size - (row_index + 1) * box
        for dark, run in itertools.groupby(row):
            length = len(list(run))
            if dark:
                path.rect(x + column * box, row_y, length * box, box)
            column += length
    canvas.setFillColor(INK)
    canvas.drawPath(path, stroke=0, fill=1)


# -- photo -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Photo:
    """A picture ready for reportlab: JPEG bytes oriented as displayed, and its size."""

    reader: ImageReader
    width: int
    height: int


@dataclass(frozen=True)
class PhotoForm:
    """A photo stored once in a PDF as a form XObject, to be shown on any number of pages."""

    name: str
    width: int
    height: int


class PhotoForms:
    """Photos by content hash, each embedded once in the PDF being written.

    The picture is decoded only the first time; later pages refer to the stored form. Tied
    to one canvas: a new canvas starts afresh.
    """

    def __init__(self) -> None:
        self._canvas: Canvas | None = None
        self._forms: dict[str, PhotoForm | None] = {}

    def get(self, canvas: Canvas, key: str, data: bytes) -> PhotoForm | None:
        """The stored photo of ``key``; None when ``data`` is not a readable picture."""
        if canvas is not self._canvas:
            self._canvas = canvas
            self._forms = {}
        if key not in self._forms:
            photo = prepare_photo(data)
            form = None
            if photo is not None:
                form = PhotoForm(f"PasFoto{len(self._forms)}", photo.width, photo.height)
                canvas.beginForm(form.name, 0, 0, photo.width, photo.height)
                canvas.drawImage(photo.reader, 0, 0, photo.width, photo.height)
                canvas.endForm()
            self._forms[key] = form
        return self._forms[key]


def prepare_photo(data: bytes) -> Photo | None:
    """The photo as it is displayed (EXIF orientation applied), or None if it cannot be read.

    A plain RGB or greyscale JPEG is embedded as it is (no loss); anything else (a rotated
    JPEG, another format) is re-encoded once.
    """
    try:
        with Image.open(io.BytesIO(data)) as image:
            orientation = image.getexif().get(0x0112, 1)
            if image.format == "JPEG" and orientation == 1 and image.mode in ("RGB", "L"):
                return Photo(ImageReader(io.BytesIO(data)), image.width, image.height)
            upright = ImageOps.exif_transpose(image).convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    buffer = io.BytesIO()
    upright.save(buffer, "JPEG", quality=_JPEG_QUALITY)
    return Photo(ImageReader(io.BytesIO(buffer.getvalue())), upright.width, upright.height)


def draw_photo(
    canvas: Canvas, photo: PhotoForm | None, x: float, y: float, width: float, height: float
) -> None:
    """The photo filling the box (centred crop, never stretched), with a thin frame.

    Without a photo the box says where to glue one.
    """
    canvas.saveState()
    if photo is None:
        canvas.setFillColor(white)
        canvas.setStrokeColor(FAINT)
        canvas.setDash(2, 2)
        canvas.setLineWidth(0.5)
        canvas.rect(x, y, width, height, stroke=1, fill=1)
        size = max(4.0, min(7.0, width / 7))
        draw_lines(
            canvas,
            ["Tempel", "pas foto", "3 × 4"],
            x + width / 2,
            y + height / 2 + size * 1.7,
            ITALIC,
            size,
            color=FAINT,
            align="center",
        )
        canvas.restoreState()
        return
    scale = max(width / photo.width, height / photo.height)
    shown_w, shown_h = photo.width * scale, photo.height * scale
    clip = canvas.beginPath()
    clip.rect(x, y, width, height)
    canvas.clipPath(clip, stroke=0, fill=0)
    canvas.translate(x + (width - shown_w) / 2, y + (height - shown_h) / 2)
    canvas.scale(scale, scale)
    canvas.doForm(photo.name)
    canvas.restoreState()
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.4)
    canvas.rect(x, y, width, height, stroke=1, fill=0)


def format_size(size: int) -> str:
    """Bytes as the guidance writes them: 204800 -> "200 KB", 1048576 -> "1 MB"."""
    if size >= 1024 * 1024 and size % (1024 * 1024) == 0:
        return f"{size // (1024 * 1024)} MB"
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")
    return f"{round(size / 1024)} KB"


# -- one canvas, many pages ------------------------------------------------------------------


class Sheet(Protocol[T_contra]):
    """One kind of printed page: its size and how to draw it for one person."""

    page_size: tuple[float, float]
    title: str

    def draw(self, canvas: Canvas, item: T_contra) -> None: ...


def write_pdf(
    sheet: Sheet[T],
    items: Iterable[T],
    target: IO[bytes],
    *,
    total: int,
    author: str,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Draw one page per item on one canvas (fonts and repeated images are embedded once)
    and write the PDF to ``target``. Returns the number of pages."""
    register_fonts()
    canvas = Canvas(
        target,
        pagesize=sheet.page_size,
        pageCompression=1,
        initialFontName=REGULAR,
        initialFontSize=10,
    )
    canvas.setTitle(sheet.title)
    canvas.setAuthor(author)
    canvas.setCreator(APP_TITLE)
    canvas.setSubject(sheet.title)
    pages = 0
    for item in items:
        sheet.draw(canvas, item)
        canvas.showPage()
        pages += 1
        if progress is not None:
            progress(pages, total)
    if pages:
        canvas.save()
    return pages
