"""Setting up a data folder for one office (``nonasn init``) and reading who owns it.

``initialise`` describes the desired state, so running it again changes nothing and says so.
A data folder belongs to exactly one office: another office code is refused.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from nonasn_desktop.accounts import users
from nonasn_desktop.core import audit
from nonasn_desktop.core.audit import SYSTEM_ACTOR
from nonasn_desktop.core.context import AppContext, use_session
from nonasn_desktop.errors import ConflictError, FieldError
from nonasn_desktop.rules.roles import Role
from nonasn_desktop.rules.timezones import OfficeZone, office_zone
from nonasn_desktop.storage.models import Clerk, Office

OFFICE_CODE_PATTERN = re.compile(r"[A-Z0-9]{2,12}")
OFFICE_NAME_MAX = 150
OFFICE_ROW_ID = 1


@dataclass(frozen=True)
class OfficeInfo:
    code: str
    name: str
    instansi_name: str | None
    created_at: dt.datetime


@dataclass(frozen=True)
class InitResult:
    created_office: bool
    created_admin: bool
    messages: list[str] = field(default_factory=list)


def normalise_office_code(raw: str) -> str:
    code = raw.strip().upper()
    if not OFFICE_CODE_PATTERN.fullmatch(code):
        raise FieldError(
            "office_code",
            f"Kode kantor '{raw.strip()}' tidak sah: harus 2–12 huruf atau angka, tanpa spasi.",
            hint="Contoh: 3171 atau BKDJAKPUS.",
        )
    return code


def _clean_name(raw: str | None, field_name: str, label: str, *, required: bool) -> str | None:
    value = " ".join((raw or "").split())
    if not value:
        if required:
            raise FieldError(field_name, f"{label} wajib diisi.")
        return None
    if len(value) > OFFICE_NAME_MAX:
        raise FieldError(field_name, f"{label} paling banyak {OFFICE_NAME_MAX} karakter.")
    return value


def _info(office: Office) -> OfficeInfo:
    return OfficeInfo(
        code=office.code,
        name=office.name,
        instansi_name=office.instansi_name,
        created_at=office.created_at,
    )


def get_office(ctx: AppContext, *, session: Session | None = None) -> OfficeInfo | None:
    """The office owning this data folder; None before ``initialise``.

    ``session``: read inside the caller's transaction instead of a new one.
    """
    with use_session(ctx, session) as active:
        office = active.get(Office, OFFICE_ROW_ID)
        return None if office is None else _info(office)


def initialise(
    ctx: AppContext,
    *,
    office_code: str,
    office_name: str,
    admin: tuple[str, str] | None = None,
    instansi_name: str | None = None,
    actor: str = SYSTEM_ACTOR,
) -> InitResult:
    """Record the office and, when ``admin`` = (username, password) is given, a first admin.

    Idempotent: repeating the same call changes nothing. A different office code for a folder
    that already belongs to an office raises ConflictError. A different name updates it.
    """
    code = normalise_office_code(office_code)
    name = _clean_name(office_name, "office_name", "Nama kantor", required=True)
    assert name is not None
    instansi = _clean_name(instansi_name, "instansi_name", "Nama instansi", required=False)
    messages: list[str] = []
    created_admin = False
    with ctx.db.session() as session:
        now = ctx.now()
        office = session.get(Office, OFFICE_ROW_ID)
        created_office = office is None
        updated_office = False
        if office is None:
            _create_office(session, code, name, instansi, actor=actor, now=now)
            messages.append(f"Kantor {code} ({name}) disiapkan.")
        elif office.code != code:
            raise ConflictError(
                f"Folder data ini milik kantor {office.code}, bukan {code}.",
                hint="Pilih folder data lain dengan --data-dir untuk kantor itu; "
                "data yang ada tidak diubah.",
            )
        else:
            changes = _update_office(session, office, name, instansi, actor=actor, now=now)
            if changes:
                updated_office = True
                messages.append(f"Data kantor {code} diperbarui: {', '.join(changes)}.")
        if admin is not None:
            created_admin = _ensure_admin(session, ctx, admin, actor=actor, messages=messages)

    if not (created_office or created_admin or updated_office):
        messages.insert(0, f"Kantor {code} sudah disiapkan; tidak ada yang diubah.")
    return InitResult(created_office=created_office, created_admin=created_admin, messages=messages)


def _create_office(
    session: Session,
    code: str,
    name: str,
    instansi: str | None,
    *,
    actor: str,
    now: dt.datetime,
) -> None:
    office = Office(id=OFFICE_ROW_ID, code=code, name=name, instansi_name=instansi, created_at=now)
    session.add(office)
    audit.record(
        session,
        actor=actor,
        action="office.initialise",
        entity="office",
        entity_id=code,
        changes={
            "code": (None, code),
            "name": (None, name),
            "instansi_name": (None, instansi),
        },
        at=now,
    )


def _update_office(
    session: Session,
    office: Office,
    name: str,
    instansi: str | None,
    *,
    actor: str,
    now: dt.datetime,
) -> dict[str, tuple[object, object]]:
    """Take a new name (an instansi name only when given); the fields that changed."""
    changes: dict[str, tuple[object, object]] = {}
    if office.name != name:
        changes["name"] = (office.name, name)
        office.name = name
    if instansi is not None and office.instansi_name != instansi:
        changes["instansi_name"] = (office.instansi_name, instansi)
        office.instansi_name = instansi
    if changes:
        audit.record(
            session,
            actor=actor,
            action="office.update",
            entity="office",
            entity_id=office.code,
            changes=changes,
            at=now,
        )
    return changes


def _ensure_admin(
    session: Session,
    ctx: AppContext,
    admin: tuple[str, str],
    *,
    actor: str,
    messages: list[str],
) -> bool:
    """Make the first admin unless that admin exists already; whether one was made."""
    username_raw, password = admin
    username = users.validate_username(username_raw)
    existing = session.scalars(select(Clerk).where(Clerk.username == username)).first()
    if existing is None:
        users.refuse_when_admin_exists(session)  # a 2nd admin: nobody authorised it
        users.create_clerk(
            session,
            ctx,
            username=username,
            full_name=username,
            role=Role.ADMIN,
            password=password,
            actor=actor,
        )
        messages.append(f"Pengguna admin '{username}' dibuat.")
        return True
    if Role(existing.role) is not Role.ADMIN:
        raise ConflictError(
            f"Nama pengguna '{username}' sudah dipakai pengguna dengan peran "
            f"{Role(existing.role).label}.",
            hint="Pilih nama pengguna lain untuk admin.",
        )
    messages.append(f"Pengguna admin '{username}' sudah ada; kata sandinya tidak diubah.")
    return False


def zone_of(ctx: AppContext) -> OfficeZone:
    """The office's time zone (WIB, WITA, WIT) from its code, whatever the laptop's is: every
    time shown or printed uses it; stored times stay UTC."""
    office = get_office(ctx)
    fallback = ctx.now().astimezone().utcoffset()
    return office_zone(office.code if office else "", fallback=fallback)
