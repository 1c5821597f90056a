"""What the About dialog says protects the data: read from the database, worded with what to
do about each gap (issue 11 items 1 and 4, issue 10's name-search fallback)."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from helpers.postgres import fresh_database
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.office.protection import ENCRYPTION, describe, protection_facts
from nonasn_desktop.startup import open_app
from nonasn_desktop.storage import protection
from nonasn_desktop.storage.database import Database, sqlite_url
from nonasn_desktop.storage.docstore import DatabaseDocumentStore
from nonasn_desktop.storage.protection import FolderProtection, ServerProtection


def test_a_plain_folder_says_it_is_not_encrypted_yet(app_ctx: AppContext) -> None:
    found = protection.of(app_ctx.db)
    assert found == FolderProtection(encrypted=False, library=found.library)
    assert found.library.startswith("SQLCipher 4.")
    (line,) = protection_facts(app_ctx)
    assert line[0] == ENCRYPTION
    assert line[1].startswith("BELUM aktif")
    assert "admin masuk" in line[1]


def test_an_encrypted_folder_says_so_with_the_library(tmp_path: Path) -> None:
    with Database.open(sqlite_url(tmp_path / "x.sqlite3"), key=os.urandom(32)) as db:
        found = protection.of(db)
    assert isinstance(found, FolderProtection)
    assert found.encrypted
    ((label, text),) = describe(found)
    assert label == ENCRYPTION
    assert text.startswith("aktif")
    assert found.library in text


def _server(**changes: object) -> ServerProtection:
    facts: dict[str, object] = {
        "server_version": "15.8",
        "tls": True,
        "sslmode": "verify-full",
        "documents_keyed": True,
        "plain_documents": 0,
        "name_index": True,
    }
    return ServerProtection(**{**facts, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "label", "expected"),
    [
        ({}, "Sambungan ke server", "TLS, sertifikat server diperiksa (sslmode=verify-full)"),
        ({"tls": None}, "Sambungan ke server", "soket lokal server"),
        ({"tls": False, "sslmode": None}, "Sambungan ke server", "TANPA TLS"),
        ({"sslmode": None}, "Sambungan ke server", "tidak diperiksa (sslmode=prefer)"),
        ({"documents_keyed": False}, "Dokumen kantor", "BELUM terenkripsi"),
        ({"plain_documents": 3}, "Dokumen kantor", "kecuali 3 dokumen lama"),
        ({"name_index": False}, "Pencarian kata nama", "CREATE EXTENSION IF NOT EXISTS pg_trgm"),
        ({}, "Pencarian kata nama", "indeks trigram (pg_trgm)"),
    ],
)
def test_each_gap_of_an_office_server_is_named_with_what_to_do(
    changes: dict[str, object], label: str, expected: str
) -> None:
    lines = dict(describe(_server(**changes)))
    assert expected in lines[label]
    assert "PostgreSQL 15.8" in lines[ENCRYPTION]


def test_an_office_database_is_read_as_it_is(tmp_path: Path) -> None:
    with fresh_database() as url, open_app(tmp_path / "meja", create=True, database_url=url) as ctx:
        found = protection.of(ctx.db)
        assert isinstance(found, ServerProtection)
        # The test server is reached over its local socket; the office has no key yet.
        assert found.tls is None
        assert not found.documents_keyed
        assert found.plain_documents == 0
        assert found.name_index
        DatabaseDocumentStore(ctx.db).put(b"%PDF-1.4 ijazah")
        assert protection.of(ctx.db) == replace(found, plain_documents=1)
