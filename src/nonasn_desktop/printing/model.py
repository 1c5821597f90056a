"""What a printed paper shows about one person: plain values, read from the database by
:mod:`nonasn_desktop.printing.printouts` and drawn by the paper modules beside it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from nonasn_desktop.rules.status import RecordStatus


@dataclass(frozen=True)
class PrintableRegistration:
    """Everything a printed paper shows about one person."""

    registration_id: int
    account_number: str
    status: RecordStatus
    nik: str | None
    nama: str | None
    tempat_lahir: str | None
    tanggal_lahir: dt.date | None
    # The label ("Laki-laki"), not the key.
    jenis_kelamin: str | None
    # E.164.
    nomor_hp: str | None
    instansi: str
    unit_kerja: str | None
    jabatan: str | None
    account_created_at: dt.datetime | None
    completed_at: dt.datetime | None
    # The active pas foto, and its SHA-256 (for reusing a prepared picture).
    photo: bytes | None = None
    photo_sha256: str | None = None
