"""Opening a record's flow for the wizard: a new one, or a saved one under its edit lock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from nonasn_desktop.accounts.users import UserInfo
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.flow.machine import RegistrationFlow
from nonasn_desktop.flow.secrets import PreparedSecrets
from nonasn_desktop.office.identity import zone_of
from nonasn_desktop.office.settings import captcha_enabled
from nonasn_desktop.registration.store import SqlFlowStore, acquire_edit_lock, release_edit_lock


def _today(ctx: AppContext) -> Callable[[], dt.date]:
    """Today's date at the office, from the application's clock on the office's own zone."""
    zone = zone_of(ctx)
    return lambda: zone.today(ctx.now())


def open_flow(
    ctx: AppContext, user: UserInfo, registration_id: int | None, secrets: PreparedSecrets
) -> RegistrationFlow:
    """The flow of a new or saved record; its argon2id work answered by ``secrets``."""
    store = SqlFlowStore(ctx, actor=user.actor)
    captcha, today = captcha_enabled(ctx), _today(ctx)
    hasher, verifier = secrets.hash, secrets.verify
    if registration_id is None:
        return RegistrationFlow(
            ctx.policy,
            store,
            captcha_enabled=captcha,
            today=today,
            hasher=hasher,
            verifier=verifier,
        )
    acquire_edit_lock(ctx, registration_id, clerk_id=user.id)
    try:
        return RegistrationFlow.resume(
            ctx.policy,
            store,
            registration_id,
            captcha_enabled=captcha,
            today=today,
            hasher=hasher,
            verifier=verifier,
        )
    except BaseException:
        release_edit_lock(ctx, registration_id, clerk_id=user.id)
        raise
