"""What protects this desk's personal data, in words for IT staff (Tentang Aplikasi).

The facts come from :mod:`nonasn_desktop.storage.protection`; here they become the lines the
About dialog shows and "Salin informasi" copies into a support request. Each line that reports
a gap says what to do about it.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError

from nonasn_desktop.core.context import AppContext
from nonasn_desktop.storage import namesearch
from nonasn_desktop.storage import protection as facts

log = logging.getLogger(__name__)

Fact = tuple[str, str]

ENCRYPTION = "Enkripsi data pribadi"


def _folder(found: facts.FolderProtection) -> list[Fact]:
    if found.encrypted:
        return [
            (
                ENCRYPTION,
                f"aktif: basis data, dokumen dan cadangan terenkripsi ({found.library})",
            )
        ]
    return [
        (
            ENCRYPTION,
            "BELUM aktif (folder dari versi lama atau dipulihkan dari cadangan lama): "
            "dienkripsi otomatis saat admin masuk ke aplikasi",
        )
    ]


def _link(found: facts.ServerProtection) -> str:
    if found.tls is None:
        return "soket lokal server (tidak lewat jaringan)"
    if not found.tls:
        return (
            "TANPA TLS: data pribadi lewat jaringan tanpa enkripsi; tambahkan "
            "sslmode=verify-full pada alamat basis data (README: 'the office database server')"
        )
    if found.sslmode in ("verify-full", "verify-ca"):
        return f"TLS, sertifikat server diperiksa (sslmode={found.sslmode})"
    return (
        f"TLS, tetapi sertifikat server tidak diperiksa (sslmode={found.sslmode or 'prefer'}); "
        "gunakan sslmode=verify-full"
    )


def _documents(found: facts.ServerProtection) -> str:
    if not found.documents_keyed:
        return (
            "BELUM terenkripsi: admin menjalankan sekali "
            '"nonasn keys encrypt-documents" (README: "the office database server")'
        )
    if found.plain_documents:
        return (
            f"terenkripsi dengan kunci data kantor, kecuali {found.plain_documents} dokumen "
            'lama: admin menjalankan lagi "nonasn keys encrypt-documents"'
        )
    return "terenkripsi dengan kunci data kantor"


def _server(found: facts.ServerProtection) -> list[Fact]:
    return [
        (
            ENCRYPTION,
            f"basis data di server kantor (PostgreSQL {found.server_version}): "
            "perlindungannya enkripsi disk server (README: 'the office database server')",
        ),
        ("Sambungan ke server", _link(found)),
        ("Dokumen kantor", _documents(found)),
        (
            "Pencarian kata nama",
            "indeks trigram (pg_trgm)"
            if found.name_index
            else f"tanpa indeks trigram (lebih lambat); admin server dapat menjalankan: "
            f"{namesearch.ADMIN_SQL}",
        ),
    ]


def protection_facts(ctx: AppContext) -> list[Fact]:
    """(label, value) lines on the protection of this desk's data."""
    try:
        found = facts.of(ctx.db)
    except SQLAlchemyError as exc:
        # The About dialog must open even when the server is unreachable right now.
        log.warning("protection facts could not be read: %s", type(exc).__name__)
        return [(ENCRYPTION, "tidak dapat dibaca dari server basis data kantor saat ini")]
    return describe(found)


def describe(found: facts.FolderProtection | facts.ServerProtection) -> list[Fact]:
    """The lines for ``found``."""
    if isinstance(found, facts.FolderProtection):
        return _folder(found)
    return _server(found)
