"""Data folders for tests that need an office with records: made once, copied per test."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from helpers.accounts import ADMIN_PASSWORD, ADMIN_USERNAME, sign_in
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.demo import generate as demo
from nonasn_desktop.office import identity as office
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.startup import open_app

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
