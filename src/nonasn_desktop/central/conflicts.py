"""A NIK that arrived in more than one batch (from two offices, or twice from one office).

The records are all kept; the report lists every record of every such NIK, one row each, so
the centre can ask the offices concerned which one is right. Its names, units and office names
come from the offices' batches, so it is written through the safe writer: a name beginning
with ``=`` is shown as text, never run as a formula.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from nonasn_desktop.central.db import CentralDb
from nonasn_desktop.central.models import CentralBatch, CentralRecord
from nonasn_desktop.rules.formatting import format_date
from nonasn_desktop.sheets.writing import SafeWorkbook, write_error

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
    """Write the conflict report (its folder made when missing); returns the number of rows
    written. A destination that cannot be written raises WorkbookWriteError."""
    out = Path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_error(out, exc) from None
    with SafeWorkbook(out, constant_memory=True) as book:
        sheet = book.add_sheet("Konflik NIK")
        header = book.style(
            bold=True,
            font_color="#FFFFFF",
            bg_color="#14325C",
            pattern=1,
            valign="vcenter",
            text_wrap=True,
        )
        # NIKs are identifiers, not numbers: keep every digit as typed.
        text = book.style(num_format="@")
        for column, (_title, width) in enumerate(_HEADERS):
            sheet.set_column(column, column, width, text if column == 0 else None)
        sheet.write_row(0, [title for title, _ in _HEADERS], [header] * len(_HEADERS))
        sheet.freeze_panes(1, 0)
        count = 0
        for count, entry in enumerate(entries, start=1):
            sheet.write_row(
                count,
                (
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
                ),
                (text,),
            )
        sheet.autofilter(0, 0, count, len(_HEADERS) - 1)
        book.save()
    return count
