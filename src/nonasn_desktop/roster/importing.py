"""Importing the Admin Instansi roster from the spreadsheets agencies really send.

What the importer does with a sheet (decisions a clerk can rely on):

- **Sheets**: every visible worksheet whose header row is found is imported (agencies often
  keep one unit per sheet); sheets without a roster header (instructions, a per-unit recap)
  are passed over and named in the notes; hidden sheets are never read.
- **Header row**: searched in the first rows of the sheet (title rows above it are common),
  matched by the column names of ``forms/roster_columns.toml`` ignoring case, spaces,
  punctuation and bracketed remarks. A two-row header (a group cell such as "SK" above
  "Nomor", "Tanggal", "TMT") is recognised, and so is a row of column numbers under it.
  At least the NIK and the name columns must be found.
- **Merged cells**: a cell merged over several rows applies to every row it covers (in its
  first column), as the clerk sees it on screen: a "Unit Kerja" merged down the rows of its
  staff gives each of them that unit. The report says how many cells were filled that way.
  An empty cell that is *not* merged is never filled from the row above.
- **Blank, heading and footer rows**: rows with nothing in the recognised columns (including
  rows that hold only a row number) are skipped. A row without NIK is skipped when it holds a
  single text (a section heading such as "A. DINAS PENDIDIKAN", listed in the notes) or at
  most two texts with a footer word ("Jumlah", "Mengetahui", "Kepala ...", "NIP": totals and
  the signature block). Any other row without NIK is refused: a person whose NIK was
  forgotten is never skipped silently.
- **NIK stored as a number** (or as "3.27301E+15") is refused row by row, never repaired:
  Excel keeps 15 significant digits, so the 16th digit of such a NIK is already lost.
- **Every row is checked completely** with the foundation's rules (NIK with its region and
  birth date, agreement of NIK with birth date and sex, name without gelar, dates, choices,
  money) and every problem of the row is listed, not only the first.
- **Dates** may be real dates, Excel serial numbers (a number in a date column, when it gives
  a plausible year), or text: dd-mm-yyyy, dd/mm/yyyy, dd.mm.yyyy, yyyy-mm-dd, yyyy/mm/dd,
  "12 Maret 1990", "12-Mar-1990". Two-digit years are refused, never guessed.
- **Choices** (jenis kelamin, pendidikan, penandatangan, sumber gaji) accept the keys and
  labels of forms/ and the spellings of ``forms/roster_columns.toml``; a value that starts
  with a known spelling of four letters or more ("APBD Kabupaten Bandung", "Kepala Sekolah
  SDN 3") takes that spelling's choice. Anything else is refused with the list of choices.
- **Duplicates in the file**: rows with the same NIK and identical data are imported once and
  listed as duplicates (not an error). Rows with the same NIK but different data are *all*
  refused: which of them is right cannot be known, and the report names every row involved.
- **Against the roster**: a NIK not yet listed is added; a listed NIK with the same data is
  unchanged; with different data it is updated and the audit log records each changed field
  (old and new value). An empty cell never erases a value already on the roster.
  Importing the same file twice therefore changes nothing the second time.
- **One transaction**: nothing is written until the whole file is read and checked; then all
  additions, updates and their audit entries are committed together. A cancel or a crash at
  any point leaves the roster exactly as it was. The audit log gets one ``roster.update``
  entry per updated person (old and new value of each changed field) and one
  ``roster.import`` entry per import (file name, SHA-256, counts); added people carry the
  file name in ``source``.

Speed (100,000 rows in at most 3x the time calamine alone needs to read the file): rows are
converted in blocks, column by column, each distinct value of a column once; rows that pass
every check take no per-cell Python work; rows are inserted with the driver's executemany in
NIK order; the garbage collector is paused while the rows are held.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from nonasn_desktop.accounts.authz import Actor, authorise
from nonasn_desktop.core import audit
from nonasn_desktop.core.bulk import gc_paused
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.core.progress import Cancelled, Progress, ProgressStep
from nonasn_desktop.roster.columns import ROSTER_FIELDS
from nonasn_desktop.roster.reader import (
    NOTE_LIST_LIMIT,
    PHASE_READING,
    PHASE_SAVING,
    ImportCancelledError,
    Reading,
    read_roster_file,
)
from nonasn_desktop.roster.report import DuplicateRow, ImportReport, RefusedRow, RowProblem
from nonasn_desktop.roster.values import SLOT, shown
from nonasn_desktop.rules.permissions import Permission
from nonasn_desktop.storage.models import RosterEntry

__all__ = ["PHASE_READING", "PHASE_SAVING", "ImportCancelledError", "import_roster"]

ENTITY = "roster_entry"
WRITE_BATCH = 2000


def _resolve_duplicates(reading: Reading) -> list[DuplicateRow]:
    """Identical rows: keep the first. Different rows with one NIK: refuse them all."""
    duplicates: list[DuplicateRow] = []
    drop: set[int] = set()
    for nik, rows in reading.repeated.items():
        first = rows[0]
        if all(not row.problems and row.values == first.values for row in rows):
            for row in rows[1:]:
                drop.add(id(row))
                duplicates.append(DuplicateRow(row.sheet, row.row, nik, first.sheet, first.row))
            continue
        for row in rows:
            others = ", ".join(
                f"baris {other.row}"
                + (f" lembar '{other.sheet}'" if other.sheet != row.sheet else "")
                for other in rows
                if other is not row
            )
            row.problems = [
                *row.problems,
                RowProblem(
                    "",
                    "",
                    f"NIK {nik} juga tertulis di {others} dengan data yang berbeda; tidak ada "
                    "yang diimpor karena tidak dapat diketahui mana yang benar. Periksa NIK "
                    "dan data setiap baris itu.",
                ),
            ]
            if row.nik_raw is None:
                row.nik_raw, row.nama_raw = nik, row.values[1]
            if id(row) not in drop:
                drop.add(id(row))
                if row not in reading.refused:
                    reading.refused.append(row)
    reading.valid = [row for row in reading.valid if id(row) not in drop]
    reading.refused.sort(key=lambda row: (row.sheet, row.row))
    return duplicates


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _changes(
    old: tuple[Any, ...], new: tuple[Any, ...], keys: Iterable[str]
) -> dict[str, tuple[Any, Any]]:
    changes: dict[str, tuple[Any, Any]] = {}
    for key in keys:
        slot = SLOT[key]
        value = new[slot]
        if value is not None and value != old[slot]:
            changes[key] = (old[slot], value)
    return changes


def _first(row: tuple[Any, ...]) -> Any:
    return row[0]


_INSERT_COLUMNS = (*ROSTER_FIELDS, "source", "created_at", "updated_at")


def _insert(
    session: Session,
    table: Table,
    rows: list[tuple[Any, ...]],
    source: str,
    now: dt.datetime,
    memos: dict[int, dict[Any, Any]] | None = None,
) -> None:
    """Insert roster rows (values in ROSTER_FIELDS order) inside the session's transaction.

    On SQLite the rows go straight to the driver's executemany, each value converted by its
    column type's own bind processor: the same stored text as an ORM insert, at a third of the
    cost (this is most of the time of a 100,000-row import). Other databases take the
    ordinary Core insert.
    """
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "sqlite":
        tail = (source, now, now)
        session.execute(
            insert(table), [dict(zip(_INSERT_COLUMNS, (*row, *tail), strict=True)) for row in rows]
        )
        return
    processors = [
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in _INSERT_COLUMNS
    ]
    tail_values = [
        value if processor is None else processor(value)
        for value, processor in zip((source, now, now), processors[-3:], strict=True)
    ]
    # Column by column: each distinct value (dates repeat a lot) is converted once.
    columns: list[Sequence[Any]] = list(zip(*rows, strict=True))
    for index, processor in enumerate(processors[: len(ROSTER_FIELDS)]):
        if processor is not None:
            memo = memos.setdefault(index, {None: None}) if memos is not None else {None: None}
            for value in set(columns[index]).difference(memo):
                memo[value] = processor(value)
            columns[index] = list(map(memo.__getitem__, columns[index]))
    count = len(rows)
    params = list(
        zip(*columns, *(itertools.repeat(value, count) for value in tail_values), strict=False)
    )
    marks = ", ".join("?" for _ in _INSERT_COLUMNS)
    # Table and column names are this module's constants, never user input.
    statement = f"INSERT INTO {table.name} ({', '.join(_INSERT_COLUMNS)}) VALUES ({marks})"  # noqa: S608
    connection.exec_driver_sql(statement, params)


def import_roster(
    ctx: AppContext,
    path: Path,
    *,
    actor: Actor,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> ImportReport:
    """Import the roster in ``path`` (xlsx, xls, ods or csv) in one transaction.

    ``progress`` gets a ProgressStep now and then: rows read in phase PHASE_READING, then rows
    written in phase PHASE_SAVING once everything is read and checked; ``cancelled()`` is polled
    and, when it returns True, the import stops with ImportCancelledError and nothing is written.
    Raises SpreadsheetError when the file cannot be read at all, AuthError when ``actor`` may
    not manage the roster.
    """
    authorise(ctx, actor, Permission.ROSTER_IMPORT)
    path = Path(path)
    with gc_paused():
        return _import(ctx, path, actor.username, progress, cancelled)


# SQLite page cache for the import's transaction (KiB, as PRAGMA cache_size takes negatives).
IMPORT_PAGE_CACHE_KIB = 65536


@contextlib.contextmanager
def _large_page_cache(session: Session) -> Iterator[None]:
    """A large SQLite page cache while the import writes, the usual one afterwards.

    With the default 2 MB cache a 100,000-row insert spills pages to the write-ahead log many
    times over before the commit; a 64 MB cache writes each page once.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size=-{IMPORT_PAGE_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size={int(before or -2000)}")


def _import(
    ctx: AppContext,
    path: Path,
    actor: str,
    progress: Progress | None,
    cancelled: Cancelled | None,
) -> ImportReport:
    reading, kind = read_roster_file(ctx, path, progress=progress, cancelled=cancelled)
    duplicates = _resolve_duplicates(reading)
    sha256 = _file_digest(path)
    source = path.name[:255]
    keys = [key for key in ROSTER_FIELDS if key in reading.bound_keys]
    now = ctx.now()
    with ctx.db.session() as session, _large_page_cache(session):
        table = cast(Table, RosterEntry.__table__)
        inserts, updates, unchanged = _sort_out(session, table, reading, keys)
        writes = len(inserts) + len(updates)

        def saved(done: int) -> None:
            if progress is not None:
                progress(ProgressStep(PHASE_SAVING, done, writes))

        # Every row read and checked: what is left is writing.
        saved(0)
        # Converted dates, shared by the batches (birth dates and TMTs repeat across them).
        memos: dict[int, dict[Any, Any]] = {}
        for start in range(0, len(inserts), WRITE_BATCH):
            if cancelled is not None and cancelled():
                raise ImportCancelledError
            batch = inserts[start : start + WRITE_BATCH]
            _insert(session, table, batch, source, now, memos)
            saved(start + len(batch))
        _update(session, updates, actor, source, now, cancelled)
        saved(writes)
        if cancelled is not None and cancelled():
            raise ImportCancelledError
        counts = {
            "baru": len(inserts),
            "diperbarui": len(updates),
            "tidak_berubah": unchanged,
            "ditolak": len(reading.refused),
        }
        audit.record(
            session,
            actor=actor,
            action="roster.import",
            entity=ENTITY,
            entity_id=None,
            changes={
                "berkas": (None, source),
                "sha256": (None, sha256),
                **{name: (None, count) for name, count in counts.items()},
            },
            at=now,
        )
    if duplicates:
        reading.notes.append(_duplicates_note(duplicates))
    return ImportReport(
        file_name=path.name,
        file_kind=kind,
        sha256=sha256,
        sheets=tuple(reading.sheets),
        added=len(inserts),
        updated=len(updates),
        unchanged=unchanged,
        refused=tuple(
            RefusedRow(
                row.sheet, row.row, shown(row.nik_raw), shown(row.nama_raw), tuple(row.problems)
            )
            for row in reading.refused
        ),
        duplicates=tuple(duplicates),
        skipped_rows=reading.skipped,
        notes=tuple(reading.notes),
    )


_Updates = list[tuple[int, dict[str, tuple[Any, Any]]]]


def _sort_out(
    session: Session, table: Table, reading: Reading, keys: list[str]
) -> tuple[list[tuple[Any, ...]], _Updates, int]:
    """The valid rows as inserts (in NIK order), updates (entry id, changes) and the number
    of rows already on the roster unchanged."""
    columns = [table.c[key] for key in ROSTER_FIELDS]
    existing: dict[str, tuple[int, tuple[Any, ...]]] = {
        row[1]: (row[0], tuple(row[1:])) for row in session.execute(select(table.c.id, *columns))
    }
    inserts: list[tuple[Any, ...]] = []
    updates: _Updates = []
    unchanged = 0
    for row in reading.valid:
        known = existing.get(row.values[0])
        if known is None:
            inserts.append(row.values)
            continue
        changes = _changes(known[1], row.values, keys)
        if changes:
            updates.append((known[0], changes))
        else:
            unchanged += 1
    # In NIK order the unique index grows at its end: markedly faster than random order.
    inserts.sort(key=_first)
    return inserts, updates, unchanged


def _update(
    session: Session,
    updates: _Updates,
    actor: str,
    source: str,
    now: dt.datetime,
    cancelled: Cancelled | None,
) -> None:
    """Apply the changes to people already on the roster, each with its audit entry."""
    for start in range(0, len(updates), WRITE_BATCH):
        if cancelled is not None and cancelled():
            raise ImportCancelledError
        batch_updates = updates[start : start + WRITE_BATCH]
        session.execute(
            update(RosterEntry),
            [
                {
                    "id": entry_id,
                    **{k: new for k, (_, new) in changes.items()},
                    "source": source,
                    "updated_at": now,
                }
                for entry_id, changes in batch_updates
            ],
        )
        for entry_id, changes in batch_updates:
            audit.record(
                session,
                actor=actor,
                action="roster.update",
                entity=ENTITY,
                entity_id=entry_id,
                changes=changes,
                reason=f"Impor berkas {source}",
                at=now,
            )


def _duplicates_note(duplicates: list[DuplicateRow]) -> str:
    listed = ", ".join(
        f"baris {d.row} = baris {d.same_as_row}" for d in duplicates[:NOTE_LIST_LIMIT]
    )
    more = (
        f" dan {len(duplicates) - NOTE_LIST_LIMIT} lainnya"
        if len(duplicates) > NOTE_LIST_LIMIT
        else ""
    )
    return (
        f"{len(duplicates)} baris ganda (NIK dan data sama persis) dicatat sekali: {listed}{more}."
    )
