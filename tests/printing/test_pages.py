"""PDF pages to pictures with PDFium."""

from __future__ import annotations

import io
import threading

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from nonasn_desktop.errors import DocumentError
from nonasn_desktop.printing.pages import PdfPages, page_count, render_page


def _pdf(pages: int, size: tuple[float, float] = A4) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=size)
    for number in range(pages):
        # A black square in the top left corner, one inch wide; the page number as text.
        canvas.rect(0, size[1] - 72, 72, 72, stroke=0, fill=1)
        canvas.drawString(100, 100, f"halaman {number + 1}")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def test_page_count() -> None:
    assert page_count(_pdf(3)) == 3


@pytest.mark.parametrize("dpi", [36, 72, 150])
def test_render_page_size_follows_the_dpi(dpi: int) -> None:
    image = render_page(_pdf(1), 0, dpi=dpi)
    assert image.mode == "RGB"
    assert image.size == pytest.approx((A4[0] * dpi / 72, A4[1] * dpi / 72), abs=1)


def test_rendered_page_shows_the_content_on_white_paper() -> None:
    image = render_page(_pdf(1), 0, dpi=72)
    assert image.getpixel((10, 10)) == (0, 0, 0)
    assert image.getpixel((300, 400)) == (255, 255, 255)


def test_open_document_renders_every_page_and_knows_sizes() -> None:
    with PdfPages(_pdf(2, size=(200, 100))) as pages:
        assert pages.count == 2
        assert pages.size(1) == pytest.approx((200, 100))
        assert pages.render(1, dpi=144).size == (400, 200)
        with pytest.raises(IndexError):
            pages.render(2, dpi=72)


@pytest.mark.parametrize("data", [b"", b"bukan pdf", _pdf(1)[:200]])
def test_broken_pdfs_are_a_document_error(data: bytes) -> None:
    with pytest.raises(DocumentError, match="PDF"):
        page_count(data)


def test_absurd_resolutions_are_refused() -> None:
    with pytest.raises(ValueError, match="dpi"):
        render_page(_pdf(1), 0, dpi=5000)
    with pytest.raises(DocumentError, match="terlalu besar"):
        render_page(_pdf(1, size=(14400, 14400)), 0, dpi=600)


def test_threads_can_render_at_the_same_time() -> None:
    data = _pdf(4)
    sizes: list[tuple[int, int]] = []
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            sizes.append(render_page(data, index, dpi=50).size)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i % 4,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(sizes) == 8


def test_a_closed_document_refuses_politely() -> None:
    pages = PdfPages(_pdf(1))
    pages.close()
    pages.close()
    with pytest.raises(ValueError, match="closed"):
        pages.render(0, dpi=72)
