"""Key slots follow the clerks: a new clerk or a new password gets a slot, a removed one loses it.

Two places hold slots, and this module is the one that keeps both:

- **A data folder of its own** (SQLite, storage.vault): the slot is made from the clerk's
  stored argon2id hash (keyslots.slot_from_password_hash), so no password is needed here and
  no extra second of argon2id is spent. That is safe there because the hashes live inside the
  encrypted database the key opens.
- **An office database server** (PostgreSQL, storage.officeslots): the office data key, which
  encrypts every document in ``document_blob``, is wrapped per clerk in the database itself.
  There the hashes sit in the same database as the slots, so a slot made from a hash would
  open for anyone who reads the database: each slot is made from the *password* with a salt of
  its own. It is therefore written only where the password is typed and the key is open (a
  new clerk or a reset by an admin signed in at this desk, a clerk's own change, the recovery
  key); a password changed elsewhere drops the old slot, and a clerk without a slot signs in
  and works but cannot read or add documents. Such a clerk (every clerk but the admin after
  ``nonasn keys encrypt-documents``, or after a password change at a desk where the key was
  closed) gets a slot as LUKS adds a key: an admin signed in where the key is open lets the
  clerk type their *own* password at that desk (:func:`grant_office_slot`, ``nonasn keys
  grant-documents``, Admin › Pengguna › Beri Akses Dokumen); nobody makes up a new password.
  The password is checked against the clerk's hash under the same brake as signing in
  (accounts.throttle), so this is no faster way to guess it. A reset remains for a clerk who
  forgot theirs.

Sign-in opens the office key with the same password (:func:`open_office_key`, called by
accounts.users.authenticate once the password is verified).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from nonasn_desktop.accounts import throttle
from nonasn_desktop.accounts.authz import Actor, require
from nonasn_desktop.core import audit
from nonasn_desktop.core.context import AppContext, use_session
from nonasn_desktop.crypto import keyslots
from nonasn_desktop.crypto.errors import WrongPassphraseError
from nonasn_desktop.crypto.passwords import verify_secret
from nonasn_desktop.errors import AuthError, ConflictError, NotFoundError
from nonasn_desktop.rules.permissions import Permission
from nonasn_desktop.storage import officeslots, vault
from nonasn_desktop.storage.docstore import DatabaseDocumentStore, EncryptedDatabaseDocumentStore
from nonasn_desktop.storage.models import Clerk

log = logging.getLogger(__name__)


def keep_slot(
    ctx: AppContext,
    username: str,
    password_hash: str,
    *,
    password: str | None = None,
    session: Session | None = None,
) -> None:
    """Write (or rewrite) ``username``'s slot: a folder's from their stored password hash, an
    office server's from ``password`` (in ``session``, the transaction that set the hash)."""
    if ctx.db.is_postgresql:
        _keep_office_slot(ctx, username, password, session)
        return
    if ctx.key is None:
        return
    slots = vault.read_slots(ctx.data_dir)
    if slots is None:
        return
    slot = keyslots.slot_from_password_hash(slots.folder_id, ctx.key.raw, username, password_hash)
    if slot is None:
        log.warning("no key slot for a clerk: the stored password hash has another shape")
        return
    vault.write_slots(ctx.data_dir, slots.with_slot(slot))


def drop_slot(ctx: AppContext, username: str, *, session: Session | None = None) -> None:
    """Destroy ``username``'s slot: that clerk's password no longer opens the folder (or the
    office's documents)."""
    if ctx.db.is_postgresql:
        with use_session(ctx, session) as active:
            officeslots.drop(active, username)
        return
    if ctx.key is None:
        return
    slots = vault.read_slots(ctx.data_dir)
    if slots is not None and slots.password_slot(username) is not None:
        vault.write_slots(ctx.data_dir, slots.without(username))


def follow_clerks(ctx: AppContext, clerks: list[tuple[str, str, bool]]) -> None:
    """The slots after clerks were written straight into the database (a field laptop's
    refresh from the office): (username, password hash, active) of every clerk; an active one
    keeps a slot made from the hash, an inactive one loses it."""
    if ctx.key is None:
        return
    slots = vault.read_slots(ctx.data_dir)
    if slots is None:
        return
    updated = slots
    for username, password_hash, active in clerks:
        slot = (
            keyslots.slot_from_password_hash(slots.folder_id, ctx.key.raw, username, password_hash)
            if active
            else None
        )
        if slot is not None:
            updated = updated.with_slot(slot)
        elif updated.password_slot(username) is not None:
            updated = updated.without(username)
    if updated != slots:
        vault.write_slots(ctx.data_dir, updated)


# -- the office data key of an office database server -------------------------------------------


def _keep_office_slot(
    ctx: AppContext, username: str, password: str | None, session: Session | None
) -> None:
    with use_session(ctx, session) as active:
        slots = officeslots.read(active)
        if slots is None:
            return  # The office's documents are not encrypted yet: nothing to keep.
        if ctx.office_key is None or password is None:
            # The old slot would still open with the old password: it goes. An admin signed in
            # where the key is open gives this clerk a new one (grant_office_slot).
            if officeslots.drop(active, username):
                log.warning("office key slot dropped: the key is not open at this desk")
            return
        slot = keyslots.password_slot(slots.folder_id, ctx.office_key.raw, username, password)
        officeslots.put(active, slots.folder_id, slot)


def _use_office_key(ctx: AppContext, key: vault.DataKey | None) -> None:
    ctx.office_key = key
    ctx.blobs = (
        DatabaseDocumentStore(ctx.db)
        if key is None
        else EncryptedDatabaseDocumentStore(ctx.db, key.files_key)
    )


def open_office_key(ctx: AppContext, username: str, password: str) -> None:
    """The sign-in hook: on an office database server, open the office data key with the
    clerk's password (already verified) and encrypt and decrypt documents with it from now on.

    Nothing on SQLite. An office without a data key keeps its plain store; a clerk without a
    slot (or with a slot that does not open) signs in with documents closed: the store then
    says what to do when a document is read or added.
    """
    if not ctx.db.is_postgresql:
        return
    with ctx.db.session() as session:
        slots = officeslots.read(session)
    key: vault.DataKey | None = None
    if slots is not None and slots.password_slot(username) is not None:
        try:
            key = vault.DataKey(keyslots.open_with_password(slots, username, password))
        except WrongPassphraseError:
            log.warning("the office key slot of a signed-in clerk does not open")
    elif slots is not None:
        log.info("a clerk without an office key slot signed in; documents stay closed")
    _use_office_key(ctx, key)


def close_office_key(ctx: AppContext) -> None:
    """Forget the office data key (a clerk signed out of this desk)."""
    if ctx.db.is_postgresql:
        _use_office_key(ctx, None)


def create_office_key(ctx: AppContext, *, actor: Actor, password: str) -> str:
    """Make the office data key once, with a slot for ``actor`` (an admin, who gives
    ``password`` again so the slot opens with it) and one for a new recovery key, which is
    returned as text to be shown to that admin once and kept in the office safe.

    ConflictError when the office has a key already (also when another admin's desk made it
    at the same moment: the unique kind/label of the recovery slot refuses the second)."""
    if not ctx.db.is_postgresql:
        raise ConflictError(
            "Kunci dokumen kantor hanya dipakai pada basis data kantor (PostgreSQL).",
            hint="Folder data satu meja dienkripsi dengan kuncinya sendiri; tidak ada yang diubah.",
        )
    raw, key_id, recovery = (
        keyslots.new_data_key(),
        keyslots.new_folder_id(),
        keyslots.new_recovery_key(),
    )
    with ctx.db.session() as session:
        clerk = require(session, ctx, actor, Permission.KEY_MANAGE)
        if not verify_secret(clerk.password_hash, password):
            raise AuthError(
                "Kata sandi salah; kunci dokumen kantor tidak dibuat.",
                hint="Ketik kata sandi yang dipakai untuk masuk tadi.",
            )
        if officeslots.exists(session):
            raise ConflictError(
                "Kantor ini sudah mempunyai kunci dokumen.",
                hint="Kunci itu dibuat sekali saja; tidak ada yang diubah.",
            )
        for slot in (
            keyslots.password_slot(key_id, raw, clerk.username, password),
            keyslots.recovery_slot(key_id, raw, recovery),
        ):
            officeslots.put(session, key_id, slot)
    _use_office_key(ctx, vault.DataKey(raw))
    log.info("office data key made")
    return keyslots.format_recovery_key(recovery)


def open_office_key_with_recovery(ctx: AppContext, recovery_text: str) -> None:
    """Open the office data key with its recovery key (every admin password lost): an admin's
    new password then gets a slot (accounts.users.recover_admin_password)."""
    with ctx.db.session() as session:
        slots = officeslots.read(session)
    if slots is None:
        raise ConflictError(
            "Kantor ini belum mempunyai kunci dokumen, jadi tidak memakai kunci pemulihan.",
            hint="Admin lain dapat mengganti kata sandi (Admin › Pengguna).",
        )
    raw = keyslots.open_with_recovery_key(slots, keyslots.parse_recovery_key(recovery_text))
    _use_office_key(ctx, vault.DataKey(raw))


# -- a slot for a clerk who has none: the clerk types their own password at a key holder's desk ---


@dataclass(frozen=True)
class SlotGranted:
    """What :func:`grant_office_slot` did: ``replaced`` when the clerk had a slot already
    (written anew for the password just typed, which was checked)."""

    username: str
    replaced: bool


def _office_slots(ctx: AppContext, session: Session) -> keyslots.KeySlots:
    """The office data key's slots, when this desk may add one: ConflictError saying what to
    do otherwise (not an office server, no data key yet, the key closed at this desk)."""
    if not ctx.db.is_postgresql:
        raise ConflictError(
            "Akses dokumen per pengguna hanya diatur pada basis data kantor (PostgreSQL).",
            hint="Folder data satu meja membuka dokumen dengan kata sandi setiap pengguna "
            "sendiri; tidak ada yang perlu diberikan.",
        )
    slots = officeslots.read(session)
    if slots is None:
        raise ConflictError(
            "Dokumen kantor ini belum dienkripsi, jadi semua pengguna sudah dapat membukanya.",
            hint="Admin dapat mengenkripsinya dengan: nonasn keys encrypt-documents.",
        )
    if ctx.office_key is None:
        raise ConflictError(
            "Kunci dokumen kantor belum terbuka di meja ini untuk akun Anda, jadi akses dokumen "
            "tidak dapat diberikan dari sini.",
            hint="Lakukan di meja admin yang dapat membuka dokumen (masuk dengan akun admin yang "
            "memegang kunci itu). Tidak ada yang diubah.",
        )
    return slots


def _find_clerk(session: Session, username: str) -> Clerk:
    name = username.strip().lower()
    # The row stays locked until the slot is committed: a password changed at another desk
    # meanwhile waits (or is read here once committed), so no slot is written for a password
    # that no longer is the clerk's.
    clerk = session.scalars(
        select(Clerk).where(Clerk.username == name).with_for_update()
    ).one_or_none()
    if clerk is None:
        raise NotFoundError(
            f"Pengguna '{name}' tidak ditemukan.",
            hint="Periksa ejaan nama pengguna pada daftar pengguna.",
        )
    if not clerk.active:
        raise ConflictError(
            f"Pengguna '{clerk.username}' nonaktif; akses dokumen tidak diberikan.",
            hint="Aktifkan pengguna itu lebih dahulu (Admin › Pengguna), lalu ulangi.",
        )
    return clerk


def grant_office_slot(
    ctx: AppContext, *, actor: Actor, username: str, password: str
) -> SlotGranted:
    """Give ``username`` a slot of the office data key, made from ``password``, the clerk's own,
    typed by the clerk at this desk, where ``actor`` (who manages users) has the key open.

    The password must be the clerk's: checked against the stored hash under the sign-in brake
    (a wrong one is counted for that clerk and may lock the account; AuthError, raised after
    the count is committed). A clerk who has a slot already gets it written anew (the password
    was just checked, so the new slot opens as the old one did, or opens at last when the old
    one no longer did). Slot and audit entry are committed together.
    """
    now = ctx.now()
    error: AuthError | None = None
    granted: SlotGranted | None = None
    with ctx.db.session() as session:
        require(session, ctx, actor, Permission.USER_MANAGE)
        slots = _office_slots(ctx, session)
        clerk = _find_clerk(session, username)
        error = throttle.verify_throttled(
            session,
            clerk,
            password,
            now,
            wrong=f"Kata sandi {clerk.username} salah; akses dokumen tidak diberikan.",
            during=f"pemberian akses dokumen oleh {actor.username}",
        )
        if error is None:
            assert ctx.office_key is not None  # _office_slots refused otherwise
            # The right password, as at a sign-in: the failure count starts again.
            clerk.failed_attempts = 0
            clerk.locked_until = None
            replaced = slots.password_slot(clerk.username) is not None
            slot = keyslots.password_slot(
                slots.folder_id, ctx.office_key.raw, clerk.username, password
            )
            officeslots.put(session, slots.folder_id, slot)
            audit.record(
                session,
                actor=actor.username,
                action="office.key_slot_grant",
                entity="clerk",
                entity_id=clerk.id,
                changes={"office_key_slot": ("ada" if replaced else None, "baru")},
                reason="kata sandi diketik sendiri oleh pengguna di meja admin",
                at=now,
            )
            granted = SlotGranted(clerk.username, replaced)
    # Raised after the commit: the failure count and its audit entry must be kept.
    if error is not None:
        raise error
    assert granted is not None
    log.info("office key slot granted to a clerk")
    return granted


def documents_closed(ctx: AppContext) -> bool:
    """True at a desk of an office server whose documents are encrypted when the signed-in
    clerk's password did not open the office data key (no slot, or one that no longer opens):
    until an admin gives access (:func:`grant_office_slot`) every document read or saved is
    refused. The workspace says so at sign-in, not first at the clerk's first upload."""
    if not ctx.db.is_postgresql or ctx.office_key is not None:
        return False
    with ctx.db.session() as session:
        return officeslots.exists(session)


def clerks_without_office_slot(ctx: AppContext, *, actor: Actor) -> list[str]:
    """The active clerks of an office server whose documents are encrypted who hold no slot of
    its data key (they sign in with documents closed), by username; empty on SQLite and while
    the office has no data key (nobody is missing anything). For admins (who manage users)."""
    with ctx.db.session() as session:
        require(session, ctx, actor, Permission.USER_MANAGE)
        if not ctx.db.is_postgresql:
            return []
        slots = officeslots.read(session)
        if slots is None:
            return []
        holders = set(slots.labels())
        active = session.scalars(
            select(Clerk.username).where(Clerk.active.is_(True)).order_by(Clerk.username)
        )
        return [name for name in active if name not in holders]
