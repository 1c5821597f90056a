"""The verifier's document viewer: a record's documents as zoomable pictures and PDF pages."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap, QWheelEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from nonasn_desktop.accounts.authz import Actor
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import UserError
from nonasn_desktop.gui.images import pil_to_qimage, qimage_from_bytes
from nonasn_desktop.gui.wizard.inputs import ChoiceBox
from nonasn_desktop.printing.pages import PdfPages
from nonasn_desktop.registration.documents import document_bytes
from nonasn_desktop.verval.review import ReviewDocument

ZOOM_STEPS = (0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0)
SCREEN_DPI = 96
POINTS_PER_INCH = 72
MAX_RENDER_DPI = 300


class _Canvas(QScrollArea):
    """The scrolling picture; Ctrl + wheel zooms."""

    zoom_wheel = Signal(int)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt's name
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_wheel.emit(1 if event.angleDelta().y() > 0 else -1)
            event.accept()
            return
        super().wheelEvent(event)


class DocumentViewer(QWidget):
    """One document at a time: a picture or the pages of a PDF, zoomable."""

    shown = Signal(int)

    def __init__(self, ctx: AppContext, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._actor = actor
        self._documents: tuple[ReviewDocument, ...] = ()
        self._data: bytes | None = None
        self._pdf: PdfPages | None = None
        self._image: QImage | None = None
        self._page = 0
        self._zoom = 1.0
        self._fit = True

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        title = QLabel("Dokumen")
        title.setObjectName("section_title")
        layout.addWidget(title)
        # A long document name shows its head when the pane is narrow (150 % scaling); the
        # list shows whole names.
        self.chooser = ChoiceBox()
        self.chooser.setObjectName("document_chooser")
        self.chooser.currentTextChanged.connect(self.chooser.setToolTip)
        self.chooser.currentIndexChanged.connect(self._chosen)
        layout.addWidget(self.chooser)
        self.details = QLabel()
        self.details.setObjectName("hint")
        self.details.setWordWrap(True)
        layout.addWidget(self.details)

        bar = QHBoxLayout()
        bar.setSpacing(4)
        self.previous_page = QPushButton("\u2039 Halaman")
        self.previous_page.clicked.connect(lambda: self.show_page(self._page - 1))
        self.page_label = QLabel()
        self.page_label.setObjectName("muted")
        self.next_page = QPushButton("Halaman \u203a")
        self.next_page.clicked.connect(lambda: self.show_page(self._page + 1))
        self.zoom_out = QPushButton("\u2212")
        self.zoom_out.setObjectName("zoom_out")
        self.zoom_out.setToolTip("Perkecil (Ctrl + roda tetikus)")
        self.zoom_out.clicked.connect(lambda: self.step_zoom(-1))
        self.zoom_label = QLabel()
        self.zoom_label.setMinimumWidth(44)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.zoom_in = QPushButton("+")
        self.zoom_in.setObjectName("zoom_in")
        self.zoom_in.setToolTip("Perbesar (Ctrl + roda tetikus)")
        self.zoom_in.clicked.connect(lambda: self.step_zoom(1))
        self.fit_button = QPushButton("Sesuaikan")
        self.fit_button.setToolTip("Tampilkan selebar panel")
        self.fit_button.clicked.connect(self.fit_width)
        for button in (self.zoom_out, self.zoom_in):
            button.setFixedWidth(34)
            button.setStyleSheet("font-size: 13pt; font-weight: 600; padding: 0;")
        bar.addWidget(self.previous_page)
        bar.addWidget(self.page_label)
        bar.addWidget(self.next_page)
        bar.addStretch(1)
        bar.addWidget(self.zoom_out)
        bar.addWidget(self.zoom_label)
        bar.addWidget(self.zoom_in)
        bar.addWidget(self.fit_button)
        layout.addLayout(bar)

        self.canvas = _Canvas()
        self.canvas.setObjectName("document_canvas")
        self.canvas.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.canvas.setStyleSheet("QScrollArea#document_canvas { background: #5B6776; }")
        self.picture = QLabel()
        self.picture.setObjectName("document_picture")
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setStyleSheet("color: #FFFFFF;")
        self.canvas.setWidget(self.picture)
        self.canvas.setWidgetResizable(False)
        self.canvas.zoom_wheel.connect(self.step_zoom)
        layout.addWidget(self.canvas, 1)
        self._update_controls()

    # -- public --------------------------------------------------------------------------

    def set_documents(self, documents: tuple[ReviewDocument, ...]) -> None:
        self._documents = documents
        self.chooser.blockSignals(True)
        self.chooser.clear()
        for document in documents:
            mark = "" if document.passed else "  (tidak lolos pemeriksaan)"
            self.chooser.addItem(f"{document.label}{mark}", document.id)
        self.chooser.blockSignals(False)
        if documents:
            self.chooser.setCurrentIndex(0)
            self._chosen(0)
        else:
            self._close_pdf()
            self._data = None
            self._image = None
            self.details.setText("")
            self.picture.setPixmap(QPixmap())
            self.picture.setText("Tidak ada dokumen.")
            self.picture.adjustSize()
            self._update_controls()

    def show_document(self, document_id: int) -> None:
        index = self.chooser.findData(document_id)
        if index >= 0:
            self.chooser.setCurrentIndex(index)

    @property
    def current(self) -> ReviewDocument | None:
        index = self.chooser.currentIndex()
        return self._documents[index] if 0 <= index < len(self._documents) else None

    @property
    def page_count(self) -> int:
        if self._pdf is not None:
            return self._pdf.count
        return 1 if self._image is not None else 0

    @property
    def zoom(self) -> float:
        return self._zoom

    def step_zoom(self, direction: int) -> None:
        if self.page_count == 0:
            return
        if direction > 0:
            bigger = [z for z in ZOOM_STEPS if z > self._zoom + 1e-6]
            target = bigger[0] if bigger else ZOOM_STEPS[-1]
        else:
            smaller = [z for z in ZOOM_STEPS if z < self._zoom - 1e-6]
            target = smaller[-1] if smaller else ZOOM_STEPS[0]
        self._fit = False
        self._zoom = target
        self._render()

    def fit_width(self) -> None:
        self._fit = True
        self._render()

    def show_page(self, index: int) -> None:
        if self._pdf is None or not 0 <= index < self._pdf.count:
            return
        self._page = index
        self._render()

    def close_document(self) -> None:
        self._close_pdf()

    # -- internals -----------------------------------------------------------------------

    def _close_pdf(self) -> None:
        if self._pdf is not None:
            self._pdf.close()
            self._pdf = None

    # Connected to currentIndexChanged(int); the viewer reads the choice itself.
    def _chosen(self, index: int) -> None:  # noqa: ARG002
        self._close_pdf()
        self._data = None
        self._image = None
        self._page = 0
        self._fit = True
        document = self.current
        if document is None:
            return
        size_kb = max(1, round(document.size / 1024))
        details = [document.original_name, f"{size_kb} KB"]
        if document.variant:
            details.insert(0, f"Bentuk: {document.variant}")
        if document.compliant_copy:
            details.append("salinan sesuai aturan yang dibuat aplikasi")
        self.details.setText(" · ".join(details))
        try:
            self._data = document_bytes(self._ctx, document.id, actor=self._actor)
            if document.is_pdf:
                self._pdf = PdfPages(self._data)
            else:
                self._image = qimage_from_bytes(self._data)
                if self._image is None:
                    raise UserError("Gambar ini tidak dapat dibaca.")
        except UserError as exc:
            self._close_pdf()
            self._image = None
            self.picture.setPixmap(QPixmap())
            self.picture.setText(f"Dokumen tidak dapat ditampilkan:\n{exc}")
            self.picture.setWordWrap(True)
            self.picture.setFixedWidth(max(200, self.canvas.viewport().width() - 20))
            self.picture.adjustSize()
            self._update_controls()
            return
        self._render()
        self.shown.emit(document.id)

    def _available_width(self) -> int:
        # Leave room for the vertical scroll bar a tall page brings, so that fitting the width
        # never adds a horizontal one.
        scroll_bar = self.canvas.verticalScrollBar().sizeHint().width()
        return max(120, self.canvas.width() - scroll_bar - 8)

    def _render(self) -> None:
        self.picture.setMinimumWidth(0)
        self.picture.setMaximumWidth(16777215)
        image: QImage | None = None
        if self._pdf is not None:
            width_pt, _height = self._pdf.size(self._page)
            if self._fit:
                self._zoom = self._available_width() / (width_pt / POINTS_PER_INCH * SCREEN_DPI)
            ratio = self.devicePixelRatioF()
            dpi = min(MAX_RENDER_DPI, max(24.0, SCREEN_DPI * self._zoom * ratio))
            try:
                image = pil_to_qimage(self._pdf.render(self._page, dpi=dpi))
            except UserError as exc:
                self.picture.setText(f"Halaman tidak dapat ditampilkan:\n{exc}")
                self.picture.adjustSize()
                self._update_controls()
                return
            image.setDevicePixelRatio(ratio)
            pixmap = QPixmap.fromImage(image)
        elif self._image is not None:
            if self._fit:
                self._zoom = min(1.0, self._available_width() / max(1, self._image.width()))
            width = max(1, round(self._image.width() * self._zoom))
            scaled = self._image.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
            pixmap = QPixmap.fromImage(scaled)
        else:
            self._update_controls()
            return
        self.picture.setText("")
        self.picture.setPixmap(pixmap)
        self.picture.adjustSize()
        self._update_controls()

    def _update_controls(self) -> None:
        pages = self.page_count
        is_pdf = self._pdf is not None
        self.previous_page.setVisible(is_pdf)
        self.next_page.setVisible(is_pdf)
        self.page_label.setVisible(is_pdf)
        if is_pdf:
            self.page_label.setText(f"{self._page + 1} dari {pages}")
            self.previous_page.setEnabled(self._page > 0)
            self.next_page.setEnabled(self._page < pages - 1)
        for widget in (self.zoom_in, self.zoom_out, self.fit_button):
            widget.setEnabled(pages > 0)
        self.zoom_label.setText(f"{round(self._zoom * 100)}%" if pages else "")

    def resizeEvent(self, event: object) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)  # type: ignore[arg-type]
        if self._fit and self.page_count:
            self._render()
