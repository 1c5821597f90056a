"""The encrypted SQLite database (SQLCipher)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from nonasn_desktop.errors import StorageError
from nonasn_desktop.storage import cipher

KEY = bytes(range(32))
ROUNDS = 300


def _plain_database(path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE person (nik TEXT, nama TEXT)")
    connection.execute("INSERT INTO person VALUES ('3273010101900001', 'Siti Aminah')")
    connection.execute(
        "CREATE TRIGGER person_append_only BEFORE DELETE ON person "
        "BEGIN SELECT RAISE(ABORT, 'append-only'); END"
    )
    connection.execute("PRAGMA user_version = 7")
    connection.commit()
    connection.close()


def test_an_encrypted_copy_hides_everything_and_keeps_schema_and_data(tmp_path: Path) -> None:
    plain, encrypted, back = tmp_path / "p.db", tmp_path / "e.db", tmp_path / "back.db"
    _plain_database(plain)
    cipher.encrypt_copy(plain, encrypted, KEY)
    raw = encrypted.read_bytes()
    assert cipher.is_plain_sqlite(plain)
    assert not cipher.is_plain_sqlite(encrypted)
    assert b"SQLite format 3" not in raw
    assert b"Siti" not in raw
    assert b"3273010101900001" not in raw
    engine = cipher.encrypted_engine(f"sqlite:///{encrypted}", KEY)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT nama FROM person")).scalar() == "Siti Aminah"
        assert connection.execute(text("PRAGMA user_version")).scalar() == 7
        triggers = connection.execute(
            text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        ).scalars()
        assert list(triggers) == ["person_append_only"]
    engine.dispose()
    cipher.plain_copy(encrypted, back, KEY)
    with sqlite3.connect(back) as check:
        assert check.execute("SELECT nik FROM person").fetchall() == [("3273010101900001",)]


def test_a_wrong_key_is_a_clear_message_and_nothing_on_stderr(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    plain, encrypted = tmp_path / "p.db", tmp_path / "e.db"
    _plain_database(plain)
    cipher.encrypt_copy(plain, encrypted, KEY)
    with pytest.raises(StorageError, match="tidak dapat dibuka dengan kunci"):
        cipher.check_key(encrypted, os.urandom(32))
    cipher.check_key(encrypted, KEY)
    assert capfd.readouterr().err == ""


def test_an_encrypted_copy_never_overwrites(tmp_path: Path) -> None:
    plain, encrypted = tmp_path / "p.db", tmp_path / "e.db"
    _plain_database(plain)
    encrypted.write_bytes(b"keep me")
    with pytest.raises(FileExistsError):
        cipher.encrypt_copy(plain, encrypted, KEY)
    assert encrypted.read_bytes() == b"keep me"


def test_a_missing_file_is_not_a_plain_database(tmp_path: Path) -> None:
    assert not cipher.is_plain_sqlite(tmp_path / "nothing.db")


def test_the_binding_keeps_nones_reference_count_through_many_writes(tmp_path: Path) -> None:
    # A guard on the native binding (storage/cipher.dbapi): a release of sqlcipher3 that drops
    # a reference to None on a common path (INSERT through a new cursor, a NULL parameter, a
    # constraint error, a rollback) would end a desk's long session in "Fatal Python error:
    # none_dealloc". Three hundred rounds of each would lose three hundred references; caches and
    # the garbage collector move the count by a few at most.
    import gc
    import sys

    engine = cipher.encrypted_engine(f"sqlite:///{tmp_path / 'e.db'}", KEY)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE person (id INTEGER PRIMARY KEY, nama TEXT UNIQUE)"))

    def rounds(first: int) -> None:
        for number in range(first, first + ROUNDS):
            with engine.begin() as connection:
                connection.execute(
                    text("INSERT INTO person (nama) VALUES (:nama) RETURNING id"),
                    {"nama": f"orang {number}"},
                ).all()
                connection.execute(text("INSERT INTO person (nama) VALUES (NULL)"))
                connection.execute(text("SELECT nama FROM person WHERE nama IS :n"), {"n": None})
            with pytest.raises(Exception, match="UNIQUE"), engine.begin() as connection:
                connection.execute(text("INSERT INTO person (nama) VALUES ('orang 0')"))

    rounds(0)  # warm the statement caches first
    gc.collect()
    before = sys.getrefcount(None)
    rounds(ROUNDS)
    gc.collect()
    assert abs(sys.getrefcount(None) - before) < ROUNDS // 3
    engine.dispose()


def test_every_encrypted_connection_keeps_a_larger_page_cache(tmp_path: Path) -> None:
    # A page read again from SQLite's cache is not decrypted again (issue 11's 1.15x target).
    engine = cipher.encrypted_engine(f"sqlite:///{tmp_path / 'e.db'}", KEY)
    try:
        with engine.connect() as connection:
            size = connection.execute(text("PRAGMA cache_size")).scalar()
    finally:
        engine.dispose()
    assert size == -cipher.PAGE_CACHE_KIB
    assert cipher.PAGE_CACHE_KIB > 2000  # SQLite's default, in KiB
