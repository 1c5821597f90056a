"""The "Informasi Pendaftaran" sheet (step 12)."""

# ruff: noqa: F811 - the fixtures imported from printing_samples are parameters here

from __future__ import annotations

import dataclasses
import io

import pytest
from pdf_layout import overlapping, text_boxes
from printing_samples import job, long_job, long_person, person, photo  # noqa: F401 - fixtures
from pypdf import PdfReader

from nonasn_desktop.policy import default_policy
from nonasn_desktop.printing.common import PrintJob, format_date_time, write_pdf
from nonasn_desktop.printing.printouts import PrintableRegistration, required_documents
from nonasn_desktop.printing.registration_info import (
    CONTENT_BOTTOM,
    InformationSheet,
    RequiredDocument,
)
from nonasn_desktop.rules.timezones import zone

A4 = (595.28, 841.89)


def _render(job: PrintJob, *people: PrintableRegistration) -> PdfReader:
    sheet = InformationSheet(job, required_documents(default_policy()))
    buffer = io.BytesIO()
    write_pdf(sheet, people, buffer, total=len(people), author="BKD")
    return PdfReader(io.BytesIO(buffer.getvalue()))


def test_sheet_shows_account_identity_and_next_steps(
    job: PrintJob, person: PrintableRegistration
) -> None:
    reader = _render(job, person)
    page = reader.pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4, abs=0.5)
    text = page.extract_text()
    for expected in (
        "BADAN KEPEGAWAIAN DAN PENGEMBANGAN",
        "INFORMASI PENDAFTARAN",
        "NOMOR AKUN",
        "3273-2022-000007",
        "3273014508900001",
        "Dewi Lestari",
        "Bandung, 05-08-1990",
        "Perempuan",
        "0812-****-7890",
        "Dinas Pendidikan",
        "Tenaga Administrasi",
        format_date_time(person.account_created_at, zone("WIB")),  # type: ignore[arg-type]
        "Lanjutkan Login Pendaftaran",
        "Akhiri Proses Pendaftaran",
        "Jaga kerahasiaan kata sandi dan jawaban pertanyaan pengaman",
        "oleh Siti Rahmawati",
    ):
        assert expected in text, expected
    assert "081234567890" not in text


def test_documents_to_bring_come_from_the_policy(
    job: PrintJob, person: PrintableRegistration
) -> None:
    text = _render(job, person).pages[0].extract_text()
    for document in required_documents(default_policy()):
        assert document.label in text
        assert document.size in text
    assert "100 KB – 1 MB" in text
    assert "maks. 200 KB" in text


def test_required_document_wording() -> None:
    rule = default_policy().document("ijazah")
    assert RequiredDocument.from_rule(rule) == RequiredDocument(
        label=rule.label, formats="PDF atau JPG", size="100 KB – 1 MB"
    )


def test_nothing_overlaps_and_everything_stays_on_the_page(
    job: PrintJob, person: PrintableRegistration
) -> None:
    boxes = text_boxes(_render(job, person).pages[0])
    assert overlapping(boxes) == []
    assert min(b.left for b in boxes) >= 56
    assert max(b.right for b in boxes) <= A4[0] - 56


def test_longest_values_still_fit_above_the_footer(
    long_job: PrintJob, long_person: PrintableRegistration
) -> None:
    boxes = text_boxes(_render(long_job, long_person).pages[0])
    assert overlapping(boxes) == []
    assert max(b.right for b in boxes) <= A4[0] - 56
    footer = [b for b in boxes if b.text.startswith("Dicetak")]
    assert len(footer) == 1
    body = [b for b in boxes if b.start > footer[0].top]
    assert min(b.bottom for b in body) >= CONTENT_BOTTOM - 8
    # Nothing typed disappears silently: a cut value ends with an ellipsis.
    text = " ".join(b.text for b in boxes)
    assert "Raden Roro Ayu" in text
    assert "BKDJAKPUS123-2022-000123" in text


def test_missing_values_print_as_a_dash(job: PrintJob, person: PrintableRegistration) -> None:
    empty = dataclasses.replace(
        person,
        tempat_lahir=None,
        tanggal_lahir=None,
        jabatan=None,
        nomor_hp=None,
        account_created_at=None,
    )
    boxes = text_boxes(_render(job, empty).pages[0])
    assert sum(1 for b in boxes if b.text == "-") >= 4


def test_many_people_one_page_each(job: PrintJob, person: PrintableRegistration) -> None:
    people = [dataclasses.replace(person, account_number=f"3273-2022-{n:06d}") for n in range(5)]
    reader = _render(job, *people)
    assert len(reader.pages) == 5
    for number, page in enumerate(reader.pages):
        assert f"3273-2022-{number:06d}" in page.extract_text()
