"""A NIK that arrived in more than one batch (from two offices, or twice from one office).

The records are all kept; the report lists every record of every such NIK, one row each, so
the centre can ask the offices concerned which one is right.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from sqlalchemy import func, select

from nonasn_desktop.central.db import CentralDb
from nonasn_desktop.central.models import CentralBatch, CentralRecord
from nonasn_desktop.errors import StorageError
from nonasn_desktop.rules.formatting import format_date

KIND_OFFICES = "NIK dari dua kantor atau lebih"
KIND_BATCHES = "NIK dalam dua batch atau lebih dari kantor yang sama"
_HEADERS = (
    ("NIK", 19),
    ("Nama", 30),
    ("Jenis konflik", 44),
    ("Kode kantor", 12),
    ("Nama kantor", 30),
    ("Nomor urut batch", 10),
    ("ID batch", 38),
    ("Nomor akun", 20),
    ("Unit kerja", 30),
    ("Dimuat", 12),
)


@dataclass(frozen=True)
class ConflictEntry:
    nik: str
    nama: str
    kind: str
    office_code: str
    office_name: str
    sequence: int
    batch_id: str
    account_number: str
    unit_kerja: str | None
    ingested_at: dt.datetime


def find_conflicts(central: CentralDb) -> list[ConflictEntry]:
    """Every record of every NIK present in more than one batch, by NIK then load time."""
    with central.db.session() as session:
        niks = (
            select(CentralRecord.nik)
            .group_by(CentralRecord.nik)
            .having(func.count(CentralRecord.id) > 1)
            .subquery()
        )
        per_nik = session.execute(
            select(CentralRecord.nik, func.count(func.distinct(CentralRecord.office_code)))
            .where(CentralRecord.nik.in_(select(niks.c.nik)))
            .group_by(CentralRecord.nik)
        ).all()
        offices: dict[str, int] = {row[0]: row[1] for row in per_nik}
        rows = session.execute(
            select(CentralRecord, CentralBatch)
            .join(CentralBatch, CentralRecord.batch_id == CentralBatch.id)
            .where(CentralRecord.nik.in_(select(niks.c.nik)))
            .order_by(CentralRecord.nik, CentralBatch.ingested_at, CentralBatch.id)
        )
        return [
            ConflictEntry(
                nik=record.nik,
                nama=record.nama,
                kind=KIND_OFFICES if offices.get(record.nik, 1) > 1 else KIND_BATCHES,
                office_code=batch.office_code,
                office_name=batch.office_name,
                sequence=batch.sequence,
                batch_id=batch.batch_uuid,
                account_number=record.account_number,
                unit_kerja=record.unit_kerja,
                ingested_at=batch.ingested_at,
            )
            for record, batch in rows
        ]


def write_conflicts_xlsx(entries: Iterable[ConflictEntry], out: Path) -> int:
    """Write the conflict report; returns the number of rows written."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Konflik NIK"
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="14325C")
    for column, (title, width) in enumerate(_HEADERS, start=1):
        cell = sheet.cell(row=1, column=column, value=title)
        cell.font = header_font
        cell.fill = header_fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        sheet.column_dimensions[cell.column_letter].width = width
    count = 0
    for count, entry in enumerate(entries, start=1):
        sheet.append(
            [
                entry.nik,
                entry.nama,
                entry.kind,
                entry.office_code,
                entry.office_name,
                entry.sequence,
                entry.batch_id,
                entry.account_number,
                entry.unit_kerja or "",
                format_date(entry.ingested_at.date()),
            ]
        )
        # NIKs are identifiers, not numbers: keep every digit as typed.
        sheet.cell(row=count + 1, column=1).number_format = "@"
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        workbook.save(out)
    except OSError as exc:
        raise StorageError(
            f"Laporan konflik tidak dapat ditulis ke {out} ({exc.strerror}).",
            hint="Periksa folder tujuan, dan tutup berkas itu bila sedang dibuka di Excel.",
        ) from None
    return count
