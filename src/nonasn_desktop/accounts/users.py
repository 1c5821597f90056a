"""Clerk accounts: creation, sign-in with throttling, activation and passwords.

Sign-in failures are counted per account (accounts.throttle): from the fifth failure in a row
the account is locked for 30 seconds, doubling with every further failure up to 15 minutes; a
successful sign-in resets the count. While locked, the password is not even checked, so
guessing cannot continue.
Unknown user names and wrong passwords get the same message (and roughly the same time, by
verifying against a dummy hash). Every sign-in attempt is written to the audit log.
Unknown names are not counted or locked (there is no row to count on), so the lock message
itself tells an attacker that a name exists; on a desk computer of a BKD office that is an
accepted trade-off against locking out real clerks by typing their names.

A successful sign-in returns the clerk with an :class:`~nonasn_desktop.accounts.authz.Actor`;
every operation takes that actor and checks it (``accounts.authz.require``). Set-up
(``nonasn init``, the first start) makes the first admin with :func:`create_clerk`, audited as
the system.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nonasn_desktop.accounts import slots, throttle
from nonasn_desktop.accounts.authz import Actor, issue, require
from nonasn_desktop.accounts.throttle import WRONG_CREDENTIALS, WRONG_CREDENTIALS_HINT
from nonasn_desktop.core import audit
from nonasn_desktop.core.audit import SYSTEM_ACTOR
from nonasn_desktop.core.context import AppContext, use_session
from nonasn_desktop.crypto.passwords import hash_secret, needs_rehash, verify_secret
from nonasn_desktop.errors import AuthError, ConflictError, FieldError, NotFoundError
from nonasn_desktop.policy.model import PasswordPolicy
from nonasn_desktop.rules.permissions import Permission
from nonasn_desktop.rules.roles import Role
from nonasn_desktop.storage.models import Clerk

USERNAME_PATTERN = re.compile(r"[a-z0-9._-]{3,32}")
RESERVED_USERNAMES = frozenset({SYSTEM_ACTOR})
FULL_NAME_MAX = 100
PASSWORD_MAX = 256


@dataclass(frozen=True)
class ClerkInfo:
    """A clerk as the list of users shows it."""

    id: int
    username: str
    full_name: str
    role: Role
    active: bool


@dataclass(frozen=True)
class UserInfo(ClerkInfo):
    """The signed-in clerk: what :func:`authenticate` returns, with the actor that every
    operation takes (``actor=user.actor``)."""

    actor: Actor


def _info(clerk: Clerk) -> ClerkInfo:
    return ClerkInfo(
        id=clerk.id,
        username=clerk.username,
        full_name=clerk.full_name,
        role=Role(clerk.role),
        active=clerk.active,
    )


def normalise_username(raw: str) -> str:
    return raw.strip().lower()


def validate_username(raw: str) -> str:
    """The normalised username, or FieldError saying what is wrong."""
    username = normalise_username(raw)
    if not USERNAME_PATTERN.fullmatch(username):
        raise FieldError(
            "username",
            "Nama pengguna harus 3–32 karakter dan hanya berisi huruf, angka, titik, "
            "garis bawah, atau tanda hubung (tanpa spasi).",
            hint="Contoh: budi.santoso",
        )
    if username in RESERVED_USERNAMES:
        raise FieldError(
            "username",
            f"Nama pengguna '{username}' dicadangkan untuk aplikasi.",
            hint="Pilih nama pengguna lain.",
        )
    return username


def password_problems(policy: PasswordPolicy, password: str) -> list[str]:
    """What the password lacks under ``policy`` (Indonesian), empty when it is acceptable."""
    problems: list[str] = []
    if len(password) < policy.min_length:
        problems.append(f"paling sedikit {policy.min_length} karakter")
    if len(password) > PASSWORD_MAX:
        problems.append(f"paling banyak {PASSWORD_MAX} karakter")
    if policy.require_letter and not any(ch.isalpha() for ch in password):
        problems.append("berisi huruf")
    if policy.require_digit and not any(ch.isdigit() for ch in password):
        problems.append("berisi angka")
    return problems


def check_password(policy: PasswordPolicy, password: str, field: str = "kata_sandi") -> None:
    problems = password_problems(policy, password)
    if problems:
        raise FieldError(
            field,
            "Kata sandi belum memenuhi syarat: harus " + ", ".join(problems) + ".",
            hint="Ketik kata sandi lain yang memenuhi syarat itu.",
        )


def _validate_full_name(raw: str) -> str:
    full_name = " ".join(raw.split())
    if not full_name:
        raise FieldError("full_name", "Nama lengkap pengguna wajib diisi.")
    if len(full_name) > FULL_NAME_MAX:
        raise FieldError(
            "full_name", f"Nama lengkap pengguna paling banyak {FULL_NAME_MAX} karakter."
        )
    return full_name


def _find(session: Session, username: str) -> Clerk | None:
    return session.scalars(
        select(Clerk).where(Clerk.username == normalise_username(username))
    ).one_or_none()


def _get(session: Session, username: str) -> Clerk:
    clerk = _find(session, username)
    if clerk is None:
        raise NotFoundError(
            f"Pengguna '{normalise_username(username)}' tidak ditemukan.",
            hint="Periksa ejaan nama pengguna pada daftar pengguna.",
        )
    return clerk


def create_clerk(
    session: Session,
    ctx: AppContext,
    *,
    username: str,
    full_name: str,
    role: Role,
    password: str,
    actor: str,
) -> Clerk:
    """Create a clerk inside an open session (validated, hashed, audited as ``actor``).

    No check here: this is set-up (the first admin of ``nonasn init`` and of the first start,
    audited as the system) and the body of :func:`create_user`, which checks.
    """
    name = validate_username(username)
    full = _validate_full_name(full_name)
    check_password(ctx.policy.password, password)
    if _find(session, name) is not None:
        raise ConflictError(
            f"Nama pengguna '{name}' sudah dipakai.", hint="Pilih nama pengguna lain."
        )
    now = ctx.now()
    clerk = Clerk(
        username=name,
        full_name=full,
        role=role,
        password_hash=hash_secret(password),
        active=True,
        failed_attempts=0,
        created_at=now,
    )
    session.add(clerk)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="user.create",
        entity="clerk",
        entity_id=clerk.id,
        changes={
            "username": (None, name),
            "full_name": (None, full),
            "role": (None, role.value),
            "active": (None, True),
        },
        at=now,
    )
    slots.keep_slot(ctx, clerk.username, clerk.password_hash, password=password, session=session)
    return clerk


def create_user(
    ctx: AppContext,
    *,
    username: str,
    full_name: str,
    role: Role,
    password: str,
    actor: Actor,
) -> ClerkInfo:
    """Add a clerk (admins only)."""
    with ctx.db.session() as session:
        require(session, ctx, actor, Permission.USER_MANAGE)
        clerk = create_clerk(
            session,
            ctx,
            username=username,
            full_name=full_name,
            role=role,
            password=password,
            actor=actor.username,
        )
        return _info(clerk)


def create_first_admin(
    ctx: AppContext, *, username: str, full_name: str, password: str
) -> ClerkInfo:
    """The office's first admin, at set-up (the first start), audited as the system.

    Only while no admin can sign in: ConflictError afterwards, when admins add clerks
    themselves (:func:`create_user`). Nobody is checked here because nobody could be.
    """
    with ctx.db.session() as session:
        refuse_when_admin_exists(session)
        clerk = create_clerk(
            session,
            ctx,
            username=username,
            full_name=full_name,
            role=Role.ADMIN,
            password=password,
            actor=SYSTEM_ACTOR,
        )
        return _info(clerk)


def refuse_when_admin_exists(session: Session) -> None:
    """ConflictError when an active admin exists: set-up may no longer make admins."""
    if _active_admins(session) > 0:
        raise ConflictError(
            "Kantor ini sudah mempunyai admin; admin lain hanya dapat ditambahkan oleh admin.",
            hint="Masuk sebagai admin lalu tambahkan pengguna di menu Admin › Pengguna.",
        )


@functools.cache
def _dummy_hash() -> str:
    return hash_secret("dummy password for timing equalisation 0")


def _admit(session: Session, clerk: Clerk, password: str, now: dt.datetime) -> UserInfo:
    """The right password: clear the failure count, upgrade an old hash, record the sign-in."""
    clerk.failed_attempts = 0
    clerk.locked_until = None
    clerk.last_login_at = now
    if needs_rehash(clerk.password_hash):
        clerk.password_hash = hash_secret(password)
    audit.record(
        session,
        actor=clerk.username,
        action="auth.success",
        entity="clerk",
        entity_id=clerk.id,
        at=now,
    )
    return UserInfo(**vars(_info(clerk)), actor=issue(clerk))


def authenticate(ctx: AppContext, username: str, password: str) -> UserInfo:
    """The clerk when the password is right; AuthError (wrong, locked, inactive) otherwise."""
    now = ctx.now()
    typed = normalise_username(username)[:64]
    error: AuthError | None = None
    result: UserInfo | None = None
    with ctx.db.session() as session:
        clerk = _find(session, typed)
        if clerk is None:
            verify_secret(_dummy_hash(), password)
            # Log what was typed only when it could be a username: people sometimes type
            # their password into the name field, and the log must not keep it.
            audit.record(
                session,
                actor=typed if USERNAME_PATTERN.fullmatch(typed) else "(tidak sah)",
                action="auth.failure",
                entity="clerk",
                entity_id=None,
                reason="nama pengguna tidak dikenal",
                at=now,
            )
            error = AuthError(WRONG_CREDENTIALS, hint=WRONG_CREDENTIALS_HINT)
        else:
            error = throttle.verify_throttled(session, clerk, password, now)
            if error is None and not clerk.active:
                audit.record(
                    session,
                    actor=clerk.username,
                    action="auth.failure",
                    entity="clerk",
                    entity_id=clerk.id,
                    reason="akun nonaktif",
                    at=now,
                )
                error = AuthError(
                    "Akun ini sudah dinonaktifkan.",
                    hint="Minta admin kantor mengaktifkannya kembali.",
                )
            elif error is None:
                result = _admit(session, clerk, password, now)
    # Raised after the commit: the failure count and the audit entry must be kept.
    if error is not None:
        raise error
    assert result is not None
    # A desk on an office database server opens the office's document key with the password.
    slots.open_office_key(ctx, result.username, password)
    return result


def find_user(
    ctx: AppContext, username: str, *, session: Session | None = None
) -> ClerkInfo | None:
    """The clerk with this username (case-insensitive), or None (set-up uses this)."""
    with use_session(ctx, session) as active:
        clerk = _find(active, username)
        return None if clerk is None else _info(clerk)


def get_user(ctx: AppContext, username: str) -> ClerkInfo:
    """The clerk with this username; NotFoundError when there is none."""
    with ctx.db.session() as session:
        return _info(_get(session, username))


def list_users(ctx: AppContext, *, actor: Actor, include_inactive: bool = True) -> list[ClerkInfo]:
    """Every clerk (admins only)."""
    query = select(Clerk).order_by(Clerk.username)
    if not include_inactive:
        query = query.where(Clerk.active.is_(True))
    with ctx.db.session() as session:
        require(session, ctx, actor, Permission.USER_MANAGE)
        return [_info(clerk) for clerk in session.scalars(query)]


def has_active_admin(ctx: AppContext) -> bool:
    """Whether any admin can sign in: the first start asks for one when not."""
    with ctx.db.session() as session:
        return _active_admins(session) > 0


def _active_admins(session: Session) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Clerk)
            .where(Clerk.role == Role.ADMIN, Clerk.active.is_(True))
        )
        or 0
    )


def set_active(ctx: AppContext, username: str, active: bool, *, actor: Actor) -> ClerkInfo:
    """Activate or deactivate a clerk (admins only). The last active admin cannot go."""
    with ctx.db.session() as session:
        require(session, ctx, actor, Permission.USER_MANAGE)
        clerk = _get(session, username)
        if clerk.active == active:
            return _info(clerk)
        if not active and Role(clerk.role) is Role.ADMIN and _active_admins(session) <= 1:
            raise ConflictError(
                f"'{clerk.username}' adalah satu-satunya admin yang aktif dan tidak dapat "
                "dinonaktifkan.",
                hint="Buat atau aktifkan admin lain lebih dahulu.",
            )
        clerk.active = active
        if active:
            clerk.failed_attempts = 0
            clerk.locked_until = None
        audit.record(
            session,
            actor=actor.username,
            action="user.activate" if active else "user.deactivate",
            entity="clerk",
            entity_id=clerk.id,
            changes={"active": (not active, active)},
            at=ctx.now(),
        )
        if active:
            slots.keep_slot(ctx, clerk.username, clerk.password_hash, session=session)
        else:
            slots.drop_slot(ctx, clerk.username, session=session)
        return _info(clerk)


def _set_password(
    session: Session,
    ctx: AppContext,
    clerk: Clerk,
    new_password: str,
    *,
    actor: str,
    action: str,
    reason: str | None = None,
) -> None:
    """The one way a password is replaced: new hash, lock lifted, audited, key slot rewrapped."""
    clerk.password_hash = hash_secret(new_password)
    clerk.failed_attempts = 0
    clerk.locked_until = None
    audit.record(
        session,
        actor=actor,
        action=action,
        entity="clerk",
        entity_id=clerk.id,
        changes={"password_hash": ("lama", "baru")},
        reason=reason,
        at=ctx.now(),
    )
    slots.keep_slot(
        ctx, clerk.username, clerk.password_hash, password=new_password, session=session
    )


def recover_admin_password(ctx: AppContext, *, username: str, new_password: str) -> None:
    """Set an active admin's password in a folder that was just opened with its recovery key.

    Not an operation with an Actor: when every password is lost nobody can sign in, and the
    recovery key (printed once at set-up, kept in the office safe) is the authority. The caller
    proves it by holding the folder opened with that key; the audit trail names the recovery.
    """
    opened = ctx.office_key if ctx.db.is_postgresql else ctx.key
    if opened is None:
        # No key opened: nothing proves the recovery key was given (a plain folder's admins
        # reset each other's passwords instead).
        raise ConflictError(
            "Kata sandi admin hanya dapat ditetapkan di sini setelah kunci pemulihan membuka data.",
            hint="Jalankan nonasn recover --recovery-key-file BERKAS --admin USER.",
        )
    check_password(ctx.policy.password, new_password)
    with ctx.db.session() as session:
        clerk = _get(session, username)
        if Role(clerk.role) is not Role.ADMIN or not clerk.active:
            raise ConflictError(
                f"'{clerk.username}' bukan admin yang aktif; kata sandinya tidak diubah.",
                hint="Sebutkan admin yang aktif dengan --admin.",
            )
        _set_password(
            session,
            ctx,
            clerk,
            new_password,
            actor=SYSTEM_ACTOR,
            action="folder.recover",
            reason="kata sandi admin ditetapkan dengan kunci pemulihan",
        )


def change_password(
    ctx: AppContext,
    *,
    username: str,
    new_password: str,
    actor: Actor,
    current_password: str | None = None,
) -> None:
    """Change a clerk's password.

    A clerk changing their own password must give the current one. An admin may reset another
    clerk's password without it; a reset also lifts a lock.
    """
    check_password(ctx.policy.password, new_password)
    with ctx.db.session() as session:
        # Checked before the target is looked up: who may not reset passwords learns nothing
        # about which usernames exist.
        own = normalise_username(username) == actor.username
        require(session, ctx, actor, Permission.OWN_PASSWORD if own else Permission.USER_MANAGE)
        clerk = _get(session, username)
        if own and (
            current_password is None or not verify_secret(clerk.password_hash, current_password)
        ):
            raise AuthError(
                "Kata sandi saat ini salah; kata sandi tidak diubah.",
                hint="Ketik kata sandi yang dipakai untuk masuk tadi.",
            )
        _set_password(
            session,
            ctx,
            clerk,
            new_password,
            actor=actor.username,
            action="user.password_change" if own else "user.password_reset",
        )
