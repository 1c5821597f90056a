"""The synthetic documents typed as letters (reportlab PDFs): an SK jabatan and a salary slip
under a regency letterhead. Each ``draw_*`` returns the file's bytes and its extension.
"""

from __future__ import annotations

import datetime as dt
import io
import random

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from nonasn_desktop.demo.document_drawing import (
    MONTHS,
    POSITIONS,
    UNITS,
    Person,
    date_id,
    pdf_text,
    rupiah,
)


def _new_pdf(title: str) -> tuple[io.BytesIO, canvas.Canvas]:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    pdf.setTitle(title)
    pdf.setAuthor("Contoh (data sintetis)")
    return buffer, pdf


def _letterhead(pdf: canvas.Canvas, regency: str, unit: str) -> float:
    width, height = float(A4[0]), float(A4[1])
    pdf.setFont("Helvetica-Bold", 13)
    pdf.drawCentredString(width / 2, height - 60, pdf_text(f"PEMERINTAH {regency}"))
    pdf.setFont("Helvetica-Bold", 15)
    pdf.drawCentredString(width / 2, height - 78, pdf_text(unit.upper()))
    pdf.setFont("Helvetica", 9)
    pdf.drawCentredString(width / 2, height - 92, "Alamat: Jl. Contoh No. 1 (data sintetis)")
    pdf.setLineWidth(2)
    pdf.line(50, height - 100, width - 50, height - 100)
    return height - 130


def draw_sk_jabatan(rng: random.Random, person: Person) -> tuple[bytes, str]:
    unit = rng.choice(UNITS)
    position = rng.choice(POSITIONS)
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
        pdf.drawCentredString(width / 2, y, pdf_text(line))
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
        f"Tempat/Tgl Lahir : {person.birth_place.title()}, {date_id(person.birth_date)}",
        f"Jabatan              : {position}",
        f"Unit Kerja          : {unit}",
        f"Terhitung mulai   : {date_id(start)}",
        f"Honorarium        : {rupiah(rng.randrange(8, 30) * 100_000)} per bulan (APBD).",
        "",
        "Keputusan ini berlaku sejak tanggal ditetapkan dengan ketentuan apabila di kemudian",
        "hari terdapat kekeliruan akan diadakan perbaikan sebagaimana mestinya.",
    ]
    for line in body:
        pdf.drawString(60, y, pdf_text(line))
        y -= 16
    y -= 20
    pdf.drawString(350, y, pdf_text(f"Ditetapkan di {person.regency.split(' ', 1)[1].title()}"))
    pdf.drawString(350, y - 16, pdf_text(f"pada tanggal {date_id(start - dt.timedelta(days=7))}"))
    pdf.drawString(350, y - 32, pdf_text(f"KEPALA {unit.upper()},"))
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


def draw_bukti_gaji(rng: random.Random, person: Person) -> tuple[bytes, str]:
    unit = rng.choice(UNITS)
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
    pdf.drawCentredString(width / 2, y - 16, pdf_text(f"BULAN {MONTHS[month - 1].upper()} {year}"))
    y -= 50
    pdf.setFont("Helvetica", 10.5)
    for label, value in (
        ("Nama", person.name),
        ("NIK", person.nik),
        ("Jabatan", rng.choice(POSITIONS)),
        ("Unit Kerja", unit),
        ("Sumber Dana", "APBD"),
    ):
        pdf.drawString(60, y, pdf_text(label))
        pdf.drawString(170, y, pdf_text(f": {value}"))
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
        text = rupiah(abs(amount))
        pdf.drawRightString(width - 70, y, f"({text})" if amount < 0 else text)
    y -= 16
    pdf.setFont("Helvetica-Bold", 10.5)
    pdf.drawString(70, y, "Jumlah diterima")
    pdf.drawRightString(width - 70, y, rupiah(sum(amount for _, amount in rows)))
    pdf.setFont("Helvetica", 10.5)
    y -= 60
    pdf.drawString(60, y, "Penerima,")
    pdf.drawString(350, y, "Bendahara Pengeluaran,")
    pdf.drawString(60, y - 60, pdf_text(person.name))
    pdf.drawString(350, y - 60, "NIP. " + str(rng.randrange(10**17, 10**18)))
    pdf.setFillColorRGB(0.8, 0.1, 0.1)
    pdf.drawString(60, 40, "CONTOH - data sintetis")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue(), "pdf"
