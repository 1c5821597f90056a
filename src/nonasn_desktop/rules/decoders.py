"""Opening hostile pictures and PDFs: quietly, with the one decoder their content names.

Shared by the document check (:mod:`nonasn_desktop.rules.documents`) and the compliant copy
(:mod:`nonasn_desktop.rules.compliant_copy`): the EXIF orientation and GPS position of a
picture, showing it as meant, and flattening any mode Pillow reads into plain RGB or grey.
"""

from __future__ import annotations

import io
import logging
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from PIL import Image

from nonasn_desktop.rules.filetypes import DetectedType

# EXIF orientation → the transposition that shows the picture as meant (as ImageOps does).
_ORIENTATION_TRANSPOSE: dict[int, Image.Transpose] = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_EXIF_ORIENTATION = 0x0112
_EXIF_GPS_IFD = 0x8825


class _PypdfSilencer:
    """Raises pypdf's log level while any thread reads a PDF, and restores it afterwards.

    pypdf reports every repair of a damaged file on its logger; for us a damaged file is an
    expected input whose outcome is reported as a finding, not as console noise.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._saved = logging.NOTSET
        self._logger = logging.getLogger("pypdf")

    def enter(self) -> None:
        with self._lock:
            if self._depth == 0:
                self._saved = self._logger.level
                self._logger.setLevel(logging.CRITICAL + 1)
            self._depth += 1

    def leave(self) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth == 0:
                self._logger.setLevel(self._saved)


_PYPDF_SILENCER = _PypdfSilencer()


@contextmanager
def quiet_decoders() -> Iterator[None]:
    """No warning or log line from Pillow or pypdf escapes while a hostile file is read."""
    _PYPDF_SILENCER.enter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        _PYPDF_SILENCER.leave()


def exif_orientation(image: Image.Image) -> int:
    """The EXIF orientation (1..8) of an opened image; 1 when absent or nonsense."""
    try:
        value = image.getexif().get(_EXIF_ORIENTATION, 1)
    except Exception:  # A hostile EXIF block must not stop the check.
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def has_gps(image: Image.Image) -> bool:
    """Whether the picture carries a GPS position in its EXIF."""
    try:
        return bool(image.getexif().get_ifd(_EXIF_GPS_IFD))
    except Exception:  # A hostile EXIF block must not stop the copy.
        return False


def orient(image: Image.Image, orientation: int) -> Image.Image:
    """The picture as displayed for ``orientation`` (a new image unless it is 1)."""
    method = _ORIENTATION_TRANSPOSE.get(orientation)
    return image.transpose(method) if method is not None else image


def has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (
        image.mode == "P" and "transparency" in image.info
    )


def flatten(image: Image.Image, *, keep_grey: bool) -> Image.Image:
    """A loaded picture as plain RGB (or L when ``keep_grey`` and it has no colour).

    Transparency is laid on white, CMYK and palettes become RGB, 16-bit grey is scaled down.
    """
    if has_alpha(image):
        rgba = image.convert("RGBA")
        base = Image.new("RGB", rgba.size, (255, 255, 255))
        base.paste(rgba, mask=rgba.getchannel("A"))
        return base
    if image.mode.startswith("I"):
        grey = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
        return grey if keep_grey else grey.convert("RGB")
    if image.mode in ("1", "L", "F"):
        grey = image.convert("L")
        return grey if keep_grey else grey.convert("RGB")
    return image.convert("RGB")


def open_image(data: bytes, detected: DetectedType) -> Image.Image:
    """Open (headers only) with the one Pillow plugin that matches the content."""
    if detected.pillow_format is None:
        raise ValueError(f"{detected.label} bukan gambar yang dapat dibuka")
    return Image.open(io.BytesIO(data), formats=[detected.pillow_format])
