"""The office's side of field laptops: enrol, list, revoke, and send a roster refresh.

Enrolling a laptop makes its own Ed25519 signing key here, at the office: the office keeps the
public half (and key id) in the ``device`` table to verify every transfer file the laptop
sends, and hands the secret half to the laptop inside the enrolment file, encrypted with the
enrolment passphrase the admin types here and the field clerk types again at ``init``
(crypto.envelope). The enrolment file is signed by the office key; it carries the office's
identity and public key (what the laptop will trust from then on), the clerks allowed to sign
in there (with their password hashes, so they sign in with the password they have), and a
snapshot of the Admin Instansi roster.

Every file for a device (enrolment, refresh, records sent back) needs the office key, hence its
passphrase, like a batch export.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from nonasn_desktop.accounts.authz import Actor, authorise, require
from nonasn_desktop.atomicfile import write_bytes_atomically
from nonasn_desktop.core import audit
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.crypto import envelope
from nonasn_desktop.crypto.age import Recipient
from nonasn_desktop.crypto.minisign import SecretKey, key_id_hex
from nonasn_desktop.devices import payloads
from nonasn_desktop.devices.values import utc_text
from nonasn_desktop.errors import ConflictError, FieldError, NotFoundError, StorageError
from nonasn_desktop.office.fielddevice import DEVICE_CODE_PATTERN, require_office_side
from nonasn_desktop.office.identity import OfficeInfo, get_office
from nonasn_desktop.office.keys import public_key, unlock_office_key
from nonasn_desktop.rules.permissions import Permission
from nonasn_desktop.storage.deskconfig import DESK_NAME_MAX
from nonasn_desktop.storage.models import Device

ENTITY = "device"
MIN_ENROLMENT_PASSPHRASE = 10
_CODE_NUMBER = re.compile(r"L([0-9]+)")


@dataclass(frozen=True)
class DeviceInfo:
    code: str
    name: str
    key_id: str
    recipient: str
    enrolled_at: dt.datetime
    enrolled_by: str
    revoked_at: dt.datetime | None
    revoked_by: str | None
    last_sequence: int
    refresh_sequence: int

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


@dataclass(frozen=True)
class EnrolResult:
    device: DeviceInfo
    file: Path
    clerks: tuple[str, ...]
    roster_count: int


@dataclass(frozen=True)
class RefreshResult:
    device: DeviceInfo
    file: Path
    sequence: int
    clerks: tuple[str, ...]
    roster_count: int


def _info(row: Device) -> DeviceInfo:
    return DeviceInfo(
        code=row.code,
        name=row.name,
        key_id=row.key_id,
        recipient=row.recipient,
        enrolled_at=row.enrolled_at,
        enrolled_by=row.enrolled_by,
        revoked_at=row.revoked_at,
        revoked_by=row.revoked_by,
        last_sequence=row.last_sequence,
        refresh_sequence=row.refresh_sequence,
    )


def clean_device_name(raw: str) -> str:
    name = " ".join(raw.split())
    if not name:
        raise FieldError(
            "nama_perangkat", "Nama perangkat wajib diisi.", hint='Contoh: "Laptop Kec. Selebar".'
        )
    if len(name) > DESK_NAME_MAX:
        raise FieldError(
            "nama_perangkat", f"Nama perangkat paling banyak {DESK_NAME_MAX} karakter."
        )
    return name


def validate_enrolment_passphrase(passphrase: str, repeat: str | None = None) -> None:
    if len(passphrase.strip()) < MIN_ENROLMENT_PASSPHRASE:
        raise FieldError(
            "frasa_sandi_pendaftaran",
            f"Frasa sandi pendaftaran perangkat paling sedikit {MIN_ENROLMENT_PASSPHRASE} "
            "karakter.",
            hint="Sampaikan frasa itu kepada petugas lapangan secara langsung, bukan bersama "
            "berkasnya.",
        )
    if repeat is not None and repeat != passphrase:
        raise FieldError("frasa_sandi_pendaftaran_ulang", "Frasa sandi dan ulangannya tidak sama.")


def _next_code(session: Session) -> str:
    numbers = [
        int(match.group(1))
        for code in session.scalars(select(Device.code))
        if (match := _CODE_NUMBER.fullmatch(code))
    ]
    number = max(numbers, default=0) + 1
    return f"L{number:02d}"


def _office(ctx: AppContext) -> OfficeInfo:
    office = get_office(ctx)
    if office is None:
        raise ConflictError(
            "Kantor belum disiapkan.", hint="Jalankan dulu: nonasn init --office-code KODE …"
        )
    return office


def write_file(out: Path, data: bytes) -> None:
    """Write an office file for a device atomically; StorageError when it cannot be."""
    try:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomically(Path(out), data)
    except OSError as exc:
        raise StorageError(
            f"Berkas {out} tidak dapat ditulis ({exc.strerror}).",
            hint="Periksa folder tujuan (izin, ruang kosong, diska USB terpasang); tidak ada "
            "yang diubah.",
        ) from None


def _office_part(ctx: AppContext, office: OfficeInfo, office_key: SecretKey) -> dict[str, Any]:
    """What an enrolment file says of the office: who it is, the key that signs its refreshes
    and the recipient its transfer files are encrypted to."""
    return {
        "code": office.code,
        "name": office.name,
        "instansi_name": office.instansi_name,
        "public_key": public_key(ctx).to_text(),
        "recipient": str(envelope.transfer_identity(office_key.seed()).recipient),
    }


def _device_row(
    code: str, name: str, device_key: SecretKey, now: dt.datetime, actor: str
) -> Device:
    """The office's row of a newly enrolled device: its public key and transfer recipient."""
    return Device(
        code=code,
        name=name,
        public_key=base64.b64encode(device_key.public_key().key).decode("ascii"),
        key_id=key_id_hex(device_key.key_id),
        recipient=str(envelope.transfer_identity(device_key.seed()).recipient),
        enrolled_at=now,
        enrolled_by=actor,
        last_sequence=0,
        refresh_sequence=0,
    )


def _office_admin(ctx: AppContext, actor: Actor, what: str) -> None:
    """At the office, and ``actor`` may manage devices: checked before the office key is
    opened (seconds of argon2id), so a refused clerk waits for nothing; checked again in the
    transaction that writes."""
    require_office_side(ctx, what)
    authorise(ctx, actor, Permission.DEVICE_MANAGE)


def enrol_device(
    ctx: AppContext,
    *,
    name: str,
    out: Path,
    office_passphrase: str,
    enrolment_passphrase: str,
    clerks: list[str] | None = None,
    actor: Actor,
) -> EnrolResult:
    """Enrol a new field laptop and write its enrolment file to ``out``.

    The device row and the file stand or fall together: a file that cannot be written leaves
    no device enrolled.
    """
    _office_admin(ctx, actor, "Pendaftaran perangkat lapangan")
    device_name = clean_device_name(name)
    validate_enrolment_passphrase(enrolment_passphrase)
    office = _office(ctx)
    office_key = unlock_office_key(ctx, office_passphrase)
    office_part = _office_part(ctx, office, office_key)
    device_key = SecretKey.generate()
    now = ctx.now()
    with ctx.db.session() as session:
        require(session, ctx, actor, Permission.DEVICE_MANAGE)
        code = _next_code(session)
        clerk_rows = payloads.clerks_json(session, clerks)
        roster = payloads.roster_json(session)
        row = _device_row(code, device_name, device_key, now, actor.username)
        session.add(row)
        session.flush()
        payload = {
            "format": payloads.ENROLMENT_FORMAT,
            "version": payloads.VERSION,
            "created_at": utc_text(now),
            "office": office_part,
            "device": {
                "code": code,
                "name": device_name,
                "seed": base64.b64encode(device_key.seed()).decode("ascii"),
                "key_id": key_id_hex(device_key.key_id),
            },
            "clerks": clerk_rows,
            "roster": roster,
        }
        data = envelope.seal(
            payloads.dumps(payload),
            kind="enrolment",
            signer=office_key,
            comment=f"office={office.code} device={code}",
            passphrase=enrolment_passphrase,
        )
        audit.record(
            session,
            actor=actor.username,
            action="device.enrol",
            entity=ENTITY,
            entity_id=code,
            changes={
                "code": (None, code),
                "name": (None, device_name),
                "key_id": (None, row.key_id),
                "clerks": (None, [clerk["username"] for clerk in clerk_rows]),
            },
            at=now,
        )
        # Written inside the transaction: a file that cannot be written enrols nothing.
        write_file(out, data)
        info = _info(row)
    return EnrolResult(
        device=info,
        file=Path(out),
        clerks=tuple(clerk["username"] for clerk in clerk_rows),
        roster_count=len(roster),
    )


def list_devices(ctx: AppContext, *, actor: Actor) -> list[DeviceInfo]:
    with ctx.db.session() as session:
        require(session, ctx, actor, Permission.DEVICE_MANAGE)
        return [_info(row) for row in session.scalars(select(Device).order_by(Device.code))]


def normalise_code(raw: str) -> str:
    code = raw.strip().upper()
    if not DEVICE_CODE_PATTERN.fullmatch(code):
        raise FieldError(
            "kode_perangkat",
            f"Kode perangkat '{raw.strip()}' tidak sah.",
            hint="Kode perangkat berbentuk L01, L02, … (lihat: nonasn device list).",
        )
    return code


def _find(session: Session, code: str) -> Device:
    row = session.scalars(select(Device).where(Device.code == normalise_code(code))).one_or_none()
    if row is None:
        raise NotFoundError(
            f"Perangkat {code} tidak terdaftar di kantor ini.",
            hint="Lihat daftar perangkat dengan: nonasn device list",
        )
    return row


def get_device(ctx: AppContext, code: str) -> DeviceInfo:
    with ctx.db.session() as session:
        return _info(_find(session, code))


def revoke_device(ctx: AppContext, code: str, *, actor: Actor) -> DeviceInfo:
    """Revoke a device: its transfer files are refused from now on. Revoking twice changes
    nothing (the first date stays)."""
    with ctx.db.session() as session:
        require(session, ctx, actor, Permission.DEVICE_MANAGE)
        row = _find(session, code)
        if row.revoked_at is None:
            now = ctx.now()
            row.revoked_at = now
            row.revoked_by = actor.username
            audit.record(
                session,
                actor=actor.username,
                action="device.revoke",
                entity=ENTITY,
                entity_id=row.code,
                changes={"revoked_at": (None, utc_text(now))},
                at=now,
            )
        return _info(row)


def write_refresh(
    ctx: AppContext,
    code: str,
    *,
    out: Path,
    office_passphrase: str,
    clerks: list[str] | None = None,
    actor: Actor,
) -> RefreshResult:
    """A roster refresh for device ``code``: the current roster and clerks, signed by the
    office key and encrypted to the device; numbered, so the device refuses an older one."""
    _office_admin(ctx, actor, "Pembaruan daftar untuk perangkat lapangan")
    office = _office(ctx)
    office_key = unlock_office_key(ctx, office_passphrase)
    now = ctx.now()
    with ctx.db.session() as session:
        require(session, ctx, actor, Permission.DEVICE_MANAGE)
        row = _find(session, code)
        if row.revoked_at is not None:
            raise ConflictError(
                f"Perangkat {row.code} ({row.name}) sudah dicabut; pembaruan tidak dibuat."
            )
        row.refresh_sequence += 1
        clerk_rows = payloads.clerks_json(session, clerks)
        roster = payloads.roster_json(session)
        payload = {
            "format": payloads.REFRESH_FORMAT,
            "version": payloads.VERSION,
            "created_at": utc_text(now),
            "office_code": office.code,
            "device_code": row.code,
            "sequence": row.refresh_sequence,
            "clerks": clerk_rows,
            "roster": roster,
        }
        data = envelope.seal(
            payloads.dumps(payload),
            kind="refresh",
            signer=office_key,
            comment=f"office={office.code} device={row.code} sequence={row.refresh_sequence}",
            recipient=Recipient.parse(row.recipient),
        )
        audit.record(
            session,
            actor=actor.username,
            action="device.refresh",
            entity=ENTITY,
            entity_id=row.code,
            changes={"refresh_sequence": (row.refresh_sequence - 1, row.refresh_sequence)},
            at=now,
        )
        write_file(out, data)
        info = _info(row)
    return RefreshResult(
        device=info,
        file=Path(out),
        sequence=info.refresh_sequence,
        clerks=tuple(clerk["username"] for clerk in clerk_rows),
        roster_count=len(roster),
    )
