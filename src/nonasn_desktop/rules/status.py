"""The life cycle of a registration record (DOMAIN.md section 6)."""

from __future__ import annotations

import enum


class RecordStatus(enum.StrEnum):
    DRAF = "draf"
    AKUN_DIBUAT = "akun_dibuat"
    PENDAFTARAN_SELESAI = "pendaftaran_selesai"
    DISETUJUI = "disetujui"
    PERLU_PERBAIKAN = "perlu_perbaikan"
    DITOLAK = "ditolak"
    DIEKSPOR = "diekspor"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    RecordStatus.DRAF: "Draf",
    RecordStatus.AKUN_DIBUAT: "Akun Dibuat",
    RecordStatus.PENDAFTARAN_SELESAI: "Pendaftaran Selesai",
    RecordStatus.DISETUJUI: "Disetujui",
    RecordStatus.PERLU_PERBAIKAN: "Perlu Perbaikan",
    RecordStatus.DITOLAK: "Ditolak",
    RecordStatus.DIEKSPOR: "Diekspor",
}

# Which status may follow which. "Perlu Perbaikan" reopens the record for the operator, who
# finishes it again (back to "Pendaftaran Selesai").
TRANSITIONS: dict[RecordStatus, frozenset[RecordStatus]] = {
    RecordStatus.DRAF: frozenset({RecordStatus.AKUN_DIBUAT}),
    RecordStatus.AKUN_DIBUAT: frozenset({RecordStatus.PENDAFTARAN_SELESAI}),
    RecordStatus.PENDAFTARAN_SELESAI: frozenset(
        {RecordStatus.DISETUJUI, RecordStatus.PERLU_PERBAIKAN, RecordStatus.DITOLAK}
    ),
    RecordStatus.PERLU_PERBAIKAN: frozenset({RecordStatus.PENDAFTARAN_SELESAI}),
    RecordStatus.DISETUJUI: frozenset({RecordStatus.DIEKSPOR}),
    RecordStatus.DITOLAK: frozenset(),
    RecordStatus.DIEKSPOR: frozenset(),
}


def can_move(current: RecordStatus, new: RecordStatus) -> bool:
    return new in TRANSITIONS[current]
