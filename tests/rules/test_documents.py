"""Document checks: every rule of DOMAIN.md section 4, and every kind of hostile file."""

from __future__ import annotations

import dataclasses
import io
import logging
import os
import time
import tracemalloc
from pathlib import Path

import pytest
from PIL import Image, ImageFile

from helpers.files import (
    HEIC_HEAD,
    HTML_PAGE,
    TEXT_FILE,
    big_pdf,
    bmp_declaring,
    cmyk_jpeg,
    colour_jpeg,
    damaged_pdf,
    docx_bytes,
    encrypted_pdf,
    exif_rotated_jpeg,
    grey_jpeg,
    grey_scan_rgb_jpeg,
    grey_scan_with_fringes,
    grey_with_stamp_jpeg,
    jpeg_declaring,
    jpeg_of_size,
    pad_jpeg,
    pas_foto_jpeg,
    pdf_bytes,
    photo_jpeg,
    picture_as,
    png_bytes,
    png_declaring,
    progressive_jpeg,
    scan_pdf,
    truncated,
    yellowed_scan_jpeg,
    zero_page_pdf,
)
from nonasn_desktop.demo.documents import make_sample_document
from nonasn_desktop.errors import DocumentError
from nonasn_desktop.policy import default_policy
from nonasn_desktop.policy.model import Policy
from nonasn_desktop.rules.documents import (
    DocumentCheck,
    check_document,
    check_document_file,
    format_bytes,
    format_limit,
    format_size,
)
from nonasn_desktop.rules.filetypes import detect_type
from nonasn_desktop.rules.findings import Finding

KB = 1024
MB = 1024 * 1024


def finding(check: DocumentCheck, code: str) -> Finding:
    found = [f for f in check.findings if f.code == code]
    assert len(found) == 1, f"{code} not checked exactly once: {check.findings}"
    return found[0]


def codes(check: DocumentCheck) -> set[str]:
    return {f.code for f in check.findings}


def failed(check: DocumentCheck) -> set[str]:
    return {f.code for f in check.failures}


def with_limits(**changes: int) -> Policy:
    policy = default_policy()
    documents = dataclasses.replace(policy.documents, **changes)
    return dataclasses.replace(policy, documents=documents)


# --- the result types -----------------------------------------------------------------------


def test_check_properties_follow_the_findings() -> None:
    ok = Finding("size_max", True, "ok")
    fixable = Finding("format", False, "png", fixable=True)
    fatal = Finding("colour", False, "grey")
    passing = DocumentCheck("ktp", 10, "image/jpeg", 1, 1, None, (ok,))
    assert passing.passed
    assert not passing.fixable
    assert passing.failures == ()
    repairable = DocumentCheck("ktp", 10, "image/png", 1, 1, None, (ok, fixable))
    assert not repairable.passed
    assert repairable.fixable
    assert repairable.failures == (fixable,)
    hopeless = DocumentCheck("ktp", 10, "image/png", 1, 1, None, (ok, fixable, fatal))
    assert not hopeless.passed
    assert not hopeless.fixable
    assert hopeless.failures == (fixable, fatal)


def test_unknown_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown document kind"):
        check_document("paspor", colour_jpeg(100, 100))


# --- sizes ----------------------------------------------------------------------------------


def test_sizes_are_shown_in_bytes_and_kilobytes() -> None:
    assert format_bytes(231_424) == "231.424 byte (226 KB)"
    assert format_limit(204_800) == "200 KB (204.800 byte)"
    assert format_limit(1_048_576) == "1 MB (1.048.576 byte)"
    assert format_size(102_399) == "99,9 KB"
    assert format_size(204_801) == "200,0 KB"
    assert format_size(1_500_000) == "1,4 MB"
    assert format_bytes(512) == "512 byte"


def test_empty_file_is_refused_alone() -> None:
    check = check_document("ktp", b"")
    assert [f.code for f in check.findings] == ["empty"]
    assert not check.passed
    assert not check.fixable
    assert "kosong" in check.findings[0].message


def test_size_message_names_bytes_kilobytes_and_the_limit() -> None:
    check = check_document("ktp", jpeg_of_size(231_424, width=900, height=600))
    assert finding(check, "size_max").message.startswith(
        "Ukuran 231.424 byte (226 KB) melebihi batas 200 KB (204.800 byte)."
    )


@pytest.mark.parametrize("kind", ["ktp", "pas_foto", "swafoto"])
def test_max_bytes_is_inclusive_for_200_kb_kinds(kind: str) -> None:
    limit = default_policy().document(kind).max_bytes
    assert limit == 200 * KB
    base = pas_foto_jpeg() if kind == "pas_foto" else colour_jpeg(320, 240)
    at_limit = check_document(kind, pad_jpeg(base, limit))
    above = check_document(kind, pad_jpeg(base, limit + 1))
    assert finding(at_limit, "size_max").ok
    assert at_limit.passed
    over = finding(above, "size_max")
    assert not over.ok
    assert over.fixable
    assert failed(above) == {"size_max"}
    assert above.fixable


def test_max_bytes_is_inclusive_for_1_mb_kinds() -> None:
    limit = default_policy().document("kk").max_bytes
    assert finding(check_document("kk", jpeg_of_size(limit)), "size_max").ok
    assert not finding(check_document("kk", jpeg_of_size(limit + 1)), "size_max").ok


def test_ijazah_minimum_is_inclusive_and_never_fixable() -> None:
    rule = default_policy().document("ijazah")
    assert rule.min_bytes == 100 * KB
    below = check_document("ijazah", jpeg_of_size(102_399))
    at = check_document("ijazah", jpeg_of_size(102_400))
    small = finding(below, "size_min")
    assert not small.ok
    assert not small.fixable
    assert not below.fixable
    assert "102.399 byte (99,9 KB)" in small.message
    assert "100 KB (102.400 byte)" in small.message
    assert at.passed


def test_kinds_without_minimum_do_not_report_one() -> None:
    assert "size_min" not in codes(check_document("ktp", colour_jpeg(200, 120)))


def test_pdf_too_large_is_not_fixable() -> None:
    check = check_document("kk", big_pdf())
    over = finding(check, "size_max")
    assert not over.ok
    assert not over.fixable
    assert not check.fixable
    assert "Kompres PDF" in over.message


# --- real type by content -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "media_type", "label"),
    [
        (colour_jpeg(50, 50), "image/jpeg", "gambar JPEG"),
        (pdf_bytes(), "application/pdf", "dokumen PDF"),
        (png_bytes(50, 50), "image/png", "gambar PNG"),
        (picture_as("GIF"), "image/gif", "gambar GIF"),
        (picture_as("WEBP"), "image/webp", "gambar WebP"),
        (picture_as("BMP"), "image/bmp", "gambar BMP"),
        (picture_as("TIFF"), "image/tiff", "gambar TIFF"),
        (HEIC_HEAD, "image/heic", "foto HEIC/HEIF (format bawaan iPhone)"),
        (docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "dokumen Word (DOCX)"),
        (HTML_PAGE, "text/html", "halaman web (HTML)"),
        (TEXT_FILE, "text/plain", "teks biasa"),
        (bytes(range(256)) * 4, None, "data yang jenisnya tidak dikenali"),
    ],
)  # fmt: skip
def test_type_is_detected_from_content(data: bytes, media_type: str | None, label: str) -> None:
    detected = detect_type(data)
    assert detected.media_type == media_type
    assert detected.label == label


@pytest.mark.parametrize("kind", ["ktp", "kk"])
def test_png_renamed_to_jpg_is_a_fixable_format_failure(kind: str) -> None:
    check = check_document(kind, png_bytes(300, 200))
    assert check.media_type == "image/png"
    fmt = finding(check, "format")
    assert not fmt.ok
    assert fmt.fixable
    assert "gambar PNG" in fmt.message
    assert check.fixable


@pytest.mark.parametrize("fmt", ["WEBP", "BMP", "TIFF", "GIF"])
def test_other_pictures_pillow_reads_are_fixable(fmt: str) -> None:
    check = check_document("ktp", picture_as(fmt, 300, 200))
    assert failed(check) == {"format"}
    assert check.fixable
    assert (check.width, check.height) == (300, 200)


@pytest.mark.parametrize("data", [HTML_PAGE, TEXT_FILE, docx_bytes(), HEIC_HEAD])
@pytest.mark.parametrize("kind", ["ktp", "ijazah"])
def test_non_documents_are_refused_with_their_real_name(data: bytes, kind: str) -> None:
    check = check_document(kind, data)
    fmt = finding(check, "format")
    assert not fmt.ok
    assert not fmt.fixable
    assert not check.fixable
    assert detect_type(data).label in fmt.message
    assert "Unggah" in fmt.message


def test_heic_message_says_how_to_get_a_jpeg_from_an_iphone() -> None:
    message = finding(check_document("pas_foto", HEIC_HEAD), "format").message
    assert "Paling Kompatibel" in message


def test_pdf_for_a_jpeg_only_kind_is_not_fixable() -> None:
    check = check_document("ktp", pdf_bytes())
    fmt = finding(check, "format")
    assert not fmt.ok
    assert not fmt.fixable
    assert not check.fixable
    assert fmt.message.endswith("Unggah JPG/JPEG.")
    assert check.page_count is None


def test_cmyk_jpeg_must_become_rgb_and_can() -> None:
    check = check_document("kk", cmyk_jpeg())
    assert check.media_type == "image/jpeg"
    fmt = finding(check, "format")
    assert not fmt.ok
    assert fmt.fixable
    assert "CMYK" in fmt.message
    assert check.fixable


def test_progressive_jpeg_is_fine() -> None:
    assert check_document("ktp", progressive_jpeg()).passed


def test_jpeg_for_every_kind_that_accepts_it() -> None:
    data = colour_jpeg(400, 300)
    for kind in ("ktp", "kk", "swafoto", "sk_jabatan", "bukti_gaji"):
        check = check_document(kind, data)
        assert check.passed, (kind, check.failures)
        assert (check.width, check.height, check.page_count) == (400, 300, None)


# --- pixels and damage ------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        jpeg_declaring(60_000, 60_000),
        png_declaring(60_000, 60_000),
        png_declaring(10_000, 5_000),
        bmp_declaring(50_000, 50_000),  # beyond Pillow's own error limit
        bmp_declaring(10_000, 10_000),  # where Pillow would only warn
        bmp_declaring(8_000, 6_000),  # above the policy, below Pillow's limits
    ],
    ids=["jpeg-3.6G", "png-3.6G", "png-50M", "bmp-2.5G", "bmp-100M", "bmp-48M"],
)
def test_pixel_bombs_are_refused_without_decoding(data: bytes) -> None:
    tracemalloc.start()
    try:
        check = check_document("kk", data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    pixels = finding(check, "pixels")
    assert not pixels.ok
    assert not pixels.fixable
    assert not check.fixable
    assert "40 juta piksel" in pixels.message
    assert "readable" not in codes(check)
    assert peak < 5 * MB


def test_pixel_limit_comes_from_policy() -> None:
    data = colour_jpeg(300, 200)
    assert check_document("ktp", data, policy=with_limits(max_pixels=60_000)).passed
    strict = check_document("ktp", data, policy=with_limits(max_pixels=59_999))
    assert failed(strict) == {"pixels"}
    assert "300×200 piksel" in finding(strict, "pixels").message


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("ktp", truncated(colour_jpeg(800, 600))),
        ("ktp", truncated(colour_jpeg(800, 600), 0.98)),
        ("ktp", truncated(progressive_jpeg())),
        ("ktp", b"\xff\xd8\xff"),
        ("kk", truncated(png_bytes())),
        ("kk", b"\x89PNG\r\n\x1a\n"),
        ("kk", bmp_declaring(100, -100)),
        ("swafoto", truncated(photo_jpeg(6000, 4000, quality=80))),
    ],
    ids=["half", "98pct", "progressive", "soi-only", "png-half", "png-magic", "bmp-bad", "24mp"],
)
def test_damaged_pictures_are_unreadable(kind: str, data: bytes) -> None:
    check = check_document(kind, data)
    readable = finding(check, "readable")
    assert not readable.ok
    assert not readable.fixable
    assert not check.fixable
    assert "rusak atau terpotong" in readable.message
    assert check.width is None


def test_truncated_image_loading_stays_strict() -> None:
    check_document("ktp", truncated(colour_jpeg(400, 300)))
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_large_photo_is_checked_quickly() -> None:
    data = photo_jpeg(6000, 4000, quality=90)  # 24 megapixels
    check_document("swafoto", data)  # warm up imports and policy
    start = time.perf_counter()
    check = check_document("pas_foto", data)
    elapsed = time.perf_counter() - start
    assert (check.width, check.height) == (6000, 4000)
    assert finding(check, "readable").ok
    assert elapsed < 1.0, f"24 MP photo took {elapsed:.2f} s"


# --- orientation and portrait ---------------------------------------------------------------


def test_exif_orientation_is_reported_and_fixable() -> None:
    check = check_document("swafoto", exif_rotated_jpeg(640, 480, orientation=6))
    assert (check.width, check.height) == (480, 640)  # as displayed
    orientation = finding(check, "orientation_exif")
    assert not orientation.ok
    assert orientation.fixable
    assert "EXIF 6" in orientation.message
    assert check.fixable


def test_normal_orientation_is_ok() -> None:
    assert finding(check_document("swafoto", colour_jpeg(640, 480)), "orientation_exif").ok


def test_portrait_is_judged_as_displayed() -> None:
    # Stored landscape, displayed portrait: the photo is upright, only the tag needs baking.
    upright = check_document("pas_foto", pas_foto_on_its_side())
    assert finding(upright, "portrait").ok
    assert failed(upright) == {"orientation_exif"}
    assert upright.fixable


def pas_foto_on_its_side() -> bytes:
    """A blue pas foto stored rotated (as phones do) with EXIF orientation 6."""
    picture = Image.open(io.BytesIO(pas_foto_jpeg())).transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=90, exif=exif.tobytes())
    return buffer.getvalue()


@pytest.mark.parametrize(("width", "height"), [(472, 354), (400, 400)])
def test_landscape_or_square_pas_foto_fails_and_is_not_fixable(width: int, height: int) -> None:
    check = check_document("pas_foto", pas_foto_jpeg(width, height))
    portrait = finding(check, "portrait")
    assert not portrait.ok
    assert not portrait.fixable
    assert not check.fixable
    assert "tegak" in portrait.message


def test_portrait_rotated_to_landscape_by_exif_fails() -> None:
    check = check_document("pas_foto", exif_rotated_jpeg(354, 472, orientation=8))
    assert (check.width, check.height) == (472, 354)
    assert not finding(check, "portrait").ok
    assert not check.fixable


def test_portrait_and_background_are_only_checked_where_required() -> None:
    check = check_document("swafoto", pas_foto_jpeg(472, 354, background=(250, 250, 250)))
    assert "portrait" not in codes(check)
    assert "blue_background" not in codes(check)
    assert "colour" not in codes(check)
    assert check.passed


# --- colour ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        colour_jpeg(800, 500),
        grey_with_stamp_jpeg(stamp_fraction=0.05),
        yellowed_scan_jpeg(tint=(0, 15, 45)),  # strongly sepia: its chroma really is colour
        pas_foto_jpeg(),
    ],
    ids=["colour", "grey-with-5pct-stamp", "sepia", "pas-foto"],
)
def test_colour_scans_pass(data: bytes) -> None:
    colour = finding(check_document("ktp", data), "colour")
    assert colour.ok, colour.message


@pytest.mark.parametrize(
    "data",
    [
        grey_scan_rgb_jpeg(),
        grey_jpeg(),
        yellowed_scan_jpeg(tint=(0, 6, 24)),  # old photocopy, slightly yellowed paper
        grey_with_stamp_jpeg(stamp_fraction=0.005),
        grey_scan_with_fringes(shift=1),  # colour-mode scanner fringing black text
        grey_scan_with_fringes(1000, 700, shift=1),
        grey_scan_with_fringes(shift=2),
    ],
    ids=["grey-rgb", "grey-L", "yellowed", "tiny-stamp", "fringe", "fringe-small", "fringe-2px"],
)
def test_grey_scans_fail_and_cannot_be_fixed(data: bytes) -> None:
    check = check_document("ktp", data)
    colour = finding(check, "colour")
    assert not colour.ok
    assert not colour.fixable
    assert not check.fixable
    assert "Warna (Color)" in colour.message


def test_demo_ktp_is_colour_for_several_seeds() -> None:
    for seed in range(4):
        data, _ = make_sample_document("ktp", seed=seed)
        assert finding(check_document("ktp", data), "colour").ok


def test_colour_is_only_checked_where_required() -> None:
    check = check_document("kk", grey_scan_rgb_jpeg())
    assert "colour" not in codes(check)
    assert check.passed


# --- blue background ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "background",
    [(40, 100, 200), (120, 180, 235), (60, 190, 220), (20, 50, 110)],
    ids=["blue", "light-blue", "cyan-blue", "dark-blue"],
)
def test_blue_backgrounds_pass(background: tuple[int, int, int]) -> None:
    check = check_document("pas_foto", pas_foto_jpeg(background=background))
    assert check.passed, check.failures


@pytest.mark.parametrize(
    "background",
    [(250, 250, 250), (200, 30, 40), (90, 160, 80), (128, 128, 128), (200, 215, 235)],
    ids=["white", "red", "green", "grey", "washed-out"],
)
def test_other_backgrounds_fail_and_cannot_be_fixed(background: tuple[int, int, int]) -> None:
    check = check_document("pas_foto", pas_foto_jpeg(background=background))
    blue = finding(check, "blue_background")
    assert not blue.ok
    assert not blue.fixable
    assert not check.fixable
    assert "biru polos" in blue.message


def test_background_is_judged_as_displayed() -> None:
    # The pas foto on its side has the shoulders along a stored edge; displayed, the bands
    # are the top and the sides, which are all blue.
    check = check_document("pas_foto", pas_foto_on_its_side())
    assert finding(check, "blue_background").ok


# --- PDFs -----------------------------------------------------------------------------------


@pytest.mark.parametrize("pages", [1, 3])
def test_valid_pdf_records_its_pages(pages: int) -> None:
    check = check_document("sk_jabatan", pdf_bytes(pages))
    assert check.passed
    assert check.media_type == "application/pdf"
    assert check.page_count == pages
    assert (check.width, check.height) == (None, None)
    assert {"readable", "pdf_encrypted", "pdf_pages"} <= codes(check)


def test_scanned_ijazah_pdf_passes() -> None:
    data = scan_pdf()
    assert 100 * KB <= len(data) <= MB
    assert check_document("ijazah", data).passed


@pytest.mark.parametrize("password", ["", "rahasia"], ids=["empty-password", "password"])
def test_encrypted_pdf_is_refused(password: str) -> None:
    check = check_document("bukti_gaji", encrypted_pdf(password))
    encrypted = finding(check, "pdf_encrypted")
    assert not encrypted.ok
    assert not encrypted.fixable
    assert not check.fixable
    assert "kata sandi" in encrypted.message


def test_pdf_without_pages_is_refused() -> None:
    check = check_document("kk", zero_page_pdf())
    assert failed(check) == {"pdf_pages"}
    assert check.page_count == 0
    assert not check.fixable


@pytest.mark.parametrize(
    "data",
    [truncated(pdf_bytes(3)), truncated(scan_pdf(), 0.9), damaged_pdf(), b"%PDF-1.7\n"],
    ids=["half", "90pct", "garbage", "header-only"],
)
def test_damaged_pdf_is_unreadable(data: bytes, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        check = check_document("kk", data)
    readable = finding(check, "readable")
    assert not readable.ok
    assert not readable.fixable
    assert not check.fixable
    assert "PDF" in readable.message
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]


def test_pypdf_log_level_is_restored() -> None:
    logger = logging.getLogger("pypdf")
    before = logger.level
    check_document("kk", damaged_pdf())
    assert logger.level == before


# --- files on disk --------------------------------------------------------------------------


def test_file_is_checked_like_its_bytes(tmp_path: Path) -> None:
    path = tmp_path / "ktp.jpg"
    data = colour_jpeg(300, 200)
    path.write_bytes(data)
    assert check_document_file("ktp", path) == check_document("ktp", data)
    assert check_document_file("ktp", str(path)).passed


def test_missing_file_raises_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="tidak ditemukan"):
        check_document_file("ktp", tmp_path / "hilang.jpg")


def test_directory_raises_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="folder"):
        check_document_file("ktp", tmp_path)


@pytest.mark.skipif(os.name != "posix", reason="needs POSIX special files")
def test_special_file_raises_a_user_error(tmp_path: Path) -> None:
    fifo = tmp_path / "saluran"
    os.mkfifo(fifo)
    with pytest.raises(DocumentError, match="bukan berkas biasa"):
        check_document_file("ktp", fifo)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_unreadable_file_raises_a_user_error(tmp_path: Path) -> None:
    path = tmp_path / "rahasia.jpg"
    path.write_bytes(colour_jpeg(10, 10))
    path.chmod(0)
    try:
        with pytest.raises(DocumentError, match="akses ditolak"):
            check_document_file("ktp", path)
    finally:
        path.chmod(0o600)


def test_huge_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    limit = default_policy().documents.max_file_bytes
    path = tmp_path / "besar.jpg"
    with path.open("wb") as handle:
        handle.write(colour_jpeg(10, 10))
        handle.truncate(limit + 1)  # sparse: costs no disk
    tracemalloc.start()
    try:
        check = check_document_file("ktp", path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < MB
    assert check.size == limit + 1
    assert check.media_type == "image/jpeg"
    assert [f.code for f in check.failures] == ["size_max"]
    assert not check.fixable
    assert "terlalu besar untuk diperiksa" in check.failures[0].message


def test_huge_bytes_are_refused_without_analysis() -> None:
    policy = with_limits(max_file_bytes=10 * KB)
    check = check_document("kk", jpeg_of_size(20 * KB), policy=policy)
    assert [f.code for f in check.findings] == ["size_max"]
    assert check.width is None


def test_importing_the_document_rules_does_not_import_pypdf() -> None:
    # pypdf is imported when a PDF is checked, not on the way to the main window.
    import subprocess
    import sys

    script = (
        "import sys, nonasn_desktop.rules.documents, nonasn_desktop.core.context\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'pypdf'))"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"
