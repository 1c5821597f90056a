"""Factories of hostile and boundary document files for tests.

Import as ``from helpers.files import ...``: tests/ is on sys.path because tests/conftest.py
lives there (pytest's rootdir conftest import), while ``tests`` itself is no package.

Every factory is deterministic: the same arguments give the same bytes.
"""

from __future__ import annotations

import io
import math
import random
import struct
import zipfile
import zlib

import pypdf
from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

# --- pictures -------------------------------------------------------------------------------

KTP_BLUE = (150, 200, 230)
SKIN = (224, 172, 138)


def _noise(width: int, height: int, seed: int, cell: int = 1) -> Image.Image:
    """Deterministic RGB noise; ``cell`` > 1 makes blotches rather than grain."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    small = (max(1, width // cell), max(1, height // cell))
    noise = Image.frombytes("RGB", small, rng.randbytes(small[0] * small[1] * 3))
    return noise if cell == 1 else noise.resize((width, height), Image.Resampling.BILINEAR)


def _jpeg(image: Image.Image, quality: int = 90, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, **params)
    return buffer.getvalue()


def _save(image: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def colour_picture(width: int, height: int, *, seed: int = 0, grain: float = 0.15) -> Image.Image:
    """A busy colour picture (light-blue card with coloured shapes and grain), like a KTP scan."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    image = Image.new("RGB", (width, height), KTP_BLUE)
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x0, y0 = rng.randrange(width), rng.randrange(height)
        x1, y1 = x0 + rng.randrange(1, width // 2 + 2), y0 + rng.randrange(1, height // 2 + 2)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.rectangle((x0, y0, x1, y1), fill=colour)
    for row in range(height // 20):
        draw.line((10, row * 20 + 10, width - 10, row * 20 + 10), fill=(20, 20, 40), width=2)
    if grain:
        image = Image.blend(image, _noise(width, height, seed), grain)
    return image


def colour_jpeg(width: int, height: int, *, seed: int = 0, quality: int = 90) -> bytes:
    """A valid colour JPEG of exactly ``width``×``height`` pixels."""
    return _jpeg(colour_picture(width, height, seed=seed), quality)


def photo_jpeg(width: int, height: int, *, seed: int = 0, quality: int = 92) -> bytes:
    """A camera-like colour photo: smooth gradients plus sensor grain (hard to compress)."""
    base = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    tinted = Image.merge(
        "RGB",
        (
            base.getchannel(0),
            base.getchannel(0).rotate(180),
            base.getchannel(0).transpose(Image.Transpose.FLIP_LEFT_RIGHT),
        ),
    )
    blotches = _noise(width, height, seed, cell=max(2, width // 64))
    grain = _noise(width, height, seed + 1)
    image = Image.blend(Image.blend(tinted, blotches, 0.5), grain, 0.08)
    return _jpeg(image, quality)


def pad_jpeg(data: bytes, size: int) -> bytes:
    """``data`` (a JPEG) grown to exactly ``size`` bytes with COM segments after SOI/APP0.

    Raises ValueError when ``size`` is less than 4 bytes more than ``data`` (a COM segment
    needs 4 bytes) unless it equals it.
    """
    need = size - len(data)
    if need == 0:
        return data
    if need < 4:
        raise ValueError(f"cannot grow a JPEG by {need} bytes")
    at = 2
    if data[2:4] == b"\xff\xe0":  # after the JFIF APP0 segment
        at = 4 + int.from_bytes(data[4:6], "big")
    count = math.ceil(need / 65537)
    segments = []
    for index in range(count):
        chunk = need // count + (1 if index < need % count else 0)
        payload = chunk - 4
        segments.append(b"\xff\xfe" + struct.pack(">H", payload + 2) + b"#" * payload)
    result = data[:at] + b"".join(segments) + data[at:]
    assert len(result) == size
    return result


def jpeg_of_size(size: int, *, width: int = 320, height: int = 240, seed: int = 0) -> bytes:
    """A valid colour JPEG of exactly ``size`` bytes (padded with comment segments)."""
    base = colour_jpeg(width, height, seed=seed, quality=85)
    quality = 85
    while len(base) > size - 4 and len(base) != size:
        quality -= 10
        if quality < 10:
            width, height = width // 2, height // 2
            quality = 85
        base = colour_jpeg(width, height, seed=seed, quality=quality)
    return pad_jpeg(base, size)


def document_page(width: int, height: int, *, seed: int = 0) -> Image.Image:
    """A grey document: white paper, dark text lines, a box; no colour at all."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    image = Image.new("L", (width, height), 245)
    draw = ImageDraw.Draw(image)
    for row in range(3, height // 18):
        length = rng.randrange(width // 3, width - 40)
        draw.line((30, row * 18, 30 + length, row * 18), fill=rng.randrange(10, 90), width=3)
    draw.rectangle((width - 160, 40, width - 40, 190), outline=30, width=3)
    grain = _noise(width, height, seed).convert("L")
    return Image.blend(image, grain, 0.06)


def grey_scan_rgb_jpeg(width: int = 1000, height: int = 700, *, seed: int = 0) -> bytes:
    """A grey document saved as an RGB JPEG: three channels, no colour."""
    return _jpeg(document_page(width, height, seed=seed).convert("RGB"), 90)


def yellowed_scan_jpeg(
    width: int = 1000, height: int = 700, *, tint: tuple[int, int, int] = (0, 4, 18), seed: int = 0
) -> bytes:
    """A grey photocopy on slightly yellowed paper (red/green kept, blue reduced by ``tint``)."""
    grey = document_page(width, height, seed=seed)
    red = grey.point(lambda v: max(0, v - tint[0]))
    green = grey.point(lambda v: max(0, v - tint[1]))
    blue = grey.point(lambda v: max(0, v - tint[2]))
    return _jpeg(Image.merge("RGB", (red, green, blue)), 90)


def grey_jpeg(width: int = 800, height: int = 600, *, seed: int = 0) -> bytes:
    """A true one-channel (mode L) JPEG."""
    return _jpeg(document_page(width, height, seed=seed), 90)


def grey_with_stamp_jpeg(
    width: int = 1000, height: int = 700, *, stamp_fraction: float = 0.05, seed: int = 0
) -> bytes:
    """A grey document with a red stamp covering about ``stamp_fraction`` of the page."""
    image = document_page(width, height, seed=seed).convert("RGB")
    side = int((width * height * stamp_fraction) ** 0.5)
    ImageDraw.Draw(image).rectangle((50, 50, 50 + side, 50 + side), fill=(200, 40, 50))
    return _jpeg(image, 90)


def cmyk_jpeg(width: int = 600, height: int = 400, *, seed: int = 0) -> bytes:
    """A colour picture stored as a CMYK JPEG (as prepress software writes)."""
    return _jpeg(colour_picture(width, height, seed=seed).convert("CMYK"), 90)


def progressive_jpeg(width: int = 600, height: int = 400, *, seed: int = 0) -> bytes:
    return _jpeg(colour_picture(width, height, seed=seed), 85, progressive=True)


def png_bytes(width: int = 600, height: int = 400, *, alpha: bool = False, seed: int = 0) -> bytes:
    """A colour PNG; with ``alpha`` its corners are transparent."""
    image = colour_picture(width, height, seed=seed)
    if alpha:
        image = image.convert("RGBA")
        mask = Image.new("L", image.size, 0)
        ImageDraw.Draw(mask).ellipse((0, 0, width, height), fill=255)
        image.putalpha(mask)
    return _save(image, "PNG")


def picture_as(fmt: str, width: int = 300, height: int = 200, *, seed: int = 0) -> bytes:
    """A colour picture saved as ``fmt`` ("WEBP", "BMP", "TIFF", "GIF", "PNG")."""
    image = colour_picture(width, height, seed=seed, grain=0)
    return _save(image, fmt)


def exif_rotated_jpeg(
    width: int = 640, height: int = 480, *, orientation: int = 6, seed: int = 0, gps: bool = False
) -> bytes:
    """A JPEG stored ``width``×``height`` whose EXIF orientation says how to turn it.

    With ``gps`` the EXIF also carries a GPS position (privacy test of the compliant copy).
    """
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "KameraHP"
    if gps:
        exif[0x8825] = {1: "S", 2: (6.0, 54.0, 0.0), 3: "E", 4: (107.0, 36.0, 0.0)}
    return _jpeg(colour_picture(width, height, seed=seed), 90, exif=exif.tobytes())


def pas_foto_picture(
    width: int = 354,
    height: int = 472,
    *,
    background: tuple[int, int, int] = (40, 100, 200),
    seed: int = 0,
) -> Image.Image:
    """A passport-style portrait: plain background, head and shoulders in the middle."""
    image = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(image)
    cx = width // 2
    draw.ellipse(
        (cx - width * 0.42, height * 0.72, cx + width * 0.42, height * 1.3), fill=(30, 30, 35)
    )
    draw.rectangle((cx - width * 0.07, height * 0.5, cx + width * 0.07, height * 0.75), fill=SKIN)
    draw.ellipse((cx - width * 0.18, height * 0.2, cx + width * 0.18, height * 0.6), fill=SKIN)
    draw.ellipse(
        (cx - width * 0.19, height * 0.15, cx + width * 0.19, height * 0.35), fill=(25, 20, 20)
    )
    return Image.blend(image, _noise(width, height, seed), 0.04)


def pas_foto_jpeg(
    width: int = 354,
    height: int = 472,
    *,
    background: tuple[int, int, int] = (40, 100, 200),
    seed: int = 0,
    quality: int = 90,
) -> bytes:
    """A pas foto JPEG; blue background and portrait by default (it passes)."""
    return _jpeg(pas_foto_picture(width, height, background=background, seed=seed), quality)


def big_pas_foto_jpeg(width: int = 3000, height: int = 4000, *, seed: int = 0) -> bytes:
    """A camera-sized pas foto (portrait, blue) with sensor grain: megabytes, not kilobytes."""
    image = pas_foto_picture(width, height, seed=seed)
    image = Image.blend(image, _noise(width, height, seed + 7), 0.06)
    return _jpeg(image, 95)


# --- broken and misleading files ----------------------------------------------------------


def truncated(data: bytes, fraction: float = 0.5) -> bytes:
    """The first ``fraction`` of ``data``: a copy or download that stopped halfway."""
    return data[: int(len(data) * fraction)]


def jpeg_declaring(width: int, height: int) -> bytes:
    """A tiny valid JPEG whose SOF header is patched to declare ``width``×``height``."""
    data = bytearray(colour_jpeg(16, 16, seed=1))
    index = 2
    while True:
        marker = data[index + 1]
        length = int.from_bytes(data[index + 2 : index + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2):
            data[index + 5 : index + 7] = height.to_bytes(2, "big")
            data[index + 7 : index + 9] = width.to_bytes(2, "big")
            return bytes(data)
        index += 2 + length


def png_declaring(width: int, height: int) -> bytes:
    """A small PNG whose IHDR declares ``width``×``height`` (with a correct CRC)."""
    data = bytearray(picture_as("PNG", 16, 16))
    ihdr = bytearray(data[12:29])  # type + 13 bytes of data
    ihdr[4:8] = width.to_bytes(4, "big")
    ihdr[8:12] = height.to_bytes(4, "big")
    data[12:29] = ihdr
    data[29:33] = zlib.crc32(bytes(ihdr)).to_bytes(4, "big")
    return bytes(data)


HTML_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>Login</title></head>"
    b"<body><p>Sesi Anda telah berakhir.</p></body></html>\n"
)
TEXT_FILE = b"Ini bukan gambar, hanya catatan.\nNIK: 3204010101900001\n"
HEIC_HEAD = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64


def docx_bytes() -> bytes:
    """A minimal Word document (a ZIP with word/document.xml)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


# --- PDFs -----------------------------------------------------------------------------------


def pdf_bytes(pages: int = 1, *, text: str = "Dokumen contoh") -> bytes:
    """A valid text PDF with ``pages`` pages."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    for number in range(pages):
        pdf.drawString(72, 760, f"{text} - halaman {number + 1}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def encrypted_pdf(user_password: str = "") -> bytes:
    """A PDF encrypted by pypdf; with the default empty password it opens without asking."""
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(pdf_bytes(2)))
    writer.encrypt(user_password, "pemilik", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def zero_page_pdf() -> bytes:
    buffer = io.BytesIO()
    pypdf.PdfWriter().write(buffer)
    return buffer.getvalue()


def scan_pdf(width: int = 1169, height: int = 827, *, grain: float = 0.12, seed: int = 0) -> bytes:
    """A one-page PDF holding a colour scan (JPEG inside): size grows with ``grain``."""
    image = colour_picture(width, height, seed=seed, grain=grain)
    return _save(image, "PDF", resolution=100.0, quality=90)


def big_pdf(minimum: int = 1_048_577) -> bytes:
    """A valid PDF larger than ``minimum`` bytes (pages of grainy scans)."""
    pages = []
    seed = 0
    total = 0
    while total <= minimum:
        page = Image.blend(
            colour_picture(1200, 900, seed=seed, grain=0), _noise(1200, 900, seed), 0.5
        )
        pages.append(page)
        total += len(_jpeg(page, 90))
        seed += 1
    buffer = io.BytesIO()
    pages[0].save(buffer, "PDF", save_all=True, append_images=pages[1:], quality=90)
    return buffer.getvalue()


def bmp_declaring(width: int, height: int) -> bytes:
    """A small BMP whose header declares ``width``×``height`` (Pillow's own bomb check path)."""
    data = bytearray(picture_as("BMP", 16, 16))
    data[18:22] = width.to_bytes(4, "little", signed=True)
    data[22:26] = height.to_bytes(4, "little", signed=True)
    return bytes(data)


def damaged_pdf() -> bytes:
    """Starts and ends like a PDF, but the middle is garbage."""
    good = pdf_bytes(2)
    return good[:40] + bytes(range(256)) * 8 + b"\n%%EOF\n"


def grey_scan_with_fringes(width: int = 2500, height: int = 1750, *, shift: int = 1) -> bytes:
    """A grey page scanned in colour mode by a scanner whose red and blue sensors are off by
    ``shift`` pixels: every text edge gets a false colour fringe."""
    grey = document_page(width, height)
    red = grey.transform(grey.size, Image.Transform.AFFINE, (1, 0, -shift, 0, 1, 0))
    blue = grey.transform(grey.size, Image.Transform.AFFINE, (1, 0, 0, 0, 1, -shift))
    return _jpeg(Image.merge("RGB", (red, grey, blue)), 90)


# -- hostile pictures ----------------------------------------------------------------------


def repeated_last_scan(data: bytes, times: int) -> bytes:
    """``data`` with its last scan (SOS header and entropy-coded data) repeated before EOI."""
    last_scan = data.rfind(b"\xff\xda")
    end = data.rfind(b"\xff\xd9")
    assert 0 < last_scan < end
    return data[:end] + data[last_scan:end] * times + data[end:]


def flat_progressive_jpeg(size: int = 256) -> bytes:
    """A flat picture: its refinement scans are a few bytes each, as in the reported file."""
    # A flat picture: its refinement scans are a few bytes each, as in the reported file.
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), (230, 228, 220)).save(
        buffer, "JPEG", progressive=True, quality=80
    )
    return buffer.getvalue()
