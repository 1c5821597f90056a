"""The recap workbook the office sends to its superiors: every registration, and per unit.

Sheet "Per Unit Kerja": counts by status and by eligibility (MS/TMS) for every work unit, a
total row and a bar chart. Sheet "Data": one row per registration with every field (secrets
never: no password or security answer), the status, MS/TMS with the failed criteria, the
account number and the dates. Dates are real Excel dates shown dd-mm-yyyy; NIK and KK are
text; headers are frozen and filtered. The columns shared with the roster carry the roster
template's headers, so the Data sheet reads back through the roster importer without a
refused row.

Large offices (100,000 registrations) are streamed: the database is read in keyset pages,
the workbook is written in openpyxl's write-only mode, and nothing holds all rows at once.
The file is written beside its destination and renamed, so a crash or a cancel never leaves
a half-written recap under the real name.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select

from nonasn_desktop.accounts.authz import Actor, authorise
from nonasn_desktop.core import audit
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import UserError
from nonasn_desktop.office.identity import get_office
from nonasn_desktop.roster.columns import roster_columns
from nonasn_desktop.rules.formatting import format_date
from nonasn_desktop.rules.permissions import Permission
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.sheets.spreadsheet import discard_write_only, gc_paused, save_atomically
from nonasn_desktop.storage.models import Registration, WorkHistory

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]

DATA_SHEET = "Data"
UNIT_SHEET = "Per Unit Kerja"
PAGE = 2000
NO_UNIT = "(Unit kerja belum diisi)"
NOT_ASSESSED = "Belum dinilai"
DATE_FORMAT = "dd-mm-yyyy"
TIMESTAMP_FORMAT = "dd-mm-yyyy hh:mm"
TEXT_FORMAT = "@"
MONEY_FORMAT = "#,##0"
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)


class RecapCancelledError(UserError):
    def __init__(self) -> None:
        super().__init__("Ekspor rekap dibatalkan; tidak ada berkas yang dibuat.")


@dataclass(frozen=True)
class RecapResult:
    path: Path
    rows: int
    units: int


@dataclass(frozen=True)
class _Column:
    header: str
    width: int
    number_format: str | None = None


def _columns() -> list[_Column]:
    specs = roster_columns().template_columns
    roster = [
        _Column(
            spec.header or spec.key,
            max(spec.width, len(spec.header or "") + 2),
            {"nik": TEXT_FORMAT, "date": DATE_FORMAT, "money": MONEY_FORMAT}.get(spec.kind),
        )
        for spec in specs
    ]
    extra = [
        _Column("Melalui Pengadaan", 12),
        _Column("Nomor KK", 20, TEXT_FORMAT),
        _Column("Nomor HP", 16, TEXT_FORMAT),
        _Column("Email", 26),
        _Column("Agama", 12),
        _Column("Status Perkawinan", 14),
        _Column("Alamat", 36),
        _Column("Masih Aktif", 10),
        _Column("Bentuk SK", 20),
        _Column("Jumlah SK", 9),
        _Column("Status", 18),
        _Column("Langkah", 9),
        _Column("Nomor Akun", 20),
        _Column("Kelayakan", 12),
        _Column("Kriteria Tidak Terpenuhi", 44),
        _Column("Alasan Keputusan", 36),
        _Column("Akun Dibuat", 17, TIMESTAMP_FORMAT),
        _Column("Pendaftaran Selesai", 17, TIMESTAMP_FORMAT),
        _Column("Diperbarui", 17, TIMESTAMP_FORMAT),
    ]
    return [_Column("No", 7), *roster, *extra]


_REGISTRATION_COLUMNS = (
    Registration.id,
    Registration.nik,
    Registration.nama,
    Registration.nomor_thk2,
    Registration.tempat_lahir,
    Registration.tanggal_lahir,
    Registration.jenis_kelamin,
    Registration.pendidikan_jenjang,
    Registration.nama_sekolah,
    Registration.jurusan,
    Registration.nomor_ijazah,
    Registration.tanggal_ijazah,
    Registration.unit_kerja,
    Registration.nomor_kk,
    Registration.nomor_hp,
    Registration.email,
    Registration.agama,
    Registration.status_perkawinan,
    Registration.alamat,
    Registration.masih_aktif,
    Registration.bentuk_sk,
    Registration.status,
    Registration.current_step,
    Registration.account_number,
    Registration.eligible,
    Registration.failed_criteria,
    Registration.decision_reason,
    Registration.account_created_at,
    Registration.completed_at,
    Registration.updated_at,
)
_WORK_COLUMNS = (
    WorkHistory.registration_id,
    WorkHistory.seq,
    WorkHistory.unit_kerja,
    WorkHistory.jabatan,
    WorkHistory.nomor_sk,
    WorkHistory.tanggal_sk,
    WorkHistory.tmt,
    WorkHistory.tanggal_selesai,
    WorkHistory.pejabat_penandatangan,
    WorkHistory.sumber_gaji,
    WorkHistory.melalui_pengadaan,
    WorkHistory.gaji_bulanan,
)


def _pages(ctx: AppContext) -> Iterator[tuple[Sequence[Any], dict[int, list[Any]]]]:
    """Registrations in id order, a page at a time, each with its work history by id."""
    last_id = 0
    with ctx.db.session() as session:
        while True:
            page = session.execute(
                select(*_REGISTRATION_COLUMNS)
                .where(Registration.id > last_id)
                .order_by(Registration.id)
                .limit(PAGE)
            ).all()
            if not page:
                return
            first, last_id = page[0].id, page[-1].id
            history: dict[int, list[Any]] = {}
            for entry in session.execute(
                select(*_WORK_COLUMNS)
                .where(WorkHistory.registration_id.between(first, last_id))
                .order_by(WorkHistory.registration_id, WorkHistory.seq)
            ):
                history.setdefault(entry.registration_id, []).append(entry)
            yield page, history


def _local_clock() -> Callable[[dt.datetime | None], dt.datetime | None]:
    """Aware timestamps as the office's local wall-clock time (Excel has no time zones).

    Where the local zone has no daylight saving time (all of Indonesia), one fixed offset
    serves every row, far cheaper than converting each timestamp on its own.
    """
    if not time.daylight:
        offset = dt.timedelta(seconds=-time.timezone)

        def fixed(value: dt.datetime | None) -> dt.datetime | None:
            if value is None:
                return None
            return (value + offset).replace(tzinfo=None, microsecond=0)

        return fixed

    def converted(value: dt.datetime | None) -> dt.datetime | None:
        if value is None:
            return None
        return value.astimezone().replace(tzinfo=None, microsecond=0)

    return converted


def _phone(e164: str | None) -> str | None:
    if e164 and e164.startswith("+62"):
        return "0" + e164[3:]
    return e164


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("Ya" if value else "Tidak")


class _Labels:
    def __init__(self, ctx: AppContext) -> None:
        policy = ctx.policy

        def labels(key: str) -> dict[str, str]:
            return {choice.key: choice.label for choice in policy.fields[key].choices}

        self.education = labels("pendidikan_jenjang")
        self.religion = labels("agama")
        self.marriage = labels("status_perkawinan")
        self.funding = {c.key: c.label for c in policy.eligibility.funding_sources}
        self.appointers = {c.key: c.label for c in policy.eligibility.appointers}
        variants: dict[str, str] = {}
        for rule in policy.documents.rules.values():
            variants.update({c.key: c.label for c in rule.variants})
        self.sk_forms = variants
        self.criteria = {code: c.title for code, c in policy.eligibility.criteria.items()}
        self.status = {status.value: status.label for status in RecordStatus}

    def failed(self, codes: str | None) -> str | None:
        if not codes:
            return None
        return "; ".join(
            f"{code} {self.criteria.get(code, '')}".strip() for code in codes.split(",")
        )


def _styled(sheet: Any, number_format: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet)
    cell.number_format = number_format
    return cell


def _header_row(sheet: Any, titles: Sequence[str]) -> list[WriteOnlyCell]:
    cells = []
    for title in titles:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = _HEADER_ALIGN
        cells.append(cell)
    return cells


def write_recap(
    ctx: AppContext,
    path: Path,
    *,
    actor: Actor,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> RecapResult:
    """Write the recap workbook to ``path`` (replaced atomically); returns what was written.

    ``progress(done, total)`` follows the registrations written; when ``cancelled()`` turns
    True the export stops with RecapCancelledError and no file is left behind.
    """
    authorise(ctx, actor, Permission.RECAP_EXPORT)
    path = Path(path)
    with ctx.db.session() as session:
        total = session.scalar(select(func.count()).select_from(Registration)) or 0
    labels = _Labels(ctx)
    columns = _columns()
    book = Workbook(write_only=True)
    units_sheet = book.create_sheet(UNIT_SHEET)
    data = book.create_sheet(DATA_SHEET)
    for position, column in enumerate(columns, start=1):
        dimension = data.column_dimensions[get_column_letter(position)]
        dimension.width = column.width
        if column.number_format:
            dimension.number_format = column.number_format
    data.freeze_panes = "D2"
    data.append(_header_row(data, [column.header for column in columns]))
    # One styled cell per formatted column, given a new value for every row: in write-only
    # mode a row is serialised as soon as it is appended.
    formats = [
        _styled(data, column.number_format) if column.number_format else None for column in columns
    ]
    try:
        with gc_paused():
            per_unit, written = _write_data(ctx, data, formats, labels, total, progress, cancelled)
        data.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{written + 1}"
        _write_units(ctx, units_sheet, per_unit, written)
        if cancelled is not None and cancelled():
            raise RecapCancelledError
        save_atomically(book, path)
    except BaseException:
        discard_write_only(book)
        raise
    with ctx.db.session() as session:
        audit.record(
            session,
            actor=actor.username,
            action="recap.export",
            entity="recap",
            entity_id=None,
            changes={"berkas": (None, path.name), "baris": (None, written)},
            at=ctx.now(),
        )
    return RecapResult(path=path, rows=written, units=len(per_unit))


def _write_data(
    ctx: AppContext,
    data: Any,
    formats: list[WriteOnlyCell | None],
    labels: _Labels,
    total: int,
    progress: Progress | None,
    cancelled: Cancelled | None,
) -> tuple[dict[str, Counter[str]], int]:
    per_unit: dict[str, Counter[str]] = {}
    written = 0
    _local = _local_clock()
    formatted = [(position, cell) for position, cell in enumerate(formats) if cell is not None]
    for page, history in _pages(ctx):
        if cancelled is not None and cancelled():
            raise RecapCancelledError
        for reg in page:
            entries = history.get(reg.id, ())
            first = entries[0] if entries else None
            # The present position: the entry with the latest TMT (as the registration store).
            current = max(entries, key=_tmt_key) if entries else None
            written += 1
            status = labels.status.get(reg.status, reg.status)
            eligibility = (
                NOT_ASSESSED if reg.eligible is None else ("MS" if reg.eligible else "TMS")
            )
            unit = reg.unit_kerja or NO_UNIT
            counts = per_unit.get(unit)
            if counts is None:
                counts = per_unit[unit] = Counter()
            counts[status] += 1
            counts[eligibility] += 1
            values = (
                written,
                reg.nik,
                reg.nama,
                reg.nomor_thk2,
                reg.tempat_lahir,
                reg.tanggal_lahir,
                reg.jenis_kelamin,
                labels.education.get(reg.pendidikan_jenjang, reg.pendidikan_jenjang),
                reg.nama_sekolah,
                reg.jurusan,
                reg.nomor_ijazah,
                reg.tanggal_ijazah,
                first.nomor_sk if first else None,
                first.tanggal_sk if first else None,
                first.tmt if first else None,
                current.tanggal_selesai if current else None,
                current.jabatan if current else None,
                reg.unit_kerja,
                labels.appointers.get(current.pejabat_penandatangan, current.pejabat_penandatangan)
                if current
                else None,
                labels.funding.get(current.sumber_gaji, current.sumber_gaji) if current else None,
                current.gaji_bulanan if current else None,
                _yes_no(current.melalui_pengadaan) if current else None,
                reg.nomor_kk,
                _phone(reg.nomor_hp),
                reg.email,
                labels.religion.get(reg.agama, reg.agama),
                labels.marriage.get(reg.status_perkawinan, reg.status_perkawinan),
                reg.alamat,
                _yes_no(reg.masih_aktif),
                labels.sk_forms.get(reg.bentuk_sk, reg.bentuk_sk),
                len(entries),
                status,
                reg.current_step,
                reg.account_number,
                eligibility,
                labels.failed(reg.failed_criteria),
                reg.decision_reason,
                _local(reg.account_created_at),
                _local(reg.completed_at),
                _local(reg.updated_at),
            )
            row = list(values)
            for position, styled in formatted:
                value = row[position]
                if value is not None:
                    styled.value = value
                    row[position] = styled
            data.append(row)
        if progress is not None:
            progress(written, max(total, written))
    return per_unit, written


def _tmt_key(entry: Any) -> tuple[bool, dt.date]:
    return (entry.tmt is not None, entry.tmt or dt.date.min)


def _write_units(
    ctx: AppContext, sheet: Any, per_unit: dict[str, Counter[str]], total: int
) -> None:
    office = get_office(ctx)
    statuses = [status.label for status in RecordStatus]
    titles = ["Unit Kerja", "Jumlah", *statuses, "MS", "TMS", NOT_ASSESSED]
    widths = [44, 10, *[max(11, len(s) + 2) for s in statuses], 8, 8, 14]
    for position, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = width
    header_row = 5
    sheet.freeze_panes = f"B{header_row + 1}"
    title = WriteOnlyCell(sheet, value="Rekapitulasi Pendataan Tenaga Non-ASN")
    title.font = Font(bold=True, size=14)
    sheet.append([title])
    where = (office.instansi_name or office.name) if office else ""
    sheet.append([where])
    sheet.append([f"Keadaan per {format_date(ctx.now().astimezone().date())}; {total} data."])
    sheet.append([])
    sheet.append(_header_row(sheet, titles))
    bold = Font(bold=True)
    keys = [*statuses, "MS", "TMS", NOT_ASSESSED]
    totals: Counter[str] = Counter()
    for unit in sorted(per_unit, key=lambda name: (name == NO_UNIT, name.casefold())):
        counts = per_unit[unit]
        totals.update(counts)
        sheet.append([unit, sum(counts[s] for s in statuses), *[counts[k] for k in keys]])
    last = header_row + len(per_unit)
    total_values = ["Jumlah", sum(totals[s] for s in statuses), *[totals[k] for k in keys]]
    total_cells = []
    for value in total_values:
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = bold
        total_cells.append(cell)
    sheet.append(total_cells)
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(titles))}{last}"
    if not per_unit:
        return
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = "Kelayakan per Unit Kerja"
    chart.y_axis.title = "Jumlah tenaga non-ASN"
    chart.x_axis.title = None
    ms_column = 2 + len(statuses) + 1
    chart.add_data(
        Reference(
            sheet, min_col=ms_column, max_col=ms_column + 2, min_row=header_row, max_row=last
        ),
        titles_from_data=True,
    )
    chart.set_categories(Reference(sheet, min_col=1, min_row=header_row + 1, max_row=last))
    chart.height = max(8.0, min(40.0, 0.6 * len(per_unit) + 3))
    chart.width = 22.0
    sheet.add_chart(chart, f"A{last + 3}")
