"""A flagged NIK pair as a transfer import leaves it (transfer.merge), without a field laptop.

The import keeps both records, flags both (``nik_conflict``), points each at the other
(``nik_conflict_with``) and, since ``nik`` is unique, moves the NIK of the record that arrived
second into ``conflict_nik``. The round trip through a real laptop is tested in
tests/transfer/test_transfer_roundtrip.py; this makes the same rows in a few milliseconds.
"""

from __future__ import annotations

from nonasn_desktop.core.context import AppContext
from nonasn_desktop.storage.models import Registration


def flag_nik_conflict(ctx: AppContext, first_id: int, second_id: int) -> str:
    """Make ``second_id`` the second holder of ``first_id``'s NIK; returns that NIK."""
    with ctx.db.session() as session:
        first = session.get(Registration, first_id)
        second = session.get(Registration, second_id)
        assert first is not None
        assert second is not None
        assert first.nik
        nik = first.nik
        second.nik, second.conflict_nik = None, nik
        first.nik_conflict, first.nik_conflict_with = True, second.id
        second.nik_conflict, second.nik_conflict_with = True, first.id
    return nik
