"""The key slots of a PostgreSQL office's data key, one row each in ``office_data_key_slot``.

Read and written inside the caller's session, so a clerk's new slot is committed (or rolled
back) with the new password hash that goes with it. Which slots exist and when is decided by
:mod:`nonasn_desktop.accounts.slots`; this module only moves them in and out of the table.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from nonasn_desktop.crypto import keyslots
from nonasn_desktop.errors import StorageError
from nonasn_desktop.storage.models import OfficeDataKeySlot, utc_now

_WHERE = "kunci dokumen kantor"


def read(session: Session) -> keyslots.KeySlots | None:
    """The office data key's slots; None while the office has no data key yet."""
    rows = list(session.scalars(select(OfficeDataKeySlot).order_by(OfficeDataKeySlot.id)))
    if not rows:
        return None
    key_ids = {row.key_id for row in rows}
    if len(key_ids) != 1:
        raise StorageError(
            "Tabel kunci dokumen kantor berisi lebih dari satu kunci.",
            hint="Pulihkan basis data kantor dari cadangan (pg_dump) terakhir yang baik.",
        )
    slots = tuple(keyslots.slot_from_text(row.slot, where=_WHERE) for row in rows)
    return keyslots.KeySlots(folder_id=key_ids.pop(), slots=slots)


def exists(session: Session) -> bool:
    return session.scalar(select(OfficeDataKeySlot.id).limit(1)) is not None


def put(session: Session, key_id: str, slot: keyslots.Slot) -> None:
    """Write ``slot``, replacing the one of the same kind and label."""
    session.execute(
        delete(OfficeDataKeySlot).where(
            OfficeDataKeySlot.kind == slot.kind, OfficeDataKeySlot.label == slot.label
        )
    )
    session.add(
        OfficeDataKeySlot(
            key_id=key_id,
            kind=slot.kind,
            label=slot.label,
            slot=keyslots.slot_to_text(slot),
            created_at=utc_now(),
        )
    )
    session.flush()


def drop(session: Session, label: str) -> bool:
    """Remove the password slot of ``label``; True when there was one."""
    result = session.execute(
        delete(OfficeDataKeySlot).where(
            OfficeDataKeySlot.kind == "password", OfficeDataKeySlot.label == label
        )
    )
    return bool(getattr(result, "rowcount", 0))
