"""What a benchmark reports, and small helpers to measure time and peak memory."""

from __future__ import annotations

import shutil
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
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


# -- the same figure on an encrypted data folder (issue 11) ---------------------------------------

ENCRYPTED_RATIO_LIMIT = 1.15  # issue 11: an encrypted folder at most 1.15x the plain one


def encrypted_copy(
    plain: Path, target: Path, username: str = BENCH_ADMIN, password: str = BENCH_PASSWORD
) -> Path:
    """An encrypted copy of the prepared data folder ``plain`` (closed), made the way
    ``nonasn init`` makes a new folder: ``startup.encrypt_new_folder`` with the credentials of
    a clerk of that folder (every clerk gets a key slot from their stored password hash).

    Copying the prepared folder keeps the extra set-up small: the data is made once.
    """
    from nonasn_desktop.startup import encrypt_new_folder, recovery_key_seen

    shutil.copytree(plain, target)
    encrypt_new_folder(target, username, password)
    # As `nonasn init` once it printed the key: no admin sign-in is shown it again.
    recovery_key_seen(target)
    return target


def open_folder(
    folder: Path,
    username: str = BENCH_ADMIN,
    password: str = BENCH_PASSWORD,
    **options: Any,
) -> Any:
    """``startup.open_app`` on a benchmark's folder, unlocked first (``startup.unlock``, as
    signing in does) when the folder is encrypted. Call it before the timed part: the key
    slot's argon2id is slow on purpose and is the clerk's sign-in, not the operation."""
    from nonasn_desktop.startup import is_encrypted, open_app, unlock

    key = unlock(folder, username, password).key if is_encrypted(folder) else None
    return open_app(folder, key=key, **options)


def beside(
    figure: str,
    plain: float,
    encrypted: float,
    unit: str = "s",
    limit: float = ENCRYPTED_RATIO_LIMIT,
) -> Result:
    """The encrypted folder's figure beside the plain folder's, both measured in the same
    run; passes when encrypted / plain is at most ``limit``."""
    factor = encrypted / plain if plain else float("inf")
    return Result(
        f"{figure}: encrypted vs plain",
        f"<= {limit:g}x plain",
        f"{plain:.3f} -> {encrypted:.3f} {unit} = {factor:.2f}x",
        factor / limit,
        factor <= limit,
    )


def best_child_run(runs: list[dict[str, float]], count: str, expected: int) -> dict[str, float]:
    """The fastest of a child process's runs, with the highest peak memory of all of them;
    each run must have handled ``expected`` records (its ``count`` figure)."""
    figures = min(runs, key=lambda run: run["seconds"])
    figures["peak_kib"] = max(run["peak_kib"] for run in runs)
    assert figures[count] == expected, figures
    return figures


def against_hashing(
    what: str, label: str, figures: dict[str, float], hashing: float, limits: tuple[float, float]
) -> list[Result]:
    """``what`` on ``label``'s folder: its time against ``limits[0]`` × sha256sum over the same
    bytes, its peak memory against ``limits[1]`` MB."""
    ratio, memory_mb = limits
    return [
        within(
            f"{what} ({label}) vs sha256sum",
            figures["seconds"],
            ratio * hashing,
            f"<= {ratio}x sha256sum ({ratio * hashing:.2f} s)",
        ),
        within(
            f"{what} peak memory ({label})",
            figures["peak_kib"] / 1024,
            memory_mb,
            f"< {memory_mb} MB",
            unit="MB",
        ),
    ]
