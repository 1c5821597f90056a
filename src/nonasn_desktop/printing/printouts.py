"""The papers the honorer takes home: "Informasi Pendaftaran" (step 12) and "Kartu Informasi
Akun" (step 24), one at a time for the desk or many into one PDF for a print run.

Registrations are read here (columns, work history, the active pas foto) into plain
:class:`PrintableRegistration` values; :mod:`nonasn_desktop.printing` draws them.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from nonasn_desktop.accounts.authz import Actor, authorise
from nonasn_desktop.atomicfile import AtomicFile
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.core.progress import (
    Cancelled,
    OperationCancelledError,
    Progress,
    ProgressStep,
)
from nonasn_desktop.errors import ConflictError, NotFoundError, UserError
from nonasn_desktop.office.identity import get_office
from nonasn_desktop.policy import Policy
from nonasn_desktop.printing.account_card import AccountCardSheet, CardLayout
from nonasn_desktop.printing.common import PrintJob, Sheet, write_pdf
from nonasn_desktop.printing.model import PrintableRegistration
from nonasn_desktop.printing.registration_info import InformationSheet, RequiredDocument
from nonasn_desktop.rules.permissions import Permission
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.storage.models import Document, Registration, WorkHistory

Kind = Literal["informasi", "kartu"]

PHASE_PAGES = "Menyusun halaman PDF"

KINDS: tuple[Kind, ...] = ("informasi", "kartu")
LAYOUTS: tuple[CardLayout, ...] = ("a4", "id1")
KIND_TITLES: dict[Kind, str] = {
    "informasi": "Informasi Pendaftaran",
    "kartu": "Kartu Informasi Akun",
}
# Which records each paper can be printed for: an account exists (informasi), the
# registration was finished (kartu) — that status or any later one.
PRINTABLE: dict[Kind, frozenset[RecordStatus]] = {
    "informasi": frozenset(RecordStatus) - {RecordStatus.DRAF},
    "kartu": frozenset(RecordStatus) - {RecordStatus.DRAF, RecordStatus.AKUN_DIBUAT},
}
_REASONS: dict[Kind, str] = {
    "informasi": "akunnya belum dibuat",
    "kartu": "pendaftarannya belum diakhiri",
}
# Records read from the database per query while writing a batch.
CHUNK = 200
# At most this many account numbers are named in a message.
_NAMED = 10
PHOTO_KIND = "pas_foto"


# -- reading -----------------------------------------------------------------------------------


def _current_position(
    history: Sequence[WorkHistory],
) -> tuple[str | None, str | None]:
    """(jabatan, unit kerja) of the entry with the latest TMT; the last entry if none has one."""
    dated = [entry for entry in history if entry.tmt is not None]
    entry = (
        max(dated, key=lambda e: (e.tmt, e.seq)) if dated else (history[-1] if history else None)
    )
    if entry is None:
        return None, None
    return entry.jabatan, entry.unit_kerja


def _sex_label(policy: Policy, key: str | None) -> str | None:
    if key is None:
        return None
    for choice in policy.fields["jenis_kelamin"].choices:
        if choice.key == key:
            return choice.label
    return key


class _Reader:
    """Reads registrations for printing, with the office and the pas foto rows."""

    def __init__(self, ctx: AppContext, session: Session) -> None:
        self._ctx = ctx
        self._session = session
        office = get_office(ctx, session=session)
        self.instansi = (office.instansi_name or office.name) if office else ""

    def rows(self, ids: Sequence[int]) -> dict[int, Registration]:
        query = (
            select(Registration)
            .where(Registration.id.in_(set(ids)))
            .options(
                selectinload(Registration.work_history), selectinload(Registration.roster_entry)
            )
        )
        return {row.id: row for row in self._session.scalars(query)}

    def photos(self, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
        """Registration id -> (sha256, original name) of its active pas foto."""
        query = (
            select(Document.registration_id, Document.sha256, Document.original_name)
            .where(
                Document.registration_id.in_(set(ids)),
                Document.kind == PHOTO_KIND,
                Document.active.is_(True),
            )
            .order_by(Document.id)
        )
        # Ordered by id: should there ever be two active photos, the newest wins.
        return {
            row.registration_id: (row.sha256, row.original_name)
            for row in self._session.execute(query)
        }

    def printable(
        self, row: Registration, photo: tuple[str, str] | None, *, with_photo: bool
    ) -> PrintableRegistration:
        assert row.account_number is not None
        jabatan, unit_kerja = _current_position(row.work_history)
        roster = row.roster_entry
        data: bytes | None = None
        sha: str | None = None
        if photo is not None and with_photo:
            sha, name = photo
            try:
                data = self._ctx.blobs.get(sha, name=name)
            except UserError:
                # A damaged or missing file must not stop a print run: the card shows the
                # empty photo box, and the clerk sees it at once.
                data, sha = None, None
        return PrintableRegistration(
            registration_id=row.id,
            account_number=row.account_number,
            status=RecordStatus(row.status),
            nik=row.nik,
            nama=row.nama,
            tempat_lahir=row.tempat_lahir,
            tanggal_lahir=row.tanggal_lahir,
            jenis_kelamin=_sex_label(self._ctx.policy, row.jenis_kelamin),
            nomor_hp=row.nomor_hp,
            instansi=self.instansi,
            unit_kerja=unit_kerja or row.unit_kerja or (roster.unit_kerja if roster else None),
            jabatan=jabatan or (roster.jabatan if roster else None),
            account_created_at=row.account_created_at,
            completed_at=row.completed_at,
            photo=data,
            photo_sha256=sha,
        )


def load_printable(
    ctx: AppContext, registration_id: int, *, with_photo: bool = True
) -> PrintableRegistration:
    """One registration as printed; NotFoundError if missing, UserError if it has no account."""
    with ctx.db.session() as session:
        reader = _Reader(ctx, session)
        row = reader.rows([registration_id]).get(registration_id)
        if row is None:
            raise NotFoundError(f"Pendaftaran nomor {registration_id} tidak ditemukan.")
        if row.account_number is None:
            raise ConflictError(
                "Pendaftaran ini belum memiliki akun; belum ada yang dapat dicetak.",
                hint="Selesaikan dulu langkah pembuatan akun.",
            )
        return reader.printable(
            row, reader.photos([registration_id]).get(registration_id), with_photo=with_photo
        )


# -- the papers ------------------------------------------------------------------------------


def _job(ctx: AppContext, printed_by: str | None) -> PrintJob:
    office = get_office(ctx)
    if office is None:
        raise ConflictError(
            "Kantor belum disiapkan; kop surat tidak dapat dicetak.",
            hint="Jalankan dulu: nonasn init --office-code KODE --office-name NAMA",
        )
    return PrintJob(
        office_code=office.code,
        office_name=office.name,
        instansi_name=office.instansi_name,
        printed_at=ctx.now(),
        printed_by=printed_by,
    )


def required_documents(policy: Policy) -> tuple[RequiredDocument, ...]:
    """The documents of phase B (Pendaftaran), in the order their steps ask for them."""
    phase_b = [step for step in policy.steps if step.phase == "B"]
    found: list[RequiredDocument] = []
    for step in phase_b:
        for kind in step.documents:
            rule = policy.document(kind)
            found.append(RequiredDocument.from_rule(rule))
    return tuple(found)


def _sheet(
    ctx: AppContext, kind: Kind, layout: CardLayout, printed_by: str | None
) -> Sheet[PrintableRegistration]:
    if kind not in KINDS:
        raise ValueError(f"unknown printout kind {kind!r}")
    if layout not in LAYOUTS:
        raise ValueError(f"unknown card layout {layout!r}")
    job = _job(ctx, printed_by)
    if kind == "informasi":
        return InformationSheet(job, required_documents(ctx.policy))
    return AccountCardSheet(job, layout)


def _check_printable(kind: Kind, person: PrintableRegistration) -> None:
    if person.status not in PRINTABLE[kind]:
        raise ConflictError(
            f"{KIND_TITLES[kind]} belum dapat dicetak untuk {person.account_number}: "
            f"{_REASONS[kind]} (status {person.status.label})."
        )


def _single(
    ctx: AppContext,
    registration_id: int,
    kind: Kind,
    layout: CardLayout,
    printed_by: str | None,
) -> bytes:
    person = load_printable(ctx, registration_id, with_photo=kind == "kartu")
    _check_printable(kind, person)
    sheet = _sheet(ctx, kind, layout, printed_by)
    buffer = io.BytesIO()
    write_pdf(sheet, [person], buffer, total=1, author=_author(ctx))
    return buffer.getvalue()


def _author(ctx: AppContext) -> str:
    office = get_office(ctx)
    return office.name if office else ""


def registration_info_pdf(
    ctx: AppContext, registration_id: int, *, actor: Actor, printed_by: str | None = None
) -> bytes:
    """Step 12, "Informasi Pendaftaran": one A4 page for a record that has its account.

    ``printed_by``: the clerk's name, shown in the footer.
    """
    authorise(ctx, actor, Permission.CARD_PRINT)
    return _single(ctx, registration_id, "informasi", "a4", printed_by)


def account_card_pdf(
    ctx: AppContext,
    registration_id: int,
    *,
    actor: Actor,
    layout: CardLayout = "a4",
    printed_by: str | None = None,
) -> bytes:
    """Step 24, "Kartu Informasi Akun" for a finished registration.

    ``layout``: "a4" puts the card, a cut line and notes on an A4 page; "id1" is one page of
    exactly 85.6 × 54 mm for card printers.
    """
    authorise(ctx, actor, Permission.CARD_PRINT)
    return _single(ctx, registration_id, "kartu", layout, printed_by)


# -- many into one PDF -----------------------------------------------------------------------


def _named(numbers: Sequence[str]) -> str:
    shown = ", ".join(numbers[:_NAMED])
    if len(numbers) > _NAMED:
        shown += f" dan {len(numbers) - _NAMED} lainnya"
    return shown


def _normalise(numbers: Sequence[str]) -> list[str]:
    cleaned = ["".join(number.split()).upper() for number in numbers]
    return [number for number in cleaned if number]


def select_printable(
    ctx: AppContext,
    kind: Kind,
    *,
    account_numbers: Sequence[str] = (),
    all_records: bool = False,
) -> list[int]:
    """Registration ids to print, one per page, in order.

    Given account numbers keep their order (a number given twice prints twice); unknown ones
    raise NotFoundError naming them, and ones not yet printable a ConflictError. ``all_records``
    takes every printable record, by account number. Nothing to print is a UserError.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown printout kind {kind!r}")
    numbers = _normalise(account_numbers)
    if all_records and numbers:
        raise UserError("Pilih salah satu: nomor akun tertentu, atau semua data.")
    if not all_records and not numbers:
        raise UserError(
            "Belum ada yang dipilih untuk dicetak.",
            hint="Sebutkan nomor akun, atau pilih semua data.",
        )
    allowed = PRINTABLE[kind]
    with ctx.db.session() as session:
        if all_records:
            ids = list(
                session.scalars(
                    select(Registration.id)
                    .where(
                        Registration.account_number.is_not(None),
                        Registration.status.in_(sorted(allowed)),
                    )
                    .order_by(Registration.account_number)
                )
            )
            if not ids:
                raise UserError(
                    f"Tidak ada data yang dapat dicetak sebagai {KIND_TITLES[kind]}: "
                    f"belum ada pendaftaran yang {_REASONS[kind].replace('belum ', 'sudah ')}."
                )
            return ids
        found: dict[str, tuple[int, RecordStatus]] = {}
        unique = list(dict.fromkeys(numbers))
        for start in range(0, len(unique), 500):
            part = unique[start : start + 500]
            for row in session.execute(
                select(Registration.account_number, Registration.id, Registration.status).where(
                    Registration.account_number.in_(part)
                )
            ):
                assert row.account_number is not None
                found[row.account_number] = (row.id, RecordStatus(row.status))
    missing = [number for number in unique if number not in found]
    if missing:
        raise NotFoundError(f"Nomor akun tidak ditemukan: {_named(missing)}.")
    blocked = [number for number in unique if found[number][1] not in allowed]
    if blocked:
        raise ConflictError(
            f"{KIND_TITLES[kind]} belum dapat dicetak karena {_REASONS[kind]}: {_named(blocked)}."
        )
    return [found[number][0] for number in numbers]


def iter_printables(
    ctx: AppContext, ids: Sequence[int], *, with_photo: bool
) -> Iterator[PrintableRegistration]:
    """The registrations of ``ids`` in that order, read a chunk at a time."""
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        with ctx.db.session() as session:
            reader = _Reader(ctx, session)
            rows = reader.rows(part)
            photos = reader.photos(part) if with_photo else {}
            people = {
                registration_id: reader.printable(
                    row, photos.get(registration_id), with_photo=with_photo
                )
                for registration_id, row in rows.items()
            }
        for registration_id in part:
            person = people.get(registration_id)
            if person is None:
                raise NotFoundError(
                    f"Pendaftaran nomor {registration_id} dihapus selama pencetakan."
                )
            yield person


class PrintCancelledError(OperationCancelledError):
    """The clerk cancelled a print run; the PDF was not written."""


def _until_cancelled(
    people: Iterator[PrintableRegistration], cancelled: Cancelled | None
) -> Iterator[PrintableRegistration]:
    for person in people:
        if cancelled is not None and cancelled():
            raise PrintCancelledError("Pencetakan dibatalkan; berkas PDF tidak dibuat.")
        yield person


def _pages(progress: Progress | None) -> Callable[[int, int], None] | None:
    """The page counter of the PDF writer as :class:`ProgressStep` reports."""
    if progress is None:
        return None
    report = progress

    def pages(done: int, total: int) -> None:
        report(ProgressStep(PHASE_PAGES, done, total))

    return pages


def write_printouts(
    ctx: AppContext,
    out: Path,
    *,
    actor: Actor,
    kind: Kind,
    layout: CardLayout = "a4",
    account_numbers: Sequence[str] = (),
    all_records: bool = False,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    printed_by: str | None = None,
) -> int:
    """Many papers into ONE PDF at ``out``, one page per person; returns the page count.

    The PDF is written to a temporary file beside ``out`` and renamed at the end, so ``out``
    is either the complete new PDF or untouched. ``progress`` gets a :class:`ProgressStep`
    (pages) after each page; ``cancelled()`` is asked before each page, and when it turns
    true PrintCancelledError is raised and ``out`` is left as it was.
    """
    authorise(ctx, actor, Permission.CARD_PRINT)
    ids = select_printable(ctx, kind, account_numbers=account_numbers, all_records=all_records)
    sheet = _sheet(ctx, kind, layout, printed_by)
    folder = out.parent if str(out.parent) else Path()
    if not folder.is_dir():
        raise UserError(
            f"Folder {folder} tidak ada.", hint="Pilih folder yang ada untuk berkas PDF."
        )
    people = _until_cancelled(iter_printables(ctx, ids, with_photo=kind == "kartu"), cancelled)
    try:
        pending = AtomicFile(out)
    except OSError as exc:
        raise UserError(
            f"Berkas di folder {folder} tidak dapat dibuat: {exc.strerror}.",
            hint="Pilih folder lain yang dapat ditulisi.",
        ) from None
    try:
        pages = write_pdf(
            sheet,
            people,
            pending.stream,
            total=len(ids),
            author=_author(ctx),
            progress=_pages(progress),
        )
        pending.install()
    except OSError as exc:
        pending.discard()
        raise UserError(
            f"Berkas {out} tidak dapat ditulis: {exc.strerror}.",
            hint="Periksa ruang kosong di disk dan izin folder, lalu coba lagi.",
        ) from None
    except BaseException:
        pending.discard()
        raise
    return pages
