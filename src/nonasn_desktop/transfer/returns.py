"""Records the office sent back ("Perlu Perbaikan") carried to the laptop that made them.

At the office, ``nonasn transfer return --device L01 --out FILE`` writes every record of that
device whose verifier's decision is "Perlu Perbaikan": the decision (reason, the fields to
correct, when and by whom), signed by the office key and encrypted to the device (an envelope of
kind ``return``, crypto.envelope). The office marks them ``returned_to_device``.

On the laptop, ``nonasn transfer apply FILE`` puts each decision on its record (found by uid)
when it is newer than what the laptop knows: the record shows "Perlu Perbaikan" with the
verifier's reason, the clerk corrects and finishes it again, and the next transfer export
carries it back; the office takes that version because it was made after its decision.
Applying the same file twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select

from nonasn_desktop.accounts.authz import Actor, authorise, require
from nonasn_desktop.central.files import read_bounded
from nonasn_desktop.core import audit
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.crypto import envelope
from nonasn_desktop.crypto.age import Recipient
from nonasn_desktop.devices import payloads
from nonasn_desktop.devices.field import office_key_of, require_field_device, unlock_device_key
from nonasn_desktop.devices.payloads import limits_of
from nonasn_desktop.devices.registry import get_device, write_file
from nonasn_desktop.devices.values import TransferValueError, read_row, row_json, utc_text
from nonasn_desktop.errors import ConflictError, UserError
from nonasn_desktop.office.fielddevice import require_office_side
from nonasn_desktop.office.identity import get_office
from nonasn_desktop.office.keys import unlock_office_key
from nonasn_desktop.rules.permissions import Permission
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.storage.models import Clerk, Registration
from nonasn_desktop.transfer.format import REGISTRATION_COLUMNS

RETURN_FORMAT = "nonasn-return"
_DECISION_KEYS = ("uid", "status", "decision_reason", "correction_fields", "decided_at")
DECISION_COLUMNS = tuple(c for c in REGISTRATION_COLUMNS if c.key in _DECISION_KEYS)


@dataclass(frozen=True)
class ReturnWritten:
    device_code: str
    file: Path
    records: int


@dataclass(frozen=True)
class ReturnApplied:
    applied: int
    already: int
    unknown: int


def write_return(
    ctx: AppContext, code: str, *, out: Path, office_passphrase: str, actor: Actor
) -> ReturnWritten:
    """The device's records waiting for correction, in one file for that device."""
    require_office_side(ctx, "Pengembalian data ke perangkat lapangan")
    authorise(ctx, actor, Permission.TRANSFER_IMPORT)
    device = get_device(ctx, code)
    if device.revoked_at is not None:
        raise ConflictError(f"Perangkat {device.code} ({device.name}) sudah dicabut.")
    office = get_office(ctx)
    assert office is not None
    office_key = unlock_office_key(ctx, office_passphrase)
    now = ctx.now()
    with ctx.db.session() as session:
        require(session, ctx, actor, Permission.TRANSFER_IMPORT)
        names = {row.id: row.username for row in session.scalars(select(Clerk))}
        rows = session.scalars(
            select(Registration)
            .where(
                Registration.origin_device == device.code,
                Registration.status == RecordStatus.PERLU_PERBAIKAN,
                or_(
                    Registration.returned_to_device.is_(None),
                    Registration.returned_to_device == device.code,
                ),
            )
            .order_by(Registration.id)
        ).all()
        if not rows:
            raise UserError(
                f"Tidak ada data perangkat {device.code} yang berstatus Perlu Perbaikan; "
                "berkas tidak dibuat."
            )
        records = [
            row_json(row, DECISION_COLUMNS) | {"decided_by": names.get(row.decided_by or -1)}
            for row in rows
        ]
        payload = {
            "format": RETURN_FORMAT,
            "version": 1,
            "office_code": office.code,
            "device_code": device.code,
            "created_at": utc_text(now),
            "records": records,
        }
        data = envelope.seal(
            payloads.dumps(payload),
            kind="return",
            signer=office_key,
            comment=f"office={office.code} device={device.code} records={len(records)}",
            recipient=Recipient.parse(device.recipient),
        )
        for row in rows:
            row.returned_to_device = device.code
            audit.record(
                session,
                actor=actor.username,
                action="transfer.return",
                entity="registration",
                entity_id=row.id,
                changes={"returned_to_device": (None, device.code)},
                reason="dikembalikan ke perangkat untuk diperbaiki",
                at=now,
            )
        # Inside the transaction: a file that cannot be written marks nothing returned.
        write_file(out, data)
    return ReturnWritten(device.code, Path(out), len(records))


def _decisions(raw: Any, ctx: AppContext, name: str) -> list[dict[str, Any]]:
    limits = limits_of(ctx.policy.transfer)
    if not isinstance(raw, list) or len(raw) > limits.max_records:
        raise TransferValueError(f"Daftar data di berkas {name} tidak sah; berkas ditolak.")
    decisions = []
    for index, item in enumerate(raw, start=1):
        where = f"Berkas {name}, data ke-{index}"
        decision = read_row(item, DECISION_COLUMNS, where=where, text_limit=limits.max_text_length)
        by = item.get("decided_by") if isinstance(item, dict) else None
        if by is not None and (not isinstance(by, str) or len(by) > 64):
            raise TransferValueError(f"{where}: nama verifikator tidak sah; berkas ditolak.")
        if decision["status"] is not RecordStatus.PERLU_PERBAIKAN or decision["decided_at"] is None:
            raise TransferValueError(f"{where}: bukan keputusan Perlu Perbaikan; berkas ditolak.")
        decisions.append(decision | {"decided_by": by})
    return decisions


def apply_return(ctx: AppContext, path: Path, passphrase: str, *, actor: Actor) -> ReturnApplied:
    """On the laptop: put the office's "Perlu Perbaikan" decisions on their records."""
    name = Path(path).name
    device = require_field_device(ctx)
    authorise(ctx, actor, Permission.FIELD_TRANSFER)
    key = unlock_device_key(ctx, passphrase)
    try:
        data = read_bounded(
            Path(path), limits_of(ctx.policy.transfer).max_enrolment_bytes, "Berkas"
        )
    except FileNotFoundError:
        raise UserError(f"Berkas {path} tidak ada.") from None
    opened = envelope.open_envelope(
        data,
        kind="return",
        trusted=office_key_of(device),
        name=name,
        identity=envelope.transfer_identity(key.seed()),
    )
    payload = payloads.loads(opened.payload, name)
    if payload.get("format") != RETURN_FORMAT or payload.get("version") != 1:
        raise TransferValueError(f"Berkas {name} bukan berkas pengembalian data; ditolak.")
    if payload.get("device_code") != device.code:
        raise ConflictError(
            f"Berkas {name} untuk perangkat {payload.get('device_code')}, bukan {device.code}."
        )
    decisions = _decisions(payload.get("records"), ctx, name)
    applied = already = unknown = 0
    now = ctx.now()
    with ctx.db.session() as session:
        require(session, ctx, actor, Permission.FIELD_TRANSFER)
        for decision in decisions:
            row = session.scalars(
                select(Registration).where(Registration.uid == decision["uid"])
            ).one_or_none()
            if row is None:
                unknown += 1
                continue
            if row.decided_at is not None and row.decided_at >= decision["decided_at"]:
                already += 1
                continue
            previous = RecordStatus(row.status)
            row.status = RecordStatus.PERLU_PERBAIKAN
            row.decision_reason = decision["decision_reason"]
            row.correction_fields = decision["correction_fields"]
            row.decided_at = decision["decided_at"]
            row.decided_by = None
            row.updated_at = now
            audit.record(
                session,
                actor=decision["decided_by"] or "kantor",
                action="verval.perlu_perbaikan",
                entity="registration",
                entity_id=row.id,
                changes={"status": (previous.value, RecordStatus.PERLU_PERBAIKAN.value)},
                reason=decision["decision_reason"],
                at=now,
            )
            applied += 1
    return ReturnApplied(applied=applied, already=already, unknown=unknown)
