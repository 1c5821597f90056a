"""Roster import, the roster template and the recap export, for the main window's menu.

``open_roster_import`` asks for a file, then shows a dialog with a progress bar and "Batal"
while the import runs on a worker thread; at the end the dialog shows what happened (new,
updated, unchanged, refused), the first refused rows with their sheet row numbers and reasons,
and "Simpan laporan…" for the full report workbook. ``export_recap`` does the same for the
recap. ``save_roster_template`` writes the template. Everything goes through services.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nonasn_desktop.accounts.users import UserInfo
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.core.progress import OperationCancelledError, ProgressStep
from nonasn_desktop.errors import UserError
from nonasn_desktop.gui import file_dialogs, theme
from nonasn_desktop.gui.messages import show_bug, show_user_error
from nonasn_desktop.gui.responsive import frame_size
from nonasn_desktop.gui.workers import Task, run_in_background
from nonasn_desktop.reports.recap import RecapCancelledError, RecapResult, write_recap
from nonasn_desktop.roster.importing import PHASE_SAVING, import_roster
from nonasn_desktop.roster.report import ImportReport, write_report
from nonasn_desktop.roster.template import write_template

SPREADSHEET_FILTER = "Lembar kerja (*.xlsx *.xlsm *.xls *.ods *.csv *.XLSX *.XLS *.CSV)"
XLSX_FILTER = "Buku kerja Excel (*.xlsx)"
# Refused rows shown in the dialog; the saved report lists every one.
SHOWN_PROBLEMS = 200


def choose_open_path(parent: QWidget | None) -> Path | None:
    """Ask for the roster file to import; None when the clerk cancels."""
    return file_dialogs.open_file(
        parent,
        file_dialogs.Kind.ROSTER,
        "Pilih berkas daftar tenaga non-ASN",
        f"{SPREADSHEET_FILTER};;{file_dialogs.ALL_FILES}",
    )


def choose_save_path(parent: QWidget | None, title: str, suggested: str) -> Path | None:
    """Ask where to save an xlsx; None when the clerk cancels."""
    path = file_dialogs.save_file(parent, file_dialogs.Kind.REPORT, title, suggested, XLSX_FILTER)
    if path is None:
        return None
    return path if path.suffix.lower() == ".xlsx" else path.with_name(path.name + ".xlsx")


def inform(parent: QWidget | None, title: str, text: str) -> None:
    box = QMessageBox(
        QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok, parent
    )
    box.setObjectName("info_box")
    box.exec()


class _TaskDialog(QDialog):
    """A titled dialog running one background job: progress bar, status line, "Batal";
    when the job ends the body is replaced by its outcome and the button says "Tutup"."""

    done_with = Signal(object)  # the job's result, or None when it failed or was cancelled

    def __init__(self, title: str, subtitle: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(theme.header_banner(title, subtitle, icon_size=32))
        self.body = QVBoxLayout()
        self.body.setContentsMargins(22, 18, 22, 8)
        self.body.setSpacing(10)
        layout.addLayout(self.body, 1)
        self.status = QLabel("Menyiapkan…")
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setObjectName("progress")
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(True)
        self.body.addWidget(self.status)
        self.body.addWidget(self.progress)
        self.error = theme.error_label()
        self.body.addWidget(self.error)
        self.buttons = QHBoxLayout()
        self.buttons.setContentsMargins(22, 8, 22, 18)
        self.buttons.addStretch(1)
        self.cancel_button = QPushButton("Batal")
        self.cancel_button.setObjectName("cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.buttons.addWidget(self.cancel_button)
        self.close_button = theme.primary_button("Tutup")
        self.close_button.setObjectName("close")
        self.close_button.setVisible(False)
        self.close_button.clicked.connect(self.accept)
        self.buttons.addWidget(self.close_button)
        layout.addLayout(self.buttons)
        self.task: Task | None = None
        self.result_value: Any = None

    # -- running --

    def start(self, work: Callable[[Task], Any]) -> None:
        self.task = run_in_background(
            work,
            on_success=self._succeeded,
            on_failure=self._failed,
            on_crash=self._crashed,
            on_progress=self._progressed,
            on_finished=self._finished,
        )

    def describe_progress(self, done: int, total: int) -> str:  # pragma: no cover - overridden
        return f"{done} dari {total}"

    def _progressed(self, done: int, total: int) -> None:
        if total <= 0:
            return
        self.progress.setRange(0, total)
        self.progress.setValue(min(done, total))
        self.status.setText(self.describe_progress(done, total))

    def cancel(self) -> None:
        if self.task is None:
            self.reject()
            return
        self.task.cancel()
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText("Membatalkan…")

    def reject(self) -> None:
        # Escape or the window's close button while the job runs means "Batal"; the dialog
        # closes itself once the job has stopped.
        if self.task is not None:
            self.cancel()
            return
        super().reject()

    def _finished(self) -> None:
        self.task = None
        self.cancel_button.setVisible(False)
        self.close_button.setVisible(True)
        self.close_button.setFocus()
        self.done_with.emit(self.result_value)

    def _succeeded(self, result: Any) -> None:
        self.result_value = result
        self.progress.setVisible(False)
        self.show_result(result)

    def show_result(self, result: Any) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _failed(self, exc: UserError) -> None:
        self.progress.setVisible(False)
        cancelled = isinstance(exc, (OperationCancelledError, RecapCancelledError))
        self.status.setText("Dibatalkan." if cancelled else "Tidak dapat diselesaikan.")
        theme.show_error_text(self.error, str(exc))

    def _crashed(self, exc: BaseException) -> None:
        self.progress.setVisible(False)
        self.status.setText("Terjadi kesalahan tak terduga; data yang tersimpan tidak berubah.")
        show_bug(self, exc)


class RosterImportDialog(_TaskDialog):
    """Import one roster file and show its outcome."""

    # The import's ProgressStep, emitted on the worker thread and shown on the GUI thread.
    step_reported = Signal(object)

    def __init__(self, ctx: AppContext, user: UserInfo, path: Path, parent: QWidget | None):
        super().__init__("Impor Daftar Admin Instansi", f"Berkas: {path.name}", parent)
        self.setObjectName("roster_import_dialog")
        self._ctx = ctx
        self._user = user
        self._path = path
        self.report: ImportReport | None = None
        self.save_button = QPushButton("Simpan laporan…")
        self.save_button.setObjectName("save_report")
        self.save_button.setVisible(False)
        self.save_button.clicked.connect(self.save_report)
        self.buttons.insertWidget(1, self.save_button)
        self.step_reported.connect(self._stepped)

    def run(self) -> None:
        ctx, user, path = self._ctx, self._user, self._path
        report = self.step_reported.emit

        def work(task: Task) -> ImportReport:
            return import_roster(
                ctx,
                path,
                actor=user.actor,
                progress=report,
                cancelled=lambda: task.cancelled,
            )

        self.status.setText("Membaca berkas…")
        self.start(work)

    def _stepped(self, step: ProgressStep) -> None:
        if self.task is None or step.total <= 0:
            return
        self.progress.setRange(0, step.total)
        self.progress.setValue(min(step.done, step.total))
        self.status.setText(self.describe_step(step))

    @staticmethod
    def describe_step(step: ProgressStep) -> str:
        if step.phase == PHASE_SAVING:
            return "Semua baris sudah diperiksa; menyimpan ke daftar…"
        return f"{step.phase} baris {step.done:,} dari {step.total:,}…".replace(",", ".")

    def show_result(self, result: Any) -> None:
        report: ImportReport = result
        self.report = report
        if report.refused:
            self.status.setText(
                f"Impor selesai. {report.refused_count} baris ditolak dan tidak diimpor; "
                "baris lainnya sudah masuk daftar. Perbaiki baris yang ditolak di berkasnya "
                "lalu impor lagi."
            )
        else:
            self.status.setText("Impor selesai. Semua baris diimpor.")
        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(4)
        counts = [
            ("Baru ditambahkan", report.added, "count_added"),
            ("Diperbarui", report.updated, "count_updated"),
            ("Tidak berubah", report.unchanged, "count_unchanged"),
            ("Ditolak", report.refused_count, "count_refused"),
            ("Baris ganda (dicatat sekali)", len(report.duplicates), "count_duplicates"),
            ("Baris kosong/keterangan dilewati", report.skipped_rows, "count_skipped"),
        ]
        for index, (label, value, name) in enumerate(counts):
            number = QLabel(f"{value:,}".replace(",", "."))
            number.setObjectName(name)
            number.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            font = number.font()
            font.setBold(True)
            number.setFont(font)
            grid.addWidget(QLabel(label), index % 3, (index // 3) * 2)
            grid.addWidget(number, index % 3, (index // 3) * 2 + 1)
        self.body.insertLayout(1, grid)
        if report.refused:
            self.body.addWidget(self._refused_table(report))
        if report.notes:
            notes = theme.hint_label("\n".join(f"• {note}" for note in report.notes))
            notes.setObjectName("notes")
            notes.setTextFormat(Qt.TextFormat.PlainText)
            self.body.addWidget(notes)
        self.save_button.setVisible(True)
        self._fit()
        # New widgets report their final size only once polished: fit again after that.
        QTimer.singleShot(0, self, self._fit)

    def _fit(self) -> None:
        """Grow to show the outcome, within 1100×680 and within the screen (a 1366×768
        laptop at 150 % offers 911×512)."""
        layout = self.layout()
        if layout is not None:
            layout.activate()
        hint = self.sizeHint()
        size = QSize(min(max(self.width(), hint.width()), 1100), min(hint.height(), 680))
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is not None:
            size = size.boundedTo(screen.availableGeometry().size() - frame_size(self))
        self.resize(size.expandedTo(self.minimumSizeHint()))
        table = self.findChild(QTableWidget, "refused_table")
        if table is not None:
            # Wrap the reasons in the width the problem column finally has.
            table.resizeRowsToContents()

    def _refused_table(self, report: ImportReport) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(4)
        title = QLabel("Baris yang ditolak")
        title.setObjectName("section_title")
        layout.addWidget(title)
        problems = [(row, problem) for row in report.refused for problem in row.problems]
        shown = problems[:SHOWN_PROBLEMS]
        several_sheets = len(report.sheets) > 1
        headers = ["Baris", "Sel", "NIK", "Nama", "Masalah"]
        if several_sheets:
            headers.insert(0, "Lembar")
        table = QTableWidget(len(shown), len(headers))
        table.setObjectName("refused_table")
        table.setHorizontalHeaderLabels(headers)
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setAlternatingRowColors(True)
        table.setWordWrap(True)
        for line, (row, problem) in enumerate(shown):
            cells = [str(row.row), problem.cell, row.nik, row.nama, problem.message]
            if several_sheets:
                cells.insert(0, row.sheet)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(problem.message)
                item.setTextAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
                table.setItem(line, column, item)
        header = table.horizontalHeader()
        for column in range(len(headers) - 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(headers) - 1, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(48)
        table.resizeColumnsToContents()
        table.resizeRowsToContents()
        # Room for a few rows (the table scrolls) in a dialog that fits 911×512.
        table.setMinimumHeight(150)
        table.setMinimumWidth(800)
        layout.addWidget(table)
        if len(problems) > len(shown):
            more = theme.hint_label(
                f"Ditampilkan {len(shown)} dari {len(problems)} masalah; simpan laporan untuk "
                "melihat semuanya."
            )
            layout.addWidget(more)
        return box

    def save_report(self) -> None:
        if self.report is None:
            return
        path = choose_save_path(
            self, "Simpan laporan impor", f"laporan-impor-{self._path.stem}.xlsx"
        )
        if path is None:
            return
        try:
            write_report(self.report, path)
        except UserError as exc:
            show_user_error(self, exc, title="Laporan tidak dapat disimpan")
            return
        self.save_button.setText("Laporan disimpan")
        self.save_button.setToolTip(str(path))


class RecapExportDialog(_TaskDialog):
    """Write the recap workbook and say where it went."""

    def __init__(self, ctx: AppContext, user: UserInfo, path: Path, parent: QWidget | None):
        super().__init__("Ekspor Rekap Excel", f"Berkas: {path.name}", parent)
        self.setObjectName("recap_dialog")
        self._ctx = ctx
        self._user = user
        self._path = path

    def run(self) -> None:
        ctx, user, path = self._ctx, self._user, self._path

        def work(task: Task) -> RecapResult:
            return write_recap(
                ctx,
                path,
                actor=user.actor,
                progress=lambda step: task.report(step.done, step.total),
                cancelled=lambda: task.cancelled,
            )

        self.status.setText("Menyiapkan rekap…")
        self.start(work)

    def describe_progress(self, done: int, total: int) -> str:
        return f"Menulis data {done:,} dari {total:,}…".replace(",", ".")

    def show_result(self, result: Any) -> None:
        recap: RecapResult = result
        rows = f"{recap.rows:,}".replace(",", ".")
        self.status.setText(
            f"Rekap selesai: {rows} data pendaftaran dari {recap.units} unit kerja."
        )
        where = theme.hint_label(f"Disimpan di {recap.path}")
        where.setObjectName("recap_path")
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.addWidget(where)


def open_roster_import(
    parent: QWidget | None, ctx: AppContext, user: UserInfo
) -> RosterImportDialog | None:
    """Ask for a roster file and import it in the background; None when no file was chosen."""
    path = choose_open_path(parent)
    if path is None:
        return None
    dialog = RosterImportDialog(ctx, user, path, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.run()
    dialog.open()
    return dialog


def save_roster_template(parent: QWidget | None, ctx: AppContext) -> Path | None:
    """Ask where to save the roster template and write it; the path, or None."""
    path = choose_save_path(parent, "Simpan templat daftar", "templat-daftar-non-asn.xlsx")
    if path is None:
        return None
    try:
        write_template(path, ctx.policy)
    except UserError as exc:
        show_user_error(parent, exc, title="Templat tidak dapat disimpan")
        return None
    inform(
        parent,
        "Templat disimpan",
        f"Templat daftar tenaga non-ASN disimpan di {path}.\n\nBagikan kepada unit kerja; "
        "lembar 'Petunjuk' menjelaskan cara mengisinya.",
    )
    return path


def export_recap(
    parent: QWidget | None, ctx: AppContext, user: UserInfo
) -> RecapExportDialog | None:
    """Ask where to save the recap and write it in the background; None when cancelled."""
    path = choose_save_path(parent, "Simpan rekap", "rekap-pendataan-non-asn.xlsx")
    if path is None:
        return None
    dialog = RecapExportDialog(ctx, user, path, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.run()
    dialog.open()
    return dialog
