"""Printing registrations: single papers, print runs into one PDF, what may be printed."""

from __future__ import annotations

import datetime as dt
import io
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from helpers.accounts import actor_for
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.core.progress import OperationCancelledError, ProgressStep
from nonasn_desktop.demo import generate as demo
from nonasn_desktop.errors import ConflictError, NotFoundError, UserError
from nonasn_desktop.office import identity as office
from nonasn_desktop.printing.printouts import (
    PHASE_PAGES,
    PrintableRegistration,
    PrintCancelledError,
    account_card_pdf,
    load_printable,
    registration_info_pdf,
    required_documents,
    select_printable,
    write_printouts,
)
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.startup import open_app
from nonasn_desktop.storage.models import Document, Registration, RosterEntry, WorkHistory

A4 = (595.28, 841.89)
ID1 = (85.6 * 72 / 25.4, 54 * 72 / 25.4)
NOW = dt.datetime(2022, 10, 3, 2, 15, tzinfo=dt.UTC)
FINISHED = 4
ACCOUNT_ONLY = 2


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppContext]:
    """One data folder for the module: finished records, accounts only, and a draft.

    The tests only read it (print runs write their PDFs elsewhere).
    """
    context = open_app(
        tmp_path_factory.mktemp("printouts") / "data", create=True, clock=lambda: NOW
    )
    office.initialise(
        context,
        office_code="3273",
        office_name="Badan Kepegawaian dan Pengembangan Sumber Daya Manusia Kota Bandung",
        instansi_name="Pemerintah Kota Bandung",
    )
    demo.generate(
        context, FINISHED, RecordStatus.PENDAFTARAN_SELESAI, seed=11, actor=actor_for(context)
    )
    demo.generate(
        context, ACCOUNT_ONLY, RecordStatus.AKUN_DIBUAT, seed=12, actor=actor_for(context)
    )
    demo.generate(context, 1, RecordStatus.DRAF, seed=13, actor=actor_for(context))
    try:
        yield context
    finally:
        context.close()


def _ids(ctx: AppContext, status: RecordStatus) -> list[int]:
    with ctx.db.session() as session:
        return list(
            session.scalars(
                select(Registration.id)
                .where(Registration.status == status)
                .order_by(Registration.id)
            )
        )


def _accounts(ctx: AppContext, status: RecordStatus) -> list[str]:
    with ctx.db.session() as session:
        return list(
            session.scalars(
                select(Registration.account_number)
                .where(Registration.status == status)
                .order_by(Registration.account_number)
            )
        )


def _pdf(data: bytes) -> PdfReader:
    assert data.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(data))


def _size(reader: PdfReader, index: int = 0) -> tuple[float, float]:
    box = reader.pages[index].mediabox
    return float(box.width), float(box.height)


def _images(reader: PdfReader, index: int = 0) -> list[tuple[int, int]]:
    """(width, height) of every image XObject the page uses, also inside form XObjects."""
    found = []

    def walk(resources: object) -> None:
        xobjects = resources.get("/XObject", {}) if hasattr(resources, "get") else {}
        for ref in xobjects.values():
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                found.append((int(obj["/Width"]), int(obj["/Height"])))
            elif obj.get("/Subtype") == "/Form":
                walk(obj.get("/Resources", {}))

    walk(reader.pages[index].get("/Resources", {}))
    return found


# -- reading -------------------------------------------------------------------------------------


def test_printable_registration_carries_identity_position_and_photo(ctx: AppContext) -> None:
    registration_id = _ids(ctx, RecordStatus.PENDAFTARAN_SELESAI)[0]
    person = load_printable(ctx, registration_id)
    with ctx.db.session() as session:
        row = session.get(Registration, registration_id)
        assert row is not None
        assert person.nik == row.nik
        assert person.nama == row.nama
        assert person.account_number == row.account_number
        assert person.completed_at == row.completed_at
        photo = session.scalars(
            select(Document).where(
                Document.registration_id == registration_id,
                Document.kind == "pas_foto",
                Document.active.is_(True),
            )
        ).one()
    assert person.instansi == "Pemerintah Kota Bandung"
    assert person.jenis_kelamin in {"Laki-laki", "Perempuan"}
    assert person.photo is not None
    assert person.photo_sha256 == photo.sha256
    assert person.photo == ctx.blobs.get(photo.sha256)


def test_current_position_is_the_entry_with_the_latest_tmt(ctx: AppContext) -> None:
    registration_id = _ids(ctx, RecordStatus.PENDAFTARAN_SELESAI)[1]
    with ctx.db.session() as session:
        entries = list(
            session.scalars(
                select(WorkHistory).where(WorkHistory.registration_id == registration_id)
            )
        )
        latest = max(entries, key=lambda e: e.tmt or dt.date.min)
        expected = (latest.jabatan, latest.unit_kerja)
    person = load_printable(ctx, registration_id, with_photo=False)
    assert (person.jabatan, person.unit_kerja) == expected
    assert person.photo is None


def test_position_is_read_by_tmt_not_by_order_of_entry(tmp_path: Path) -> None:
    with open_app(tmp_path / "data", create=True, clock=lambda: NOW) as context:
        office.initialise(context, office_code="3273", office_name="BKD Kota Bandung")
        demo.generate(
            context, 1, RecordStatus.PENDAFTARAN_SELESAI, seed=5, actor=actor_for(context)
        )
        with context.db.session() as session:
            session.add_all(
                [
                    WorkHistory(
                        registration_id=1,
                        seq=98,
                        jabatan="Pramu Kantor",
                        unit_kerja="Kecamatan A",
                        tmt=dt.date(2021, 6, 1),
                    ),
                    WorkHistory(
                        registration_id=1,
                        seq=99,
                        jabatan="Pengemudi",
                        unit_kerja="Kecamatan B",
                        tmt=dt.date(2015, 1, 1),
                    ),
                ]
            )
        person = load_printable(context, 1, with_photo=False)
    assert (person.jabatan, person.unit_kerja) == ("Pramu Kantor", "Kecamatan A")


def test_without_work_history_the_roster_names_the_position(ctx: AppContext) -> None:
    registration_id = _ids(ctx, RecordStatus.AKUN_DIBUAT)[0]
    with ctx.db.session() as session:
        row = session.get(Registration, registration_id)
        assert row is not None
        assert not row.work_history
        roster = session.get(RosterEntry, row.roster_entry_id)
        assert roster is not None
        expected = (roster.jabatan, roster.unit_kerja)
    person = load_printable(ctx, registration_id, with_photo=False)
    assert (person.jabatan, person.unit_kerja) == expected


def test_unknown_registration_and_draft_cannot_be_printed(ctx: AppContext) -> None:
    with pytest.raises(NotFoundError, match="9999"):
        load_printable(ctx, 9999)
    with pytest.raises(ConflictError, match="belum memiliki akun"):
        registration_info_pdf(ctx, _ids(ctx, RecordStatus.DRAF)[0], actor=actor_for(ctx))


def test_required_documents_follow_the_policy(ctx: AppContext) -> None:
    labels = [d.label for d in required_documents(ctx.policy)]
    expected = [
        ctx.policy.document(kind).label
        for step in ctx.policy.steps
        if step.phase == "B"
        for kind in step.documents
    ]
    assert labels == expected
    assert any("Ijazah" in label for label in labels)


# -- single papers -------------------------------------------------------------------------------


def test_registration_info_is_one_a4_page_with_account_and_identity(ctx: AppContext) -> None:
    registration_id = _ids(ctx, RecordStatus.AKUN_DIBUAT)[0]
    person = load_printable(ctx, registration_id, with_photo=False)
    reader = _pdf(
        registration_info_pdf(
            ctx, registration_id, printed_by="Siti Rahmawati", actor=actor_for(ctx)
        )
    )
    assert len(reader.pages) == 1
    assert _size(reader) == pytest.approx(A4, abs=0.5)
    text = reader.pages[0].extract_text()
    for expected in (
        "INFORMASI PENDAFTARAN",
        person.account_number,
        person.nik,
        person.nama,
        "PEMERINTAH KOTA BANDUNG",
        "oleh Siti Rahmawati",
        "Lanjutkan Login Pendaftaran",
        "Kartu Keluarga",
    ):
        assert expected is not None
        assert expected in text
    assert reader.metadata is not None
    assert reader.metadata.title == "Informasi Pendaftaran"


def test_registration_info_masks_the_phone_number(ctx: AppContext) -> None:
    registration_id = _ids(ctx, RecordStatus.PENDAFTARAN_SELESAI)[0]
    person = load_printable(ctx, registration_id, with_photo=False)
    assert person.nomor_hp is not None
    text = (
        _pdf(registration_info_pdf(ctx, registration_id, actor=actor_for(ctx)))
        .pages[0]
        .extract_text()
    )
    national = "0" + person.nomor_hp[3:]
    assert national not in text
    assert person.nomor_hp not in text
    assert f"{national[:4]}-" in text
    assert f"-{national[-4:]}" in text


def test_account_card_on_a4_embeds_the_photo_and_names_the_person(ctx: AppContext) -> None:
    registration_id = _ids(ctx, RecordStatus.PENDAFTARAN_SELESAI)[0]
    person = load_printable(ctx, registration_id)
    reader = _pdf(account_card_pdf(ctx, registration_id, actor=actor_for(ctx)))
    assert len(reader.pages) == 1
    assert _size(reader) == pytest.approx(A4, abs=0.5)
    text = reader.pages[0].extract_text()
    for expected in ("KARTU INFORMASI AKUN", person.account_number, person.nik, person.nama):
        assert expected is not None
        assert expected in text
    assert person.jabatan is not None
    assert person.jabatan in text
    assert "Gunting" in text
    assert len(_images(reader)) == 1


def test_account_card_id1_is_exactly_card_sized(ctx: AppContext) -> None:
    registration_id = _ids(ctx, RecordStatus.PENDAFTARAN_SELESAI)[2]
    person = load_printable(ctx, registration_id, with_photo=False)
    reader = _pdf(account_card_pdf(ctx, registration_id, layout="id1", actor=actor_for(ctx)))
    assert len(reader.pages) == 1
    assert _size(reader) == pytest.approx(ID1, abs=0.1)
    text = reader.pages[0].extract_text()
    assert person.account_number in text
    assert person.nik is not None
    assert person.nik in text
    assert len(_images(reader)) == 1


def test_account_card_needs_a_finished_registration(ctx: AppContext) -> None:
    registration_id = _ids(ctx, RecordStatus.AKUN_DIBUAT)[0]
    with pytest.raises(ConflictError, match="belum diakhiri"):
        account_card_pdf(ctx, registration_id, actor=actor_for(ctx))


def test_a_photo_missing_from_the_store_leaves_an_empty_photo_box(tmp_path: Path) -> None:
    with open_app(tmp_path / "data", create=True, clock=lambda: NOW) as context:
        office.initialise(context, office_code="3273", office_name="BKD Kota Bandung")
        demo.generate(
            context, 1, RecordStatus.PENDAFTARAN_SELESAI, seed=8, actor=actor_for(context)
        )
        person = load_printable(context, 1)
        assert person.photo_sha256 is not None
        for path in (tmp_path / "data").rglob(f"{person.photo_sha256}*"):
            path.unlink()
        assert load_printable(context, 1).photo is None
        reader = _pdf(account_card_pdf(context, 1, layout="id1", actor=actor_for(context)))
    assert _images(reader) == []
    assert "Tempel" in reader.pages[0].extract_text()


@pytest.mark.skipif(not hasattr(time, "tzset"), reason="needs time.tzset (POSIX)")
def test_times_are_printed_in_the_office_time_zone(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The office is 3273 (Kota Bandung, Jawa Barat): WIB, whatever the laptop's clock says.
    registration_id = _ids(ctx, RecordStatus.AKUN_DIBUAT)[0]
    finished = _ids(ctx, RecordStatus.PENDAFTARAN_SELESAI)[0]
    for laptop in ("UTC", "Asia/Jakarta", "Asia/Makassar", "America/New_York"):
        monkeypatch.setenv("TZ", laptop)
        time.tzset()
        text = (
            _pdf(registration_info_pdf(ctx, registration_id, actor=actor_for(ctx)))
            .pages[0]
            .extract_text()
        )
        assert "03-10-2022 pukul 09.15 WIB" in text, laptop
        card = _pdf(account_card_pdf(ctx, finished, actor=actor_for(ctx))).pages[0].extract_text()
        assert re.search(r"Pendaftaran diakhiri\s*:\s*\d\d-\d\d-\d{4} pukul \d\d\.\d\d WIB", card)
        assert "UTC" not in card
    monkeypatch.undo()
    time.tzset()


# -- print runs ----------------------------------------------------------------------------------


def test_all_finished_registrations_print_one_card_each(ctx: AppContext, tmp_path: Path) -> None:
    out = tmp_path / "kartu.pdf"
    seen: list[ProgressStep] = []
    pages = write_printouts(
        ctx, out, kind="kartu", all_records=True, progress=seen.append, actor=actor_for(ctx)
    )
    assert pages == FINISHED
    assert seen[-1] == ProgressStep(PHASE_PAGES, FINISHED, FINISHED)
    assert len(seen) == FINISHED
    reader = PdfReader(out)
    assert len(reader.pages) == FINISHED
    for index, number in enumerate(_accounts(ctx, RecordStatus.PENDAFTARAN_SELESAI)):
        assert number in reader.pages[index].extract_text()
        assert len(_images(reader, index)) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["kartu.pdf"]


def test_registration_info_run_includes_accounts_not_yet_finished(
    ctx: AppContext, tmp_path: Path
) -> None:
    pages = write_printouts(
        ctx, tmp_path / "info.pdf", kind="informasi", all_records=True, actor=actor_for(ctx)
    )
    assert pages == FINISHED + ACCOUNT_ONLY
    reader = PdfReader(tmp_path / "info.pdf")
    assert all(_size(reader, i) == pytest.approx(A4, abs=0.5) for i in range(pages))


def test_id1_run_has_card_sized_pages(ctx: AppContext, tmp_path: Path) -> None:
    numbers = _accounts(ctx, RecordStatus.PENDAFTARAN_SELESAI)[:2]
    out = tmp_path / "kartu-id1.pdf"
    assert (
        write_printouts(
            ctx, out, kind="kartu", layout="id1", account_numbers=numbers, actor=actor_for(ctx)
        )
        == 2
    )
    reader = PdfReader(out)
    assert [_size(reader, i) for i in range(2)] == [pytest.approx(ID1, abs=0.1)] * 2


def test_given_account_numbers_keep_their_order_and_repeats(
    ctx: AppContext, tmp_path: Path
) -> None:
    first, second = _accounts(ctx, RecordStatus.PENDAFTARAN_SELESAI)[:2]
    out = tmp_path / "ulang.pdf"
    pages = write_printouts(
        ctx,
        out,
        kind="kartu",
        account_numbers=[second, f" {first.lower()} ", second],
        actor=actor_for(ctx),
    )
    assert pages == 3
    texts = [page.extract_text() for page in PdfReader(out).pages]
    assert [second in texts[0], first in texts[1], second in texts[2]] == [True] * 3


def test_unknown_account_numbers_are_named(ctx: AppContext, tmp_path: Path) -> None:
    known = _accounts(ctx, RecordStatus.PENDAFTARAN_SELESAI)[0]
    with pytest.raises(NotFoundError, match="3273-2022-999998, 3273-2022-999999"):
        write_printouts(
            ctx,
            tmp_path / "x.pdf",
            kind="kartu",
            account_numbers=[known, "3273-2022-999998", "3273-2022-999999"],
            actor=actor_for(ctx),
        )
    many = [f"X-{n}" for n in range(14)]
    with pytest.raises(NotFoundError, match="dan 4 lainnya"):
        select_printable(ctx, "kartu", account_numbers=many)
    assert not (tmp_path / "x.pdf").exists()


def test_accounts_not_yet_finished_get_no_card(ctx: AppContext) -> None:
    waiting = _accounts(ctx, RecordStatus.AKUN_DIBUAT)
    with pytest.raises(ConflictError, match=waiting[0]):
        select_printable(ctx, "kartu", account_numbers=waiting)
    assert len(select_printable(ctx, "informasi", account_numbers=waiting)) == len(waiting)


def test_a_choice_is_required_and_only_one(ctx: AppContext) -> None:
    with pytest.raises(UserError, match="Belum ada yang dipilih"):
        select_printable(ctx, "kartu")
    with pytest.raises(UserError, match="salah satu"):
        select_printable(ctx, "kartu", account_numbers=["A"], all_records=True)


def test_nothing_printable_is_said_plainly(tmp_path: Path) -> None:
    with open_app(tmp_path / "data", create=True, clock=lambda: NOW) as context:
        office.initialise(context, office_code="3273", office_name="BKD Kota Bandung")
        demo.generate(context, 1, RecordStatus.AKUN_DIBUAT, seed=3, actor=actor_for(context))
        with pytest.raises(UserError, match="Tidak ada data yang dapat dicetak"):
            write_printouts(
                context,
                tmp_path / "k.pdf",
                kind="kartu",
                all_records=True,
                actor=actor_for(context),
            )
    assert not (tmp_path / "k.pdf").exists()


def test_a_failure_midway_leaves_no_pdf_under_the_final_name(
    ctx: AppContext, tmp_path: Path
) -> None:
    out = tmp_path / "kartu.pdf"

    def fail_on_third(step: ProgressStep) -> None:
        if step.done == 3:
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError, match="power cut"):
        write_printouts(
            ctx, out, kind="kartu", all_records=True, progress=fail_on_third, actor=actor_for(ctx)
        )
    assert list(tmp_path.iterdir()) == []


def test_a_cancelled_run_writes_no_pdf(ctx: AppContext, tmp_path: Path) -> None:
    out = tmp_path / "kartu.pdf"
    seen: list[ProgressStep] = []
    with pytest.raises(PrintCancelledError, match="dibatalkan") as info:
        write_printouts(
            ctx,
            out,
            kind="kartu",
            all_records=True,
            progress=seen.append,
            cancelled=lambda: len(seen) >= 2,
            actor=actor_for(ctx),
        )
    assert isinstance(info.value, OperationCancelledError)
    assert [step.done for step in seen] == [1, 2]
    assert list(tmp_path.iterdir()) == []


def test_a_failed_run_leaves_the_previous_pdf_untouched(ctx: AppContext, tmp_path: Path) -> None:
    out = tmp_path / "kartu.pdf"
    write_printouts(ctx, out, kind="kartu", all_records=True, actor=actor_for(ctx))
    before = out.read_bytes()

    def fail(_step: ProgressStep) -> None:
        raise RuntimeError("disk pulled out")

    with pytest.raises(RuntimeError):
        write_printouts(
            ctx, out, kind="informasi", all_records=True, progress=fail, actor=actor_for(ctx)
        )
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["kartu.pdf"]


def test_a_missing_folder_is_a_user_error(ctx: AppContext, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="tidak ada"):
        write_printouts(
            ctx,
            tmp_path / "tidak" / "ada.pdf",
            kind="kartu",
            all_records=True,
            actor=actor_for(ctx),
        )


def test_printable_registration_is_frozen(ctx: AppContext) -> None:
    person: PrintableRegistration = load_printable(ctx, 1, with_photo=False)
    with pytest.raises(AttributeError):
        person.nama = "lain"  # type: ignore[misc]
