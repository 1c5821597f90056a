"""Pictures between PIL, bytes and Qt: one place for the conversions every view needs.

Both helpers are safe to call on a worker thread (QImage, unlike QPixmap, is not tied to the
GUI thread); turn the result into a QPixmap on the GUI thread.
"""

from __future__ import annotations

import io
import logging
import warnings

from PIL import Image, ImageOps
from PySide6.QtGui import QImage

from nonasn_desktop.policy import default_policy
from nonasn_desktop.rules.filetypes import decode_work_problem, detect_type

log = logging.getLogger(__name__)

_FORMATS = {
    "RGB": QImage.Format.Format_RGB888,
    "RGBA": QImage.Format.Format_RGBA8888,
    "L": QImage.Format.Format_Grayscale8,
}


def pil_to_qimage(picture: Image.Image) -> QImage:
    """A deep copy of ``picture`` as a QImage (RGB, RGBA and greyscale kept; others to RGB)."""
    mode = picture.mode if picture.mode in _FORMATS else None
    if mode is None:
        has_alpha = "A" in picture.getbands() or "transparency" in picture.info
        mode = "RGBA" if has_alpha else "RGB"
        picture = picture.convert(mode)
    data = picture.tobytes()
    channels = len(mode)
    image = QImage(data, picture.width, picture.height, picture.width * channels, _FORMATS[mode])
    # QImage borrowed ``data``; copy() owns its pixels, so ``data`` may go.
    return image.copy()


def qimage_from_bytes(data: bytes, *, max_pixels: int | None = None) -> QImage | None:
    """The picture in ``data`` (JPEG, PNG, ...) turned as it is displayed (EXIF orientation),
    or None when it cannot be read.

    Decoded by Pillow, not Qt: a damaged file the honorer brings is simply unreadable here
    (Qt's decoders print warnings). A picture of more than ``max_pixels`` (default: the
    policy's limit for documents) is not decoded at all, nor is a JPEG whose scans would keep
    the decoder busy for minutes (the document check refuses it with the reason).
    """
    if not data:
        return None
    documents = default_policy().documents
    if decode_work_problem(data, detect_type(data), documents) is not None:
        return None
    limit = max_pixels if max_pixels is not None else documents.max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as opened:
                if opened.width * opened.height > limit:
                    return None
                upright = ImageOps.exif_transpose(opened)
                upright.load()
                return pil_to_qimage(upright)
    except Exception:  # every way a hostile file can break a decoder means "unreadable"
        log.debug("picture not readable", exc_info=True)
        return None
