"""Synthetic sample documents that pass the document rules (DOMAIN.md section 4).

:func:`make_sample_document` draws a KTP-like card, a pas foto, a swafoto, a Kartu Keluarga,
an ijazah scan, an SK jabatan and a salary slip. They look like what an honorer brings (a
light-blue card with text lines and a photo, a portrait on a blue background, a cream
diploma with a border, typed letters) but every name, number and place is invented, and
each is marked "CONTOH". The same kind, seed and name always give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import math
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from nonasn_desktop.policy import default_policy

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
_PLACES = ("BANDUNG", "GARUT", "SEMARANG", "SURABAYA", "MEDAN", "MAKASSAR", "DENPASAR", "SOLO")
_STREETS = ("JL. MERDEKA", "JL. SUDIRMAN", "JL. MAWAR", "JL. PAHLAWAN", "GG. MELATI", "JL. KENANGA")
_DISTRICTS = ("SUKAJADI", "CIBEUNYING", "TEMBALANG", "GUBENG", "MEDAN BARU", "PANAKKUKANG")
_RELIGIONS = ("ISLAM", "KRISTEN", "KATOLIK", "HINDU", "BUDDHA")
_JOBS = ("KARYAWAN HONORER", "GURU HONORER", "TENAGA KESEHATAN", "PETUGAS KEBERSIHAN")
_MEMBERS = ("SITI AMINAH", "DEWI LESTARI", "RUDI HARTONO", "NUR HIDAYAH", "AGUS SALIM", "RINA")
_UNITS = (
    "Dinas Pendidikan",
    "Dinas Kesehatan",
    "Sekretariat Daerah",
    "Dinas Lingkungan Hidup",
    "Badan Kepegawaian Daerah",
)
_POSITIONS = ("Guru Honorer", "Tenaga Administrasi", "Operator Komputer", "Pramu Kantor", "Perawat")
_SKIN: tuple[Colour, ...] = ((224, 172, 138), (198, 140, 105), (170, 115, 85), (236, 188, 150))
_MONTHS = (
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
class _Person:
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


def _person(rng: random.Random, name: str) -> _Person:
    code, province, regency = rng.choice(_REGIONS)
    birth = dt.date(1970, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 28))
    female = rng.random() < 0.5
    day = birth.day + (40 if female else 0)
    district = f"{rng.randrange(1, 31):02d}"
    nik = f"{code}{district}{day:02d}{birth:%m%y}{rng.randrange(1, 999):04d}"
    issued = dt.date(2010, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 10))
    kk = f"{code}{district}{issued:%d%m%y}{rng.randrange(1, 9999):04d}"
    return _Person(
        name=name,
        nik=nik,
        kk=kk,
        sex="PEREMPUAN" if female else "LAKI-LAKI",
        birth_place=rng.choice(_PLACES),
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
def _font(size: int) -> Font:
    return ImageFont.load_default(size)


def _gradient(size: tuple[int, int], top: Colour, bottom: Colour) -> Image.Image:
    mask = Image.linear_gradient("L").resize(size)
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)


def _grain(image: Image.Image, rng: random.Random, amount: float, cell: int = 2) -> Image.Image:
    """Scanner/sensor grain from the seeded generator (never from Pillow's own noise)."""
    width, height = image.size
    small = (max(1, width // cell), max(1, height // cell))
    noise = Image.frombytes("RGB", small, rng.randbytes(small[0] * small[1] * 3))
    if cell > 1:
        noise = noise.resize(image.size, Image.Resampling.BILINEAR)
    return Image.blend(image, noise, amount)


def _portrait(image: Image.Image, box: tuple[int, int, int, int], rng: random.Random) -> None:
    """Head and shoulders drawn inside ``box`` of ``image`` (background already painted)."""
    region = image.crop(box)
    _draw_person(ImageDraw.Draw(region), region.size, rng)
    image.paste(region, box[:2])


def _draw_person(draw: ImageDraw.ImageDraw, size: tuple[int, int], rng: random.Random) -> None:
    width, height = size
    y0 = 0
    y1 = height
    cx = width / 2
    skin = rng.choice(_SKIN)
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


def _jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, optimize=True)
    return buffer.getvalue()


def _scan_pdf(image: Image.Image, title: str, quality: int) -> bytes:
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


def _date_id(date: dt.date) -> str:
    return f"{date.day} {_MONTHS[date.month - 1]} {date.year}"


def _rupiah(amount: int) -> str:
    return "Rp " + f"{amount:,}".replace(",", ".")


def _pdf_text(text: str) -> str:
    """What reportlab's standard fonts can draw (they know Windows-1252 only)."""
    return text.encode("cp1252", "replace").decode("cp1252")


# --- the documents --------------------------------------------------------------------------


def _ktp(rng: random.Random, person: _Person) -> tuple[bytes, str]:
    size = (856, 540)  # a KTP card (85.6 × 54 mm) scanned at about 254 dpi
    card = _gradient(size, (158, 205, 236), (206, 232, 246))
    draw = ImageDraw.Draw(card)
    phase = rng.random() * math.tau
    for wave in range(7):
        points = [
            (x, 300 + wave * 30 + 18 * math.sin(x / 55 + phase + wave)) for x in range(0, 857, 8)
        ]
        draw.line(points, fill=(140, 192, 228), width=2)
    ink = (25, 25, 35)
    header = _font(26)
    for row, text in enumerate((person.province, person.regency)):
        width = draw.textlength(text, font=header)
        draw.text(((size[0] - width) / 2, 14 + row * 32), text, font=header, fill=ink)
    draw.text((28, 92), "NIK", font=_font(30), fill=ink)
    draw.text((200, 92), f": {person.nik}", font=_font(30), fill=ink)
    born = f"{person.birth_place}, {person.birth_date:%d-%m-%Y}"
    fields = (
        ("Nama", person.name.upper()),
        ("Tempat/Tgl Lahir", born),
        ("Jenis Kelamin", person.sex),
        ("Alamat", person.street),
        ("   RT/RW", f"{rng.randrange(1, 15):03d}/{rng.randrange(1, 12):03d}"),
        ("   Kel/Desa", person.district),
        ("   Kecamatan", person.district),
        ("Agama", person.religion),
        ("Status Perkawinan", rng.choice(("BELUM KAWIN", "KAWIN"))),
        ("Pekerjaan", person.job),
        ("Kewarganegaraan", "WNI"),
        ("Berlaku Hingga", "SEUMUR HIDUP"),
    )
    small = _font(19)
    for row, (label, value) in enumerate(fields):
        y = 140 + row * 29
        draw.text((28, y), label, font=small, fill=ink)
        draw.text((200, y), f": {value}", font=small, fill=ink)
    photo = (640, 108, 812, 338)
    draw.rectangle(photo, fill=rng.choice(((200, 30, 40), (40, 100, 200))))
    _portrait(card, photo, rng)
    draw.text((652, 350), person.regency.split(" ", 1)[1], font=_font(16), fill=ink)
    draw.text(
        (652, 372),
        f"{rng.randrange(1, 28):02d}-{rng.randrange(1, 12):02d}-2019",
        font=_font(16),
        fill=ink,
    )
    draw.line([(650, 440), (690, 410), (720, 445), (760, 405), (800, 430)], fill=ink, width=2)
    draw.text((690, 500), "CONTOH", font=_font(22), fill=(200, 40, 40))
    card = _grain(card, rng, 0.05)
    return _jpeg(card, 88), "jpg"


def _pas_foto(rng: random.Random, person: _Person) -> tuple[bytes, str]:
    size = (354, 472)  # 3 × 4 cm at 300 dpi
    blue = rng.choice(((25, 90, 190), (40, 110, 210), (30, 130, 220), (20, 70, 160)))
    lighter = tuple(min(255, c + 30) for c in blue)
    photo = _gradient(size, (lighter[0], lighter[1], lighter[2]), blue)
    _portrait(photo, (30, 40, 324, 472), rng)
    del person
    return _jpeg(_grain(photo, rng, 0.04), 90), "jpg"


def _swafoto(rng: random.Random, person: _Person) -> tuple[bytes, str]:
    size = (600, 800)
    wall = rng.choice(((222, 214, 196), (200, 215, 200), (230, 225, 230), (210, 200, 180)))
    shade = tuple(max(0, c - 40) for c in wall)
    image = _gradient(size, wall, (shade[0], shade[1], shade[2]))
    draw = ImageDraw.Draw(image)
    door = rng.randrange(20, 200)
    draw.rectangle((door, 80, door + 160, 620), fill=(140, 100, 70), outline=(90, 60, 40), width=6)
    _portrait(image, (110, 120, 490, 800), rng)
    skin = rng.choice(_SKIN)
    draw.ellipse((350, 560, 470, 700), fill=skin)  # the hand holding the card
    card = (330, 520, 530, 646)
    draw.rectangle(card, fill=(170, 212, 238), outline=(120, 170, 210), width=2)
    for row in range(6):
        draw.line((340, 540 + row * 16, 450, 540 + row * 16), fill=(40, 40, 60), width=3)
    draw.rectangle((470, 540, 520, 600), fill=(200, 40, 50))
    draw.text((20, 20), f"CONTOH - {person.name.upper()}", font=_font(18), fill=(30, 30, 30))
    return _jpeg(_grain(image, rng, 0.05), 86), "jpg"


def _kk(rng: random.Random, person: _Person) -> tuple[bytes, str]:
    size = (1169, 827)  # A4 landscape at 100 dpi
    page = _gradient(size, (250, 250, 244), (242, 244, 236))
    draw = ImageDraw.Draw(page)
    ink = (20, 20, 30)
    draw.ellipse((40, 30, 120, 110), fill=(205, 165, 60), outline=(150, 110, 30), width=3)
    title = "KARTU KELUARGA"
    draw.text(
        ((size[0] - draw.textlength(title, font=_font(34))) / 2, 30),
        title,
        font=_font(34),
        fill=ink,
    )
    number = f"No. {person.kk}"
    draw.text(
        ((size[0] - draw.textlength(number, font=_font(22))) / 2, 74),
        number,
        font=_font(22),
        fill=ink,
    )
    info = (
        ("Nama Kepala Keluarga", person.name.upper()),
        ("Alamat", person.street),
        ("Desa/Kelurahan", person.district),
        ("Kabupaten/Kota", person.regency),
        ("Provinsi", person.province.removeprefix("PROVINSI ")),
    )
    for row, (label, value) in enumerate(info):
        draw.text((60, 130 + row * 24), label, font=_font(17), fill=ink)
        draw.text((260, 130 + row * 24), f": {value}", font=_font(17), fill=ink)
    columns = (40, 80, 330, 560, 700, 870, 1010, 1130)
    heads = ("No", "Nama Lengkap", "NIK", "Jenis Kelamin", "Tempat Lahir", "Tgl Lahir", "Agama")
    top = 270
    members = [
        (
            person.name.upper(),
            person.nik,
            person.sex,
            person.birth_place,
            f"{person.birth_date:%d-%m-%Y}",
        )
    ]
    for _ in range(rng.randrange(2, 5)):
        birth = dt.date(1975, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 40))
        members.append(
            (
                rng.choice(_MEMBERS),
                f"{person.nik[:6]}{rng.randrange(10**9, 10**10)}",
                rng.choice(("LAKI-LAKI", "PEREMPUAN")),
                rng.choice(_PLACES),
                f"{birth:%d-%m-%Y}",
            )
        )
    rows = len(members) + 1
    draw.rectangle((columns[0], top, columns[-1], top + rows * 34), fill=(236, 244, 238))
    draw.rectangle((columns[0], top, columns[-1], top + 34), fill=(190, 220, 200))
    for x in columns:
        draw.line((x, top, x, top + rows * 34), fill=ink, width=1)
    for row in range(rows + 1):
        draw.line((columns[0], top + row * 34, columns[-1], top + row * 34), fill=ink, width=1)
    for col, head in enumerate(heads):
        draw.text((columns[col] + 6, top + 8), head, font=_font(15), fill=ink)
    for row, member in enumerate(members, start=1):
        cells = (str(row), *member, person.religion)
        for col, cell in enumerate(cells):
            draw.text((columns[col] + 6, top + row * 34 + 8), cell, font=_font(15), fill=ink)
    draw.ellipse((860, 620, 1010, 770), outline=(60, 80, 170), width=4)
    draw.text((880, 680), "DUKCAPIL", font=_font(20), fill=(60, 80, 170))
    draw.text((60, 760), "CONTOH - data sintetis", font=_font(18), fill=(200, 40, 40))
    page = _grain(page, rng, 0.04)
    if rng.random() < 0.5:
        return _jpeg(page, 85), "jpg"
    return _scan_pdf(page, "Kartu Keluarga (contoh)", 85), "pdf"


def _ijazah(rng: random.Random, person: _Person) -> tuple[bytes, str]:
    size = (1169, 827)
    page = _gradient(size, (248, 242, 222), (238, 230, 204))
    draw = ImageDraw.Draw(page)
    green = (30, 100, 60)
    gold = (190, 150, 60)
    draw.rectangle((20, 20, 1149, 807), outline=green, width=10)
    draw.rectangle((42, 42, 1127, 785), outline=gold, width=4)
    for x in range(60, 1110, 30):  # ornament along the border
        draw.ellipse((x, 52, x + 14, 66), outline=gold, width=2)
        draw.ellipse((x, 760, x + 14, 774), outline=gold, width=2)
    draw.ellipse((544, 80, 624, 160), fill=(200, 160, 60), outline=(140, 100, 30), width=3)
    ink = (30, 30, 40)

    def centred(y: int, text: str, size_pt: int, fill: Colour = ink) -> None:
        font = _font(size_pt)
        draw.text(((size[0] - draw.textlength(text, font=font)) / 2, y), text, font=font, fill=fill)

    year = person.birth_date.year + rng.randrange(18, 21)
    school = f"SMA NEGERI {rng.randrange(1, 25)} {rng.choice(_PLACES)}"
    centred(170, "IJAZAH", 48, green)
    centred(228, "SEKOLAH MENENGAH ATAS", 26)
    centred(262, f"TAHUN PELAJARAN {year - 1}/{year}", 20)
    centred(310, f"Yang bertanda tangan di bawah ini, Kepala {school}, menerangkan bahwa:", 18)
    centred(350, person.name.upper(), 34, (20, 40, 110))
    centred(
        400, f"tempat dan tanggal lahir: {person.birth_place}, {_date_id(person.birth_date)}", 18
    )
    centred(430, f"nomor induk siswa: {rng.randrange(10**9, 10**10)}", 18)
    centred(480, "dinyatakan", 18)
    centred(506, "LULUS", 36, green)
    centred(560, "dari satuan pendidikan berdasarkan kriteria kelulusan yang berlaku.", 18)
    draw.rectangle((160, 590, 273, 741), fill=(205, 205, 210), outline=ink, width=2)
    _portrait(page, (162, 592, 271, 739), rng)
    draw.text(
        (780, 600),
        f"{rng.choice(_PLACES).title()}, {_date_id(dt.date(year, 6, 15))}",
        font=_font(18),
        fill=ink,
    )
    draw.text((780, 626), "Kepala Sekolah,", font=_font(18), fill=ink)
    draw.ellipse((730, 640, 860, 740), outline=(80, 60, 160), width=3)
    draw.line([(800, 700), (840, 660), (870, 705), (920, 650), (960, 690)], fill=ink, width=3)
    draw.text((780, 746), f"NIP. {rng.randrange(10**17, 10**18)}", font=_font(16), fill=ink)
    centred(728, "CONTOH - data sintetis", 16, (200, 40, 40))
    # Paper texture makes it as large as a real colour scan, within the rule's size range.
    rule = default_policy().documents.rules["ijazah"]
    texture = _grain(page, rng, 0.09, cell=1)
    data = _scan_pdf(texture, "Ijazah (contoh)", 80)
    for amount in (0.15, 0.25):
        if len(data) >= rule.min_bytes * 1.1:
            break
        data = _scan_pdf(_grain(texture, rng, amount, cell=1), "Ijazah (contoh)", 85)
    return data, "pdf"


def _new_pdf(title: str) -> tuple[io.BytesIO, canvas.Canvas]:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    pdf.setTitle(title)
    pdf.setAuthor("Contoh (data sintetis)")
    return buffer, pdf


def _letterhead(pdf: canvas.Canvas, regency: str, unit: str) -> float:
    width, height = float(A4[0]), float(A4[1])
    pdf.setFont("Helvetica-Bold", 13)
    pdf.drawCentredString(width / 2, height - 60, _pdf_text(f"PEMERINTAH {regency}"))
    pdf.setFont("Helvetica-Bold", 15)
    pdf.drawCentredString(width / 2, height - 78, _pdf_text(unit.upper()))
    pdf.setFont("Helvetica", 9)
    pdf.drawCentredString(width / 2, height - 92, "Alamat: Jl. Contoh No. 1 (data sintetis)")
    pdf.setLineWidth(2)
    pdf.line(50, height - 100, width - 50, height - 100)
    return height - 130


def _sk_jabatan(rng: random.Random, person: _Person) -> tuple[bytes, str]:
    unit = rng.choice(_UNITS)
    position = rng.choice(_POSITIONS)
    variant = rng.choice(("asli", "fotokopi_legalisir", "surat_keterangan"))
    start = dt.date(rng.randrange(2010, 2021), rng.randrange(1, 13), 1)
    number = f"800/{rng.randrange(100, 999)}/{unit.split()[-1][:6]}/{start.year}"
    buffer, pdf = _new_pdf("SK Jabatan (contoh)")
    y = _letterhead(pdf, person.regency, unit)
    width = A4[0]
    if variant == "surat_keterangan":
        title, subject = "SURAT KETERANGAN", "MASIH BEKERJA SEBAGAI TENAGA NON-ASN"
    else:
        title, subject = f"KEPUTUSAN KEPALA {unit.upper()}", "PENGANGKATAN TENAGA NON-ASN"
    pdf.setFont("Helvetica-Bold", 12)
    for line in (title, f"NOMOR {number}", "TENTANG", subject):
        pdf.drawCentredString(width / 2, y, _pdf_text(line))
        y -= 18
    y -= 10
    pdf.setFont("Helvetica", 10.5)
    body = [
        "Menimbang : bahwa untuk kelancaran pelaksanaan tugas perlu mengangkat tenaga non-ASN;",
        "Mengingat  : Undang-Undang Nomor 5 Tahun 2014 tentang Aparatur Sipil Negara;",
        "",
        "MEMUTUSKAN:"
        if variant != "surat_keterangan"
        else "Yang bertanda tangan di bawah ini menerangkan bahwa:",
        f"Nama                 : {person.name}",
        f"NIK                    : {person.nik}",
        f"Tempat/Tgl Lahir : {person.birth_place.title()}, {_date_id(person.birth_date)}",
        f"Jabatan              : {position}",
        f"Unit Kerja          : {unit}",
        f"Terhitung mulai   : {_date_id(start)}",
        f"Honorarium        : {_rupiah(rng.randrange(8, 30) * 100_000)} per bulan (APBD).",
        "",
        "Keputusan ini berlaku sejak tanggal ditetapkan dengan ketentuan apabila di kemudian",
        "hari terdapat kekeliruan akan diadakan perbaikan sebagaimana mestinya.",
    ]
    for line in body:
        pdf.drawString(60, y, _pdf_text(line))
        y -= 16
    y -= 20
    pdf.drawString(350, y, _pdf_text(f"Ditetapkan di {person.regency.split(' ', 1)[1].title()}"))
    pdf.drawString(350, y - 16, _pdf_text(f"pada tanggal {_date_id(start - dt.timedelta(days=7))}"))
    pdf.drawString(350, y - 32, _pdf_text(f"KEPALA {unit.upper()},"))
    pdf.drawString(350, y - 100, "NIP. " + str(rng.randrange(10**17, 10**18)))
    if variant == "fotokopi_legalisir":
        pdf.setStrokeColorRGB(0.2, 0.3, 0.7)
        pdf.setFillColorRGB(0.2, 0.3, 0.7)
        pdf.circle(150, y - 60, 45)
        pdf.drawString(80, y - 125, "SALINAN SESUAI DENGAN ASLINYA")
    pdf.setFillColorRGB(0.8, 0.1, 0.1)
    pdf.drawString(60, 40, "CONTOH - data sintetis")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue(), "pdf"


def _bukti_gaji(rng: random.Random, person: _Person) -> tuple[bytes, str]:
    unit = rng.choice(_UNITS)
    month = rng.randrange(1, 13)
    year = rng.choice((2021, 2022))
    honorarium = rng.randrange(8, 30) * 100_000
    transport = rng.choice((0, 100_000, 150_000, 200_000))
    tax = 0 if honorarium < 2_000_000 else honorarium * 5 // 100
    buffer, pdf = _new_pdf("Bukti pembayaran honorarium (contoh)")
    y = _letterhead(pdf, person.regency, unit)
    width = A4[0]
    pdf.setFont("Helvetica-Bold", 12)
    pdf.drawCentredString(width / 2, y, "SLIP PEMBAYARAN HONORARIUM")
    pdf.drawCentredString(
        width / 2, y - 16, _pdf_text(f"BULAN {_MONTHS[month - 1].upper()} {year}")
    )
    y -= 50
    pdf.setFont("Helvetica", 10.5)
    for label, value in (
        ("Nama", person.name),
        ("NIK", person.nik),
        ("Jabatan", rng.choice(_POSITIONS)),
        ("Unit Kerja", unit),
        ("Sumber Dana", "APBD"),
    ):
        pdf.drawString(60, y, _pdf_text(label))
        pdf.drawString(170, y, _pdf_text(f": {value}"))
        y -= 16
    y -= 14
    rows = [("Honorarium", honorarium), ("Uang transport", transport), ("Potongan PPh 21", -tax)]
    pdf.setLineWidth(0.8)
    pdf.rect(60, y - 16 * (len(rows) + 1) - 6, width - 120, 16 * (len(rows) + 2))
    pdf.setFont("Helvetica-Bold", 10.5)
    pdf.drawString(70, y, "Uraian")
    pdf.drawRightString(width - 70, y, "Jumlah")
    pdf.setFont("Helvetica", 10.5)
    for label, amount in rows:
        y -= 16
        pdf.drawString(70, y, label)
        text = _rupiah(abs(amount))
        pdf.drawRightString(width - 70, y, f"({text})" if amount < 0 else text)
    y -= 16
    pdf.setFont("Helvetica-Bold", 10.5)
    pdf.drawString(70, y, "Jumlah diterima")
    pdf.drawRightString(width - 70, y, _rupiah(sum(amount for _, amount in rows)))
    pdf.setFont("Helvetica", 10.5)
    y -= 60
    pdf.drawString(60, y, "Penerima,")
    pdf.drawString(350, y, "Bendahara Pengeluaran,")
    pdf.drawString(60, y - 60, _pdf_text(person.name))
    pdf.drawString(350, y - 60, "NIP. " + str(rng.randrange(10**17, 10**18)))
    pdf.setFillColorRGB(0.8, 0.1, 0.1)
    pdf.drawString(60, 40, "CONTOH - data sintetis")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue(), "pdf"


_GENERATORS: dict[str, Callable[[random.Random, _Person], tuple[bytes, str]]] = {
    "ktp": _ktp,
    "pas_foto": _pas_foto,
    "swafoto": _swafoto,
    "kk": _kk,
    "ijazah": _ijazah,
    "sk_jabatan": _sk_jabatan,
    "bukti_gaji": _bukti_gaji,
}
SAMPLE_KINDS: tuple[str, ...] = tuple(_GENERATORS)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "contoh"


def make_sample_document(kind: str, *, seed: int, name: str = "CONTOH") -> tuple[bytes, str]:
    """A synthetic document of ``kind`` that passes its rule, and a file name for it.

    The same ``kind``, ``seed`` and ``name`` always give the same bytes; different seeds
    give different documents. The person behind one seed (NIK, birth date, region) is the
    same in every kind. Raises ValueError for a kind it cannot draw.
    """
    generator = _GENERATORS.get(kind)
    if generator is None:
        raise ValueError(f"no sample generator for document kind {kind!r}")
    # Not for secrets: a seeded generator is what makes the samples reproducible.
    person = _person(random.Random(f"person:{seed}"), name.strip() or "CONTOH")  # noqa: S311
    content, extension = generator(random.Random(f"{kind}:{seed}"), person)  # noqa: S311
    return content, f"{kind}_{_slug(name)}_{seed}.{extension}"
