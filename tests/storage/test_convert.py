"""Converting a folder of an older version to encryption at rest, and crashes on the way."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from helpers.accounts import ADMIN_PASSWORD, ADMIN_USERNAME
from helpers.folders import make_office_folder
from nonasn_desktop.crypto import atrest, keyslots
from nonasn_desktop.storage import cipher, convert, vault
from nonasn_desktop.storage.datadir import DataDir


class CrashError(Exception):
    """Stands for the power going off at a checkpoint."""


@pytest.fixture(scope="module")
def plain_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = make_office_folder(tmp_path_factory.mktemp("plain") / "data", records=2, seed=11)
    backups = folder / "backups"
    backups.mkdir(exist_ok=True)
    (backups / "sebelum-pembaruan-0003-20260105.zip").write_bytes(b"PK\x03\x04 Siti Aminah")
    return folder


@pytest.fixture
def plain(plain_template: Path, tmp_path: Path) -> DataDir:
    target = tmp_path / "data"
    shutil.copytree(plain_template, target)
    return DataDir(target)


def _secrets(folder: DataDir) -> list[bytes]:
    """NIKs and names of the folder's records, read before the conversion."""
    with sqlite3.connect(folder.database_path) as connection:
        rows = connection.execute("SELECT nik, nama FROM registration").fetchall()
    return [value.encode() for row in rows for value in row if value]


def _every_file(root: Path) -> Iterator[Path]:
    return (p for p in root.rglob("*") if p.is_file())


def _assert_nothing_readable(folder: DataDir, secrets: list[bytes]) -> None:
    for path in _every_file(folder.path):
        data = path.read_bytes()
        assert not data.startswith(cipher.SQLITE_HEADER), path
        assert b"\xff\xd8\xff" not in data[:4], path
        assert not data.startswith(b"%PDF"), path
        for secret in secrets:
            assert secret not in data, (path, secret)


def _assert_converted(folder: DataDir, key: vault.DataKey, documents: int) -> None:
    engine = cipher.encrypted_engine(f"sqlite:///{folder.database_path}", key.database_key)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM registration")).scalar() == 2
    engine.dispose()
    files = list(_every_file(folder.documents_dir))
    assert len(files) == documents
    for path in files:
        plain = atrest.decrypt_bytes(path.read_bytes(), key.files_key, "document")
        assert plain[:4] in (b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xe1", b"%PDF")
    names = sorted(p.name for p in folder.path.iterdir())
    assert not [n for n in names if n.endswith((convert.PLAIN_SUFFIX, convert.ENCRYPTED_SUFFIX))]
    assert convert.JOURNAL_FILE not in names


def test_conversion_encrypts_everything_and_each_clerk_keeps_their_password(
    plain: DataDir,
) -> None:
    secrets = _secrets(plain)
    documents = len(list(_every_file(plain.documents_dir)))
    assert secrets
    assert documents
    assert convert.needs_conversion(plain)
    result = convert.convert(plain)
    assert result.clerks_with_slots == (ADMIN_USERNAME,)
    assert not convert.needs_conversion(plain)
    _assert_converted(plain, result.key, documents)
    recovery_text = keyslots.format_recovery_key(result.recovery_key).encode()
    _assert_nothing_readable(plain, [*secrets, result.recovery_key, recovery_text])
    # Kept sealed in the folder until an admin has seen it.
    assert vault.read_pending_recovery(plain, result.key) == result.recovery_key
    slots = vault.read_slots(plain)
    assert slots is not None
    assert keyslots.open_with_password(slots, ADMIN_USERNAME, ADMIN_PASSWORD) == result.key.raw
    assert keyslots.open_with_recovery_key(slots, result.recovery_key) == result.key.raw
    backup = plain.backups_dir / "sebelum-pembaruan-0003-20260105.zip.age"
    assert atrest.decrypt_bytes(backup.read_bytes(), result.key.files_key, "backup").startswith(
        b"PK"
    )


@pytest.mark.parametrize("point", ["database", "documents", "backups"])
def test_a_crash_before_the_commit_leaves_the_plain_folder_and_starts_over(
    plain: DataDir, point: str
) -> None:
    before = {p: p.read_bytes() for p in _every_file(plain.path)}

    def crash(name: str) -> None:
        if name == point:
            raise CrashError(name)

    with pytest.raises(CrashError):
        convert.convert(plain, checkpoint=crash)
    assert not convert.finish_interrupted(plain)
    assert {p: p.read_bytes() for p in _every_file(plain.path)} == before
    result = convert.convert(plain)
    _assert_converted(plain, result.key, len(list(_every_file(plain.documents_dir))))


@pytest.mark.parametrize("point", ["commit", "swap-database", "swap-documents", "swap"])
def test_a_crash_after_the_commit_is_finished_by_the_next_start(plain: DataDir, point: str) -> None:
    secrets = _secrets(plain)
    documents = len(list(_every_file(plain.documents_dir)))
    seen: list[vault.DataKey] = []
    original = convert._prepare

    def spy(folder: DataDir, key: vault.DataKey, *args: object) -> None:
        seen.append(key)
        original(folder, key, *args)  # type: ignore[arg-type]

    def crash(name: str) -> None:
        if name == point:
            raise CrashError(name)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(convert, "_prepare", spy)
        with pytest.raises(CrashError):
            convert.convert(plain, checkpoint=crash)
    assert convert.finish_interrupted(plain)
    _assert_converted(plain, seen[0], documents)
    _assert_nothing_readable(plain, secrets)
    # The recovery key nobody saw yet survives the crash, and it opens the folder.
    recovery = vault.read_pending_recovery(plain, seen[0])
    slots = vault.read_slots(plain)
    assert recovery is not None
    assert slots is not None
    assert keyslots.open_with_recovery_key(slots, recovery) == seen[0].raw


def test_a_pending_recovery_key_that_no_longer_opens_the_folder_is_not_offered(
    plain: DataDir,
) -> None:
    result = convert.convert(plain)
    slots = vault.read_slots(plain)
    assert slots is not None
    replaced = keyslots.recovery_slot(slots.folder_id, result.key.raw, keyslots.new_recovery_key())
    vault.write_slots(plain, slots.with_slot(replaced))
    assert vault.read_pending_recovery(plain, result.key) is None
    # A damaged copy counts as none too, and destroying it is final.
    vault.pending_recovery_path(plain).write_bytes(b"age-encryption.org/v1\n-> rusak")
    assert vault.read_pending_recovery(plain, result.key) is None
    # So does a huge file planted under its name: read up to its limit only, never decrypted.
    with vault.pending_recovery_path(plain).open("wb") as planted:
        planted.truncate(64 * 1024 * 1024)
    assert vault.read_pending_recovery(plain, result.key) is None
    assert vault.discard_pending_recovery(plain)
    assert not vault.pending_recovery_path(plain).exists()


def test_an_encrypted_folder_is_not_converted_again(plain: DataDir) -> None:
    convert.convert(plain)
    with pytest.raises(Exception, match="sudah terenkripsi"):
        convert.convert(plain)
