"""The audit trail: who changed what, when and why (DOMAIN.md section 6).

Entries are written in the same transaction as the change they describe, so a change and its
audit entry are committed or lost together. The table is append-only (database triggers).
Secrets never reach the log: values of secret fields are replaced by a marker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from nonasn_desktop.core.context import AppContext
from nonasn_desktop.storage import jsontext
from nonasn_desktop.storage.database import SESSION_DEVICE
from nonasn_desktop.storage.models import AuditLog

SYSTEM_ACTOR = "system"
REDACTED = "[disembunyikan]"
# Field names whose values are never written to the log, only the fact that they changed.
SECRET_FIELDS = frozenset(
    {
        "password",
        "password_hash",
        "kata_sandi",
        "kata_sandi_ulang",
        "login_kata_sandi",
        "jawaban_pengaman",
        "jawaban_pengaman_hash",
    }
)
_MAX_ACTOR = 64


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: dt.datetime
    actor: str
    action: str
    entity: str
    entity_id: str | None
    # {field: (old, new)} with JSON-friendly values (dates as ISO text).
    changes: dict[str, tuple[object, object]]
    reason: str | None
    # The desk (or device) the change was made on; None for entries older than desk codes.
    device: str | None = None


def _redact(key: str, value: object) -> object:
    return REDACTED if key in SECRET_FIELDS and value is not None else value


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | int | None,
    changes: Mapping[str, tuple[object, object]] | None = None,
    reason: str | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Add one audit entry to ``session`` (committed with the caller's transaction).

    ``at`` should be ``ctx.now()``; it defaults to the system clock. The entry names the
    device of the session (``Database.device_code``: the desk this application runs on).
    """
    payload = (
        {key: [_redact(key, old), _redact(key, new)] for key, (old, new) in changes.items()}
        if changes
        else None
    )
    session.add(
        AuditLog(
            at=at if at is not None else dt.datetime.now(dt.UTC),
            actor=actor[:_MAX_ACTOR],
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            changes=None if payload is None else jsontext.dumps(payload),
            reason=reason,
            device=session.info.get(SESSION_DEVICE),
        )
    )


def _entry(row: AuditLog) -> AuditEntry:
    raw = jsontext.loads(row.changes) or {}
    return AuditEntry(
        id=row.id,
        at=row.at,
        actor=row.actor,
        action=row.action,
        entity=row.entity,
        entity_id=row.entity_id,
        changes={key: (pair[0], pair[1]) for key, pair in raw.items()},
        reason=row.reason,
        device=row.device,
    )


def history(ctx: AppContext, entity: str, entity_id: str | int | None) -> list[AuditEntry]:
    """Every entry about one entity, oldest first."""
    query = select(AuditLog).where(AuditLog.entity == entity)
    if entity_id is None:
        query = query.where(AuditLog.entity_id.is_(None))
    else:
        query = query.where(AuditLog.entity_id == str(entity_id))
    with ctx.db.session() as session:
        rows = session.scalars(query.order_by(AuditLog.at, AuditLog.id)).all()
        return [_entry(row) for row in rows]


def recent(
    ctx: AppContext, *, limit: int = 100, action_prefix: str | None = None
) -> list[AuditEntry]:
    """The newest entries first, optionally only actions starting with ``action_prefix``."""
    query = select(AuditLog)
    if action_prefix:
        query = query.where(AuditLog.action.startswith(action_prefix, autoescape=True))
    with ctx.db.session() as session:
        rows = session.scalars(query.order_by(AuditLog.id.desc()).limit(limit)).all()
        return [_entry(row) for row in rows]
