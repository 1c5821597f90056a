"""A new recovery key for the office data key of an office database server (PostgreSQL): the
recovery row of ``office_data_key_slot`` is replaced, the old key stops opening the office key,
and whoever may not (or types a wrong password, or has no key open) changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from helpers.accounts import ADMIN_PASSWORD, ADMIN_USERNAME, FakeClock, add_clerk, sign_in
from helpers.postgres import fresh_database
from helpers.sql import audit_actions
from nonasn_desktop.accounts import slots
from nonasn_desktop.accounts.recovery import OFFICE_OLD_KEY_NOTE, new_recovery_key, old_key_note
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.crypto import keyslots
from nonasn_desktop.crypto.errors import WrongPassphraseError
from nonasn_desktop.errors import AuthError, ConflictError
from nonasn_desktop.office import identity
from nonasn_desktop.startup import open_app
from nonasn_desktop.storage import officeslots
from nonasn_desktop.storage.models import OfficeDataKeySlot

# What the audit trail says of a replaced recovery key (accounts.recovery).
RENEWED = "kunci pemulihan baru dibuat; kunci lama tidak berlaku lagi"


@pytest.fixture
def office(tmp_path: Path, clock: FakeClock) -> Iterator[tuple[AppContext, str]]:
    """A desk of an office server whose office data key was made with the admin's slot; an
    operator with a slot of their own; the recovery key shown when the key was made."""
    with (
        fresh_database() as url,
        open_app(tmp_path / "meja", create=True, database_url=url, clock=clock) as ctx,
    ):
        identity.initialise(
            ctx, office_code="3273", office_name="BKD", admin=(ADMIN_USERNAME, ADMIN_PASSWORD)
        )
        admin = sign_in(ctx).actor
        recovery = slots.create_office_key(ctx, actor=admin, password=ADMIN_PASSWORD)
        add_clerk(ctx, "operator1", "operator")
        yield ctx, recovery


def _rows(ctx: AppContext) -> list[tuple[str, str, str]]:
    with ctx.db.session() as session:
        rows = session.execute(
            select(OfficeDataKeySlot.kind, OfficeDataKeySlot.label, OfficeDataKeySlot.slot)
        )
        return sorted((kind, label, slot) for kind, label, slot in rows)


def _opened_with(ctx: AppContext, recovery_text: str) -> bytes:
    """The office data key as the recovery key opens it from the table (what a recovery does)."""
    with ctx.db.session() as session:
        stored = officeslots.read(session)
    assert stored is not None
    return keyslots.open_with_recovery_key(stored, keyslots.parse_recovery_key(recovery_text))


def _key_ids(ctx: AppContext) -> set[str]:
    with ctx.db.session() as session:
        return set(session.scalars(select(OfficeDataKeySlot.key_id)))


def test_the_new_key_opens_the_office_key_and_the_old_one_no_longer(
    office: tuple[AppContext, str],
) -> None:
    ctx, old = office
    admin = sign_in(ctx).actor
    assert ctx.office_key is not None
    before = _rows(ctx)
    new = new_recovery_key(ctx, actor=admin, password=ADMIN_PASSWORD)
    assert new != old
    assert _opened_with(ctx, new) == ctx.office_key.raw
    with pytest.raises(WrongPassphraseError):
        _opened_with(ctx, old)
    # Only the recovery row changed: every clerk's slot is as it was, the key the same.
    after = _rows(ctx)
    assert [row for row in after if row[0] == "password"] == [
        row for row in before if row[0] == "password"
    ]
    assert [row[:2] for row in after] == [row[:2] for row in before]
    assert len(_key_ids(ctx)) == 1
    assert audit_actions(ctx, "office.recovery_key") == [(ADMIN_USERNAME, RENEWED)]
    assert old_key_note(ctx) == OFFICE_OLD_KEY_NOTE
    assert "pg_dump" in OFFICE_OLD_KEY_NOTE


def test_a_wrong_password_or_another_role_changes_nothing(
    office: tuple[AppContext, str],
) -> None:
    ctx, old = office
    before = _rows(ctx)
    admin = sign_in(ctx).actor
    with pytest.raises(AuthError, match="salah"):
        new_recovery_key(ctx, actor=admin, password="bukan-sandinya")
    operator = sign_in(ctx, "operator1").actor
    assert ctx.office_key is not None  # the operator's own slot opened it
    with pytest.raises(AuthError, match="hanya untuk pengguna dengan peran Admin"):
        new_recovery_key(ctx, actor=operator, password="sandi12345")
    assert _rows(ctx) == before
    assert _opened_with(ctx, old) == ctx.office_key.raw
    assert audit_actions(ctx, "office.recovery_key") == []


def test_an_office_without_a_data_key_is_told_to_make_one(
    office: tuple[AppContext, str],
) -> None:
    ctx, _old = office
    with ctx.db.session() as session:  # an office of an older version
        session.execute(delete(OfficeDataKeySlot))
    admin = sign_in(ctx).actor
    with pytest.raises(ConflictError, match="belum mempunyai kunci dokumen") as refused:
        new_recovery_key(ctx, actor=admin, password=ADMIN_PASSWORD)
    assert refused.value.hint is not None
    assert "nonasn keys encrypt-documents" in refused.value.hint
    assert _rows(ctx) == []
    assert audit_actions(ctx, "office.recovery_key") == []


def test_an_admin_without_the_office_key_open_is_told_what_to_do(
    office: tuple[AppContext, str],
) -> None:
    ctx, old = office
    # Made while the key was closed at this desk: the second admin has no slot.
    slots.close_office_key(ctx)
    add_clerk(ctx, "admin2", "admin", password="admin2-sandi")
    before = _rows(ctx)
    second = sign_in(ctx, "admin2", "admin2-sandi").actor
    assert ctx.office_key is None
    with pytest.raises(ConflictError, match="tidak terbuka untuk akun Anda") as refused:
        new_recovery_key(ctx, actor=second, password="admin2-sandi")
    assert refused.value.hint is not None
    assert "Admin › Pengguna" in refused.value.hint
    assert _rows(ctx) == before
    sign_in(ctx)
    assert ctx.office_key is not None
    assert _opened_with(ctx, old) == ctx.office_key.raw
