"""The recovery key's A4 page."""

from __future__ import annotations

import datetime as dt
import io
import re

import pypdfium2 as pdfium

from nonasn_desktop.crypto import keyslots
from nonasn_desktop.printing.common import PrintJob
from nonasn_desktop.printing.recovery_sheet import RecoveryKeyPage, write_recovery_sheet

JOB = PrintJob(
    office_code="1771BKD",
    office_name="BKD Kota Bengkulu",
    instansi_name="Pemerintah Kota Bengkulu",
    printed_at=dt.datetime(2026, 12, 5, 3, 0, tzinfo=dt.UTC),
    printed_by="Admin Kantor",
)


def _text(data: bytes) -> str:
    document = pdfium.PdfDocument(data)
    try:
        assert len(document) == 1
        page = document[0]
        text = page.get_textpage().get_text_range()
        assert page.get_size() == (595.2755737304688, 841.8897705078125)
        return str(text)
    finally:
        document.close()


def test_one_a4_page_with_the_key_typable_back() -> None:
    key = keyslots.new_recovery_key()
    shown = keyslots.format_recovery_key(key)
    out = io.BytesIO()
    write_recovery_sheet(JOB, RecoveryKeyPage(shown, "ab" * 16), out)
    text = _text(out.getvalue())
    # Three groups to a line; what a clerk types back from those lines opens the same key.
    rows = [line for line in text.splitlines() if re.fullmatch(r"(\w{4} ){2}\w{4}", line)]
    assert len(rows) == 3
    assert keyslots.parse_recovery_key(" ".join(rows)) == key
    assert "nonasn recover --recovery-key-file BERKAS --admin NAMA_ADMIN" in text
    assert "brankas" in text
    assert "1771BKD" in text


def test_the_office_server_page_names_the_office_data_key() -> None:
    shown = keyslots.format_recovery_key(keyslots.new_recovery_key())
    out = io.BytesIO()
    write_recovery_sheet(JOB, RecoveryKeyPage(shown, "cd" * 16, office_server=True), out)
    text = " ".join(_text(out.getvalue()).split())
    assert "Kunci dokumen kantor: cdcdcdcd…cdcdcdcd" in text
    assert "KUNCI PEMULIHAN DOKUMEN KANTOR" in text
    assert "folder data" not in text.lower()
    assert "dokumen kantor di server basis data" in text
