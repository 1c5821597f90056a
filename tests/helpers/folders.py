"""Data folders for tests that need an office with records: made once, copied per test."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from helpers.accounts import ADMIN_PASSWORD, ADMIN_USERNAME, add_clerk, sign_in
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.demo import generate as demo
from nonasn_desktop.office import identity as office
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.startup import is_encrypted, open_app, unlock

START = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)


def make_office_folder(folder: Path, *, records: int, seed: int) -> Path:
    """An office (3273) with its admin and ``records`` finished registrations."""
    with open_app(folder, create=True, clock=lambda: START) as ctx:
        office.initialise(
            ctx,
            office_code="3273",
            office_name="BKD Kota Bandung",
            admin=(ADMIN_USERNAME, ADMIN_PASSWORD),
        )
        demo.generate(
            ctx, records, RecordStatus.PENDAFTARAN_SELESAI, actor=sign_in(ctx).actor, seed=seed
        )
    return folder


def make_plain_folder(folder: Path, *, scan: bytes | None = None) -> str | None:
    """A folder as a version before encryption at rest left it: plain database and documents,
    office 3273 with its admin and an operator ``operator1``; with ``scan``, that document
    stored too (its SHA-256 returned)."""
    with open_app(folder, create=True) as ctx:
        office.initialise(
            ctx,
            office_code="3273",
            office_name="BKD Kota Bandung",
            admin=(ADMIN_USERNAME, ADMIN_PASSWORD),
        )
        add_clerk(ctx, "operator1", "operator")
        return None if scan is None else ctx.blobs.put(scan)


@contextmanager
def opened_copy(
    template: Path, target: Path, clock: Callable[[], dt.datetime]
) -> Iterator[AppContext]:
    """A copy of ``template`` at ``target``, open for one test (closing twice is harmless)."""
    shutil.copytree(template, target)
    ctx = open_app(target, clock=clock)
    try:
        yield ctx
    finally:
        ctx.close()


def open_as_admin(folder: Path) -> AppContext:
    """A data folder made by ``nonasn init --admin admin``, opened the way its admin's command
    would: a new folder is encrypted (issue 11), so it is unlocked with the admin's password
    first. A plain folder is opened as it is (unlocking it would convert it)."""
    key = unlock(folder, ADMIN_USERNAME, ADMIN_PASSWORD).key if is_encrypted(folder) else None
    return open_app(folder, key=key)
