"""The recovery key on one A4 page, for the office safe.

Printed once, when the key is made (``nonasn init``, or the first start that encrypts an older
data folder), or replaced (``nonasn recover --new-key``). At a desk of an office database server
the key is the office data key's: the page names that key (its id from the office database)
and the office's documents, not the desk's folder, which holds none.

The key opens every personal record of the folder when all passwords are lost, so
the page says plainly where it belongs and where it must never go. The key is set in a fixed-width
face, three groups to a line, so it can be typed back without losing one's place.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import IO

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import StorageError
from nonasn_desktop.office.identity import get_office
from nonasn_desktop.printing.common import (
    INK,
    MM,
    MUTED,
    NAVY,
    TINT,
    PrintJob,
    draw_footer,
    draw_letterhead,
    draw_lines,
    draw_section_title,
    fit_lines,
    format_date_time,
    write_pdf,
)
from nonasn_desktop.printing.fonts import BOLD, REGULAR
from nonasn_desktop.storage import officeslots, vault

TITLE = "Kunci Pemulihan Folder Data"
OFFICE_TITLE = "Kunci Pemulihan Dokumen Kantor"
# A standard PDF face: nothing to embed, every digit and capital the same width.
KEY_FONT = "Courier-Bold"
_GROUPS_PER_LINE = 3

WARNINGS = (
    "Kunci ini membuka SELURUH data pribadi di folder data ini (NIK, Nomor KK, nama, "
    "pindaian KTP dan dokumen lain) bila semua kata sandi hilang.",
    "Simpan lembar ini di brankas kantor. Jangan difoto, dipindai, dikirim lewat pesan, "
    "atau disimpan di komputer atau flashdisk.",
    "Siapa pun yang memegang lembar ini dapat membuka data tanpa kata sandi. Bila lembar ini "
    "hilang atau terlihat orang lain, buat kunci pemulihan baru (menu Admin).",
)
# The first warning, for the office data key of an office database server.
OFFICE_WARNING = (
    "Kunci ini membuka SELURUH dokumen kantor di server basis data (pindaian KTP, ijazah "
    "dan dokumen lain) bila semua kata sandi admin hilang."
)


def title_for(office_server: bool) -> str:
    """The sheet's (and the dialog's) title: a folder's key, or the office data key's."""
    return OFFICE_TITLE if office_server else TITLE


def warnings_for(office_server: bool) -> tuple[str, ...]:
    """What the sheet (and the dialog showing the key) warns of."""
    return (OFFICE_WARNING, *WARNINGS[1:]) if office_server else WARNINGS


HOW_TO = (
    "Bila semua kata sandi admin hilang: ketik kunci di atas ke sebuah berkas teks di komputer "
    "kantor, lalu jalankan",
    "nonasn recover --recovery-key-file BERKAS --admin NAMA_ADMIN",
    "dan tetapkan kata sandi admin yang baru. Hapus berkas teks itu sesudahnya. Huruf besar "
    "atau kecil, spasi dan tanda hubung tidak berpengaruh.",
)


@dataclass(frozen=True)
class RecoveryKeyPage:
    """What the page shows: the key as text (``format_recovery_key``) and the folder's id
    (``office_server``: the id of the office data key of an office database server)."""

    recovery_key: str
    folder_id: str
    office_server: bool = False


class RecoverySheet:
    page_size = A4
    title = TITLE

    def __init__(self, job: PrintJob) -> None:
        self._job = job

    def draw(self, canvas: Canvas, item: RecoveryKeyPage) -> None:
        width, height = self.page_size
        left, right = 22 * MM, width - 22 * MM
        y = draw_letterhead(canvas, self._job, left=left, right=right, top=height - 20 * MM)
        y = draw_lines(
            canvas,
            [title_for(item.office_server).upper()],
            width / 2,
            y - 12 * MM,
            BOLD,
            16,
            align="center",
            color=NAVY,
        )
        facts = [
            f"Kantor: {self._job.office_code} — {self._job.office_name}",
            f"{'Kunci dokumen kantor' if item.office_server else 'Folder data'}: "
            f"{item.folder_id[:8]}…{item.folder_id[-8:]}",
            f"Dibuat: {format_date_time(self._job.printed_at, self._job.zone)}",
        ]
        y = draw_lines(canvas, facts, width / 2, y - 5 * MM, REGULAR, 9.5, align="center")
        y = self._draw_key(canvas, item.recovery_key, left, right, y - 9 * MM)
        y = draw_section_title(canvas, "Penting", left=left, right=right, top=y - 10 * MM)
        y = self._paragraphs(canvas, warnings_for(item.office_server), left, right, y - 4 * MM)
        y = draw_section_title(canvas, "Cara memakai", left=left, right=right, top=y - 6 * MM)
        lines, _size = fit_lines(HOW_TO[0], REGULAR, 10, right - left, max_lines=3, min_size=9)
        y = draw_lines(canvas, lines, left, y - 4 * MM, REGULAR, 10, color=INK)
        y = draw_lines(canvas, [HOW_TO[1]], left + 8 * MM, y - 2 * MM, "Courier", 10, color=INK)
        lines, _size = fit_lines(HOW_TO[2], REGULAR, 10, right - left, max_lines=3, min_size=9)
        draw_lines(canvas, lines, left, y - 2 * MM, REGULAR, 10, color=INK)
        draw_footer(canvas, self._job, left=left, right=right, bottom=14 * MM)

    @staticmethod
    def _draw_key(canvas: Canvas, key: str, left: float, right: float, top: float) -> float:
        groups = key.split("-")
        rows = [
            "  ".join(groups[i : i + _GROUPS_PER_LINE])
            for i in range(0, len(groups), _GROUPS_PER_LINE)
        ]
        size, leading = 20, 30
        box = len(rows) * leading + 14
        canvas.setFillColor(TINT)
        canvas.setStrokeColor(NAVY)
        canvas.setLineWidth(1)
        canvas.roundRect(left, top - box, right - left, box, 6, fill=1, stroke=1)
        canvas.setFillColor(INK)
        canvas.setFont(KEY_FONT, size)
        y = top - 7 - size
        for row in rows:
            canvas.drawCentredString((left + right) / 2, y, row)
            y -= leading
        return top - box

    @staticmethod
    def _paragraphs(
        canvas: Canvas, texts: tuple[str, ...], left: float, right: float, top: float
    ) -> float:
        y = top
        for text in texts:
            lines, _size = fit_lines(
                text, REGULAR, 10, right - left - 5 * MM, max_lines=3, min_size=9
            )
            draw_lines(canvas, ["•"], left, y, BOLD, 10, color=MUTED)
            y = draw_lines(canvas, lines, left + 5 * MM, y, REGULAR, 10, color=INK) - 2 * MM
        return y


def write_recovery_sheet(job: PrintJob, page: RecoveryKeyPage, target: IO[bytes]) -> None:
    """One A4 page with the recovery key, written to ``target`` (a file or a buffer)."""
    write_pdf(RecoverySheet(job), [page], target, total=1, author=job.printed_by or TITLE)


def recovery_sheet_pdf(ctx: AppContext, recovery_key: str, target: IO[bytes]) -> None:
    """The sheet of the folder ``ctx`` has open, or of its office data key at a desk of an
    office database server (its office in the letterhead)."""
    office = get_office(ctx)
    if ctx.db.is_postgresql:
        with ctx.db.session() as session:
            slots = officeslots.read(session)
    else:
        slots = vault.read_slots(ctx.data_dir)
    job = PrintJob(
        office_code=office.code if office else "-",
        office_name=office.name if office else "Kantor",
        instansi_name=office.instansi_name if office else None,
        printed_at=ctx.now(),
    )
    page = RecoveryKeyPage(
        recovery_key, slots.folder_id if slots else "0" * 32, office_server=ctx.db.is_postgresql
    )
    write_recovery_sheet(job, page, target)


def save_recovery_sheet(ctx: AppContext, recovery_key: str, path: Path) -> None:
    try:
        with Path(path).open("xb") as target:
            recovery_sheet_pdf(ctx, recovery_key, target)
    except OSError as exc:
        raise StorageError(
            f"Lembar kunci pemulihan tidak dapat ditulis ke {path} ({exc.strerror or exc}).",
            hint="Pilih berkas baru di folder yang dapat ditulis; kunci pemulihan di atas "
            "tetap berlaku, catat dengan tangan bila perlu.",
        ) from exc
