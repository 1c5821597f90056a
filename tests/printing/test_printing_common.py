"""Letterhead, footer, text fitting, QR code, photos and the one-canvas writer."""

# ruff: noqa: F811 - the fixtures imported from printing_samples are parameters here

from __future__ import annotations

import datetime as dt
import io
import re
import time

import pytest
import segno
from PIL import Image
from printing_samples import job  # noqa: F401 - fixtures
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from nonasn_desktop.printing.common import (
    ELLIPSIS,
    PHOTO_RATIO,
    PhotoForms,
    PrintJob,
    draw_footer,
    draw_letterhead,
    draw_photo,
    draw_qr,
    fit_lines,
    format_date_time,
    format_size,
    mask_phone,
    or_placeholder,
    prepare_photo,
    qr_modules,
    truncate,
    write_pdf,
)
from nonasn_desktop.printing.fonts import BOLD, REGULAR, register_fonts
from nonasn_desktop.rules.timezones import zone


@pytest.fixture(autouse=True)
def _fonts() -> None:
    register_fonts()


def test_date_time_is_on_the_offices_clock_whatever_the_laptops(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    value = dt.datetime(2026, 12, 5, 8, 6, tzinfo=dt.UTC)
    for laptop in ("UTC", "Asia/Jayapura"):
        monkeypatch.setenv("TZ", laptop)
        time.tzset()
        assert format_date_time(value, zone("WIB")) == "05-12-2026 pukul 15.06 WIB"
        assert format_date_time(value, zone("WIT")) == "05-12-2026 pukul 17.06 WIT"
    monkeypatch.delenv("TZ")
    time.tzset()


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        format_date_time(dt.datetime(2022, 10, 3, 9, 0), zone("WIB"))  # noqa: DTZ001 (naive on purpose)


def test_a_print_job_knows_its_offices_zone() -> None:
    at = dt.datetime(2026, 12, 5, 8, 6, tzinfo=dt.UTC)
    assert PrintJob("3273", "BKPSDM Kota Bandung", None, at).zone.name == "WIB"
    assert PrintJob("5171", "BKPSDM Kota Denpasar", None, at).zone.name == "WITA"
    assert PrintJob("9171", "BKPSDM Kota Jayapura", None, at).zone.name == "WIT"


@pytest.mark.parametrize(
    ("e164", "shown"),
    [
        ("+6281234567890", "0812-****-7890"),
        ("+628123456789", "0812-***-6789"),
        (None, "-"),
        ("", "-"),
    ],
)
def test_phone_numbers_are_partly_masked(e164: str | None, shown: str) -> None:
    assert mask_phone(e164) == shown


def test_placeholder_for_empty_values() -> None:
    assert or_placeholder(None) == "-"
    assert or_placeholder("  ") == "-"
    assert or_placeholder(" Dinas   Pendidikan ") == "Dinas Pendidikan"


@pytest.mark.parametrize(
    ("size", "text"),
    [(204_800, "200 KB"), (102_400, "100 KB"), (1_048_576, "1 MB"), (1_572_864, "1,5 MB")],
)
def test_sizes_as_the_guidance_writes_them(size: int, text: str) -> None:
    assert format_size(size) == text


def test_truncate_keeps_within_the_width() -> None:
    text = "Unit Pelaksana Teknis Daerah Pusat Pelayanan Kesehatan Masyarakat"
    cut = truncate(text, REGULAR, 10, 100)
    assert cut.endswith(ELLIPSIS)
    assert stringWidth(cut, REGULAR, 10) <= 100
    assert truncate("Pendek", REGULAR, 10, 100) == "Pendek"


def test_fit_lines_wraps_then_shrinks_then_cuts() -> None:
    short, size = fit_lines("Dinas Pendidikan", BOLD, 10, 200, max_lines=2, min_size=8)
    assert (short, size) == (["Dinas Pendidikan"], 10)

    words = "Pengadministrasi Umum pada Subbagian Tata Usaha dan Kepegawaian " * 3
    lines, size = fit_lines(words, BOLD, 10, 200, max_lines=2, min_size=8)
    assert len(lines) == 2
    assert size == 8
    assert lines[-1].endswith(ELLIPSIS)
    assert all(stringWidth(line, BOLD, size) <= 200 for line in lines)


def test_qr_modules_are_a_square_qr_matrix() -> None:
    modules = qr_modules("3273-2022-000007")
    count = len(modules)
    assert count >= 21
    assert (count - 21) % 4 == 0
    assert all(len(row) == count for row in modules)
    # The three finder patterns: dark 7x7 corners.
    assert modules[0][:7] == [True] * 7
    assert modules[0][-7:] == [True] * 7
    assert modules[-1][:7] == [True] * 7


_FORMAT_MASK = 0b101010000010010
_LEVEL_M = 0b00


def _format_bits(modules: list[list[bool]]) -> int:
    """The 15 format bits around the top left finder pattern, unmasked."""
    cells = [(8, c) for c in (0, 1, 2, 3, 4, 5, 7, 8)] + [(r, 8) for r in (7, 5, 4, 3, 2, 1, 0)]
    bits = 0
    for row, column in cells:
        bits = (bits << 1) | int(modules[row][column])
    return bits ^ _FORMAT_MASK


@pytest.mark.parametrize("value", ["3273-2022-000007", "BKDJAKPUS123-2022-000123", "A"])
def test_qr_carries_level_m_and_a_standard_mask(value: str) -> None:
    modules = qr_modules(value)
    bits = _format_bits(modules)
    assert bits >> 13 == _LEVEL_M
    chosen = (bits >> 10) & 0b111
    # The other copy of the format bits (beside the other two finders) agrees.
    count = len(modules)
    copy = [modules[count - 1 - i][8] for i in range(7)] + [
        modules[8][count - 8 + i] for i in range(8)
    ]
    assert int("".join("1" if b else "0" for b in copy), 2) ^ _FORMAT_MASK == bits
    # The mask segno chose by the standard's penalty rules, not a fixed one.
    assert chosen == segno.make(value, error="m", boost_error=False, micro=False).mask


def test_qr_is_never_a_micro_qr() -> None:
    # "A" fits a Micro QR (11x11), which many phone scanners do not read.
    assert len(qr_modules("A")) == 21


def _page(draw: object) -> PdfReader:
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    draw(canvas)  # type: ignore[operator]
    canvas.showPage()
    canvas.save()
    return PdfReader(io.BytesIO(buffer.getvalue()))


def test_qr_code_is_vector_paths_not_a_picture() -> None:
    reader = _page(lambda c: draw_qr(c, "3273-2022-000007", 100, 100, 72))
    content = reader.pages[0].get_contents()
    assert content is not None
    operators = content.get_data().decode("latin-1")
    dark = sum(sum(row) for row in qr_modules("3273-2022-000007"))
    # One rectangle per run of dark modules, all filled at once.
    rectangles = operators.count(" re")
    assert 0 < rectangles <= dark
    assert len(re.findall(r"^f\*?$", operators, flags=re.MULTILINE)) == 1
    assert "/XObject" not in reader.pages[0].get("/Resources", {})


def _jpeg(size: tuple[int, int], orientation: int = 1, mode: str = "RGB") -> bytes:
    image = Image.new(mode, size, "blue" if mode == "RGB" else 128)
    exif = Image.Exif()
    if orientation != 1:
        exif[0x0112] = orientation
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def test_a_plain_jpeg_is_embedded_as_it_is() -> None:
    data = _jpeg((300, 400))
    photo = prepare_photo(data)
    assert photo is not None
    assert (photo.width, photo.height) == (300, 400)
    assert photo.reader.fp.getvalue() == data


def test_exif_orientation_is_applied() -> None:
    # Stored landscape, displayed portrait (rotate 90).
    photo = prepare_photo(_jpeg((400, 300), orientation=6))
    assert photo is not None
    assert (photo.width, photo.height) == (300, 400)


@pytest.mark.parametrize("data", [b"", b"not a picture", _jpeg((30, 40))[:50]])
def test_unreadable_photos_give_none(data: bytes) -> None:
    assert prepare_photo(data) is None


def test_a_photo_is_stored_once_per_pdf() -> None:
    forms = PhotoForms()
    data = _jpeg((300, 400))
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    for _ in range(3):
        form = forms.get(canvas, "sha-a", data)
        assert form is not None
        draw_photo(canvas, form, 100, 100, 60, 80)
        canvas.showPage()
    assert forms.get(canvas, "sha-b", b"garbage") is None
    canvas.save()
    reader = PdfReader(io.BytesIO(buffer.getvalue()))
    names = {tuple(page["/Resources"]["/XObject"]) for page in reader.pages}
    assert len(names) == 1
    (form_ref,) = reader.pages[0]["/Resources"]["/XObject"].values()
    (image_ref,) = form_ref.get_object()["/Resources"]["/XObject"].values()
    image = image_ref.get_object()
    assert (image["/Width"], image["/Height"]) == (300, 400)
    # The JPEG is embedded as it is, not decoded and re-compressed.
    assert "/DCTDecode" in str(image["/Filter"])


def test_photo_forms_start_afresh_on_a_new_canvas() -> None:
    forms = PhotoForms()
    data = _jpeg((30, 40))
    first = forms.get(Canvas(io.BytesIO()), "k", data)
    second = forms.get(Canvas(io.BytesIO()), "k", data)
    assert first == second  # same name, but stored again in the second PDF
    assert first is not second


def test_photo_is_cropped_to_the_box_not_stretched() -> None:
    def draw(canvas: Canvas) -> None:
        landscape = PhotoForms().get(canvas, "k", _jpeg((800, 400)))
        draw_photo(canvas, landscape, 100, 100, 60, 60 * PHOTO_RATIO)

    content = _page(draw).pages[0].get_contents()
    assert content is not None
    operators = content.get_data().decode("latin-1")
    # A clipping path, then the picture scaled by one factor on both axes (0.2: 160 x 80 pt),
    # centred: 50 pt of it stick out on the left and on the right, cut by the clip.
    assert re.search(r"re W\*? n", operators)
    assert ".2 0 0 .2 50 100 cm" in operators


def test_without_a_photo_the_box_asks_for_one() -> None:
    reader = _page(lambda c: draw_photo(c, None, 100, 100, 60, 80))
    assert "Tempel" in reader.pages[0].extract_text()


def test_letterhead_and_footer_name_office_and_clerk(job: PrintJob) -> None:
    def draw(canvas: Canvas) -> None:
        bottom = draw_letterhead(canvas, job, left=60, right=535, top=800)
        assert 680 < bottom < 780
        draw_footer(canvas, job, left=60, right=535, bottom=34)

    text = _page(draw).pages[0].extract_text()
    assert "PEMERINTAH KOTA BANDUNG" in text
    assert "KODE KANTOR 3273" in text
    assert "oleh Siti Rahmawati" in text
    assert format_date_time(job.printed_at, job.zone) in text


class _Sheet:
    page_size = (200.0, 100.0)
    title = "Uji"

    def draw(self, canvas: Canvas, item: str) -> None:
        canvas.setFont(REGULAR, 10)
        canvas.drawString(10, 50, item)


def test_write_pdf_draws_one_page_per_item_and_reports_progress() -> None:
    buffer = io.BytesIO()
    seen: list[tuple[int, int]] = []
    pages = write_pdf(
        _Sheet(),
        iter(["satu", "dua", "tiga"]),
        buffer,
        total=3,
        author="BKD",
        progress=lambda done, total: seen.append((done, total)),
    )
    assert pages == 3
    assert seen == [(1, 3), (2, 3), (3, 3)]
    reader = PdfReader(io.BytesIO(buffer.getvalue()))
    assert [p.extract_text().strip() for p in reader.pages] == ["satu", "dua", "tiga"]
    assert reader.metadata is not None
    assert reader.metadata.title == "Uji"
    assert reader.metadata.author == "BKD"
