"""Who is acting, and the one check every operation makes (forms/permissions.toml).

An :class:`Actor` is what a successful sign-in (:func:`accounts.users.authenticate`) hands
out: the clerk's id and username. It cannot be made by naming someone (its constructor wants a
token only this module holds), and it is not trusted either: :func:`require` reads the clerk
again by id, in the operation's own session, so a clerk deactivated or demoted after signing in
is refused at the next action. There is no "system" actor that passes checks: what the
application does by itself (the backup before an upgrade, the daily backup, migrations) goes
through internal functions that are not operations, audited as the system.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import AuthError
from nonasn_desktop.rules.permissions import Permission, grant
from nonasn_desktop.rules.roles import Role
from nonasn_desktop.storage.models import Clerk

_ISSUED = object()


@dataclass(frozen=True)
class Actor:
    """The signed-in clerk an operation acts for (from ``authenticate`` only)."""

    clerk_id: int
    username: str
    _token: object = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self._token is not _ISSUED:
            raise TypeError("an Actor comes only from accounts.users.authenticate()")


def issue(clerk: Clerk) -> Actor:
    """The actor for a clerk whose password was just verified (accounts.users only)."""
    return Actor(clerk.id, clerk.username, _ISSUED)


def require(session: Session, ctx: AppContext, actor: Actor, permission: Permission) -> Clerk:
    """The acting clerk, read again in ``session``, when active and holding ``permission``.

    AuthError otherwise: unknown or deactivated (whatever the table says), or a role the table
    does not name for ``permission`` (the message names the roles that may).
    """
    if not isinstance(actor, Actor):
        # A username or None handed in where a signed-in clerk belongs: a bug in the caller,
        # refused rather than trusted.
        raise TypeError(f"expected an Actor from authenticate(), got {type(actor).__name__}")
    clerk = session.get(Clerk, actor.clerk_id)
    if clerk is None or clerk.username != actor.username or not clerk.active:
        raise AuthError(
            "Pengguna yang sedang masuk tidak dikenal atau sudah dinonaktifkan.",
            hint="Keluar lalu masuk lagi dengan akun yang aktif.",
        )
    rule = grant(ctx.policy, permission)
    if Role(clerk.role) not in rule.roles:
        raise AuthError(rule.refusal(), hint="Minta pengguna dengan peran itu untuk melakukannya.")
    return clerk


def authorise(ctx: AppContext, actor: Actor, permission: Permission) -> str:
    """:func:`require` in a session of its own, for operations that work outside one (files,
    archives); returns the clerk's full name (for papers that name who made them)."""
    with ctx.db.session() as session:
        return require(session, ctx, actor, permission).full_name
