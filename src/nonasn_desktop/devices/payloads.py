"""What an enrolment file and a roster refresh carry: clerks and the roster, as JSON.

Both directions use the same shape, so the laptop reads with the same checks what the office
writes: every clerk and roster entry is checked column by column (devices.values) and counted
against forms/transfer.toml before anything is written.
"""

from __future__ import annotations

import json
from typing import Any, cast

from sqlalchemy import Column, select
from sqlalchemy.orm import Session

from nonasn_desktop.devices.values import TransferValueError, read_row, row_json
from nonasn_desktop.errors import UserError
from nonasn_desktop.policy.model import TransferLimits
from nonasn_desktop.rules.roles import Role
from nonasn_desktop.storage.models import Clerk, RosterEntry

ENROLMENT_FORMAT = "nonasn-enrolment"
REFRESH_FORMAT = "nonasn-refresh"
VERSION = 1

CLERK_COLUMNS: tuple[Column[Any], ...] = tuple(
    cast("Column[Any]", Clerk.__table__.c[name])
    for name in ("username", "full_name", "role", "password_hash", "active")
)
ROSTER_COLUMNS: tuple[Column[Any], ...] = tuple(
    cast("Column[Any]", column)
    for column in RosterEntry.__table__.c
    if column.key not in ("id", "created_at", "updated_at")
)


def limits_of(limits: TransferLimits | None) -> TransferLimits:
    if limits is None:
        raise UserError("Batas berkas perpindahan (forms/transfer.toml) tidak dimuat.")
    return limits


def clerks_json(session: Session, usernames: list[str] | None) -> list[dict[str, Any]]:
    """The clerks allowed on a device: ``usernames``, else every active operator."""
    query = select(Clerk).order_by(Clerk.username)
    if usernames is None:
        query = query.where(Clerk.active.is_(True), Clerk.role == Role.OPERATOR)
    rows = list(session.scalars(query))
    if usernames is not None:
        by_name = {row.username: row for row in rows}
        missing = [name for name in usernames if name not in by_name]
        if missing:
            raise UserError(
                f"Pengguna {', '.join(missing)} tidak ada; berkas tidak dibuat.",
                hint="Periksa nama pengguna di Admin › Pengguna.",
            )
        inactive = [name for name in usernames if not by_name[name].active]
        if inactive:
            raise UserError(
                f"Pengguna {', '.join(inactive)} sudah dinonaktifkan; berkas tidak dibuat.",
                hint="Aktifkan dulu, atau jangan sertakan pengguna itu.",
            )
        rows = [by_name[name] for name in dict.fromkeys(usernames)]
    if not rows:
        raise UserError(
            "Tidak ada operator aktif untuk perangkat ini; berkas tidak dibuat.",
            hint="Buat operator di Admin › Pengguna, atau sebutkan dengan --clerk USERNAME.",
        )
    return [row_json(row, CLERK_COLUMNS) for row in rows]


def roster_json(session: Session) -> list[dict[str, Any]]:
    rows = session.scalars(select(RosterEntry).order_by(RosterEntry.nik))
    return [row_json(row, ROSTER_COLUMNS) for row in rows]


def dumps(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def loads(data: bytes, name: str) -> dict[str, Any]:
    try:
        payload = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise TransferValueError(f"Isi berkas {name} bukan JSON; berkas ditolak.") from None
    if not isinstance(payload, dict):
        raise TransferValueError(f"Isi berkas {name} bukan objek JSON; berkas ditolak.")
    return payload


def read_clerks(raw: Any, limits: TransferLimits, name: str) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or len(raw) > limits.max_clerks:
        raise TransferValueError(
            f"Daftar pengguna di berkas {name} tidak sah atau lebih dari {limits.max_clerks}; "
            "berkas ditolak."
        )
    clerks = [
        read_row(
            item,
            CLERK_COLUMNS,
            where=f"{name}, pengguna ke-{index}",
            text_limit=limits.max_text_length,
        )
        for index, item in enumerate(raw, start=1)
    ]
    names = [clerk["username"] for clerk in clerks]
    if len(set(names)) != len(names):
        raise TransferValueError(f"Berkas {name} menyebut satu pengguna dua kali; ditolak.")
    return clerks


def read_roster(raw: Any, limits: TransferLimits, name: str) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or len(raw) > limits.max_roster_entries:
        raise TransferValueError(
            f"Daftar Admin Instansi di berkas {name} tidak sah atau lebih dari "
            f"{limits.max_roster_entries} orang; berkas ditolak."
        )
    entries = []
    for index, item in enumerate(raw, start=1):
        where = f"{name}, daftar Admin Instansi baris ke-{index}"
        entry = read_row(item, ROSTER_COLUMNS, where=where, text_limit=limits.max_text_length)
        nik = entry["nik"]
        if not (isinstance(nik, str) and len(nik) == 16 and nik.isascii() and nik.isdigit()):
            raise TransferValueError(f"{where}: NIK harus 16 digit; berkas ditolak.")
        entries.append(entry)
    niks = [entry["nik"] for entry in entries]
    if len(set(niks)) != len(niks):
        raise TransferValueError(f"Berkas {name} menyebut satu NIK dua kali; ditolak.")
    return entries
