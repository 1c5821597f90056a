"""The synthetic documents that are pictures or scans of paper: a KTP card, a pas foto, a
swafoto, a Kartu Keluarga and an ijazah. Each ``draw_*`` returns the file's bytes and its
extension.
"""

from __future__ import annotations

import datetime as dt
import math
import random

from PIL import ImageDraw

from nonasn_desktop.demo.document_drawing import (
    MEMBERS,
    PLACES,
    SKIN,
    Colour,
    Person,
    date_id,
    default_font,
    gradient,
    grain,
    jpeg,
    portrait,
    scan_pdf,
)
from nonasn_desktop.policy import default_policy


def draw_ktp(rng: random.Random, person: Person) -> tuple[bytes, str]:
    size = (856, 540)  # a KTP card (85.6 × 54 mm) scanned at about 254 dpi
    card = gradient(size, (158, 205, 236), (206, 232, 246))
    draw = ImageDraw.Draw(card)
    phase = rng.random() * math.tau
    for wave in range(7):
        points = [
            (x, 300 + wave * 30 + 18 * math.sin(x / 55 + phase + wave)) for x in range(0, 857, 8)
        ]
        draw.line(points, fill=(140, 192, 228), width=2)
    ink = (25, 25, 35)
    header = default_font(26)
    for row, text in enumerate((person.province, person.regency)):
        width = draw.textlength(text, font=header)
        draw.text(((size[0] - width) / 2, 14 + row * 32), text, font=header, fill=ink)
    draw.text((28, 92), "NIK", font=default_font(30), fill=ink)
    draw.text((200, 92), f": {person.nik}", font=default_font(30), fill=ink)
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
    small = default_font(19)
    for row, (label, value) in enumerate(fields):
        y = 140 + row * 29
        draw.text((28, y), label, font=small, fill=ink)
        draw.text((200, y), f": {value}", font=small, fill=ink)
    photo = (640, 108, 812, 338)
    draw.rectangle(photo, fill=rng.choice(((200, 30, 40), (40, 100, 200))))
    portrait(card, photo, rng)
    draw.text((652, 350), person.regency.split(" ", 1)[1], font=default_font(16), fill=ink)
    draw.text(
        (652, 372),
        f"{rng.randrange(1, 28):02d}-{rng.randrange(1, 12):02d}-2019",
        font=default_font(16),
        fill=ink,
    )
    draw.line([(650, 440), (690, 410), (720, 445), (760, 405), (800, 430)], fill=ink, width=2)
    draw.text((690, 500), "CONTOH", font=default_font(22), fill=(200, 40, 40))
    card = grain(card, rng, 0.05)
    return jpeg(card, 88), "jpg"


def draw_pas_foto(rng: random.Random, person: Person) -> tuple[bytes, str]:
    size = (354, 472)  # 3 × 4 cm at 300 dpi
    blue = rng.choice(((25, 90, 190), (40, 110, 210), (30, 130, 220), (20, 70, 160)))
    lighter = tuple(min(255, c + 30) for c in blue)
    photo = gradient(size, (lighter[0], lighter[1], lighter[2]), blue)
    portrait(photo, (30, 40, 324, 472), rng)
    del person
    return jpeg(grain(photo, rng, 0.04), 90), "jpg"


def draw_swafoto(rng: random.Random, person: Person) -> tuple[bytes, str]:
    size = (600, 800)
    wall = rng.choice(((222, 214, 196), (200, 215, 200), (230, 225, 230), (210, 200, 180)))
    shade = tuple(max(0, c - 40) for c in wall)
    image = gradient(size, wall, (shade[0], shade[1], shade[2]))
    draw = ImageDraw.Draw(image)
    door = rng.randrange(20, 200)
    draw.rectangle((door, 80, door + 160, 620), fill=(140, 100, 70), outline=(90, 60, 40), width=6)
    portrait(image, (110, 120, 490, 800), rng)
    skin = rng.choice(SKIN)
    draw.ellipse((350, 560, 470, 700), fill=skin)  # the hand holding the card
    card = (330, 520, 530, 646)
    draw.rectangle(card, fill=(170, 212, 238), outline=(120, 170, 210), width=2)
    for row in range(6):
        draw.line((340, 540 + row * 16, 450, 540 + row * 16), fill=(40, 40, 60), width=3)
    draw.rectangle((470, 540, 520, 600), fill=(200, 40, 50))
    draw.text((20, 20), f"CONTOH - {person.name.upper()}", font=default_font(18), fill=(30, 30, 30))
    return jpeg(grain(image, rng, 0.05), 86), "jpg"


def draw_kk(rng: random.Random, person: Person) -> tuple[bytes, str]:
    size = (1169, 827)  # A4 landscape at 100 dpi
    page = gradient(size, (250, 250, 244), (242, 244, 236))
    draw = ImageDraw.Draw(page)
    ink = (20, 20, 30)
    draw.ellipse((40, 30, 120, 110), fill=(205, 165, 60), outline=(150, 110, 30), width=3)
    title = "KARTU KELUARGA"
    draw.text(
        ((size[0] - draw.textlength(title, font=default_font(34))) / 2, 30),
        title,
        font=default_font(34),
        fill=ink,
    )
    number = f"No. {person.kk}"
    draw.text(
        ((size[0] - draw.textlength(number, font=default_font(22))) / 2, 74),
        number,
        font=default_font(22),
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
        draw.text((60, 130 + row * 24), label, font=default_font(17), fill=ink)
        draw.text((260, 130 + row * 24), f": {value}", font=default_font(17), fill=ink)
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
                rng.choice(MEMBERS),
                f"{person.nik[:6]}{rng.randrange(10**9, 10**10)}",
                rng.choice(("LAKI-LAKI", "PEREMPUAN")),
                rng.choice(PLACES),
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
        draw.text((columns[col] + 6, top + 8), head, font=default_font(15), fill=ink)
    for row, member in enumerate(members, start=1):
        cells = (str(row), *member, person.religion)
        for col, cell in enumerate(cells):
            draw.text((columns[col] + 6, top + row * 34 + 8), cell, font=default_font(15), fill=ink)
    draw.ellipse((860, 620, 1010, 770), outline=(60, 80, 170), width=4)
    draw.text((880, 680), "DUKCAPIL", font=default_font(20), fill=(60, 80, 170))
    draw.text((60, 760), "CONTOH - data sintetis", font=default_font(18), fill=(200, 40, 40))
    page = grain(page, rng, 0.04)
    if rng.random() < 0.5:
        return jpeg(page, 85), "jpg"
    return scan_pdf(page, "Kartu Keluarga (contoh)", 85), "pdf"


def draw_ijazah(rng: random.Random, person: Person) -> tuple[bytes, str]:
    size = (1169, 827)
    page = gradient(size, (248, 242, 222), (238, 230, 204))
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
        font = default_font(size_pt)
        draw.text(((size[0] - draw.textlength(text, font=font)) / 2, y), text, font=font, fill=fill)

    year = person.birth_date.year + rng.randrange(18, 21)
    school = f"SMA NEGERI {rng.randrange(1, 25)} {rng.choice(PLACES)}"
    centred(170, "IJAZAH", 48, green)
    centred(228, "SEKOLAH MENENGAH ATAS", 26)
    centred(262, f"TAHUN PELAJARAN {year - 1}/{year}", 20)
    centred(310, f"Yang bertanda tangan di bawah ini, Kepala {school}, menerangkan bahwa:", 18)
    centred(350, person.name.upper(), 34, (20, 40, 110))
    centred(
        400, f"tempat dan tanggal lahir: {person.birth_place}, {date_id(person.birth_date)}", 18
    )
    centred(430, f"nomor induk siswa: {rng.randrange(10**9, 10**10)}", 18)
    centred(480, "dinyatakan", 18)
    centred(506, "LULUS", 36, green)
    centred(560, "dari satuan pendidikan berdasarkan kriteria kelulusan yang berlaku.", 18)
    draw.rectangle((160, 590, 273, 741), fill=(205, 205, 210), outline=ink, width=2)
    portrait(page, (162, 592, 271, 739), rng)
    draw.text(
        (780, 600),
        f"{rng.choice(PLACES).title()}, {date_id(dt.date(year, 6, 15))}",
        font=default_font(18),
        fill=ink,
    )
    draw.text((780, 626), "Kepala Sekolah,", font=default_font(18), fill=ink)
    draw.ellipse((730, 640, 860, 740), outline=(80, 60, 160), width=3)
    draw.line([(800, 700), (840, 660), (870, 705), (920, 650), (960, 690)], fill=ink, width=3)
    draw.text((780, 746), f"NIP. {rng.randrange(10**17, 10**18)}", font=default_font(16), fill=ink)
    centred(728, "CONTOH - data sintetis", 16, (200, 40, 40))
    # Paper texture makes it as large as a real colour scan, within the rule's size range.
    rule = default_policy().documents.rules["ijazah"]
    texture = grain(page, rng, 0.09, cell=1)
    data = scan_pdf(texture, "Ijazah (contoh)", 80)
    for amount in (0.15, 0.25):
        if len(data) >= rule.min_bytes * 1.1:
            break
        data = scan_pdf(grain(texture, rng, amount, cell=1), "Ijazah (contoh)", 85)
    return data, "pdf"
