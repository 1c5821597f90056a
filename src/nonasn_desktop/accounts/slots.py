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
  and works but cannot read or add documents until an admin resets their password.

Sign-in opens the office key with the same password (:func:`open_office_key`, called by
accounts.users.authenticate once the password is verified).
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from nonasn_desktop.accounts.authz import Actor, require
from nonasn_desktop.core.context import AppContext, use_session
from nonasn_desktop.crypto import keyslots
from nonasn_desktop.crypto.errors import WrongPassphraseError
from nonasn_desktop.crypto.passwords import verify_secret
from nonasn_desktop.errors import AuthError, ConflictError
from nonasn_desktop.rules.permissions import Permission
from nonasn_desktop.storage import officeslots, vault
from nonasn_desktop.storage.docstore import DatabaseDocumentStore, EncryptedDatabaseDocumentStore

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
            # where the key is open gives this clerk a slot by resetting the password.
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
