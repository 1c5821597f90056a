"""The laptop's side: set up from an enrolment file, apply a roster refresh, open the device key.

``nonasn --data-dir D init --enrollment FILE`` opens the file with the enrolment passphrase,
checks that it is signed by the office key it names (the passphrase is what makes that key
trustworthy: only the admin who wrote the file and the clerk told in person know it), and then,
in one transaction: the office row, the clerks (with the password hashes they have at the
office), the roster snapshot, and the device's identity (office.fielddevice) with its signing
key sealed again with the same passphrase (crypto.keyfile). The data folder's ``meja.json``
names the device (kind ``perangkat_lapangan``) so the audit log and locks name it too. No office
key exists on a laptop.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from nonasn_desktop.accounts import slots
from nonasn_desktop.central.files import read_bounded
from nonasn_desktop.core import audit
from nonasn_desktop.core.audit import SYSTEM_ACTOR
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.crypto import envelope, keyfile
from nonasn_desktop.crypto.age import Recipient
from nonasn_desktop.crypto.errors import WrongPassphraseError
from nonasn_desktop.crypto.minisign import PublicKey, SecretKey, key_id_hex
from nonasn_desktop.devices import payloads
from nonasn_desktop.devices.payloads import limits_of
from nonasn_desktop.devices.values import TransferValueError
from nonasn_desktop.errors import ConflictError, UserError
from nonasn_desktop.office.fielddevice import (
    DEVICE_CODE_PATTERN,
    FieldDevice,
    read_field_device,
    write_field_device,
)
from nonasn_desktop.office.identity import OFFICE_CODE_PATTERN, OFFICE_NAME_MAX, OFFICE_ROW_ID
from nonasn_desktop.storage.database import SESSION_DEVICE
from nonasn_desktop.storage.deskconfig import (
    KIND_FIELD_DEVICE,
    read_desk_config,
    write_desk_config,
)
from nonasn_desktop.storage.models import Clerk, Office, Registration, RosterEntry


@dataclass(frozen=True)
class FieldSetup:
    device: FieldDevice
    office_name: str
    clerks: tuple[str, ...]
    roster_count: int
    already: bool


@dataclass(frozen=True)
class RefreshApplied:
    sequence: int
    clerks: tuple[str, ...]
    roster_count: int


def _bad(name: str, what: str) -> TransferValueError:
    return TransferValueError(
        f"Berkas pendaftaran {name} tidak sah: {what}; tidak ada yang disimpan.",
        hint="Minta admin kantor membuat ulang berkas pendaftaran perangkat.",
    )


def _text(data: dict[str, Any], key: str, limit: int, name: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value or len(value) > limit:
        raise _bad(name, f"isian {key}")
    return value


def _read(path: Path, ctx: AppContext) -> bytes:
    limits = limits_of(ctx.policy.transfer)
    try:
        return read_bounded(Path(path), limits.max_enrolment_bytes, "Berkas")
    except FileNotFoundError:
        raise UserError(f"Berkas {path} tidak ada.") from None


@dataclass(frozen=True)
class _Enrolment:
    device: FieldDevice
    seed: bytes
    office_name: str
    instansi_name: str | None
    clerks: list[dict[str, Any]]
    roster: list[dict[str, Any]]


def _parse_enrolment(ctx: AppContext, data: bytes, passphrase: str, name: str) -> _Enrolment:
    limits = limits_of(ctx.policy.transfer)
    opened = envelope.open_envelope(
        data, kind="enrolment", trusted=None, name=name, passphrase=passphrase
    )
    payload = payloads.loads(opened.payload, name)
    if payload.get("format") != payloads.ENROLMENT_FORMAT or payload.get("version") != 1:
        raise _bad(name, "bukan berkas pendaftaran perangkat versi ini")
    office = payload.get("office")
    device = payload.get("device")
    if not isinstance(office, dict) or not isinstance(device, dict):
        raise _bad(name, "bagian kantor atau perangkat tidak ada")
    office_code = _text(office, "code", 12, name)
    if not OFFICE_CODE_PATTERN.fullmatch(office_code):
        raise _bad(name, "kode kantor")
    try:
        office_key = PublicKey.parse(_text(office, "public_key", 1000, name), source=name)
        recipient = Recipient.parse(_text(office, "recipient", 100, name))
        seed = base64.b64decode(_text(device, "seed", 64, name), validate=True)
    except (UserError, binascii.Error):
        raise _bad(name, "kunci kantor atau kunci perangkat") from None
    # The passphrase made the office key trustworthy; now the payload must be signed by it.
    envelope.verify(opened, office_key, name=name)
    code = _text(device, "code", 16, name)
    if not DEVICE_CODE_PATTERN.fullmatch(code) or len(seed) != 32:
        raise _bad(name, "kode atau kunci perangkat")
    key_id = _text(device, "key_id", 16, name)
    try:
        key = SecretKey(seed, bytes.fromhex(key_id)[::-1])
    except ValueError:
        raise _bad(name, "ID kunci perangkat") from None
    office_name = _text(office, "name", OFFICE_NAME_MAX, name)
    instansi = office.get("instansi_name")
    if instansi is not None and (not isinstance(instansi, str) or len(instansi) > OFFICE_NAME_MAX):
        raise _bad(name, "nama instansi")
    created = _text(payload, "created_at", 40, name)
    sealed = keyfile.seal(
        key,
        passphrase,
        office_code=office_code,
        office_name=f"{office_name} — perangkat {code}",
        created_at=created,
    )
    field_device = FieldDevice(
        code=code,
        name=_text(device, "name", 60, name),
        office_code=office_code,
        office_public_key=office_key.to_text(),
        office_recipient=str(recipient),
        sealed_key=sealed.decode("utf-8"),
        key_id=key_id_hex(key.key_id),
        enrolled_at=created,
    )
    return _Enrolment(
        device=field_device,
        seed=seed,
        office_name=office_name,
        instansi_name=instansi,
        clerks=payloads.read_clerks(payload.get("clerks"), limits, name),
        roster=payloads.read_roster(payload.get("roster"), limits, name),
    )


def _put_clerks(session: Session, ctx: AppContext, clerks: list[dict[str, Any]]) -> None:
    """Add or update the listed clerks; clerks not listed any more are deactivated."""
    now = ctx.now()
    listed = {clerk["username"] for clerk in clerks}
    existing = {row.username: row for row in session.scalars(select(Clerk))}
    for clerk in clerks:
        row = existing.get(clerk["username"])
        if row is None:
            row = Clerk(failed_attempts=0, created_at=now, **clerk)
            session.add(row)
            session.flush()
            action = "user.create"
        else:
            for key, value in clerk.items():
                setattr(row, key, value)
            action = "user.update"
        audit.record(
            session,
            actor=SYSTEM_ACTOR,
            action=action,
            entity="clerk",
            entity_id=row.id,
            changes={"username": (None, row.username), "role": (None, row.role.value)},
            reason="dari kantor (berkas pendaftaran/pembaruan perangkat)",
            at=now,
        )
    for username, row in existing.items():
        if username not in listed and row.active:
            row.active = False
            audit.record(
                session,
                actor=SYSTEM_ACTOR,
                action="user.deactivate",
                entity="clerk",
                entity_id=row.id,
                changes={"active": (True, False)},
                reason="tidak lagi terdaftar untuk perangkat ini",
                at=now,
            )


def _put_roster(session: Session, ctx: AppContext, roster: list[dict[str, Any]]) -> None:
    """The office's roster replaces the laptop's: entries updated by NIK, new ones added,
    entries no longer listed removed (a record that named one keeps its own copy of the data)."""
    now = ctx.now()
    listed = {entry["nik"]: entry for entry in roster}
    existing = {row.nik: row for row in session.scalars(select(RosterEntry))}
    for nik, entry in listed.items():
        row = existing.get(nik)
        if row is None:
            session.add(RosterEntry(created_at=now, updated_at=now, **entry))
        else:
            for key, value in entry.items():
                setattr(row, key, value)
            row.updated_at = now
    gone = [row.id for nik, row in existing.items() if nik not in listed]
    if gone:
        session.execute(
            Registration.__table__.update()  # type: ignore[attr-defined]
            .where(Registration.roster_entry_id.in_(gone))
            .values(roster_entry_id=None)
        )
        session.execute(delete(RosterEntry).where(RosterEntry.id.in_(gone)))
    audit.record(
        session,
        actor=SYSTEM_ACTOR,
        action="roster.replace",
        entity="roster",
        entity_id=None,
        changes={"entries": (len(existing), len(listed))},
        reason="daftar Admin Instansi dari kantor",
        at=now,
    )


def set_up_field_device(ctx: AppContext, path: Path, passphrase: str) -> FieldSetup:
    """Set this (empty) data folder up as the field device an enrolment file describes.

    The same file again changes nothing and says so; a folder holding another office or
    device, or any record, is refused.
    """
    name = Path(path).name
    enrolment = _parse_enrolment(ctx, _read(path, ctx), passphrase, name)
    device = enrolment.device
    with ctx.db.session() as session:
        # The folder was opened under a provisional desk code; its first entries name the device.
        session.info[SESSION_DEVICE] = device.code
        current = read_field_device(session)
        office = session.get(Office, OFFICE_ROW_ID)
        if current is not None:
            if (current.code, current.key_id) == (device.code, device.key_id):
                return FieldSetup(current, enrolment.office_name, (), 0, already=True)
            raise ConflictError(
                f"Folder data ini sudah menjadi perangkat {current.code} ({current.name}).",
                hint="Pakai folder data lain (--data-dir) untuk pendaftaran baru.",
            )
        if office is not None or session.scalar(select(Registration.id).limit(1)) is not None:
            raise ConflictError(
                "Folder data ini sudah berisi kantor atau data; perangkat lapangan disiapkan "
                "di folder data yang baru.",
                hint="Pilih folder kosong dengan --data-dir; data yang ada tidak diubah.",
            )
        now = ctx.now()
        session.add(
            Office(
                id=OFFICE_ROW_ID,
                code=device.office_code,
                name=enrolment.office_name,
                instansi_name=enrolment.instansi_name,
                created_at=now,
            )
        )
        audit.record(
            session,
            actor=SYSTEM_ACTOR,
            action="device.set_up",
            entity="device",
            entity_id=device.code,
            changes={"office": (None, device.office_code), "device": (None, device.code)},
            at=now,
        )
        _put_clerks(session, ctx, enrolment.clerks)
        _put_roster(session, ctx, enrolment.roster)
        write_field_device(session, device)
    config = read_desk_config(ctx.data_dir.path)
    write_desk_config(
        ctx.data_dir.path,
        replace(
            config,
            code=device.code,
            name=device.name,
            kind=KIND_FIELD_DEVICE,
            office_public_key=device.office_public_key,
        ),
    )
    return FieldSetup(
        device=device,
        office_name=enrolment.office_name,
        clerks=tuple(clerk["username"] for clerk in enrolment.clerks),
        roster_count=len(enrolment.roster),
        already=False,
    )


def require_field_device(ctx: AppContext, session: Session | None = None) -> FieldDevice:
    if session is not None:
        device = read_field_device(session)
    else:
        with ctx.db.session() as own:
            device = read_field_device(own)
    if device is None:
        raise ConflictError(
            "Folder data ini bukan perangkat lapangan.",
            hint="Perangkat lapangan disiapkan dari berkas pendaftaran: nonasn init "
            "--enrollment BERKAS.",
        )
    return device


def unlock_device_key(ctx: AppContext, passphrase: str) -> SecretKey:
    """The device's signing key, opened with the enrolment passphrase."""
    device = require_field_device(ctx)
    try:
        return keyfile.unseal(device.sealed_key.encode("utf-8"), passphrase, where="perangkat")
    except WrongPassphraseError:
        raise WrongPassphraseError(
            "Frasa sandi kunci perangkat salah.",
            hint="Pakai frasa sandi pendaftaran perangkat yang diberikan admin kantor.",
        ) from None


def office_key_of(device: FieldDevice) -> PublicKey:
    return PublicKey.parse(device.office_public_key, source="kunci kantor perangkat")


def apply_refresh(ctx: AppContext, path: Path, passphrase: str) -> RefreshApplied:
    """Apply a roster refresh from the office; an older (or the same) refresh is refused."""
    limits = limits_of(ctx.policy.transfer)
    name = Path(path).name
    data = _read(path, ctx)
    key = unlock_device_key(ctx, passphrase)
    device = require_field_device(ctx)
    opened = envelope.open_envelope(
        data,
        kind="refresh",
        trusted=office_key_of(device),
        name=name,
        identity=envelope.transfer_identity(key.seed()),
    )
    payload = payloads.loads(opened.payload, name)
    if payload.get("format") != payloads.REFRESH_FORMAT or payload.get("version") != 1:
        raise _bad(name, "bukan berkas pembaruan daftar")
    if (
        payload.get("device_code") != device.code
        or payload.get("office_code") != device.office_code
    ):
        raise ConflictError(
            f"Berkas {name} untuk perangkat {payload.get('device_code')}, bukan {device.code}.",
            hint="Minta admin kantor membuat pembaruan untuk perangkat ini.",
        )
    sequence = payload.get("sequence")
    if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 1:
        raise _bad(name, "nomor urut pembaruan")
    if sequence <= device.refresh_sequence:
        raise ConflictError(
            f"Pembaruan nomor {sequence} tidak lebih baru dari yang sudah dipakai perangkat ini "
            f"(nomor {device.refresh_sequence}); tidak ada yang diubah.",
            hint="Minta admin kantor membuat pembaruan terbaru: nonasn device refresh.",
        )
    clerks = payloads.read_clerks(payload.get("clerks"), limits, name)
    roster = payloads.read_roster(payload.get("roster"), limits, name)
    with ctx.db.session() as session:
        _put_clerks(session, ctx, clerks)
        _put_roster(session, ctx, roster)
        current = require_field_device(ctx, session)
        write_field_device(session, replace(current, refresh_sequence=sequence))
        stored = [(c.username, c.password_hash, c.active) for c in session.scalars(select(Clerk))]
    # An encrypted laptop: a new clerk (or a new password) opens it, a removed one no longer.
    slots.follow_clerks(ctx, stored)
    return RefreshApplied(
        sequence=sequence,
        clerks=tuple(clerk["username"] for clerk in clerks),
        roster_count=len(roster),
    )
