"""What the synthetic sample documents share: the invented person behind one seed, the words
and places printed on them, and the drawing and encoding helpers (gradients, grain, a
portrait, JPEG and scanned-PDF encoding, Indonesian dates and rupiah).

Every helper draws from the seeded generator it is given, never from Pillow's own noise, so
the same seed always gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import random
import time
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
Colour = tuple[int, int, int]

# Pillow's PDF writer stamps the current time unless told otherwise.
_PDF_TIME = time.gmtime(1_658_448_000)  # 22-07-2022, the date of the 2022 circular

# Kemendagri codes (as on a NIK) with the names printed on a KTP.
_REGIONS: tuple[tuple[str, str, str], ...] = (
    ("3204", "PROVINSI JAWA BARAT", "KABUPATEN BANDUNG"),
    ("3273", "PROVINSI JAWA BARAT", "KOTA BANDUNG"),
    ("3374", "PROVINSI JAWA TENGAH", "KOTA SEMARANG"),
    ("3578", "PROVINSI JAWA TIMUR", "KOTA SURABAYA"),
    ("1271", "PROVINSI SUMATERA UTARA", "KOTA MEDAN"),
    ("7371", "PROVINSI SULAWESI SELATAN", "KOTA MAKASSAR"),
    ("5171", "PROVINSI BALI", "KOTA DENPASAR"),
    ("6471", "PROVINSI KALIMANTAN TIMUR", "KOTA BALIKPAPAN"),
)
PLACES = ("BANDUNG", "GARUT", "SEMARANG", "SURABAYA", "MEDAN", "MAKASSAR", "DENPASAR", "SOLO")
_STREETS = ("JL. MERDEKA", "JL. SUDIRMAN", "JL. MAWAR", "JL. PAHLAWAN", "GG. MELATI", "JL. KENANGA")
_DISTRICTS = ("SUKAJADI", "CIBEUNYING", "TEMBALANG", "GUBENG", "MEDAN BARU", "PANAKKUKANG")
_RELIGIONS = ("ISLAM", "KRISTEN", "KATOLIK", "HINDU", "BUDDHA")
_JOBS = ("KARYAWAN HONORER", "GURU HONORER", "TENAGA KESEHATAN", "PETUGAS KEBERSIHAN")
MEMBERS = ("SITI AMINAH", "DEWI LESTARI", "RUDI HARTONO", "NUR HIDAYAH", "AGUS SALIM", "RINA")
UNITS = (
    "Dinas Pendidikan",
    "Dinas Kesehatan",
    "Sekretariat Daerah",
    "Dinas Lingkungan Hidup",
    "Badan Kepegawaian Daerah",
)
POSITIONS = ("Guru Honorer", "Tenaga Administrasi", "Operator Komputer", "Pramu Kantor", "Perawat")
SKIN: tuple[Colour, ...] = ((224, 172, 138), (198, 140, 105), (170, 115, 85), (236, 188, 150))
MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


@dataclass(frozen=True)
class Person:
    """An invented honorer, consistent across the documents of one seed."""

    name: str
    nik: str
    kk: str
    sex: str
    birth_place: str
    birth_date: dt.date
    province: str
    regency: str
    street: str
    district: str
    religion: str
    job: str


def invent_person(rng: random.Random, name: str) -> Person:
    code, province, regency = rng.choice(_REGIONS)
    birth = dt.date(1970, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 28))
    female = rng.random() < 0.5
    day = birth.day + (40 if female else 0)
    district = f"{rng.randrange(1, 31):02d}"
    nik = f"{code}{district}{day:02d}{birth:%m%y}{rng.randrange(1, 999):04d}"
    issued = dt.date(2010, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 10))
    kk = f"{code}{district}{issued:%d%m%y}{rng.randrange(1, 9999):04d}"
    return Person(
        name=name,
        nik=nik,
        kk=kk,
        sex="PEREMPUAN" if female else "LAKI-LAKI",
        birth_place=rng.choice(PLACES),
        birth_date=birth,
        province=province,
        regency=regency,
        street=f"{rng.choice(_STREETS)} NO. {rng.randrange(1, 200)}",
        district=rng.choice(_DISTRICTS),
        religion=rng.choice(_RELIGIONS),
        job=rng.choice(_JOBS),
    )


# --- drawing helpers ------------------------------------------------------------------------


@functools.cache
def default_font(size: int) -> Font:
    return ImageFont.load_default(size)


def gradient(size: tuple[int, int], top: Colour, bottom: Colour) -> Image.Image:
    mask = Image.linear_gradient("L").resize(size)
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)


def grain(image: Image.Image, rng: random.Random, amount: float, cell: int = 2) -> Image.Image:
    """Scanner/sensor grain from the seeded generator (never from Pillow's own noise)."""
    width, height = image.size
    small = (max(1, width // cell), max(1, height // cell))
    noise = Image.frombytes("RGB", small, rng.randbytes(small[0] * small[1] * 3))
    if cell > 1:
        noise = noise.resize(image.size, Image.Resampling.BILINEAR)
    return Image.blend(image, noise, amount)


def portrait(image: Image.Image, box: tuple[int, int, int, int], rng: random.Random) -> None:
    """Head and shoulders drawn inside ``box`` of ``image`` (background already painted)."""
    region = image.crop(box)
    _draw_person(ImageDraw.Draw(region), region.size, rng)
    image.paste(region, box[:2])


def _draw_person(draw: ImageDraw.ImageDraw, size: tuple[int, int], rng: random.Random) -> None:
    width, height = size
    y0 = 0
    y1 = height
    cx = width / 2
    skin = rng.choice(SKIN)
    hair = (rng.randrange(15, 45),) * 3
    clothes = rng.choice(((245, 245, 245), (30, 35, 60), (60, 60, 65), (120, 30, 40)))
    draw.ellipse(
        (cx - width * 0.42, y0 + height * 0.74, cx + width * 0.42, y1 + height * 0.3), fill=clothes
    )
    draw.polygon(
        [
            (cx - width * 0.1, y0 + height * 0.74),
            (cx, y0 + height * 0.86),
            (cx + width * 0.1, y0 + height * 0.74),
        ],
        fill=(250, 250, 250),
    )
    draw.rectangle(
        (cx - width * 0.08, y0 + height * 0.55, cx + width * 0.08, y0 + height * 0.76), fill=skin
    )
    head = (cx - width * 0.19, y0 + height * 0.2, cx + width * 0.19, y0 + height * 0.64)
    draw.ellipse(head, fill=skin)
    draw.chord(
        (head[0] - 3, head[1] - 10, head[2] + 3, head[3] - height * 0.12), 180, 360, fill=hair
    )
    eye_y = y0 + height * 0.41
    for side in (-1, 1):
        ex = cx + side * width * 0.075
        draw.ellipse(
            (ex - width * 0.025, eye_y - 3, ex + width * 0.025, eye_y + 3), fill=(35, 25, 20)
        )
    draw.arc(
        (cx - width * 0.06, y0 + height * 0.49, cx + width * 0.06, y0 + height * 0.56),
        20,
        160,
        fill=(150, 70, 70),
        width=2,
    )


def jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, optimize=True)
    return buffer.getvalue()


def scan_pdf(image: Image.Image, title: str, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(
        buffer,
        "PDF",
        resolution=100.0,
        quality=quality,
        title=title,
        author="Contoh (data sintetis)",
        creationDate=_PDF_TIME,
        modDate=_PDF_TIME,
    )
    return buffer.getvalue()


def date_id(date: dt.date) -> str:
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"


def rupiah(amount: int) -> str:
    return "Rp " + f"{amount:,}".replace(",", ".")


def pdf_text(text: str) -> str:
    """What reportlab's standard fonts can draw (they know Windows-1252 only)."""
    return text.encode("cp1252", "replace").decode("cp1252")
