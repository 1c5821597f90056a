"""The office data key of a PostgreSQL office (issue 11, item 4): documents are encrypted in
``document_blob``, every desk's signed-in clerk reads them, a wrong password reads nothing, and
the key's slots follow the clerks. Two desks set up as an office would (``nonasn init``)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from helpers.accounts import ADMIN_PASSWORD, add_clerk, sign_in
from helpers.postgres import fresh_database
from nonasn_desktop.accounts import slots, users
from nonasn_desktop.cli.main import main
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.crypto import atrest, keyslots
from nonasn_desktop.crypto.errors import WrongPassphraseError
from nonasn_desktop.errors import AuthError, ConflictError, StorageError
from nonasn_desktop.startup import open_app
from nonasn_desktop.storage import officeslots
from nonasn_desktop.storage.docstore import DatabaseDocumentStore
from nonasn_desktop.storage.models import DocumentBlob, OfficeDataKeySlot

OFFICE = ["--office-code", "1771BKD", "--office-name", "BKD Kota Bengkulu"]
JPEG = b"\xff\xd8\xff\xe0" + b"pas foto " * 200
PDF = b"%PDF-1.4\n" + b"ijazah " * 200
RECOVERY = re.compile(r"^\s+([0-9A-Z]{4}(?:-[0-9A-Z]{4}){8})$", re.MULTILINE)


@pytest.fixture
def office(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[tuple[Path, Path, str]]:
    """Desk 1 sets the office up on an empty server; desk 2 joins. Also the recovery key."""
    monkeypatch.setenv("NONASN_ADMIN_PASSWORD", ADMIN_PASSWORD)
    one, two = tmp_path / "meja1", tmp_path / "meja2"
    with fresh_database() as url:
        argv = ["--data-dir", str(one), "init", "--database-url", url, *OFFICE, "--admin", "admin"]
        assert main(argv) == 0
        found = RECOVERY.search(capsys.readouterr().out)
        assert found is not None
        assert main(["--data-dir", str(two), "init", "--database-url", url]) == 0
        capsys.readouterr()
        yield one, two, found.group(1)


def _stored(ctx: AppContext, sha: str) -> bytes:
    with ctx.db.session() as session:
        data = session.scalar(select(DocumentBlob.data).where(DocumentBlob.sha256 == sha))
    assert data is not None
    return bytes(data)


def test_saved_at_desk_1_is_sealed_in_the_table_and_read_at_desk_2(
    office: tuple[Path, Path, str],
) -> None:
    one, two, _ = office
    with open_app(one) as first:
        sign_in(first)
        photo, diploma = first.blobs.put(JPEG), first.blobs.put(PDF)
        for sha in (photo, diploma):
            stored = _stored(first, sha)
            assert atrest.is_encrypted(stored[:64])
            assert b"\xff\xd8\xff" not in stored
            assert b"%PDF" not in stored
            assert b"pas foto" not in stored
    with open_app(two) as second:
        sign_in(second)
        assert second.blobs.get(photo) == JPEG
        assert second.blobs.get(diploma) == PDF
        assert second.blobs.verify(photo)


def test_a_wrong_password_reads_nothing(office: tuple[Path, Path, str]) -> None:
    one, two, _ = office
    with open_app(one) as first:
        sign_in(first)
        sha = first.blobs.put(JPEG)
    with open_app(two) as second:
        with pytest.raises(AuthError):
            sign_in(second, "admin", "salah sandi 123")
        assert second.office_key is None
        with pytest.raises(StorageError, match="kunci dokumen kantor"):
            second.blobs.get(sha)
        # Nor is anything written plain while the key is closed.
        with pytest.raises(StorageError, match="kunci dokumen kantor"):
            second.blobs.put(PDF)
        with second.db.session() as session:
            stored = officeslots.read(session)
        assert stored is not None
        # The slot itself refuses a wrong password (what a thief with a pg_dump holds).
        with pytest.raises(WrongPassphraseError):
            keyslots.open_with_password(stored, "admin", "salah sandi 123")


def test_slots_follow_clerks_created_reset_and_deactivated(
    office: tuple[Path, Path, str],
) -> None:
    one, two, _ = office
    with open_app(one) as first:
        admin = sign_in(first).actor
        sha = first.blobs.put(JPEG)
        add_clerk(first, "operator1", "operator")
    with open_app(two) as second:
        sign_in(second, "operator1")
        assert second.blobs.get(sha) == JPEG
    with open_app(one) as first:
        admin = sign_in(first).actor
        users.set_active(first, "operator1", False, actor=admin)
        with first.db.session() as session:
            stored = officeslots.read(session)
        assert stored is not None
        assert stored.password_slot("operator1") is None
        users.set_active(first, "operator1", True, actor=admin)
    with open_app(two) as second:
        # Back, but without a slot: signs in, documents closed until an admin gives access
        # (accounts.slots.grant_office_slot) or, as here, resets the password.
        sign_in(second, "operator1")
        with pytest.raises(StorageError, match="Beri Akses Dokumen"):
            second.blobs.get(sha)
    with open_app(one) as first:
        admin = sign_in(first).actor
        users.change_password(first, username="operator1", new_password="baru12345", actor=admin)
    with open_app(two) as second:
        operator = sign_in(second, "operator1", "baru12345")
        assert second.blobs.get(sha) == JPEG
        # The clerk's own change rewrites the slot for the new password.
        users.change_password(
            second,
            username="operator1",
            new_password="lagi12345",
            current_password="baru12345",
            actor=operator.actor,
        )
        sign_in(second, "operator1", "lagi12345")
        assert second.blobs.get(sha) == JPEG
        with second.db.session() as session:
            stored = officeslots.read(session)
        assert stored is not None
        assert sorted(stored.labels()) == ["admin", "operator1"]
        assert stored.recovery_slot() is not None


def test_an_existing_office_is_converted_once_by_an_admin(
    office: tuple[Path, Path, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    one, two, _ = office
    with open_app(one) as first:
        # An office of an older version: no data key, documents stored plain.
        with first.db.session() as session:
            session.execute(delete(OfficeDataKeySlot))
        sign_in(first)
        assert first.office_key is None
        old = first.blobs.put(JPEG)
        assert _stored(first, old).startswith(b"\xff\xd8\xff")
        assert first.blobs.get(old) == JPEG
    monkeypatch.setenv("NONASN_USER", "admin")
    monkeypatch.setenv("NONASN_PASSWORD", ADMIN_PASSWORD)
    assert main(["--data-dir", str(two), "keys", "encrypt-documents"]) == 0
    out = capsys.readouterr().out
    assert "Dokumen dienkripsi: 1; sudah terenkripsi: 0." in out
    assert "Semua pengguna aktif dapat membuka dokumen kantor." in out
    found = RECOVERY.search(out)
    assert found is not None
    assert main(["--data-dir", str(two), "keys", "encrypt-documents"]) == 0
    again = capsys.readouterr().out
    assert "Dokumen dienkripsi: 0; sudah terenkripsi: 1." in again
    assert RECOVERY.search(again) is None
    with open_app(one) as first:
        assert atrest.is_encrypted(_stored(first, old)[:64])
        sign_in(first)
        assert first.blobs.get(old) == JPEG
    # The recovery key opens the office data key when every admin password is lost.
    with open_app(one) as first:
        slots.open_office_key_with_recovery(first, found.group(1))
        users.recover_admin_password(first, username="admin", new_password="pulih12345")
        slots.close_office_key(first)
        assert isinstance(first.blobs, DatabaseDocumentStore)
        sign_in(first, "admin", "pulih12345")
        assert first.blobs.get(old) == JPEG


def test_a_plain_row_is_encrypted_when_the_same_document_is_saved_again(
    office: tuple[Path, Path, str],
) -> None:
    one, _, _ = office
    with open_app(one) as first:
        sign_in(first)
        sha_pdf = hashlib.sha256(PDF).hexdigest()
        with first.db.session() as session:  # a row stored by an older version
            DatabaseDocumentStore._insert(session, sha_pdf, PDF)
        assert first.blobs.get(sha_pdf) == PDF  # read as it is
        assert first.blobs.put(PDF) == sha_pdf
        assert atrest.is_encrypted(_stored(first, sha_pdf)[:64])
        assert first.blobs.get(sha_pdf) == PDF


def test_nonasn_recover_at_a_desk_uses_the_office_recovery_key(
    office: tuple[Path, Path, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    one, two, recovery = office
    with open_app(one) as first:
        sign_in(first)
        sha = first.blobs.put(JPEG)
    wrong = tmp_path / "salah.txt"
    wrong.write_text(keyslots.format_recovery_key(keyslots.new_recovery_key()) + "\n")
    right = tmp_path / "kunci.txt"
    right.write_text(recovery + "\n")
    monkeypatch.setenv("NONASN_ADMIN_PASSWORD", "pulih-dari-brankas-7")
    recover = ["--data-dir", str(two), "recover", "--admin", "admin", "--recovery-key-file"]
    assert main([*recover, str(wrong)]) != 0
    assert "Kunci pemulihan tidak cocok" in capsys.readouterr().err
    with open_app(two) as second:  # the old password still works: nothing changed
        sign_in(second)
    assert main([*recover, str(right)]) == 0
    assert "sudah diganti dengan kunci pemulihan" in capsys.readouterr().out
    with open_app(one) as first:
        with pytest.raises(AuthError):
            sign_in(first)
        sign_in(first, "admin", "pulih-dari-brankas-7")
        assert first.blobs.get(sha) == JPEG  # the admin's new slot opens the office key


def test_an_admin_password_is_not_set_without_the_recovery_key(
    office: tuple[Path, Path, str],
) -> None:
    one, _, _ = office
    with open_app(one) as first:
        with pytest.raises(ConflictError, match="kunci pemulihan"):
            users.recover_admin_password(first, username="admin", new_password="ambil-alih-123")
        sign_in(first)  # the password is as it was
