"""Print preview of a PDF made by the application: look, zoom, print, or save the file.

Pages are rendered with PDFium (``printing.pages``) on worker threads, only those in view (and
their neighbours), so a print run of 1,000 cards opens at once. Printing paints each page as a
picture at up to 300 dpi onto the QPrinter (``gui.print_paint``), also on a worker thread, with a
progress dialog.

Tests replace the printer (a QPrinter writing a PDF file works offscreen) and the two
questions the dialog asks: :meth:`PrintPreviewDialog.choose_printer` and
:meth:`PrintPreviewDialog.choose_save_path`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QImage,
    QKeySequence,
    QPixmap,
    QResizeEvent,
    QShortcut,
    QShowEvent,
)
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressDialog,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from nonasn_desktop.atomicfile import write_bytes_atomically
from nonasn_desktop.errors import UserError
from nonasn_desktop.gui import file_dialogs
from nonasn_desktop.gui.images import pil_to_qimage
from nonasn_desktop.gui.messages import show_bug, show_error, show_user_error
from nonasn_desktop.gui.print_paint import page_layout, paint_pages
from nonasn_desktop.gui.workers import Task, run_in_background
from nonasn_desktop.printing.pages import PdfPages

# Screen "real size": 96 logical pixels per inch.
SCREEN_DPI = 96
POINTS_PER_INCH = 72
ZOOM_STEPS = (0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0, 3.0, 4.0)
MAX_FIT_ZOOM = 2.5
PAGE_GAP = 16
# Pages kept rendered around the ones in view; the rest are dropped to save memory.
KEEP_AROUND = 6


class _PageView(QLabel):
    """One page: white paper with a thin edge, its picture once rendered."""

    def __init__(self, index: int, parent: QWidget) -> None:
        super().__init__(parent)
        self.index = index
        self.rendered_zoom: float | None = None
        self.setObjectName(f"page_{index + 1}")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet(
            "QLabel { background: #FFFFFF; border: 1px solid #B9C2CE; color: #8A96A6; }"
        )
        self.show_placeholder()

    def show_placeholder(self) -> None:
        self.clear()
        self.rendered_zoom = None
        self.setText(f"Memuat halaman {self.index + 1}…")


class PrintPreviewDialog(QDialog):
    """A PDF shown page by page, with "Cetak…", "Simpan PDF…" and "Tutup"."""

    page_rendered = Signal(int)
    printed = Signal(int)
    saved = Signal(str)

    def __init__(
        self,
        pdf: bytes,
        *,
        title: str,
        suggested_name: str,
        parent: QWidget | None = None,
        printer: QPrinter | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("print_preview")
        self.setWindowTitle(title)
        self.setModal(True)
        self._pdf = pdf
        self._title = title
        self._suggested_name = suggested_name
        self._printer = printer
        self._document = PdfPages(pdf)
        self._sizes = [self._document.size(i) for i in range(self._document.count)]
        self._zoom = 1.0
        self._fit = True
        self._closed = False
        self._generation = 0
        self._pending: set[int] = set()
        self._tasks: set[Task] = set()
        self._print_task: Task | None = None
        self._progress: QProgressDialog | None = None

        self._build()
        self._lay_out_pages()
        self._relayout = QTimer(self, singleShot=True, interval=60)
        self._relayout.timeout.connect(self._on_resized)
        self._resize_to_screen()

    # -- building ----------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._build_bar())
        layout.addWidget(self._build_pages(), 1)
        layout.addWidget(self._build_buttons())
        self._connect()

    def _build_bar(self) -> QFrame:
        """The title, the page number and the zoom buttons above the pages."""
        bar = QFrame(self)
        bar.setObjectName("action_bar")
        bar_layout = QHBoxLayout(bar)
        bar_layout.setContentsMargins(12, 6, 12, 6)
        bar_layout.setSpacing(6)
        heading = QLabel(self._title, bar)
        heading.setObjectName("section_title")
        bar_layout.addWidget(heading)
        bar_layout.addStretch(1)
        self.page_label = QLabel(bar)
        self.page_label.setObjectName("muted")
        bar_layout.addWidget(self.page_label)
        bar_layout.addSpacing(12)
        self.zoom_out_button = self._tool_button("−", "zoom_out", "Perkecil (Ctrl+−)", bar)
        self.zoom_label = QLabel(bar)
        self.zoom_label.setObjectName("zoom_label")
        self.zoom_label.setMinimumWidth(48)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.zoom_in_button = self._tool_button("+", "zoom_in", "Perbesar (Ctrl++)", bar)
        self.fit_button = self._tool_button(
            "Muat Halaman", "zoom_fit", "Tampilkan satu halaman penuh", bar
        )
        self.fit_button.setCheckable(True)
        self.real_button = self._tool_button(
            "Ukuran Asli", "zoom_real", "Ukuran sebenarnya (100%)", bar
        )
        for widget in (
            self.zoom_out_button,
            self.zoom_label,
            self.zoom_in_button,
            self.fit_button,
            self.real_button,
        ):
            bar_layout.addWidget(widget)
        return bar

    def _build_pages(self) -> QScrollArea:
        """The pages, one under the other on a grey ground."""
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setObjectName("preview_scroll")
        self.scroll_area.setWidgetResizable(False)
        self.scroll_area.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setStyleSheet(
            "QScrollArea, QScrollArea > QWidget > QWidget { background: #5F6B7A; }"
        )
        self.canvas = QWidget()
        self.canvas.setObjectName("preview_pages")
        self.pages = [_PageView(i, self.canvas) for i in range(len(self._sizes))]
        self.scroll_area.setWidget(self.canvas)
        self.scroll_area.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        self.scroll_area.horizontalScrollBar().valueChanged.connect(self._on_scrolled)
        return self.scroll_area

    def _build_buttons(self) -> QFrame:
        """The status line and "Simpan PDF…", "Cetak…", "Tutup" below the pages."""
        buttons = QFrame(self)
        buttons.setObjectName("button_bar")
        button_layout = QHBoxLayout(buttons)
        button_layout.setContentsMargins(12, 8, 12, 10)
        self.status_label = QLabel(buttons)
        self.status_label.setObjectName("muted")
        button_layout.addWidget(self.status_label, 1)
        self.save_button = QPushButton("Simpan PDF…", buttons)
        self.save_button.setObjectName("button_simpan_pdf")
        self.print_button = QPushButton("Cetak…", buttons)
        self.print_button.setObjectName("button_cetak")
        self.print_button.setProperty("role", "primary")
        self.close_button = QPushButton("Tutup", buttons)
        self.close_button.setObjectName("button_tutup")
        for button in (self.save_button, self.print_button, self.close_button):
            button_layout.addWidget(button)
        self.print_button.setDefault(True)
        return buttons

    def _connect(self) -> None:
        """The buttons and the keyboard shortcuts."""
        self.zoom_in_button.clicked.connect(self.zoom_in)
        self.zoom_out_button.clicked.connect(self.zoom_out)
        self.fit_button.clicked.connect(self.fit_page)
        self.real_button.clicked.connect(lambda: self.set_zoom(1.0))
        self.print_button.clicked.connect(self.print_document)
        self.save_button.clicked.connect(self.save_pdf)
        self.close_button.clicked.connect(self.reject)
        for keys, slot in (
            (QKeySequence(QKeySequence.StandardKey.ZoomIn), self.zoom_in),
            (QKeySequence("Ctrl+="), self.zoom_in),
            (QKeySequence(QKeySequence.StandardKey.ZoomOut), self.zoom_out),
            (QKeySequence("Ctrl+0"), self.fit_page),
            (QKeySequence(QKeySequence.StandardKey.Print), self.print_document),
        ):
            QShortcut(keys, self).activated.connect(slot)

    def _tool_button(self, text: str, name: str, tip: str, parent: QWidget) -> QPushButton:
        button = QPushButton(text, parent)
        button.setObjectName(f"button_{name}")
        button.setToolTip(tip)
        button.setAutoDefault(False)
        button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        return button

    def _resize_to_screen(self) -> None:
        screen = (self.parentWidget() or self).screen().availableGeometry()
        width = min(980, int(screen.width() * 0.9))
        height = min(900, int(screen.height() * 0.9))
        self.resize(width, height)

    # -- zoom and layout ---------------------------------------------------------------------

    @property
    def page_count(self) -> int:
        return len(self._sizes)

    @property
    def zoom(self) -> float:
        return self._zoom

    def _page_pixels(self, index: int, zoom: float | None = None) -> tuple[int, int]:
        width, height = self._sizes[index]
        factor = (self._zoom if zoom is None else zoom) * SCREEN_DPI / POINTS_PER_INCH
        return max(1, round(width * factor)), max(1, round(height * factor))

    def _fit_zoom(self) -> float:
        if not self._sizes:
            return 1.0
        viewport = self.scroll_area.viewport().size()
        room_w = max(100, viewport.width() - 2 * PAGE_GAP)
        room_h = max(100, viewport.height() - 2 * PAGE_GAP)
        width, height = self._sizes[0]
        factor = SCREEN_DPI / POINTS_PER_INCH
        return min(MAX_FIT_ZOOM, room_w / (width * factor), room_h / (height * factor))

    def set_zoom(self, zoom: float, *, fit: bool = False) -> None:
        self._fit = fit
        self.fit_button.setChecked(fit)
        zoom = max(ZOOM_STEPS[0], min(ZOOM_STEPS[-1], zoom))
        if abs(zoom - self._zoom) < 1e-3 and self.pages and self.pages[0].width() > 1:
            return
        # Keep the page in view where it was.
        bar = self.scroll_area.verticalScrollBar()
        share = bar.value() / max(1, self.canvas.height())
        self._zoom = zoom
        self._lay_out_pages()
        bar.setValue(round(share * self.canvas.height()))
        self._request_visible()

    def zoom_in(self) -> None:
        bigger = [step for step in ZOOM_STEPS if step > self._zoom + 1e-3]
        self.set_zoom(bigger[0] if bigger else ZOOM_STEPS[-1])

    def zoom_out(self) -> None:
        smaller = [step for step in ZOOM_STEPS if step < self._zoom - 1e-3]
        self.set_zoom(smaller[-1] if smaller else ZOOM_STEPS[0])

    def fit_page(self) -> None:
        self.set_zoom(self._fit_zoom(), fit=True)

    def _lay_out_pages(self) -> None:
        self._generation += 1
        self._pending.clear()
        widest = max((self._page_pixels(i)[0] for i in range(self.page_count)), default=0)
        y = PAGE_GAP
        for page in self.pages:
            width, height = self._page_pixels(page.index)
            page.setGeometry((widest - width) // 2 + PAGE_GAP, y, width, height)
            if page.rendered_zoom != self._zoom:
                page.show_placeholder()
            y += height + PAGE_GAP
        self.canvas.resize(widest + 2 * PAGE_GAP, y)
        self.zoom_label.setText(f"{round(self._zoom * 100)}%")
        self.zoom_in_button.setEnabled(self._zoom < ZOOM_STEPS[-1] - 1e-3)
        self.zoom_out_button.setEnabled(self._zoom > ZOOM_STEPS[0] + 1e-3)
        self._update_page_label()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._fit:
            QTimer.singleShot(0, self.fit_page)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._relayout.start()

    def _on_resized(self) -> None:
        if self._closed:
            return
        if self._fit:
            self.fit_page()
        else:
            self._request_visible()

    def _on_scrolled(self) -> None:
        self._update_page_label()
        self._request_visible()

    def _visible(self) -> list[int]:
        top = self.scroll_area.verticalScrollBar().value()
        bottom = top + self.scroll_area.viewport().height()
        return [p.index for p in self.pages if p.y() < bottom and p.y() + p.height() > top]

    def current_page(self) -> int:
        """The page (from 1) at the top of the view."""
        visible = self._visible()
        return visible[0] + 1 if visible else 1

    def _update_page_label(self) -> None:
        count = self.page_count
        self.page_label.setText(
            f"Halaman {self.current_page()} dari {count}" if count > 1 else "1 halaman"
        )

    # -- rendering on worker threads ---------------------------------------------------------

    def _request_visible(self) -> None:
        if self._closed or not self.isVisible():
            return
        visible = self._visible()
        if not visible:
            return
        wanted = range(max(0, visible[0] - 1), min(self.page_count, visible[-1] + 2))
        for index in wanted:
            page = self.pages[index]
            if page.rendered_zoom != self._zoom and index not in self._pending:
                self._render(index)
        # Far away pages give their pictures back.
        keep = range(visible[0] - KEEP_AROUND, visible[-1] + KEEP_AROUND + 1)
        for page in self.pages:
            if page.rendered_zoom is not None and page.index not in keep:
                page.show_placeholder()

    def _render(self, index: int) -> None:
        generation = self._generation
        ratio = self.devicePixelRatioF()
        dpi = self._zoom * SCREEN_DPI * ratio
        document = self._document
        self._pending.add(index)

        def work(task: Task) -> tuple[int, int, QImage] | None:
            if task.cancelled:
                return None
            return index, generation, pil_to_qimage(document.render(index, dpi=dpi))

        task = run_in_background(
            work,
            on_success=lambda result: self._rendered(result, ratio=ratio),
            on_failure=self._render_failed,
            on_crash=self._render_crashed,
        )
        self._tasks.add(task)
        task.finished.connect(lambda: self._task_finished(task))

    def _task_finished(self, task: Task) -> None:
        self._tasks.discard(task)
        self._release_document()

    def _release_document(self) -> None:
        """Close the PDF once the dialog is closed and no render uses it any more."""
        if self._closed and not self._tasks and self._print_task is None:
            self._document.close()

    def _rendered(self, result: tuple[int, int, QImage] | None, *, ratio: float) -> None:
        if self._closed or result is None:
            return
        index, generation, image = result
        self._pending.discard(index)
        if generation != self._generation:
            self._request_visible()
            return
        visible = self._visible()
        if not visible or not visible[0] - KEEP_AROUND <= index <= visible[-1] + KEEP_AROUND:
            # Scrolled far away while it was being drawn: set now, the picture would stay (and
            # hold its memory) until the next scroll gives it back.
            return
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(ratio)
        page = self.pages[index]
        page.setText("")
        page.setPixmap(pixmap)
        page.rendered_zoom = self._zoom
        self.page_rendered.emit(index)

    def _render_failed(self, exc: UserError) -> None:
        if not self._closed:
            self.status_label.setText(exc.message)

    def _render_crashed(self, exc: BaseException) -> None:
        if not self._closed:
            show_bug(self, exc)

    # -- printing ----------------------------------------------------------------------------

    def printer(self) -> QPrinter:
        """The printer to print on, paper set to the PDF's first page (A4 or ID-1 card)."""
        if self._printer is None:
            self._printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer = self._printer
        printer.setDocName(self._title)
        printer.setFullPage(True)
        if self._sizes:
            printer.setPageLayout(page_layout(*self._sizes[0]))
        return printer

    def choose_printer(self, printer: QPrinter) -> bool:
        """Ask which printer and which pages; False when the clerk cancels."""
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(f"Cetak {self._title}")
        dialog.setMinMax(1, max(1, self.page_count))
        return dialog.exec() == QDialog.DialogCode.Accepted

    def print_document(self) -> None:
        if self._print_task is not None or not self.page_count:
            return
        printer = self.printer()
        if not self.choose_printer(printer):
            return
        first, last = 1, self.page_count
        if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
            first = max(1, printer.fromPage())
            last = min(self.page_count, printer.toPage() or self.page_count)
        indexes = list(range(first - 1, last))
        self._set_busy(True, f"Mencetak {len(indexes)} halaman…")
        progress = QProgressDialog(f"Mencetak {self._title}…", "Batal", 0, len(indexes), self)
        progress.setObjectName("print_progress")
        progress.setWindowTitle("Mencetak")
        progress.setMinimumDuration(400)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setValue(0)
        self._progress = progress
        document, sizes = self._document, self._sizes

        def work(task: Task) -> int:
            return paint_pages(printer, document, sizes, indexes, task)

        def on_progress(done: int, total: int) -> None:
            if self._progress is not None:
                self._progress.setLabelText(f"Mencetak halaman {done} dari {total}…")
                self._progress.setValue(done)

        def succeeded(pages: int) -> None:
            self._end_printing()
            if self._closed:
                return
            if pages:
                self.status_label.setText(f"{pages} halaman dikirim ke pencetak.")
            else:
                self.status_label.setText("Pencetakan dibatalkan.")
            self.printed.emit(pages)

        task = run_in_background(
            work,
            on_success=succeeded,
            on_failure=lambda exc: show_error(self, exc),
            on_crash=lambda exc: show_bug(self, exc),
            on_progress=on_progress,
            on_finished=self._end_printing,
        )
        progress.canceled.connect(task.cancel)
        self._print_task = task

    def _end_printing(self) -> None:
        """Close the progress dialog and give the buttons back (once, whatever happened)."""
        if self._print_task is None:
            return
        self._print_task = None
        if self._progress is not None:
            self._progress.reset()
            self._progress.deleteLater()
            self._progress = None
        if not self._closed:
            self._set_busy(False)

    def _set_busy(self, busy: bool, message: str | None = None) -> None:
        for button in (self.print_button, self.save_button, self.close_button):
            button.setEnabled(not busy)
        if message is not None:
            self.status_label.setText(message)

    # -- saving ------------------------------------------------------------------------------

    def choose_save_path(self) -> Path | None:
        """Ask where to save; None when the clerk cancels."""
        return file_dialogs.save_file(
            self, file_dialogs.Kind.PDF, "Simpan PDF", self._suggested_name, "Berkas PDF (*.pdf)"
        )

    def save_pdf(self) -> None:
        path = self.choose_save_path()
        if path is None:
            return
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        try:
            write_atomically(path, self._pdf)
        except UserError as exc:
            show_user_error(self, exc, title="Tidak dapat disimpan")
            return
        self.status_label.setText(f"Disimpan ke {path}")
        self.saved.emit(str(path))

    # -- closing -----------------------------------------------------------------------------

    def reject(self) -> None:
        if self._print_task is not None:
            return
        super().reject()

    def done(self, result: int) -> None:
        self._closed = True
        self._relayout.stop()
        for task in list(self._tasks):
            task.cancel()
        super().done(result)
        self._release_document()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if self._print_task is not None:
            event.ignore()
            return
        self._closed = True
        super().closeEvent(event)
        self._release_document()


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename:
    ``path`` is either the complete new file or untouched. OSError becomes a UserError."""
    try:
        write_bytes_atomically(path, data)
    except OSError as exc:
        raise UserError(
            f"Berkas {path.name} tidak dapat disimpan di {path.parent}: {exc.strerror or exc}.",
            hint="Pilih folder lain, atau periksa ruang kosong dan izin folder itu.",
        ) from None
