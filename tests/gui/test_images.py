"""Pictures between PIL, bytes and Qt."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from PySide6.QtGui import QColor, QImage

from helpers.files import flat_progressive_jpeg, repeated_last_scan
from nonasn_desktop.gui.images import pil_to_qimage, qimage_from_bytes

pytestmark = pytest.mark.gui


def _rgb(image: QImage, x: int, y: int) -> tuple[int, int, int]:
    colour = QColor(image.pixel(x, y))
    return colour.red(), colour.green(), colour.blue()


def test_rgb_pixels_survive_in_place() -> None:
    picture = Image.new("RGB", (3, 2), (10, 20, 30))
    picture.putpixel((2, 1), (200, 100, 50))
    image = pil_to_qimage(picture)
    assert (image.width(), image.height()) == (3, 2)
    assert _rgb(image, 0, 0) == (10, 20, 30)
    assert _rgb(image, 2, 1) == (200, 100, 50)


def test_the_qimage_owns_its_pixels() -> None:
    picture = Image.new("RGB", (4, 4), (1, 2, 3))
    image = pil_to_qimage(picture)
    del picture
    assert _rgb(image, 3, 3) == (1, 2, 3)


@pytest.mark.parametrize(
    ("mode", "value", "alpha"),
    [("L", 128, False), ("RGBA", (0, 0, 255, 100), True), ("P", 0, False), ("CMYK", 0, False)],
)
def test_other_modes_are_converted(mode: str, value: object, alpha: bool) -> None:
    picture = Image.new(mode, (5, 5), value)  # type: ignore[arg-type]
    image = pil_to_qimage(picture)
    assert not image.isNull()
    assert (image.width(), image.height()) == (5, 5)
    assert image.hasAlphaChannel() is alpha


def test_odd_widths_keep_their_rows_aligned() -> None:
    # 3 pixels x 3 bytes = 9 bytes per row: not a multiple of 4.
    picture = Image.new("RGB", (3, 3), (0, 0, 0))
    picture.putpixel((0, 2), (255, 0, 0))
    assert _rgb(pil_to_qimage(picture), 0, 2) == (255, 0, 0)


def _jpeg(size: tuple[int, int], orientation: int = 1) -> bytes:
    picture = Image.new("RGB", size, (0, 0, 200))
    exif = Image.Exif()
    if orientation != 1:
        exif[0x0112] = orientation
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def test_bytes_are_read_as_displayed() -> None:
    image = qimage_from_bytes(_jpeg((40, 30), orientation=6))
    assert image is not None
    assert (image.width(), image.height()) == (30, 40)


def test_png_bytes() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (7, 9), (0, 255, 0)).save(buffer, "PNG")
    image = qimage_from_bytes(buffer.getvalue())
    assert image is not None
    assert _rgb(image, 3, 3) == (0, 255, 0)


@pytest.mark.parametrize("data", [b"", b"bukan gambar sama sekali"])
def test_unreadable_bytes_give_none(data: bytes) -> None:
    assert qimage_from_bytes(data) is None


def test_a_truncated_jpeg_gives_a_picture_or_none_without_warnings() -> None:
    data = _jpeg((64, 64))
    image = qimage_from_bytes(data[: len(data) // 2])
    assert image is None or (image.width(), image.height()) == (64, 64)


def test_pictures_larger_than_the_limit_are_not_decoded() -> None:
    data = _jpeg((100, 100))
    assert qimage_from_bytes(data, max_pixels=9_999) is None
    assert qimage_from_bytes(data, max_pixels=10_000) is not None


def test_a_jpeg_whose_scans_would_keep_the_decoder_busy_is_not_previewed() -> None:
    # The verval screen previews before anyone reads the document's findings.
    normal = flat_progressive_jpeg()
    assert qimage_from_bytes(normal) is not None
    assert qimage_from_bytes(repeated_last_scan(normal, 3000)) is None
