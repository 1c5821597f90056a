"""The SPTJM of a batch: statement, facts of the batch, totals per unit kerja, signature block."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pypdf
import pytest

from nonasn_desktop.printing.sptjm import TITLE, SptjmBatch, SptjmRow, write_sptjm

BATCH = SptjmBatch(
    office_code="3273",
    office_name="BKPSDM Kota Bandung",
    instansi_name="Pemerintah Kota Bandung",
    batch_id="8c0f6a3e-7f0e-4c55-9d7b-0f3c1f9d2a11",
    sequence=3,
    created_at=dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC),
    record_count=0,
    file_name="nonasn-3273-000003.zip.age",
    manifest_sha256="ab" * 32,
)
UNITS = ["RSUD Bandung", "Dinas Pendidikan", "Kecamatan Coblong"]


def rows(count: int) -> list[SptjmRow]:
    return [
        SptjmRow(
            unit_kerja=UNITS[i % 3] if i % 7 else None,
            nama=f"PEGAWAI NOMOR {i:03d}",
            nik=f"3273{i:012d}",
            jabatan="Tenaga Administrasi" if i % 2 else "Satpam",
            account_number=f"3273-2026-{i:06d}",
            eligible=i % 10 != 0,
        )
        for i in range(1, count + 1)
    ]


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), " ".join(text.split())


def make(count: int) -> bytes:
    buffer = io.BytesIO()
    batch = SptjmBatch(**{**BATCH.__dict__, "record_count": count})
    write_sptjm(
        buffer,
        batch,
        rows(count),
        printed_at=dt.datetime(2026, 1, 6, 2, 0, tzinfo=dt.UTC),
        printed_by="Admin Kantor",
    )
    return buffer.getvalue()


def test_statement_names_the_batch_and_leaves_the_signature_blank() -> None:
    pages, text = pdf_text(make(12))
    assert pages == 2
    assert TITLE in text
    assert "12 orang" in text
    assert "nomor urut 3" in text
    assert BATCH.batch_id in text
    assert BATCH.manifest_sha256 in text
    assert BATCH.file_name in text
    assert "Pejabat Pembina Kepegawaian" in text
    assert "Materai" in text
    assert "NIP" in text
    assert "PEMERINTAH KOTA BANDUNG" in text  # the letterhead
    assert "Halaman 1 dari 2" in text


def test_totals_per_unit_kerja_and_tms_flagged() -> None:
    _, text = pdf_text(make(30))
    for unit in UNITS:
        assert f"Unit kerja: {unit}" in text
    assert "Unit kerja: (unit kerja tidak diisi) (4 orang)" in text
    assert re.search(r"Jumlah seluruhnya 27 3 30", text), text
    assert "Jumlah seluruhnya: 30 orang dalam 4 unit kerja" in text
    assert "3 orang tidak memenuhi syarat (TMS)" in text
    assert text.count("TMS") >= 3


def test_a_long_list_runs_over_numbered_pages(tmp_path: Path) -> None:
    target = tmp_path / "sptjm.pdf"
    batch = SptjmBatch(**{**BATCH.__dict__, "record_count": 400})
    write_sptjm(target, batch, rows(400), printed_at=dt.datetime(2026, 1, 6, tzinfo=dt.UTC))
    pages, text = pdf_text(target.read_bytes())
    assert pages > 8
    assert f"Halaman {pages} dari {pages}" in text
    assert "PEGAWAI NOMOR 400" in text
    assert "Lampiran SPTJM · Batch nomor urut 3" in text


@pytest.mark.parametrize("name", ["A & B <Unit>", "Ünït Kérja — ñ"])
def test_odd_characters_in_names(name: str) -> None:
    buffer = io.BytesIO()
    row = SptjmRow(name, "NAMA", "3273000000000001", name, None, None)
    write_sptjm(buffer, BATCH, [row], printed_at=dt.datetime(2026, 1, 6, tzinfo=dt.UTC))
    _, text = pdf_text(buffer.getvalue())
    assert name in text
