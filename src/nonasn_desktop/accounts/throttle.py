"""The brake on guessing a clerk's password: failures counted per account, then a lock.

From the fifth failure in a row the account is locked for 30 seconds, doubling with every
further failure up to 15 minutes; a right password resets the count. While locked, the
password is not even checked, so guessing cannot continue. Every place where a clerk's password
is checked against their stored hash (signing in, an admin giving a clerk a slot of the office
data key) goes through :func:`verify_throttled`, so no path guesses faster than another.
"""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy.orm import Session

from nonasn_desktop.core import audit
from nonasn_desktop.crypto.passwords import verify_secret
from nonasn_desktop.errors import AuthError
from nonasn_desktop.storage.models import Clerk

LOCK_AFTER_FAILURES = 5
LOCK_BASE = dt.timedelta(seconds=30)
LOCK_MAX = dt.timedelta(minutes=15)

WRONG_CREDENTIALS = "Nama pengguna atau kata sandi salah."
WRONG_CREDENTIALS_HINT = "Periksa ejaan dan tombol Caps Lock, lalu coba lagi."


def lock_duration(failed_attempts: int) -> dt.timedelta:
    """How long an account stays locked after ``failed_attempts`` failures in a row."""
    if failed_attempts < LOCK_AFTER_FAILURES:
        return dt.timedelta(0)
    doublings = min(failed_attempts - LOCK_AFTER_FAILURES, 16)
    return min(LOCK_BASE * (1 << doublings), LOCK_MAX)


def format_wait(delta: dt.timedelta) -> str:
    """'30 detik', '2 menit', '1 menit 30 detik' (rounded up to the second)."""
    seconds = max(1, math.ceil(delta.total_seconds()))
    minutes, rest = divmod(seconds, 60)
    if not minutes:
        return f"{rest} detik"
    if not rest:
        return f"{minutes} menit"
    return f"{minutes} menit {rest} detik"


def locked_error(wait: dt.timedelta) -> AuthError:
    return AuthError(
        "Terlalu banyak percobaan masuk yang gagal; akun dikunci sementara.",
        hint=f"Coba lagi dalam {format_wait(wait)}. Bila lupa kata sandi, minta admin kantor "
        "menggantinya.",
    )


def count_wrong_password(
    session: Session,
    clerk: Clerk,
    now: dt.datetime,
    *,
    wrong: str = WRONG_CREDENTIALS,
    during: str | None = None,
) -> AuthError:
    """Count a wrong password (locking the account after too many) and say so (``wrong``: the
    message; ``during``: what the password was typed for, when not for signing in)."""
    clerk.failed_attempts += 1
    wait = lock_duration(clerk.failed_attempts)
    clerk.locked_until = now + wait if wait else None
    audit.record(
        session,
        actor=clerk.username,
        action="auth.failure",
        entity="clerk",
        entity_id=clerk.id,
        changes={"failed_attempts": (clerk.failed_attempts - 1, clerk.failed_attempts)},
        reason="kata sandi salah"
        + (f" ({during})" if during else "")
        + (f"; dikunci {format_wait(wait)}" if wait else ""),
        at=now,
    )
    if wait:
        return AuthError(
            wrong, hint=f"Akun dikunci sementara; coba lagi dalam {format_wait(wait)}."
        )
    return AuthError(wrong, hint=WRONG_CREDENTIALS_HINT)


def verify_throttled(
    session: Session,
    clerk: Clerk,
    password: str,
    now: dt.datetime,
    *,
    wrong: str = WRONG_CREDENTIALS,
    during: str | None = None,
) -> AuthError | None:
    """None when ``password`` is ``clerk``'s; else the error to raise, the failure (or the
    attempt while locked) already counted and audited in ``session``. The caller raises it
    after the commit, so the count is kept. ``wrong`` and ``during``: see
    :func:`count_wrong_password`."""
    if clerk.locked_until is not None and now < clerk.locked_until:
        audit.record(
            session,
            actor=clerk.username,
            action="auth.locked",
            entity="clerk",
            entity_id=clerk.id,
            reason="akun sedang dikunci; kata sandi tidak diperiksa"
            + (f" ({during})" if during else ""),
            at=now,
        )
        return locked_error(clerk.locked_until - now)
    if not verify_secret(clerk.password_hash, password):
        return count_wrong_password(session, clerk, now, wrong=wrong, during=during)
    return None
