"""A new recovery key for an encrypted data folder, replacing the one in the office safe.

The A4 recovery sheet tells the office to make a new key when the sheet is lost or was seen by
someone else. The folder's data key stays the same (nothing is re-encrypted, no password
changes): only the recovery slot is rewritten, so the old recovery key stops opening the
folder at once. Backup archives made before keep the key slots of their day (backup.sealed),
so the old recovery key still opens those: the admin is told to replace them too.

Only an admin, who types their password again: a recovery key opens every person's data, and
a desk left signed in must not hand one out to whoever sits down at it.
"""

from __future__ import annotations

import logging

from nonasn_desktop.accounts.authz import Actor, require
from nonasn_desktop.accounts.users import authenticate
from nonasn_desktop.core import audit
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.crypto import keyslots
from nonasn_desktop.errors import AuthError, ConflictError
from nonasn_desktop.rules.permissions import Permission
from nonasn_desktop.storage import vault

log = logging.getLogger(__name__)

# What the admin is told beside the new key (GUI and command line).
OLD_KEY_NOTE = (
    "Kunci pemulihan lama tidak berlaku lagi untuk folder data ini; musnahkan lembar lamanya. "
    "Cadangan yang dibuat sebelum hari ini masih dapat dibuka dengan kunci lama: buat cadangan "
    "baru, lalu hapus cadangan lama yang tersimpan di tempat lain."
)


def renewable_slots(ctx: AppContext) -> keyslots.KeySlots:
    """The slots of ``ctx``'s folder when it is encrypted and its database is its own."""
    if ctx.db.is_postgresql:
        raise ConflictError(
            "Komputer ini memakai basis data kantor di server; kunci pemulihan hanya ada pada "
            "folder data terenkripsi milik komputer ini sendiri.",
            hint="Perlindungan basis data kantor diatur di server (lihat README, bagian server "
            "basis data kantor).",
        )
    slots = vault.read_slots(ctx.data_dir) if ctx.key is not None else None
    if slots is None or ctx.key is None:
        raise ConflictError(
            "Folder data ini tidak terenkripsi, jadi tidak memakai kunci pemulihan.",
            hint="Folder data dienkripsi otomatis saat admin masuk ke aplikasi; setelah itu "
            "kunci pemulihannya ditampilkan sekali.",
        )
    return slots


def new_recovery_key(ctx: AppContext, *, actor: Actor, password: str) -> str:
    """Replace the folder's recovery key; the new one, formatted to write down (shown once).

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
    assert ctx.key is not None
    recovery = keyslots.new_recovery_key()
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
    return keyslots.format_recovery_key(recovery)
