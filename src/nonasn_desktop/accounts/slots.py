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
