from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from nonasn_desktop.core import audit
from nonasn_desktop.core.audit import REDACTED, AuditEntry
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.storage.models import AuditLog

if TYPE_CHECKING:
    from helpers.accounts import FakeClock


def test_record_and_read_back(app_ctx: AppContext, clock: FakeClock) -> None:
    with app_ctx.db.session() as session:
        audit.record(
            session,
            actor="budi",
            action="registration.update",
            entity="registration",
            entity_id=7,
            changes={
                "tanggal_lahir": (dt.date(1990, 1, 5), dt.date(1990, 5, 1)),
                "status": (RecordStatus.DRAF, RecordStatus.AKUN_DIBUAT),
                "nama": (None, "Siti"),
            },
            reason="salah ketik",
            at=app_ctx.now(),
        )
    [entry] = audit.history(app_ctx, "registration", 7)
    assert entry == AuditEntry(
        id=entry.id,
        at=clock.now,
        actor="budi",
        action="registration.update",
        entity="registration",
        entity_id="7",
        changes={
            "tanggal_lahir": ("1990-01-05", "1990-05-01"),
            "status": ("draf", "akun_dibuat"),
            "nama": (None, "Siti"),
        },
        reason="salah ketik",
        # Every entry names the desk it was made on.
        device=app_ctx.desk.code,
    )


def test_history_is_per_entity_and_oldest_first(app_ctx: AppContext, clock: FakeClock) -> None:
    for entity_id, action in [(1, "a"), (2, "b"), ("1", "c")]:
        with app_ctx.db.session() as session:
            audit.record(
                session,
                actor="x",
                action=action,
                entity="clerk",
                entity_id=entity_id,
                at=clock.advance(seconds=1),
            )
    assert [e.action for e in audit.history(app_ctx, "clerk", 1)] == ["a", "c"]
    assert [e.action for e in audit.history(app_ctx, "clerk", "2")] == ["b"]
    assert audit.history(app_ctx, "office", 1) == []
    assert [e.action for e in audit.recent(app_ctx, limit=2)] == ["c", "b"]


def test_entity_without_id(app_ctx: AppContext) -> None:
    with app_ctx.db.session() as session:
        audit.record(session, actor="system", action="x", entity="setting", entity_id=None)
    [entry] = audit.history(app_ctx, "setting", None)
    assert entry.entity_id is None
    assert entry.changes == {}
    assert entry.at.tzinfo is dt.UTC


def test_secrets_never_reach_the_log(app_ctx: AppContext) -> None:
    with app_ctx.db.session() as session:
        audit.record(
            session,
            actor="budi",
            action="registration.update",
            entity="registration",
            entity_id=1,
            changes={
                "kata_sandi": (None, "Rahasia123"),
                "jawaban_pengaman": ("lama", "baru"),
                "password_hash": (None, "$argon2id$..."),
                "nomor_hp": (None, "+6281234567890"),
            },
        )
    with app_ctx.db.session() as session:
        raw = session.scalars(select(AuditLog.changes)).one()
    assert raw is not None
    for secret in ("Rahasia123", "baru", "lama", "argon2"):
        assert secret not in raw
    [entry] = audit.history(app_ctx, "registration", 1)
    assert entry.changes["kata_sandi"] == (None, REDACTED)
    assert entry.changes["jawaban_pengaman"] == (REDACTED, REDACTED)
    assert entry.changes["nomor_hp"] == (None, "+6281234567890")


def _change_first_entry(ctx: AppContext) -> None:
    with ctx.db.session() as session:
        session.scalars(select(AuditLog)).one().actor = "eve"


def _delete_first_entry(ctx: AppContext) -> None:
    with ctx.db.session() as session:
        session.delete(session.scalars(select(AuditLog)).one())


def test_entries_cannot_be_changed_or_deleted(app_ctx: AppContext) -> None:
    with app_ctx.db.session() as session:
        audit.record(session, actor="budi", action="x", entity="clerk", entity_id=1)
    with pytest.raises(IntegrityError, match="hanya dapat ditambah"):
        _change_first_entry(app_ctx)
    with pytest.raises(IntegrityError, match="hanya dapat ditambah"):
        _delete_first_entry(app_ctx)
    assert [e.actor for e in audit.history(app_ctx, "clerk", 1)] == ["budi"]


def test_entry_is_lost_with_its_transaction(app_ctx: AppContext) -> None:
    def fail() -> None:
        with app_ctx.db.session() as session:
            audit.record(session, actor="budi", action="x", entity="clerk", entity_id=1)
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        fail()
    assert audit.history(app_ctx, "clerk", 1) == []
