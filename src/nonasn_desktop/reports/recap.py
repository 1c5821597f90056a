"""The recap workbook the office sends to its superiors: every registration, and per unit.

Sheet "Per Unit Kerja": counts by status and by eligibility (MS/TMS) for every work unit, a
total row and a bar chart. Sheet "Data": one row per registration with every field (secrets
never: no password or security answer), the status, MS/TMS with the failed criteria, the
account number and the dates. Dates are real Excel dates shown dd-mm-yyyy; NIK and KK are
text; headers are frozen and filtered. The columns shared with the roster carry the roster
template's headers, so the Data sheet reads back through the roster importer without a
refused row.

Large offices (100,000 registrations) are streamed: the database is read in keyset pages and
the workbook is written with XlsxWriter in constant-memory mode (one row in memory at a time)
through :mod:`nonasn_desktop.sheets.writing`, which keeps every text a text (a name or a unit
beginning with ``=`` never becomes a formula) and puts the file in place atomically, so a
crash, a full disk or a cancel never leaves a half-written recap under the real name.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from nonasn_desktop.accounts.authz import Actor, authorise
from nonasn_desktop.core import audit
from nonasn_desktop.core.bulk import gc_paused
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.core.progress import (
    Cancelled,
    OperationCancelledError,
    Progress,
    ProgressStep,
    never_cancelled,
)
from nonasn_desktop.office.identity import get_office, zone_of
from nonasn_desktop.roster.columns import roster_columns
from nonasn_desktop.rules.formatting import format_date
from nonasn_desktop.rules.permissions import Permission
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.rules.timezones import OfficeZone
from nonasn_desktop.sheets.writing import SafeSheet, SafeWorkbook
from nonasn_desktop.storage.models import Registration, WorkHistory

DATA_SHEET = "Data"
UNIT_SHEET = "Per Unit Kerja"
PAGE = 2000
NO_UNIT = "(Unit kerja belum diisi)"
NOT_ASSESSED = "Belum dinilai"
DATE_FORMAT = "dd-mm-yyyy"
TIMESTAMP_FORMAT = "dd-mm-yyyy hh:mm"
TEXT_FORMAT = "@"
MONEY_FORMAT = "#,##0"
PHASE = "Menulis rekap"
_PX_PER_CM = 96 / 2.54
_HEADER = {
    "bold": True,
    "font_color": "#FFFFFF",
    "bg_color": "#1F4E79",
    "pattern": 1,
    "align": "center",
    "valign": "vcenter",
    "text_wrap": True,
}


class RecapCancelledError(OperationCancelledError):
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


def _office_clock(zone: OfficeZone) -> Callable[[dt.datetime | None], dt.datetime | None]:
    """Aware timestamps as the office's wall-clock time (Excel has no time zones), whatever
    zone the laptop is set to. Indonesia keeps no daylight saving time: one fixed offset
    serves every row, far cheaper than converting each timestamp on its own."""
    offset = dt.timedelta(hours=zone.offset_hours)

    def shown(value: dt.datetime | None) -> dt.datetime | None:
        if value is None:
            return None
        return (value.astimezone(dt.UTC) + offset).replace(tzinfo=None, microsecond=0)

    return shown


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


def write_recap(
    ctx: AppContext,
    path: Path,
    *,
    actor: Actor,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> RecapResult:
    """Write the recap workbook to ``path`` (replaced atomically); returns what was written.

    ``progress`` follows the registrations written (phase :data:`PHASE`); when
    ``cancelled()`` turns True the export stops with RecapCancelledError and no file is left
    behind. A destination that cannot be written raises
    :class:`~nonasn_desktop.sheets.writing.WorkbookWriteError` (before the long part when
    the folder is missing or read-only).
    """
    authorise(ctx, actor, Permission.RECAP_EXPORT)
    path = Path(path)
    cancelled = cancelled or never_cancelled
    with ctx.db.session() as session:
        total = session.scalar(select(func.count()).select_from(Registration)) or 0
    labels = _Labels(ctx)
    columns = _columns()
    with SafeWorkbook(path, constant_memory=True) as book:
        units_sheet = book.add_sheet(UNIT_SHEET)
        data = book.add_sheet(DATA_SHEET)
        # Cells take their column's style (NIK as text, dates dd-mm-yyyy): no style per cell.
        for position, column in enumerate(columns):
            style = book.style(num_format=column.number_format) if column.number_format else None
            data.set_column(position, position, column.width, style)
        data.freeze_panes(1, 3)
        header = book.style(**_HEADER)
        data.write_row(0, [column.header for column in columns], [header] * len(columns))
        with gc_paused():
            per_unit, written = _write_data(ctx, data, labels, total, progress, cancelled)
        data.autofilter(0, 0, written, len(columns) - 1)
        _write_units(ctx, book, units_sheet, per_unit, written)
        if cancelled():
            raise RecapCancelledError
        book.save()
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
    data: SafeSheet,
    labels: _Labels,
    total: int,
    progress: Progress | None,
    cancelled: Cancelled,
) -> tuple[dict[str, Counter[str]], int]:
    per_unit: dict[str, Counter[str]] = {}
    written = 0
    _local = _office_clock(zone_of(ctx))
    write_row = data.write_row
    for page, history in _pages(ctx):
        if cancelled():
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
            write_row(written, values)
        if progress is not None:
            progress(ProgressStep(PHASE, written, max(total, written)))
    return per_unit, written


def _tmt_key(entry: Any) -> tuple[bool, dt.date]:
    return (entry.tmt is not None, entry.tmt or dt.date.min)


def _write_units(
    ctx: AppContext, book: SafeWorkbook, sheet: SafeSheet, per_unit: dict[str, Counter[str]],
    total: int,
) -> None:  # fmt: skip
    office = get_office(ctx)
    statuses = [status.label for status in RecordStatus]
    titles = ["Unit Kerja", "Jumlah", *statuses, "MS", "TMS", NOT_ASSESSED]
    widths = [44, 10, *[max(11, len(s) + 2) for s in statuses], 8, 8, 14]
    for position, width in enumerate(widths):
        sheet.set_column(position, position, width)
    header_row = 4  # 0-based: the fifth row
    sheet.freeze_panes(header_row + 1, 1)
    sheet.write(0, 0, "Rekapitulasi Pendataan Tenaga Non-ASN", book.style(bold=True, font_size=14))
    # The office's name as typed at init: text, whatever it begins with.
    sheet.write(1, 0, (office.instansi_name or office.name) if office else "")
    sheet.write(2, 0, f"Keadaan per {format_date(zone_of(ctx).today(ctx.now()))}; {total} data.")
    sheet.write_row(header_row, titles, [book.style(**_HEADER)] * len(titles))
    keys = [*statuses, "MS", "TMS", NOT_ASSESSED]
    totals: Counter[str] = Counter()
    row = header_row
    for unit in sorted(per_unit, key=lambda name: (name == NO_UNIT, name.casefold())):
        counts = per_unit[unit]
        totals.update(counts)
        row += 1
        sheet.write_row(row, [unit, sum(counts[s] for s in statuses), *[counts[k] for k in keys]])
    last = row
    total_values = ["Jumlah", sum(totals[s] for s in statuses), *[totals[k] for k in keys]]
    sheet.write_row(last + 1, total_values, [book.style(bold=True)] * len(total_values))
    sheet.autofilter(header_row, 0, last, len(titles) - 1)
    if not per_unit:
        return
    chart = book.add_chart({"type": "bar", "subtype": "stacked"})
    ms_column = 2 + len(statuses)
    for column in range(ms_column, ms_column + 3):
        chart.add_series(
            {
                "name": [UNIT_SHEET, header_row, column],
                "categories": [UNIT_SHEET, header_row + 1, 0, last, 0],
                "values": [UNIT_SHEET, header_row + 1, column, last, column],
                "overlap": 100,
            }
        )
    chart.set_title({"name": "Kelayakan per Unit Kerja"})
    # In a bar chart the horizontal (value) axis is XlsxWriter's x axis.
    chart.set_x_axis({"name": "Jumlah tenaga non-ASN"})
    height_cm = max(8.0, min(40.0, 0.6 * len(per_unit) + 3))
    chart.set_size({"width": round(22.0 * _PX_PER_CM), "height": round(height_cm * _PX_PER_CM)})
    sheet.insert_chart(last + 3, 0, chart)
