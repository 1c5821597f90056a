"""The compliant copy: orient, convert, strip, re-compress, shrink; never enlarge or mutate."""

from __future__ import annotations

import dataclasses
import io

import pytest
from PIL import Image, ImageChops, ImageOps, ImageStat

from helpers.files import (
    HTML_PAGE,
    big_pas_foto_jpeg,
    cmyk_jpeg,
    colour_jpeg,
    colour_picture,
    encrypted_pdf,
    exif_rotated_jpeg,
    grey_scan_rgb_jpeg,
    jpeg_of_size,
    pad_jpeg,
    pas_foto_jpeg,
    photo_jpeg,
    picture_as,
    png_bytes,
    truncated,
)
from nonasn_desktop.errors import DocumentError
from nonasn_desktop.policy import default_policy
from nonasn_desktop.policy.model import Policy
from nonasn_desktop.rules.compliant_copy import CompliantCopy, make_compliant_copy
from nonasn_desktop.rules.documents import check_document

KB = 1024


def size_of(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


def assert_compliant(kind: str, original: bytes, copy: CompliantCopy) -> None:
    """What every copy promises: it passes, it is a plain JPEG, and it is no larger."""
    assert copy.check.passed, copy.check.failures
    assert check_document(kind, copy.data) == copy.check
    assert copy.check.media_type == "image/jpeg"
    with Image.open(io.BytesIO(copy.data)) as image:
        assert image.format == "JPEG"
        assert image.mode in ("RGB", "L")
        assert not image.getexif()
        assert "icc_profile" not in image.info
        assert "comment" not in image.info
    assert b"Exif" not in copy.data[:2048]
    rule = default_policy().document(kind)
    assert rule.min_bytes <= len(copy.data) <= rule.max_bytes
    original_check = check_document(kind, original)
    assert original_check.width is not None
    assert original_check.height is not None
    width, height = size_of(copy.data)
    assert width <= original_check.width
    assert height <= original_check.height


def with_copy_policy(max_bytes: int | None = None, **changes: object) -> Policy:
    policy = default_policy()
    documents = policy.documents
    if changes:
        documents = dataclasses.replace(
            documents, compliant_copy=dataclasses.replace(documents.compliant_copy, **changes)
        )
    if max_bytes is not None:
        rules = dict(documents.rules)
        rules["ktp"] = dataclasses.replace(rules["ktp"], max_bytes=max_bytes)
        documents = dataclasses.replace(documents, rules=rules)
    return dataclasses.replace(policy, documents=documents)


def test_230_kb_ktp_scan_is_recompressed_without_shrinking() -> None:
    original = jpeg_of_size(230 * KB, width=1200, height=760)
    copy = make_compliant_copy("ktp", original)
    assert_compliant("ktp", original, copy)
    assert size_of(copy.data) == (1200, 760)
    qualities = default_policy().documents.compliant_copy.qualities
    assert any(change.startswith("Dikompres ulang (kualitas ") for change in copy.changes)
    quality = int(copy.changes[-1].removeprefix("Dikompres ulang (kualitas ").rstrip(")"))
    assert quality in qualities
    assert not any(change.startswith("Diperkecil") for change in copy.changes)


def test_camera_pas_foto_is_made_smaller_and_stays_a_pas_foto() -> None:
    original = big_pas_foto_jpeg(3000, 4000)
    assert len(original) > 1024 * KB
    copy = make_compliant_copy("pas_foto", original)
    assert_compliant("pas_foto", original, copy)
    width, height = size_of(copy.data)
    assert height > width
    assert max(width, height) >= default_policy().documents.compliant_copy.min_long_edge
    shrunk = [change for change in copy.changes if change.startswith("Diperkecil")]
    assert shrunk == [f"Diperkecil dari 3000×4000 ke {width}×{height} piksel"]


def test_busy_4000_by_3000_photo_is_shrunk_by_policy_steps() -> None:
    original = photo_jpeg(4000, 3000)
    copy = make_compliant_copy("swafoto", original)
    assert_compliant("swafoto", original, copy)
    width, _ = size_of(copy.data)
    step = default_policy().documents.compliant_copy.scale_step
    steps = [round(4000 * step**n) for n in range(1, 30)]
    assert any(abs(width - candidate) <= 1 for candidate in steps)


def test_exif_orientation_is_baked_in_and_gps_removed() -> None:
    original = exif_rotated_jpeg(640, 480, orientation=6, gps=True)
    with Image.open(io.BytesIO(original)) as image:
        assert image.getexif().get_ifd(0x8825)  # the factory really wrote a position
        expected = ImageOps.exif_transpose(image).convert("RGB")
    copy = make_compliant_copy("swafoto", original)
    assert_compliant("swafoto", original, copy)
    assert "Diputar sesuai orientasi EXIF" in copy.changes
    assert "Metadata dihapus (EXIF, termasuk lokasi GPS)" in copy.changes
    with Image.open(io.BytesIO(copy.data)) as result:
        assert result.size == (480, 640)
        difference = ImageChops.difference(result.convert("RGB"), expected)
        assert max(ImageStat.Stat(difference).mean) < 6  # same picture, same way up


def test_png_becomes_jpeg() -> None:
    original = png_bytes(600, 400)
    copy = make_compliant_copy("ktp", original)
    assert_compliant("ktp", original, copy)
    assert "Diubah dari PNG ke JPEG" in copy.changes
    assert size_of(copy.data) == (600, 400)


def test_transparent_png_is_laid_on_white() -> None:
    original = png_bytes(600, 400, alpha=True)
    copy = make_compliant_copy("kk", original)
    assert_compliant("kk", original, copy)
    assert "Bagian transparan diisi putih" in copy.changes
    with Image.open(io.BytesIO(copy.data)) as result:
        corner = result.convert("RGB").getpixel((2, 2))
    assert isinstance(corner, tuple)
    assert min(corner) > 240


@pytest.mark.parametrize("fmt", ["WEBP", "BMP", "TIFF", "GIF"])
def test_other_picture_formats_become_jpeg(fmt: str) -> None:
    original = picture_as(fmt, 300, 200)
    copy = make_compliant_copy("ktp", original)
    assert_compliant("ktp", original, copy)
    assert size_of(copy.data) == (300, 200)  # never enlarged, even when tiny


def test_cmyk_jpeg_becomes_rgb() -> None:
    original = cmyk_jpeg()
    copy = make_compliant_copy("ktp", original)
    assert_compliant("ktp", original, copy)
    assert "Warna diubah dari CMYK ke RGB" in copy.changes
    with Image.open(io.BytesIO(copy.data)) as result:
        assert result.mode == "RGB"


def test_pdf_kind_given_an_image_gets_a_jpeg() -> None:
    original = png_bytes(800, 600)
    copy = make_compliant_copy("sk_jabatan", original)
    assert_compliant("sk_jabatan", original, copy)


def test_grey_picture_for_a_kind_without_colour_stays_grey() -> None:
    original = Image.open(io.BytesIO(grey_scan_rgb_jpeg())).convert("L")
    buffer = io.BytesIO()
    original.save(buffer, "PNG")
    copy = make_compliant_copy("kk", buffer.getvalue())
    assert_compliant("kk", buffer.getvalue(), copy)
    with Image.open(io.BytesIO(copy.data)) as result:
        assert result.mode == "L"


def test_comment_padding_is_not_carried_over() -> None:
    original = pad_jpeg(colour_jpeg(400, 300), 210 * KB)
    copy = make_compliant_copy("ktp", original)
    assert_compliant("ktp", original, copy)
    assert len(copy.data) < 100 * KB
    assert "Metadata dihapus" in copy.changes


def test_the_original_is_untouched_and_the_copy_is_reproducible() -> None:
    original = png_bytes(600, 400)
    snapshot = bytes(original)
    first = make_compliant_copy("ktp", original)
    second = make_compliant_copy("ktp", original)
    assert original == snapshot
    assert first == second
    assert first.data != original


def test_never_smaller_than_the_minimum_long_edge() -> None:
    policy = with_copy_policy(max_bytes=60 * KB)
    original = jpeg_of_size(300 * KB, width=1600, height=1200)
    copy = make_compliant_copy("ktp", original, policy=policy)
    width, height = size_of(copy.data)
    assert max(width, height) >= policy.documents.compliant_copy.min_long_edge
    assert len(copy.data) <= 60 * KB


def test_refuses_when_only_an_unreadable_thumbnail_would_fit() -> None:
    policy = with_copy_policy(max_bytes=3 * KB)
    noisy = colour_picture(1200, 900, grain=0.6)
    buffer = io.BytesIO()
    noisy.save(buffer, "PNG")
    with pytest.raises(DocumentError, match="480 piksel") as caught:
        make_compliant_copy("ktp", buffer.getvalue(), policy=policy)
    assert caught.value.hint is not None
    assert "resolusi" in caught.value.hint


def test_refuses_a_copy_below_the_minimum_size() -> None:
    # A flat picture: as PNG it is over 100 KB, as a JPEG it would be far below.
    flat = Image.linear_gradient("L").resize((1400, 1000)).convert("RGB")
    flat = Image.merge("RGB", (flat.getchannel(0), flat.getchannel(0), flat.getchannel(0)))
    buffer = io.BytesIO()
    flat.save(buffer, "TIFF")
    original = buffer.getvalue()
    assert len(original) > 100 * KB
    with pytest.raises(DocumentError, match="batas minimal"):
        make_compliant_copy("ijazah", original)


@pytest.mark.parametrize(
    ("kind", "data", "reason"),
    [
        ("ktp", grey_scan_rgb_jpeg(), "Warna (Color)"),
        ("pas_foto", pas_foto_jpeg(background=(250, 250, 250)), "biru"),
        ("pas_foto", pas_foto_jpeg(472, 354), "tegak"),
        ("ktp", truncated(colour_jpeg(800, 600)), "rusak atau terpotong"),
        ("kk", encrypted_pdf(), "kata sandi"),
        ("ktp", HTML_PAGE, "HTML"),
        ("ktp", b"", "kosong"),
        ("ijazah", jpeg_of_size(50 * KB), "batas minimal"),
    ],
    ids=["grey", "white-bg", "landscape", "truncated", "encrypted", "html", "empty", "too-small"],
)
def test_refuses_what_a_copy_cannot_repair(kind: str, data: bytes, reason: str) -> None:
    with pytest.raises(DocumentError, match="tidak dapat dibuat") as caught:
        make_compliant_copy(kind, data)
    assert reason in str(caught.value)


def test_refuses_a_file_that_already_passes() -> None:
    with pytest.raises(DocumentError, match="sudah memenuhi ketentuan"):
        make_compliant_copy("ktp", colour_jpeg(300, 200))


def test_unknown_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown document kind"):
        make_compliant_copy("paspor", png_bytes(10, 10))
