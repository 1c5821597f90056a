"""Batches exported once per test session by real offices, for the central office's tests.

Making records is slow, so the offices and their batches are made once; every test copies the
files it touches into its own folder (a test that changes a byte changes its copy).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.batches import Exported, age_identity, export_both, make_office
from nonasn_desktop.central.db import CentralDb, open_central

RECORDS = 3


@pytest.fixture(scope="session")
def central_keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """(trust folder, the centre's age identity file, its recipient)."""
    folder = tmp_path_factory.mktemp("pusat")
    trust = folder / "trust"
    trust.mkdir()
    identity_file, recipient = age_identity(folder)
    return trust, identity_file, recipient


@pytest.fixture(scope="session")
def batch_a(
    tmp_path_factory: pytest.TempPathFactory, central_keys: tuple[Path, Path, str]
) -> Iterator[Exported]:
    """Office 3273's first batch."""
    trust, identity_file, recipient = central_keys
    folder = tmp_path_factory.mktemp("kantor-a")
    made = make_office(folder, code="3273", approved=RECORDS, seed=11, trust=trust)
    try:
        yield export_both(folder, made, trust, identity_file, recipient)
    finally:
        made.ctx.close()


@pytest.fixture(scope="session")
def batch_b(
    tmp_path_factory: pytest.TempPathFactory, central_keys: tuple[Path, Path, str]
) -> Iterator[Exported]:
    """Another office (327399) of the same regency with the same people: every NIK conflicts."""
    trust, identity_file, recipient = central_keys
    folder = tmp_path_factory.mktemp("kantor-b")
    made = make_office(
        folder, code="327399", name="UPT BKD Bandung", approved=RECORDS, seed=11, trust=trust
    )
    try:
        yield export_both(folder, made, trust, identity_file, recipient)
    finally:
        made.ctx.close()


@pytest.fixture(scope="session")
def batch_c(
    tmp_path_factory: pytest.TempPathFactory, central_keys: tuple[Path, Path, str]
) -> Iterator[Exported]:
    """Office 3273 again, from a second data folder with its own key and the same people:
    the same NIKs in two batches of one office."""
    trust, identity_file, recipient = central_keys
    folder = tmp_path_factory.mktemp("kantor-c")
    made = make_office(folder, code="3273", approved=RECORDS, seed=11, trust=trust)
    try:
        yield export_both(folder, made, trust, identity_file, recipient)
    finally:
        made.ctx.close()


@pytest.fixture
def central(tmp_path: Path) -> Iterator[CentralDb]:
    db = open_central(None, cwd=tmp_path)
    try:
        yield db
    finally:
        db.close()
