"""What a benchmark reports, and small helpers to measure time and peak memory."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Result:
    figure: str  # what was measured, e.g. "dashboard open, 100,000 records"
    target: str  # the target, e.g. "<= 1 s" or "<= 3x bare window"
    measured: str  # e.g. "0.41 s"
    ratio: float | None  # measured / allowed (<= 1.0 passes); None when only reported
    passed: bool | None  # None: reported figure without a target


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    """The fastest of ``repeat`` runs, in seconds: the least disturbed by other load."""
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        timings.append(time.perf_counter() - started)
    return min(timings)


def median_of(fn: Callable[[], object], repeat: int = 5) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def within(figure: str, measured: float, allowed: float, target: str, unit: str = "s") -> Result:
    """A result whose limit is ``allowed`` (same unit as ``measured``)."""
    ratio = measured / allowed if allowed else float("inf")
    return Result(figure, target, f"{measured:.3f} {unit}", ratio, ratio <= 1.0)


def reported(figure: str, measured: str) -> Result:
    return Result(figure, "(dilaporkan)", measured, None, None)


BENCH_ADMIN = "admin.uji"
BENCH_PASSWORD = "UjiKinerja2026"  # noqa: S105 - the scratch folders of benchmarks only


def signed_in_admin(ctx: Any) -> Any:
    """The Actor of an admin of a benchmark's scratch folder (made at set-up when missing).

    Operations take a signed-in clerk; sign in before the timed part (argon2 is slow on
    purpose and is not what a benchmark measures).
    """
    from nonasn_desktop.accounts.users import authenticate, create_clerk, find_user
    from nonasn_desktop.core.audit import SYSTEM_ACTOR
    from nonasn_desktop.rules.roles import Role

    if find_user(ctx, BENCH_ADMIN) is None:
        with ctx.db.session() as session:
            create_clerk(
                session,
                ctx,
                username=BENCH_ADMIN,
                full_name="Admin Uji Kinerja",
                role=Role.ADMIN,
                password=BENCH_PASSWORD,
                actor=SYSTEM_ACTOR,
            )
    return authenticate(ctx, BENCH_ADMIN, BENCH_PASSWORD).actor
