"""A new recovery key, replacing the one in the office safe: of an encrypted data folder, or of
the office data key of an office database server (PostgreSQL).

The A4 recovery sheet tells the office to make a new key when the sheet is lost or was seen by
someone else. The data key stays the same (nothing is re-encrypted, no password changes): only
the recovery slot is rewritten, so the old recovery key stops opening the data at once.

- **A data folder of its own**: the slot lives in the folder (storage.vault). Backup archives
  made before keep the key slots of their day (backup.sealed), so the old recovery key still
  opens those: the admin is told to replace them too (:data:`OLD_KEY_NOTE`).
- **An office database server**: the slot is the ``pemulihan`` row of
  ``office_data_key_slot`` (storage.officeslots), replaced in the same transaction as the audit
  entry. The admin's desk must have the office key open (it opened at their sign-in with their
  own slot): the new slot wraps that key. A ``pg_dump`` made before holds the old row, so the
  old key still opens the documents of such a dump (:data:`OFFICE_OLD_KEY_NOTE`).

Only an admin, who types their password again: a recovery key opens every person's data, and
a desk left signed in must not hand one out to whoever sits down at it.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import IntegrityError

from nonasn_desktop.accounts.authz import Actor, require
from nonasn_desktop.accounts.users import authenticate
from nonasn_desktop.core import audit
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.crypto import keyslots
from nonasn_desktop.errors import AuthError, ConflictError
from nonasn_desktop.rules.permissions import Permission
from nonasn_desktop.storage import officeslots, vault

log = logging.getLogger(__name__)

# What the admin is told beside the new key (GUI and command line).
OLD_KEY_NOTE = (
    "Kunci pemulihan lama tidak berlaku lagi untuk folder data ini; musnahkan lembar lamanya. "
    "Cadangan yang dibuat sebelum hari ini masih dapat dibuka dengan kunci lama: buat cadangan "
    "baru, lalu hapus cadangan lama yang tersimpan di tempat lain."
)
OFFICE_OLD_KEY_NOTE = (
    "Kunci pemulihan lama tidak berlaku lagi untuk dokumen kantor di server; musnahkan lembar "
    "lamanya. Cadangan basis data kantor (pg_dump) yang dibuat sebelum hari ini masih memuat "
    "kunci lama, dan dokumen di dalamnya dapat dibuka dengannya: buat cadangan baru, lalu "
    "hapus cadangan lama yang tersimpan di tempat lain."
)


def for_office(ctx: AppContext) -> bool:
    """Whether ``ctx``'s recovery key is the office data key's (an office database server) and
    not a folder's: the screens word their texts by it."""
    return ctx.db.is_postgresql


def old_key_note(ctx: AppContext) -> str:
    """What the admin is told about the old key beside the new one."""
    return OFFICE_OLD_KEY_NOTE if for_office(ctx) else OLD_KEY_NOTE


def _no_office_key() -> ConflictError:
    return ConflictError(
        "Kantor ini belum mempunyai kunci dokumen, jadi belum memakai kunci pemulihan.",
        hint="Admin membuat kunci dokumen kantor sekali dengan: nonasn keys encrypt-documents "
        "(kunci pemulihannya ditampilkan saat itu). Tidak ada yang diubah.",
    )


def _office_key_closed() -> ConflictError:
    return ConflictError(
        "Kunci dokumen kantor tidak terbuka untuk akun Anda di meja ini, jadi kunci "
        "pemulihannya tidak dapat diganti dari sini.",
        hint="Akun Anda belum memegang kunci itu. Minta admin lain yang dapat membuka dokumen "
        "memberi Anda akses di mejanya (Admin › Pengguna › Beri Akses Dokumen, dengan kata "
        "sandi Anda sendiri), masuk lagi, lalu ulangi; atau minta admin itu membuat kunci "
        "pemulihan baru. Tidak ada yang diubah.",
    )


def _office_slots(ctx: AppContext) -> keyslots.KeySlots:
    with ctx.db.session() as session:
        slots = officeslots.read(session)
    if slots is None:
        raise _no_office_key()
    if ctx.office_key is None:
        raise _office_key_closed()
    return slots


def renewable_slots(ctx: AppContext) -> keyslots.KeySlots:
    """The slots whose recovery slot a new key replaces: the folder's when it is encrypted and
    its database is its own; the office data key's on an office database server that has one,
    open at this desk. Else ConflictError saying why and what to do."""
    if ctx.db.is_postgresql:
        return _office_slots(ctx)
    slots = vault.read_slots(ctx.data_dir) if ctx.key is not None else None
    if slots is None or ctx.key is None:
        raise ConflictError(
            "Folder data ini tidak terenkripsi, jadi tidak memakai kunci pemulihan.",
            hint="Folder data dienkripsi otomatis saat admin masuk ke aplikasi; setelah itu "
            "kunci pemulihannya ditampilkan sekali.",
        )
    return slots


def new_recovery_key(ctx: AppContext, *, actor: Actor, password: str) -> str:
    """Replace the recovery key of the folder (or of the office data key on an office database
    server); the new one, formatted to write down (shown once).

    ``password``: the acting admin's, typed again just now (checked and throttled like a
    sign-in). The permission is checked first, so a clerk without it changes nothing (no
    failed-password count either).
    """
    with ctx.db.session() as session:
        require(session, ctx, actor, Permission.RECOVERY_KEY_RENEW)
    slots = renewable_slots(ctx)
    confirmed = authenticate(ctx, actor.username, password)
    if confirmed.actor.clerk_id != actor.clerk_id:
        raise AuthError("Kata sandi itu bukan milik pengguna yang sedang masuk.")
    recovery = keyslots.new_recovery_key()
    if ctx.db.is_postgresql:
        _replace_office_recovery_slot(ctx, actor, recovery)
    else:
        _replace_folder_recovery_slot(ctx, actor, slots, recovery)
    return keyslots.format_recovery_key(recovery)


def _replace_folder_recovery_slot(
    ctx: AppContext, actor: Actor, slots: keyslots.KeySlots, recovery: bytes
) -> None:
    assert ctx.key is not None
    renewed = slots.with_slot(keyslots.recovery_slot(slots.folder_id, ctx.key.raw, recovery))
    with ctx.db.session() as session:
        clerk = require(session, ctx, actor, Permission.RECOVERY_KEY_RENEW)
        audit.record(
            session,
            actor=clerk.username,
            action="folder.recovery_key",
            entity="folder",
            entity_id=slots.folder_id,
            reason="kunci pemulihan baru dibuat; kunci lama tidak berlaku lagi",
            at=ctx.now(),
        )
        # Written last in the transaction: if it fails, the audit entry is rolled back and
        # the old key still works; if the commit fails after it, the old slot is put back.
        vault.write_slots(ctx.data_dir, renewed)
        try:
            session.commit()
        except BaseException:
            vault.write_slots(ctx.data_dir, slots)
            raise
    # A recovery key kept until an admin saw it (storage.vault) opens nothing any more.
    vault.discard_pending_recovery(ctx.data_dir)
    log.info("data folder %s: recovery key replaced", ctx.data_dir.path)


def _replace_office_recovery_slot(ctx: AppContext, actor: Actor, recovery: bytes) -> None:
    # The sign-in just repeated by authenticate opened the key again with this admin's slot;
    # a slot dropped meanwhile (a password changed at another desk) leaves it closed.
    key = ctx.office_key
    if key is None:
        raise _office_key_closed()
    try:
        with ctx.db.session() as session:
            clerk = require(session, ctx, actor, Permission.RECOVERY_KEY_RENEW)
            slots = officeslots.read(session)
            if slots is None:
                raise _no_office_key()
            # One transaction: the old row goes, the new one and the audit entry come, all
            # committed together, so the old key stops opening the office key at once.
            officeslots.put(
                session, slots.folder_id, keyslots.recovery_slot(slots.folder_id, key.raw, recovery)
            )
            audit.record(
                session,
                actor=clerk.username,
                action="office.recovery_key",
                entity="office_data_key",
                entity_id=slots.folder_id,
                reason="kunci pemulihan baru dibuat; kunci lama tidak berlaku lagi",
                at=ctx.now(),
            )
    except IntegrityError:
        # Another admin's desk wrote its new recovery slot between this one's delete and
        # insert (the unique kind/label): theirs stands, this key was never stored.
        raise ConflictError(
            "Admin lain membuat kunci pemulihan baru pada saat yang sama; kunci dari meja ini "
            "tidak disimpan.",
            hint="Lembar kunci yang dibuat admin itu yang berlaku. Ulangi bila tetap perlu "
            "kunci baru.",
        ) from None
    log.info("office data key: recovery key replaced")
