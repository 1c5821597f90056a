"""The content checks of a PDF: complete, readable, not locked, at least one page."""

from __future__ import annotations

import io

from nonasn_desktop.rules.decoders import quiet_decoders
from nonasn_desktop.rules.findings import Analysis

# A PDF's "%%EOF" marker must be in this many bytes at its end (as PDF readers require).
_PDF_TAIL = 1024
# Pages of a PDF whose page dictionary is looked at; beyond this the count is trusted.
_PDF_PAGES_TOUCHED = 500


def analyse_pdf(data: bytes, analysis: Analysis) -> None:
    damaged = (
        "PDF rusak atau terpotong sehingga tidak dapat dibaca. Minta berkas aslinya lagi atau "
        "simpan ulang/pindai ulang dokumennya sebagai PDF."
    )
    if b"%%EOF" not in data[-_PDF_TAIL:]:
        analysis.add(
            "readable",
            False,
            "PDF terpotong: akhir berkasnya tidak ada (mungkin unduhan atau penyalinan belum "
            "selesai). Salin atau unduh ulang berkas itu dari sumbernya.",
        )
        return
    # Imported here, not at the top: pypdf takes 0.1-0.2 s to import and is needed only when
    # a PDF is checked, never at start-up (this module is imported on the way to the window).
    import pypdf

    with quiet_decoders():
        try:
            reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
            encrypted = reader.is_encrypted
        except Exception:  # Any parse failure of a hostile PDF is "unreadable".
            analysis.add("readable", False, damaged)
            return
        if encrypted:
            analysis.add("readable", True, "PDF dapat dibuka.")
            analysis.add(
                "pdf_encrypted",
                False,
                "PDF terkunci (dienkripsi atau dilindungi kata sandi), sehingga tidak dapat "
                "diperiksa dan dikirim. Simpan ulang tanpa kata sandi (mis. Cetak › Simpan "
                "sebagai PDF) lalu unggah lagi.",
            )
            return
        try:
            count = len(reader.pages)
            for page in reader.pages[:_PDF_PAGES_TOUCHED]:
                _ = page.mediabox
        except Exception:  # A broken page tree.
            analysis.add("readable", False, damaged)
            return
    analysis.decoded = True
    analysis.page_count = count
    analysis.add("readable", True, f"PDF dapat dibaca ({count} halaman).")
    analysis.add("pdf_encrypted", True, "PDF tidak terkunci.")
    if count >= 1:
        analysis.add("pdf_pages", True, f"PDF berisi {count} halaman.")
    else:
        analysis.add(
            "pdf_pages",
            False,
            "PDF tidak berisi satu halaman pun. Pindai atau simpan ulang dokumennya.",
        )
