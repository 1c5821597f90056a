"""The "Kartu Informasi Akun" (step 24): ID-1 card pages and the A4 sheet."""

# ruff: noqa: F811 - the fixtures imported from printing_samples are parameters here

from __future__ import annotations

import dataclasses
import io
from typing import Any

import pypdfium2 as pdfium
import pytest
from pdf_layout import overlapping, text_boxes
from printing_samples import job, long_job, long_person, person, photo  # noqa: F401 - fixtures
from pypdf import PageObject, PdfReader

from nonasn_desktop.printing.account_card import CARD_HEIGHT, CARD_WIDTH, AccountCardSheet
from nonasn_desktop.printing.common import PrintJob, write_pdf
from nonasn_desktop.printing.model import PrintableRegistration

A4 = (595.28, 841.89)
ID1 = (242.65, 153.07)
# The card printer's margin: no text closer to the edge than this (points, ~2.5 mm).
CARD_MARGIN = 7


def _render(job: PrintJob, layout: str, *people: PrintableRegistration) -> PdfReader:
    buffer = io.BytesIO()
    write_pdf(AccountCardSheet(job, layout), people, buffer, total=len(people), author="BKD")  # type: ignore[arg-type]
    return PdfReader(io.BytesIO(buffer.getvalue()))


def _images(page: PageObject) -> list[tuple[int, int]]:
    """(width, height) of the pictures the page shows, also inside form XObjects."""
    found = []

    def walk(resources: Any) -> None:
        for ref in resources.get("/XObject", {}).values():
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                found.append((int(obj["/Width"]), int(obj["/Height"])))
            elif obj.get("/Subtype") == "/Form":
                walk(obj.get("/Resources", {}))

    walk(page["/Resources"])
    return found


def test_id1_page_is_exactly_the_card() -> None:
    assert pytest.approx(ID1, abs=0.01) == (CARD_WIDTH, CARD_HEIGHT)


def test_id1_card_shows_identity_photo_and_account(
    job: PrintJob, person: PrintableRegistration
) -> None:
    page = _render(job, "id1", person).pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(ID1, abs=0.05)
    text = page.extract_text()
    for expected in (
        "KARTU INFORMASI AKUN",
        "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia Kota Bandung",
        "Dewi Lestari",
        "3273014508900001",
        "Tenaga Administrasi",
        "Dinas Pendidikan",
        "Pemerintah Kota Bandung",
        "NOMOR AKUN",
        "3273-2022-000007",
        "Tanggal pendaftaran:",
    ):
        assert expected in text, expected
    assert len(_images(page)) == 1


def test_id1_text_keeps_clear_of_the_edges_and_itself(
    job: PrintJob, person: PrintableRegistration
) -> None:
    boxes = text_boxes(_render(job, "id1", person).pages[0])
    assert overlapping(boxes) == []
    assert min(b.left for b in boxes) >= CARD_MARGIN
    assert max(b.right for b in boxes) <= ID1[0] - CARD_MARGIN
    assert min(b.bottom for b in boxes) >= CARD_MARGIN
    assert min(b.size for b in boxes) >= 4.5


def test_longest_values_fit_the_card(
    long_job: PrintJob, long_person: PrintableRegistration
) -> None:
    boxes = text_boxes(_render(long_job, "id1", long_person).pages[0])
    assert overlapping(boxes) == []
    assert max(b.right for b in boxes) <= ID1[0] - CARD_MARGIN
    assert min(b.size for b in boxes) >= 4.5
    text = " ".join(b.text for b in boxes)
    assert "BKDJAKPUS123-2022-000123" in text
    # The name keeps two lines; less important long values are cut with an ellipsis.
    names = [b for b in boxes if b.text.startswith("Raden")]
    assert names
    assert "…" in text


def test_card_without_photo_leaves_a_box_to_glue_one(
    job: PrintJob, person: PrintableRegistration
) -> None:
    page = _render(job, "id1", dataclasses.replace(person, photo=None)).pages[0]
    assert _images(page) == []
    assert "pas foto" in page.extract_text()


def test_a4_sheet_has_the_card_at_real_size_and_the_details(
    job: PrintJob, person: PrintableRegistration
) -> None:
    page = _render(job, "a4", person).pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4, abs=0.5)
    text = page.extract_text()
    for expected in (
        "KARTU INFORMASI AKUN",
        "Gunting di sepanjang garis putus-putus",
        "Rincian Pendaftaran",
        "Status saat dicetak",
        "Pendaftaran Selesai",
        "bukan",
        "oleh Siti Rahmawati",
    ):
        assert expected in text, expected
    # The card's "KARTU INFORMASI AKUN" is at 8.2 pt, the sheet's title at 15 pt.
    sizes = {b.size for b in text_boxes(page) if b.text == "KARTU INFORMASI AKUN"}
    assert sizes == {8.2, 15}
    assert _images(page) == [(354, 472)]  # the sample pas foto, embedded as it is


def test_a4_nothing_overlaps(
    long_job: PrintJob,
    long_person: PrintableRegistration,
    job: PrintJob,
    person: PrintableRegistration,
) -> None:
    for sheet_job, someone in ((job, person), (long_job, long_person)):
        boxes = text_boxes(_render(sheet_job, "a4", someone).pages[0])
        assert overlapping(boxes) == []
        assert max(b.right for b in boxes) <= A4[0] - 56


def test_a_batch_reuses_one_embedded_photo(job: PrintJob, person: PrintableRegistration) -> None:
    people = [dataclasses.replace(person, account_number=f"3273-2022-{n:06d}") for n in range(20)]
    reader = _render(job, "id1", *people)
    assert len(reader.pages) == 20
    images = {
        ref.idnum
        for page in reader.pages
        for ref in page["/Resources"].get("/XObject", {}).values()
    }
    assert len(images) == 1


def test_the_printed_qr_code_reads_back_as_the_account_number(
    job: PrintJob, person: PrintableRegistration
) -> None:
    # What a phone sees: the card page rendered to pixels, the QR code decoded.
    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp (test extra) not installed")
    buffer = io.BytesIO()
    write_pdf(AccountCardSheet(job, "id1"), [person], buffer, total=1, author="BKD")  # type: ignore[arg-type]
    document = pdfium.PdfDocument(buffer.getvalue())
    try:
        image = document[0].render(scale=600 / 72).to_pil()
    finally:
        document.close()
    codes = zxingcpp.read_barcodes(image)
    assert [(code.format.name, code.text) for code in codes] == [("QRCode", person.account_number)]
