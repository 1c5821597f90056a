"""The record list: search as you type, filters, counts per status, and the table.

The table is a :class:`RecordTableModel` that reads pages from ``registration.records``; changing
a filter reads the counts and the first page only, so it stays quick with 100,000 records.
"""

from __future__ import annotations

import dataclasses
import logging

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont, QFontMetrics, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from nonasn_desktop.accounts.authz import Actor
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import UserError
from nonasn_desktop.registration import records
from nonasn_desktop.registration.records import RecordOrder, RecordQuery, RecordRow
from nonasn_desktop.rules.status import RecordStatus

from . import messages
from .record_model import (
    COL_ACCOUNT,
    COL_ELIGIBLE,
    COL_NAMA,
    COL_NIK,
    COL_STATUS,
    COL_STEP,
    COL_UNIT,
    COL_UPDATED,
    SORTS,
    RecordTableModel,
    format_count,
)
from .responsive import BreakingRow, FlowLayout

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 150
ROW_HEIGHT = 28
# Room beside a cell's widest text, so that it never touches the next column.
CELL_AIR = 12
ALL_UNITS = "Semua unit kerja"
ELIGIBILITY_CHOICES = (
    ("Semua kelayakan", None),
    ("MS — memenuhi syarat", "MS"),
    ("TMS — tidak memenuhi syarat", "TMS"),
)
NO_RECORDS = "Belum ada data pendataan."
NO_MATCH = "Tidak ada data yang cocok dengan pencarian atau filter ini."


class Dashboard(QWidget):
    """Search box, filters, status chips and the record table.

    ``activated`` carries the record chosen with double-click or Enter; ``current_changed``
    the selected record (or None). Context-menu actions come from the main window, which
    knows the user's role.
    """

    activated = Signal(object)
    current_changed = Signal(object)

    def __init__(self, ctx: AppContext, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._actor = actor
        self._context_actions: list[QAction | None] = []
        self._empty_hint = ""
        self.model = RecordTableModel(ctx, actor, self)
        self.model.load_failed.connect(self._show_load_problem)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filters)
        self._build()

    # -- building -----------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 10)
        layout.setSpacing(10)

        layout.addLayout(self._build_title())
        self.filters = self._build_filters()
        layout.addWidget(self.filters)
        layout.addWidget(self._build_chips())
        self._build_table()
        self._build_stack()
        layout.addWidget(self.stack, 1)

        find = QAction(self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(self.focus_search)
        self.addAction(find)

    def _build_title(self) -> QHBoxLayout:
        """The page's title and, on the right, how many records the list shows."""
        title_row = QHBoxLayout()
        title = QLabel("Daftar Pendataan Tenaga Non-ASN")
        title.setObjectName("page_title")
        self.summary = QLabel()
        self.summary.setObjectName("muted")
        self.summary.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        title_row.addWidget(title)
        title_row.addStretch(1)
        title_row.addWidget(self.summary)
        return title_row

    def _build_filters(self) -> BreakingRow:
        """The search box, the unit and eligibility lists and the button that clears them."""
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText("Cari NIK, nama, atau nomor akun…")
        self.search.setClearButtonEnabled(True)
        self.search.setMaxLength(records.MAX_TEXT)
        self.search.setToolTip(
            "Ketik awal NIK (spasi dan titik boleh), awal nama atau salah satu kata nama, "
            "atau nomor akun. Tekan Enter untuk pindah ke daftar."
        )
        self.search.setAccessibleName("Cari pendataan")
        self.search.textChanged.connect(self._search_timer.start)
        self.search.returnPressed.connect(self._search_now)
        self.search.setMinimumWidth(280)
        self.unit = QComboBox()
        self.unit.setObjectName("unit_filter")
        self.unit.setMinimumWidth(220)
        self.unit.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.unit.setMinimumContentsLength(22)
        self.unit.setAccessibleName("Saring menurut unit kerja")
        self.unit.setToolTip("Tampilkan hanya data dari satu unit kerja.")
        self.unit.addItem(ALL_UNITS, None)
        self.unit.activated.connect(self.apply_filters)
        self.eligibility = QComboBox()
        self.eligibility.setObjectName("eligibility_filter")
        self.eligibility.setAccessibleName("Saring menurut kelayakan")
        self.eligibility.setToolTip("Tampilkan hanya data MS, TMS atau yang belum dinilai.")
        for label, value in ELIGIBILITY_CHOICES:
            self.eligibility.addItem(label, value)
        self.eligibility.activated.connect(self.apply_filters)
        self.clear_button = QPushButton("Hapus Filter")
        self.clear_button.setObjectName("clear_filters")
        self.clear_button.setAccessibleName("Hapus filter")
        self.clear_button.setToolTip("Kosongkan pencarian dan semua saringan.")
        self.clear_button.clicked.connect(self.clear_filters)
        search_label = QLabel("&Cari:")
        search_label.setBuddy(self.search)
        unit_label = QLabel("&Unit kerja:")
        unit_label.setBuddy(self.unit)
        eligibility_label = QLabel("&Kelayakan:")
        eligibility_label.setBuddy(self.eligibility)
        # One row on a wide screen; on a narrow one (150 % scaling) the search above,
        # the two lists and the button below.
        filters = BreakingRow(
            [
                (search_label, 0),
                (self.search, 3),
                8,
                (unit_label, 0),
                (self.unit, 2),
                8,
                (eligibility_label, 0),
                (self.eligibility, 1),
                (self.clear_button, 0),
            ],
            lines=[2, 7],
        )
        filters.setObjectName("filters")
        return filters

    def _build_chips(self) -> QWidget:
        """One checkable chip per record status, and one for all."""
        # The chips wrap onto a second line when the window is narrow.
        chip_row = QWidget()
        chip_row.setObjectName("status_chips")
        chips = FlowLayout(chip_row, spacing=6)
        self.status_buttons = QButtonGroup(self)
        self.status_buttons.setExclusive(True)
        self.chips: dict[RecordStatus | None, QPushButton] = {}
        for status in (None, *RecordStatus):
            chip = QPushButton()
            chip.setProperty("chip", True)
            chip.setCheckable(True)
            chip.setCursor(Qt.CursorShape.PointingHandCursor)
            chip.setObjectName(f"chip_{status.value if status else 'semua'}")
            tip = f"Tampilkan hanya data berstatus {status.label}" if status else "Tampilkan semua"
            chip.setToolTip(tip)
            self.status_buttons.addButton(chip)
            chip.clicked.connect(self.apply_filters)
            self.chips[status] = chip
            chips.addWidget(chip)
        self.chips[None].setChecked(True)
        return chip_row

    def _build_table(self) -> None:
        """The record table: one row per record, sorted by a header click."""
        self.view = QTableView()
        self.view.setObjectName("record_table")
        self.view.setAccessibleName("Daftar pendataan")
        self.view.setAccessibleDescription(
            "Satu baris per pendataan. Enter atau klik dua kali membuka data terpilih."
        )
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.setShowGrid(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.activated.connect(self._activated)
        rows = self.view.verticalHeader()
        rows.setVisible(False)
        # Fixed heights: the view never measures 100,000 rows.
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(ROW_HEIGHT)
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(COL_UPDATED, Qt.SortOrder.DescendingOrder)
        header.sectionClicked.connect(self._header_clicked)
        header.setStretchLastSection(False)
        self._size_columns()
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)

    def _build_stack(self) -> None:
        """The table, or in its place a sentence when no record matches."""
        self.empty = QLabel()
        self.empty.setObjectName("empty_state")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty)
        self.stack.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    # -- public ---------------------------------------------------------------------------

    def set_context_actions(self, actions: list[QAction | None]) -> None:
        """Actions of the table's context menu (None: a separator), already role-filtered."""
        self._context_actions = list(actions)

    def set_empty_hint(self, text: str) -> None:
        """What to do when there are no records yet (depends on the user's role)."""
        self._empty_hint = text

    def current_query(self) -> RecordQuery:
        status = next((s for s, chip in self.chips.items() if chip.isChecked()), None)
        return RecordQuery(
            text=self.search.text(),
            status=status,
            unit_kerja=self.unit.currentData(),
            eligibility=self.eligibility.currentData(),
            order=self.model.query.order,
        )

    def current_record(self) -> RecordRow | None:
        index = self.view.currentIndex()
        if not index.isValid() or not self.view.selectionModel().isRowSelected(index.row()):
            return None
        return self.model.record(index.row())

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def apply_filters(self) -> None:
        """Show the records of the filters as they are now (keeps the selection if it can)."""
        self._search_timer.stop()
        self._load(self.current_query())

    def refresh(self) -> None:
        """Read the list again (a record changed): units, counts and rows."""
        self._reload_units()
        self.model.forget_counts()
        self.apply_filters()

    def clear_filters(self) -> None:
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.unit.setCurrentIndex(0)
        self.eligibility.setCurrentIndex(0)
        self.chips[None].setChecked(True)
        self.apply_filters()

    def select_record(self, record_id: int) -> bool:
        """Select a record if it is among the rows read; True when it was found."""
        row = self.model.row_of(record_id)
        if row is None:
            return False
        index = self.model.index(row, COL_NAMA)
        self.view.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.view.scrollTo(index)
        return True

    # -- internals ------------------------------------------------------------------------

    def _size_columns(self) -> None:
        """Every column as wide as its widest expected text in the font it is drawn in (the
        status in bold) and its bold header with the sort arrow, which any header may get.

        Nama takes what is left. On a narrow screen (150 % scaling) that may be too little;
        then :meth:`_fit_name_column` gives Nama the width of the names shown and the table
        scrolls sideways rather than cutting them.
        """
        header = self.view.horizontalHeader()
        plain = self.view.font()
        bold = QFont(plain)
        bold.setBold(True)
        margin = 2 * (self.view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 1)
        statuses = max(QFontMetrics(bold).horizontalAdvance(s.label) for s in RecordStatus)
        samples = {
            COL_NIK: "0000000000000000",
            COL_UNIT: "Satuan Polisi Pamong Praja",
            COL_STEP: "24/24",
            COL_ELIGIBLE: "TMS (E4, E5)",
            COL_ACCOUNT: "3273-2026-000000",
            COL_UPDATED: "00-00-0000 00:00",
        }
        needs = {col: QFontMetrics(plain).horizontalAdvance(t) for col, t in samples.items()}
        needs[COL_STATUS] = statuses
        for column, text_width in needs.items():
            heading = header.sectionSizeFromContents(column).width()
            width = max(text_width + margin + CELL_AIR, heading)
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        header.setSectionResizeMode(COL_NAMA, QHeaderView.ResizeMode.Stretch)

    def _fit_name_column(self) -> None:
        """Nama stretches when the others leave it room for the names shown, else it gets
        exactly that room and the table scrolls sideways."""
        header = self.view.horizontalHeader()
        others = sum(
            header.sectionSize(column)
            for column in range(self.model.columnCount())
            if column != COL_NAMA and not header.isSectionHidden(column)
        )
        # Measure as many rows as the screen shows: by default Qt measures 1,000 (five pages
        # read from the database on every filter change), and with 0 ("the visible ones") it
        # measures every row while the view is hidden (100,000 rows read on opening).
        header.setResizeContentsPrecision(self.view.viewport().height() // ROW_HEIGHT + 1)
        want = max(
            self.view.sizeHintForColumn(COL_NAMA) + CELL_AIR,
            header.sectionSizeFromContents(COL_NAMA).width(),
        )
        stretch = self.view.viewport().width() - others >= want
        mode = QHeaderView.ResizeMode.Stretch if stretch else QHeaderView.ResizeMode.Interactive
        if header.sectionResizeMode(COL_NAMA) != mode:
            header.setSectionResizeMode(COL_NAMA, mode)
        if not stretch and header.sectionSize(COL_NAMA) != want:
            header.resizeSection(COL_NAMA, want)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        QTimer.singleShot(0, self, self._fit_name_column)  # not after the board is gone

    def _load(self, query: RecordQuery) -> None:
        selected = self.current_record()
        try:
            self.model.set_query(query)
        except UserError as exc:
            messages.show_user_error(self, exc, title="Daftar tidak dapat dibaca")
        self._update_counts()
        if selected is None or not self.select_record(selected.id):
            self.current_changed.emit(None)
        self._fit_name_column()

    def _reload_units(self) -> None:
        try:
            names = records.unit_names(self._ctx, actor=self._actor)
        except UserError as exc:
            messages.show_user_error(self, exc, title="Daftar tidak dapat dibaca")
            return
        chosen = self.unit.currentData()
        self.unit.blockSignals(True)
        self.unit.clear()
        self.unit.setAccessibleName("Saring menurut unit kerja")
        self.unit.setToolTip("Tampilkan hanya data dari satu unit kerja.")
        self.unit.addItem(ALL_UNITS, None)
        for name in names:
            self.unit.addItem(name, name)
        if chosen is not None:
            if chosen not in names:
                # Still filtered on it: keep it listed so the filter stays visible.
                self.unit.addItem(chosen, chosen)
            self.unit.setCurrentIndex(self.unit.findData(chosen))
        self.unit.blockSignals(False)

    def _update_counts(self) -> None:
        counts = self.model.status_counts
        everyone = format_count(sum(counts.values()))
        self.chips[None].setText(f"Semua  {everyone}")
        self.chips[None].setAccessibleName(f"Semua status: {everyone} data")
        for status in RecordStatus:
            count = format_count(counts[status])
            self.chips[status].setText(f"{status.label}  {count}")
            self.chips[status].setAccessibleName(f"Status {status.label}: {count} data")
        total = self.model.total
        query = self.model.query
        filtered = bool(query.text.strip() or query.status or query.unit_kerja or query.eligibility)
        self.summary.setText(
            f"{format_count(total)} data ditampilkan" if filtered else f"{format_count(total)} data"
        )
        self.clear_button.setEnabled(filtered)
        if total:
            self.stack.setCurrentWidget(self.view)
        else:
            text = NO_MATCH if filtered else NO_RECORDS
            if not filtered and self._empty_hint:
                text += "\n" + self._empty_hint
            self.empty.setText(text)
            self.stack.setCurrentWidget(self.empty)

    def _search_now(self) -> None:
        self.apply_filters()
        if self.model.total:
            self.view.setFocus(Qt.FocusReason.OtherFocusReason)
            if self.current_record() is None:
                self.view.selectRow(0)

    def _header_clicked(self, column: int) -> None:
        order = self.model.query.order
        if column not in SORTS:
            self._show_sort_indicator(order)
            return
        ascending, descending = SORTS[column]
        if order is ascending:
            chosen = descending
        elif order is descending:
            chosen = ascending
        else:
            chosen = descending if column == COL_UPDATED else ascending
        self._load(dataclasses.replace(self.current_query(), order=chosen))
        self._show_sort_indicator(self.model.query.order)

    def _show_sort_indicator(self, order: RecordOrder) -> None:
        for column, (ascending, descending) in SORTS.items():
            if order in (ascending, descending):
                self.view.horizontalHeader().setSortIndicator(
                    column,
                    Qt.SortOrder.AscendingOrder
                    if order is ascending
                    else Qt.SortOrder.DescendingOrder,
                )
                return

    def _activated(self, index: QModelIndex) -> None:
        item = self.model.record(index.row())
        if item is not None:
            self.activated.emit(item)

    def _selection_changed(self, *_args: object) -> None:
        self.current_changed.emit(self.current_record())

    def _context_menu(self, position: QPoint) -> None:
        index = self.view.indexAt(position)
        if not index.isValid() or not self._context_actions:
            return
        self.view.selectRow(index.row())
        menu = QMenu(self)
        for action in self._context_actions:
            if action is None:
                menu.addSeparator()
            else:
                menu.addAction(action)
        menu.popup(self.view.viewport().mapToGlobal(position))

    def _show_load_problem(self, exc: BaseException) -> None:
        messages.show_error(self, exc)
