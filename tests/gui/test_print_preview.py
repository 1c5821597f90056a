"""The print preview: pages rendered lazily, zoom, printing to an injected printer, saving."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QThreadPool
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from nonasn_desktop.errors import UserError
from nonasn_desktop.gui import print_preview
from nonasn_desktop.gui.print_preview import PrintPreviewDialog, write_atomically

pytestmark = pytest.mark.gui

ID1 = (85.6 * 72 / 25.4, 54 * 72 / 25.4)
RENDER_TIMEOUT_MS = 10_000


def _pdf(pages: int, size: tuple[float, float] = A4) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=size)
    for number in range(pages):
        canvas.rect(20, 20, size[0] - 40, size[1] - 40, stroke=1, fill=0)
        canvas.drawString(40, size[1] / 2, f"Halaman uji {number + 1}")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _no_render_left_behind() -> Iterator[None]:
    """Every background render has finished before the next test starts."""
    yield
    QThreadPool.globalInstance().waitForDone(RENDER_TIMEOUT_MS)


def _printer(path: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


def _open(qtbot: QtBot, pdf: bytes, **kwargs: object) -> PrintPreviewDialog:
    dialog = PrintPreviewDialog(
        pdf,
        title="Kartu Informasi Akun",
        suggested_name="kartu.pdf",
        **kwargs,  # type: ignore[arg-type]
    )
    qtbot.addWidget(dialog)
    dialog.resize(1000, 700)
    with qtbot.waitSignal(dialog.page_rendered, timeout=RENDER_TIMEOUT_MS):
        dialog.show()
    return dialog


def test_buttons_and_page_count(qtbot: QtBot) -> None:
    dialog = _open(qtbot, _pdf(3))
    assert dialog.windowTitle() == "Kartu Informasi Akun"
    texts = {
        name: dialog.findChild(type(dialog.print_button), name).text()
        for name in ("button_cetak", "button_simpan_pdf", "button_tutup")
    }
    assert texts == {
        "button_cetak": "Cetak…",
        "button_simpan_pdf": "Simpan PDF…",
        "button_tutup": "Tutup",
    }
    assert dialog.page_count == 3
    assert dialog.page_label.text() == "Halaman 1 dari 3"


def test_first_page_fits_the_window_and_is_rendered(qtbot: QtBot) -> None:
    dialog = _open(qtbot, _pdf(2))
    qtbot.waitUntil(
        lambda: dialog.fit_button.isChecked() and dialog.pages[0].rendered_zoom == dialog.zoom,
        timeout=RENDER_TIMEOUT_MS,
    )
    page = dialog.pages[0]
    viewport = dialog.scroll_area.viewport()
    assert page.height() <= viewport.height()
    assert page.width() <= viewport.width()
    assert not page.pixmap().isNull()


def test_only_pages_near_the_view_are_rendered(qtbot: QtBot) -> None:
    dialog = _open(qtbot, _pdf(40))
    dialog.set_zoom(1.0)
    qtbot.waitUntil(lambda: dialog.pages[0].rendered_zoom == 1.0, timeout=RENDER_TIMEOUT_MS)
    assert dialog.pages[-1].rendered_zoom is None
    assert dialog.pages[-1].text().startswith("Memuat halaman 40")

    bar = dialog.scroll_area.verticalScrollBar()
    with qtbot.waitSignal(
        dialog.page_rendered, check_params_cb=lambda index: index == 39, timeout=RENDER_TIMEOUT_MS
    ):
        bar.setValue(bar.maximum())
    assert dialog.page_label.text() in ("Halaman 39 dari 40", "Halaman 40 dari 40")
    qtbot.waitUntil(lambda: dialog.pages[0].rendered_zoom is None)


def test_zoom_in_out_real_size_and_fit(qtbot: QtBot) -> None:
    dialog = _open(qtbot, _pdf(1))
    dialog.set_zoom(1.0)
    # Real size: A4 is 210 mm = 8.27 in = 794 px at 96 dpi.
    assert dialog.pages[0].width() == 794
    assert dialog.zoom_label.text() == "100%"
    dialog.zoom_in_button.click()
    assert dialog.zoom == 1.1
    dialog.zoom_out_button.click()
    dialog.zoom_out_button.click()
    assert dialog.zoom == 0.9
    assert dialog.zoom_label.text() == "90%"
    dialog.fit_button.click()
    assert dialog.fit_button.isChecked()
    assert dialog.pages[0].height() <= dialog.scroll_area.viewport().height()
    with qtbot.waitSignal(dialog.page_rendered, timeout=RENDER_TIMEOUT_MS):
        dialog.real_button.click()
    assert dialog.zoom == 1.0
    assert not dialog.fit_button.isChecked()
    for _ in range(20):
        dialog.zoom_in()
    assert dialog.zoom == print_preview.ZOOM_STEPS[-1]
    assert not dialog.zoom_in_button.isEnabled()


def test_print_sends_every_page_to_the_printer(qtbot: QtBot, tmp_path: Path) -> None:
    out = tmp_path / "dicetak.pdf"
    dialog = _open(qtbot, _pdf(3), printer=_printer(out))
    asked: list[QPrinter] = []
    dialog.choose_printer = lambda printer: asked.append(printer) or True  # type: ignore[method-assign]
    with qtbot.waitSignal(dialog.printed, timeout=30_000) as printed:
        dialog.print_button.click()
    assert printed.args == [3]
    assert len(asked) == 1
    reader = PdfReader(out)
    assert len(reader.pages) == 3
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(A4, abs=1.5)
    assert dialog.print_button.isEnabled()
    assert "3 halaman" in dialog.status_label.text()


def test_printing_a_card_keeps_the_card_size(qtbot: QtBot, tmp_path: Path) -> None:
    out = tmp_path / "kartu.pdf"
    dialog = _open(qtbot, _pdf(2, size=ID1), printer=_printer(out))
    dialog.choose_printer = lambda printer: True  # type: ignore[method-assign]
    with qtbot.waitSignal(dialog.printed, timeout=30_000):
        dialog.print_button.click()
    reader = PdfReader(out)
    assert len(reader.pages) == 2
    box = reader.pages[1].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(ID1, abs=1.5)


def test_a_page_range_prints_only_those_pages(qtbot: QtBot, tmp_path: Path) -> None:
    out = tmp_path / "sebagian.pdf"
    dialog = _open(qtbot, _pdf(5), printer=_printer(out))

    def choose(printer: QPrinter) -> bool:
        printer.setPrintRange(QPrinter.PrintRange.PageRange)
        printer.setFromTo(2, 3)
        return True

    dialog.choose_printer = choose  # type: ignore[method-assign]
    with qtbot.waitSignal(dialog.printed, timeout=30_000) as printed:
        dialog.print_button.click()
    assert printed.args == [2]
    assert len(PdfReader(out).pages) == 2


def test_cancelling_the_printer_choice_prints_nothing(qtbot: QtBot, tmp_path: Path) -> None:
    out = tmp_path / "batal.pdf"
    dialog = _open(qtbot, _pdf(1), printer=_printer(out))
    dialog.choose_printer = lambda printer: False  # type: ignore[method-assign]
    with qtbot.assertNotEmitted(dialog.printed, wait=200):
        dialog.print_button.click()
    assert not out.exists()
    assert dialog.print_button.isEnabled()


def test_save_writes_the_exact_pdf(qtbot: QtBot, tmp_path: Path) -> None:
    pdf = _pdf(2)
    dialog = _open(qtbot, pdf)
    dialog.choose_save_path = lambda: tmp_path / "kartu-saya"  # type: ignore[method-assign]
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.save_button.click()
    target = tmp_path / "kartu-saya.pdf"
    assert saved.args == [str(target)]
    assert target.read_bytes() == pdf
    assert [p.name for p in tmp_path.iterdir()] == ["kartu-saya.pdf"]
    assert str(target) in dialog.status_label.text()


def test_save_to_a_missing_folder_tells_the_clerk(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[UserError] = []
    monkeypatch.setattr(
        print_preview, "show_user_error", lambda parent, exc, title: shown.append(exc)
    )
    dialog = _open(qtbot, _pdf(1))
    dialog.choose_save_path = lambda: tmp_path / "tidak-ada" / "kartu.pdf"  # type: ignore[method-assign]
    with qtbot.assertNotEmitted(dialog.saved):
        dialog.save_button.click()
    assert len(shown) == 1
    assert "tidak dapat disimpan" in shown[0].message


def test_cancelling_the_save_writes_nothing(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = _open(qtbot, _pdf(1))
    dialog.choose_save_path = lambda: None  # type: ignore[method-assign]
    with qtbot.assertNotEmitted(dialog.saved):
        dialog.save_button.click()
    assert list(tmp_path.iterdir()) == []


def test_write_atomically_replaces_whole_files_only(tmp_path: Path) -> None:
    target = tmp_path / "a.pdf"
    target.write_bytes(b"lama")
    write_atomically(target, b"baru")
    assert target.read_bytes() == b"baru"
    assert [p.name for p in tmp_path.iterdir()] == ["a.pdf"]
    with pytest.raises(UserError):
        write_atomically(tmp_path / "tidak" / "a.pdf", b"x")


def test_close_button_closes(qtbot: QtBot) -> None:
    dialog = _open(qtbot, _pdf(1))
    with qtbot.waitSignal(dialog.rejected):
        dialog.close_button.click()
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert not dialog.isVisible()


def test_a_broken_pdf_is_a_user_error_before_any_window() -> None:
    with pytest.raises(UserError, match="PDF"):
        PrintPreviewDialog(b"%PDF-rusak", title="x", suggested_name="x.pdf")


def test_screenshot_of_a_real_card(qtbot: QtBot, tmp_path: Path) -> None:
    """The preview of a generated account card, saved for a person to look at."""
    import datetime as dt

    from nonasn_desktop.demo.documents import make_sample_document
    from nonasn_desktop.printing.account_card import AccountCardSheet
    from nonasn_desktop.printing.common import PrintJob, write_pdf
    from nonasn_desktop.printing.model import PrintableRegistration
    from nonasn_desktop.rules.status import RecordStatus

    when = dt.datetime(2022, 10, 3, 2, 15, tzinfo=dt.UTC)
    person = PrintableRegistration(
        1,
        "3273-2022-000001",
        RecordStatus.PENDAFTARAN_SELESAI,
        "3273014508900001",
        "Dewi Lestari",
        "Bandung",
        dt.date(1990, 8, 5),
        "Perempuan",
        "+6281234567890",
        "Pemerintah Kota Bandung",
        "Dinas Pendidikan",
        "Tenaga Administrasi",
        when,
        when,
        make_sample_document("pas_foto", seed=1)[0],
        "b" * 64,
    )
    job = PrintJob("3273", "BKD Kota Bandung", "Pemerintah Kota Bandung", when, "Siti")
    buffer = io.BytesIO()
    write_pdf(AccountCardSheet(job, "id1"), [person], buffer, total=1, author="BKD")
    dialog = _open(qtbot, buffer.getvalue())
    qtbot.waitUntil(
        lambda: dialog.fit_button.isChecked() and dialog.pages[0].rendered_zoom == dialog.zoom
    )
    shot = tmp_path / "pratinjau-kartu.png"
    assert dialog.grab().save(str(shot))
    assert shot.stat().st_size > 10_000


def test_closing_frees_the_pdf_after_the_renders(qtbot: QtBot) -> None:
    dialog = _open(qtbot, _pdf(3))
    dialog.close_button.click()
    QThreadPool.globalInstance().waitForDone(RENDER_TIMEOUT_MS)
    qtbot.waitUntil(lambda: not dialog._tasks)
    with pytest.raises(ValueError, match="closed"):
        dialog._document.render(0, dpi=72)
