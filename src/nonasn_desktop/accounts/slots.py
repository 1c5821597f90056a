"""Key slots follow the clerks: a new clerk or a new password gets a slot, a removed one loses it.

A slot is made from the clerk's stored argon2id hash (keyslots.slot_from_password_hash), so
no password is needed here and no extra second of argon2id is spent. Nothing happens for a
plain folder (no key) or an office database server (its folder key is not used for clerks).
"""

from __future__ import annotations

import logging

from nonasn_desktop.core.context import AppContext
from nonasn_desktop.crypto import keyslots
from nonasn_desktop.storage import vault

log = logging.getLogger(__name__)


def keep_slot(ctx: AppContext, username: str, password_hash: str) -> None:
    """Write (or rewrite) ``username``'s slot from their stored password hash."""
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


def drop_slot(ctx: AppContext, username: str) -> None:
    """Destroy ``username``'s slot: that clerk's password no longer opens the folder."""
    if ctx.key is None:
        return
    slots = vault.read_slots(ctx.data_dir)
    if slots is not None and slots.password_slot(username) is not None:
        vault.write_slots(ctx.data_dir, slots.without(username))
