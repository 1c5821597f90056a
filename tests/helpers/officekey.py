"""An office database server whose documents were encrypted by ``nonasn keys encrypt-documents``
after its clerks were made: the admin holds a slot of the office data key, the clerk ``siti``
(an operator, CLERK_PASSWORD) holds none, the case an admin's grant of document access is for."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from helpers.accounts import ADMIN_PASSWORD, add_clerk, sign_in
from helpers.postgres import fresh_database
from nonasn_desktop.cli.main import main
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.office.documentkey import encrypt_office_documents
from nonasn_desktop.startup import open_app
from nonasn_desktop.storage import officeslots
from nonasn_desktop.storage.models import Clerk, OfficeDataKeySlot

SLOTLESS = "siti"
JPEG = b"\xff\xd8\xff\xe0" + b"pas foto " * 200
OFFICE = ["--office-code", "1771BKD", "--office-name", "BKD Kota Bengkulu", "--admin", "admin"]


@contextmanager
def office_with_a_slotless_clerk(
    desk: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Path, str]]:
    """The desk's data folder on a fresh office server, and the hash of one document saved
    before the documents were encrypted."""
    monkeypatch.setenv("NONASN_ADMIN_PASSWORD", ADMIN_PASSWORD)
    with fresh_database() as url:
        assert main(["--data-dir", str(desk), "init", "--database-url", url, *OFFICE]) == 0
        with open_app(desk) as ctx:
            # An office of an older version: no data key yet, its clerks and documents plain.
            with ctx.db.session() as session:
                session.execute(delete(OfficeDataKeySlot))
            admin = sign_in(ctx).actor
            add_clerk(ctx, SLOTLESS, "operator")
            sha = ctx.blobs.put(JPEG)
            encrypt_office_documents(ctx, actor=admin, password=ADMIN_PASSWORD)
        yield desk, sha


def slot_holders(ctx: AppContext) -> list[str]:
    with ctx.db.session() as session:
        slots = officeslots.read(session)
    return [] if slots is None else sorted(slots.labels())


def failed_attempts(ctx: AppContext, username: str) -> int:
    with ctx.db.session() as session:
        count = session.scalar(select(Clerk.failed_attempts).where(Clerk.username == username))
    assert count is not None
    return count
