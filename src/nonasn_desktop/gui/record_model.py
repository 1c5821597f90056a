"""The record list as a Qt table model over ``registration.records``, read page by page.

The model knows how many records the query finds (one count query) and reads rows only when
the view asks for them, a page of PAGE_SIZE rows at a time, keeping the most recently used
pages. Scrolling anywhere in 100,000 records reads one page; nothing loads every row.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections import OrderedDict

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont

from nonasn_desktop.accounts.authz import Actor
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import UserError
from nonasn_desktop.office.identity import zone_of
from nonasn_desktop.registration import records
from nonasn_desktop.registration.records import RecordOrder, RecordQuery, RecordRow
from nonasn_desktop.rules.formatting import format_date
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.rules.timezones import OfficeZone

from . import theme

log = logging.getLogger(__name__)

PAGE_SIZE = 200
MAX_PAGES = 40
RECORD_ROLE = Qt.ItemDataRole.UserRole + 1

COLUMNS = (
    "NIK",
    "Nama",
    "Unit Kerja",
    "Status",
    "Langkah",
    "MS/TMS",
    "Nomor Akun",
    "Diperbarui",
)
(COL_NIK, COL_NAMA, COL_UNIT, COL_STATUS, COL_STEP, COL_ELIGIBLE, COL_ACCOUNT, COL_UPDATED) = range(
    len(COLUMNS)
)
# Header clicks: which columns sort, and the order for ascending / descending.
SORTS: dict[int, tuple[RecordOrder, RecordOrder]] = {
    COL_NIK: (RecordOrder.NIK_AZ, RecordOrder.NIK_ZA),
    COL_NAMA: (RecordOrder.NAMA_AZ, RecordOrder.NAMA_ZA),
    COL_UNIT: (RecordOrder.UNIT_AZ, RecordOrder.UNIT_ZA),
    COL_UPDATED: (RecordOrder.TERLAMA, RecordOrder.TERBARU),
}
EMPTY = "—"
# A record flagged by a transfer import: its NIK is also on another record (verval.conflicts).
CONFLICT_MARK = "NIK ganda"
CONFLICT_TIP = (
    "NIK ganda: NIK ini juga terdaftar pada pendaftaran lain (dari perangkat lapangan). "
    "Data ini tidak dapat disetujui sampai verifikator memilih yang dipertahankan lewat "
    "Data › NIK Ganda…; duplikatnya tidak pernah diekspor."
)
_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.FontRole,
        Qt.ItemDataRole.TextAlignmentRole,
        RECORD_ROLE,
    }
)


def format_timestamp(value: dt.datetime, zone: OfficeZone) -> str:
    """dd-mm-yyyy HH:MM on the office's clock (stored times are UTC; the laptop's own zone,
    which may be UTC, plays no part)."""
    local = zone.local(value)
    return f"{format_date(local.date())} {local:%H:%M}"


def format_count(number: int) -> str:
    """100000 -> "100.000", as numbers are written in Indonesian."""
    return f"{number:,}".replace(",", ".")


def _counted(query: RecordQuery) -> RecordQuery:
    """What the counts per status depend on: neither the status filter nor the order."""
    return dataclasses.replace(query, status=None, order=RecordOrder.TERBARU)


class RecordTableModel(QAbstractTableModel):
    """Rows of :func:`registration.records.search` for one :class:`RecordQuery`.

    ``load_failed`` is emitted (outside painting) when a page cannot be read; the rows of that
    page stay empty until the next refresh.
    """

    load_failed = Signal(object)
    query_changed = Signal()

    def __init__(self, ctx: AppContext, actor: Actor, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._zone = zone_of(ctx)
        self._actor = actor
        self._query = RecordQuery()
        self._total = 0
        self._counts: dict[RecordStatus, int] = dict.fromkeys(RecordStatus, 0)
        self._counts_fresh = False
        self._pages: OrderedDict[int, list[RecordRow]] = OrderedDict()
        self._failed_pages: set[int] = set()
        self._steps = len(ctx.policy.steps)
        self._criteria = {code: c.title for code, c in ctx.policy.eligibility.criteria.items()}
        self._bold = QFont()
        self._bold.setBold(True)

    # -- the query ------------------------------------------------------------------------

    @property
    def query(self) -> RecordQuery:
        return self._query

    @property
    def total(self) -> int:
        """How many records the current query finds."""
        return self._total

    @property
    def status_counts(self) -> dict[RecordStatus, int]:
        """Records per status for the current query without its status filter."""
        return dict(self._counts)

    def set_query(self, query: RecordQuery) -> None:
        """Show the records of ``query`` (counts read now, rows when the view needs them).

        Raises UserError when the database cannot be read; the model then shows nothing.
        """
        self.beginResetModel()
        try:
            # Another status or order of the same search: the counts per status stay.
            same_counts = self._counts_fresh and _counted(query) == _counted(self._query)
            self._query = query
            self._pages.clear()
            self._failed_pages.clear()
            self._total = 0
            if not same_counts:
                self._counts_fresh = False
                self._counts = dict.fromkeys(RecordStatus, 0)
                self._counts = records.counts_by_status(self._ctx, query, actor=self._actor)
                self._counts_fresh = True
            counts = self._counts
            self._total = counts[query.status] if query.status else sum(counts.values())
            # The first page at once: the view paints it right after the reset.
            if self._total:
                self._page(0)
        finally:
            self.endResetModel()
        self.query_changed.emit()

    def refresh(self) -> None:
        """Read everything again (after a record changed); keeps the query."""
        self.forget_counts()
        self.set_query(self._query)

    def forget_counts(self) -> None:
        """The next query reads the counts again (records may have changed)."""
        self._counts_fresh = False

    def record(self, row: int) -> RecordRow | None:
        if not 0 <= row < self._total:
            return None
        page = self._page(row // PAGE_SIZE)
        offset = row % PAGE_SIZE
        return page[offset] if offset < len(page) else None

    def row_of(self, record_id: int) -> int | None:
        """The row of a record among the pages read so far, or None."""
        for number, page in self._pages.items():
            for offset, item in enumerate(page):
                if item.id == record_id:
                    return number * PAGE_SIZE + offset
        return None

    def _page(self, number: int) -> list[RecordRow]:
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        if number in self._failed_pages:
            return []
        try:
            page = records.search(
                self._ctx, self._query, number * PAGE_SIZE, PAGE_SIZE, actor=self._actor
            )
        except Exception as exc:  # painting must go on; the dashboard shows the problem
            if not isinstance(exc, UserError):
                log.exception("reading page %d of the record list failed", number)
            self._failed_pages.add(number)
            QTimer.singleShot(0, lambda error=exc: self.load_failed.emit(error))
            return []
        self._pages[number] = page
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)
        return page

    # -- QAbstractTableModel --------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(  # noqa: N802 - Qt's name
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section]
            if role == Qt.ItemDataRole.ToolTipRole and section in SORTS:
                return "Klik untuk mengurutkan menurut kolom ini"
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return format_count(section + 1)
        return None

    def data(
        self,
        index: QModelIndex | QPersistentModelIndex,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> object:
        # The view asks for a dozen roles per cell while painting; answer the unused ones
        # before looking the record up.
        if role not in _ROLES or not index.isValid():
            return None
        item = self.record(index.row())
        if item is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(item, column)
        if role == RECORD_ROLE:
            return item
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(item, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == COL_STATUS:
                return QColor(theme.STATUS_COLOURS[item.status])
            if column == COL_ELIGIBLE and item.eligible is False:
                return QColor(theme.ERROR)
            if column == COL_ELIGIBLE and item.eligible:
                return QColor(theme.OK)
            if column in (COL_NIK, COL_NAMA) and item.nik_conflict:
                return QColor(theme.ERROR)
            if column in (COL_NIK, COL_NAMA) and not (item.nik or item.nama):
                return QColor(theme.MUTED)
            return None
        if role == Qt.ItemDataRole.FontRole and column == COL_STATUS:
            return self._bold
        if role == Qt.ItemDataRole.TextAlignmentRole and column == COL_STEP:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def _display(self, item: RecordRow, column: int) -> str:
        if column == COL_NIK:
            return item.nik or item.conflict_nik or "(belum diisi)"
        if column == COL_NAMA:
            name = item.nama or "(belum diisi)"
            return f"{name}  · {CONFLICT_MARK}" if item.nik_conflict else name
        if column == COL_UNIT:
            return item.unit_kerja or EMPTY
        if column == COL_STATUS:
            return item.status.label
        if column == COL_STEP:
            return f"{item.current_step}/{self._steps}"
        if column == COL_ELIGIBLE:
            if item.eligible is None:
                return EMPTY
            if item.eligible:
                return "MS"
            failed = (item.failed_criteria or "").replace(",", ", ")
            return f"TMS ({failed})" if failed else "TMS"
        if column == COL_ACCOUNT:
            return item.account_number or EMPTY
        if column == COL_UPDATED:
            return format_timestamp(item.updated_at, self._zone)
        return ""

    def _tooltip(self, item: RecordRow, column: int) -> str | None:
        if column == COL_ELIGIBLE:
            if item.eligible is None:
                return "Kelayakan belum dinilai (data riwayat pekerjaan belum lengkap)."
            if item.eligible:
                return "Memenuhi syarat (MS): kelima kriteria terpenuhi."
            codes = [code for code in (item.failed_criteria or "").split(",") if code]
            lines = [f"{code}: {self._criteria.get(code, code)}" for code in codes]
            return "Tidak memenuhi syarat (TMS):\n" + "\n".join(lines)
        if column == COL_STEP:
            return f"Langkah {item.current_step} dari {self._steps}"
        if column in (COL_NIK, COL_NAMA) and item.nik_conflict:
            return CONFLICT_TIP
        if column in (COL_NIK, COL_NAMA) and not (item.nik or item.nama):
            return "Isian identitas pada draf ini belum lengkap atau belum sah."
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if column not in SORTS:
            return
        ascending, descending = SORTS[column]
        chosen = ascending if order == Qt.SortOrder.AscendingOrder else descending
        if chosen is self._query.order:
            return
        try:
            self.set_query(dataclasses.replace(self._query, order=chosen))
        except UserError as exc:
            self.load_failed.emit(exc)
