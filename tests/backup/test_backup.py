"""Backup archives: made while the app runs, verified before restoring, swapped in safely."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from helpers.accounts import actor_for, sign_in
from helpers.folders import make_office_folder, opened_copy
from nonasn_desktop.backup import archive as backup
from nonasn_desktop.backup import automatic as backup_auto
from nonasn_desktop.backup import restore as backup_restore
from nonasn_desktop.backup import verify as backup_verify
from nonasn_desktop.backup.archive import BackupError, BackupInfo
from nonasn_desktop.core import audit
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.demo import generate as demo
from nonasn_desktop.errors import FieldError, StorageError
from nonasn_desktop.office import identity as office
from nonasn_desktop.office import settings
from nonasn_desktop.registration import store as registrations
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.startup import open_app
from nonasn_desktop.storage.datadir import DATABASE_FILE, DataDir

if TYPE_CHECKING:
    from helpers.accounts import FakeClock


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_office_folder(tmp_path_factory.mktemp("template") / "data", records=3, seed=7)


@pytest.fixture
def office_ctx(template: Path, tmp_path: Path, clock: FakeClock) -> Iterator[AppContext]:
    with opened_copy(template, tmp_path / "data", clock) as opened:
        yield opened


def _tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with its SHA-256 (logs left out: they may grow)."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "logs" not in path.relative_to(folder).parts
    }


def _registration_count(ctx: AppContext) -> int:
    return sum(registrations.count_by_status(ctx).values())


# -- creating --------------------------------------------------------------------------------


def test_a_backup_holds_the_database_and_every_document(
    office_ctx: AppContext, tmp_path: Path
) -> None:
    out = tmp_path / "cadangan.zip"
    info = backup.create_backup(office_ctx, out, actor=sign_in(office_ctx).actor)
    assert info.path == out
    assert info.registrations == 3
    assert info.office_code == "3273"
    assert info.office_name == "BKD Kota Bandung"
    assert info.database_ok
    assert info.reason == backup.REASON_MANUAL
    assert info.schema_revision == office_ctx.db.current_revision()
    stored = {
        f"documents/{p.relative_to(office_ctx.data_dir.documents_dir).as_posix()}"
        for p in office_ctx.data_dir.documents_dir.rglob("*")
        if p.is_file()
    }
    assert stored
    assert info.documents == len(stored)
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        for member in manifest["members"]:
            data = archive.read(member["name"])
            assert hashlib.sha256(data).hexdigest() == member["sha256"]
            assert len(data) == member["size"]
    assert names == stored | {DATABASE_FILE, "manifest.json"}
    assert manifest["format"] == "nonasn-cadangan"
    # No temporary file is left beside the archive.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cadangan.zip", "data"]
    assert backup_verify.verify_backup(out) == info
    entry = audit.recent(office_ctx, action_prefix="backup.")[0]
    assert (entry.action, entry.actor) == ("backup.create", "admin")


def test_a_folder_as_target_gets_a_dated_name_and_never_overwrites(
    office_ctx: AppContext, tmp_path: Path
) -> None:
    folder = tmp_path / "usb"
    folder.mkdir()
    first = backup.create_backup(office_ctx, folder, actor=sign_in(office_ctx).actor)
    second = backup.create_backup(office_ctx, folder, actor=sign_in(office_ctx).actor)
    local = office_ctx.now().astimezone()
    assert first.path.name == f"nonasn-cadangan-3273-{local:%Y%m%d-%H%M%S}.zip"
    assert second.path.name == f"nonasn-cadangan-3273-{local:%Y%m%d-%H%M%S}-2.zip"
    before = first.path.read_bytes()
    with pytest.raises(BackupError, match="sudah ada"):
        backup.create_backup(office_ctx, first.path, actor=sign_in(office_ctx).actor)
    assert first.path.read_bytes() == before


def test_a_missing_target_folder_is_a_clear_error(office_ctx: AppContext, tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="tidak ada") as caught:
        backup.create_backup(
            office_ctx, tmp_path / "tidak-ada" / "x.zip", actor=sign_in(office_ctx).actor
        )
    assert caught.value.hint


def test_a_backup_is_consistent_while_another_connection_writes(
    office_ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Committed work (even if still only in the WAL) is in; an open transaction is not."""
    # The audit entry written after the archive would wait for the open transaction.
    monkeypatch.setattr(backup, "_write_backup_audit", lambda *_args: None)
    admin = sign_in(office_ctx).actor
    writer = sqlite3.connect(office_ctx.data_dir.database_path, isolation_level=None)
    try:
        writer.execute("PRAGMA wal_autocheckpoint=0")
        writer.execute("BEGIN")
        writer.execute("INSERT INTO setting (key, value) VALUES ('komit', '1')")
        writer.execute("COMMIT")
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO setting (key, value) VALUES ('belum_komit', '1')")
        info = backup.create_backup(office_ctx, tmp_path / "b.zip", actor=admin)
        writer.execute("ROLLBACK")
    finally:
        writer.close()
    with zipfile.ZipFile(info.path) as archive:
        (tmp_path / "db").write_bytes(archive.read(DATABASE_FILE))
    snapshot = sqlite3.connect(tmp_path / "db")
    try:
        keys = {row[0] for row in snapshot.execute("SELECT key FROM setting")}
        mode = snapshot.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        snapshot.close()
    assert "komit" in keys
    assert "belum_komit" not in keys
    assert mode == "delete"  # one self-contained file


def test_a_damaged_document_is_still_backed_up_and_reported(
    office_ctx: AppContext, tmp_path: Path
) -> None:
    blob = next(p for p in office_ctx.data_dir.documents_dir.rglob("*") if p.is_file())
    blob.write_bytes(b"bit rot")
    info = backup.create_backup(office_ctx, tmp_path / "b.zip", actor=sign_in(office_ctx).actor)
    assert info.damaged_documents == (
        f"documents/{blob.relative_to(office_ctx.data_dir.documents_dir).as_posix()}",
    )


def test_only_an_sqlite_file_can_be_backed_up(tmp_path: Path, clock: FakeClock) -> None:
    with (
        open_app(tmp_path / "data", create=True, database_url="sqlite://", clock=clock) as ctx,
        pytest.raises(BackupError, match="SQLite"),
    ):
        backup.create_backup(ctx, tmp_path / "x.zip", actor=actor_for(ctx))


def test_describe_is_indonesian_and_dated_dd_mm_yyyy(
    office_ctx: AppContext, tmp_path: Path
) -> None:
    info = backup.create_backup(office_ctx, tmp_path / "b.zip", actor=sign_in(office_ctx).actor)
    text = info.describe()
    local = office_ctx.now().astimezone()
    assert text.startswith(f"Cadangan manual {local:%d-%m-%Y %H:%M}")
    assert "kantor 3273 (BKD Kota Bandung)" in text
    assert "3 pendaftaran" in text


# -- restoring -------------------------------------------------------------------------------


def test_restore_brings_back_the_data_and_keeps_a_safety_copy(
    office_ctx: AppContext, tmp_path: Path, clock: FakeClock
) -> None:
    archive = backup.create_backup(
        office_ctx, tmp_path / "b.zip", actor=sign_in(office_ctx).actor
    ).path
    documents_then = _tree(office_ctx.data_dir.documents_dir)
    demo.generate(office_ctx, 2, RecordStatus.DRAF, seed=8, actor=sign_in(office_ctx).actor)
    assert _registration_count(office_ctx) == 5
    data_dir = office_ctx.data_dir
    office_ctx.close()

    clock.advance(hours=1)
    result = backup_restore.restore_backup(data_dir, archive, now=clock())
    assert result.restored.path == archive
    assert result.restored.registrations == 3
    assert result.safety_copy is not None
    assert result.safety_copy.parent == data_dir.backups_dir
    assert result.safety_copy.name.startswith("sebelum-pulih-")
    safety = backup_verify.verify_backup(result.safety_copy)
    assert safety.registrations == 5
    assert safety.reason == backup.REASON_BEFORE_RESTORE
    # Only the data folder's own things remain: no staging or journal left behind.
    assert sorted(p.name for p in data_dir.path.iterdir()) == [
        "backups",
        "documents",
        "logs",
        # The desk's own settings (storage.deskconfig) belong to the desk, not to a backup.
        "meja.json",
        DATABASE_FILE,
    ]
    assert _tree(data_dir.documents_dir) == documents_then

    with open_app(data_dir.path, clock=clock) as ctx:
        assert _registration_count(ctx) == 3
        backup_restore.record_restore(ctx, result, actor="admin")
        entry = audit.recent(ctx, action_prefix="backup.")[0]
        assert entry.action == "backup.restore"
        assert entry.changes["salinan_pengaman"][1] == str(result.safety_copy)


def test_restore_onto_a_new_computer(office_ctx: AppContext, tmp_path: Path) -> None:
    archive = backup.create_backup(
        office_ctx, tmp_path / "b.zip", actor=sign_in(office_ctx).actor
    ).path
    fresh = DataDir(tmp_path / "laptop-baru")
    result = backup_restore.restore_backup(fresh, archive)
    assert result.safety_copy is None
    with open_app(fresh.path) as ctx:
        assert _registration_count(ctx) == 3
        info = office.get_office(ctx)
        assert info is not None
        assert info.code == "3273"
        for path in ctx.data_dir.documents_dir.rglob("*"):
            if path.is_file():
                assert ctx.blobs.verify(path.name)


def test_restore_replaces_a_corrupt_database(office_ctx: AppContext, tmp_path: Path) -> None:
    """The main reason to restore: the safety copy keeps the damaged file's raw bytes."""
    archive = backup.create_backup(
        office_ctx, tmp_path / "b.zip", actor=sign_in(office_ctx).actor
    ).path
    data_dir = office_ctx.data_dir
    office_ctx.close()
    data_dir.database_path.write_bytes(b"\x00garbage, not a database" * 100)
    with pytest.raises(StorageError):
        open_app(data_dir.path)

    result = backup_restore.restore_backup(data_dir, archive)
    assert result.safety_copy is not None
    with zipfile.ZipFile(result.safety_copy) as kept:
        assert kept.read(DATABASE_FILE).startswith(b"\x00garbage")
        assert json.loads(kept.read("manifest.json"))["database_ok"] is False
    # A safety copy of a damaged database is kept for IT staff, but cannot be restored.
    with pytest.raises(BackupError, match="sudah rusak"):
        backup_verify.verify_backup(result.safety_copy)
    with open_app(data_dir.path) as ctx:
        assert _registration_count(ctx) == 3


# -- damaged archives change nothing -------------------------------------------------------------


def _rewrite(
    source: Path,
    target: Path,
    *,
    members: Callable[[dict[str, bytes]], dict[str, bytes]] = lambda m: m,
    manifest: Callable[[dict[str, object]], None] = lambda m: None,
    rehash: bool = True,
) -> Path:
    """A copy of an archive with members and manifest changed (hashes recomputed if asked)."""
    with zipfile.ZipFile(source) as archive:
        content = {name: archive.read(name) for name in archive.namelist()}
    meta = json.loads(content.pop("manifest.json"))
    content = members(content)
    if rehash:
        meta["members"] = [
            {"name": n, "size": len(d), "sha256": hashlib.sha256(d).hexdigest()}
            for n, d in content.items()
        ]
    manifest(meta)
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in content.items():
            archive.writestr(name, data)
        archive.writestr("manifest.json", json.dumps(meta))
    return target


def _flip_byte(path: Path, member: str) -> Path:
    """Change one byte inside a member's stored bytes, as a bad USB sector would."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    data = bytearray(path.read_bytes())
    # Local header: 30 bytes plus name and extra field, then the member's data.
    name_len = int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28], "little")
    extra_len = int.from_bytes(data[info.header_offset + 28 : info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_len + extra_len
    data[start + info.compress_size // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


def _corrupt_pages(content: dict[str, bytes]) -> dict[str, bytes]:
    db = bytearray(content[DATABASE_FILE])
    for offset in range(4096 * 2, len(db) - 4096, 4096 * 3):
        db[offset + 40 : offset + 400] = b"\xa5" * 360
    return {**content, DATABASE_FILE: bytes(db)}


def _unknown_schema(content: dict[str, bytes], tmp: Path) -> dict[str, bytes]:
    path = tmp / "future.sqlite3"
    path.write_bytes(content[DATABASE_FILE])
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_masa_depan'")
    connection.close()
    return {**content, DATABASE_FILE: path.read_bytes()}


def _first_document(content: dict[str, bytes]) -> str:
    return next(name for name in content if name.startswith("documents/"))


def _names(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return dict.fromkeys(archive.namelist(), b"")


def _truncated(good: Path, tmp: Path) -> Path:
    (tmp / "t.zip").write_bytes(good.read_bytes()[:-5000])
    return tmp / "t.zip"


def _empty(good: Path, tmp: Path) -> Path:
    (tmp / "e.zip").write_bytes(b"")
    return tmp / "e.zip"


def _a_photo_named_zip(good: Path, tmp: Path) -> Path:
    (tmp / "foto.zip").write_bytes(b"\xff\xd8\xff\xe0" + b"x" * 999)
    return tmp / "foto.zip"


def _flipped_in_database(good: Path, tmp: Path) -> Path:
    return _flip_byte(_rewrite(good, tmp / "f.zip"), DATABASE_FILE)


def _flipped_in_document(good: Path, tmp: Path) -> Path:
    copy = _rewrite(good, tmp / "d.zip")
    return _flip_byte(copy, _first_document(_names(copy)))


def _document_replaced_hash_kept(good: Path, tmp: Path) -> Path:
    return _rewrite(
        good, tmp / "h.zip", members=lambda m: {**m, _first_document(m): b"lain"}, rehash=False
    )


def _member_missing(good: Path, tmp: Path) -> Path:
    return _rewrite(
        good,
        tmp / "m.zip",
        members=lambda m: {k: v for k, v in m.items() if k != _first_document(m)},
        rehash=False,
    )


def _member_not_in_manifest(good: Path, tmp: Path) -> Path:
    extra = "documents/aa/bb/tambahan"

    def drop_extra(meta: dict[str, object]) -> None:
        listed = meta["members"]
        assert isinstance(listed, list)
        meta["members"] = [entry for entry in listed if entry["name"] != extra]

    return _rewrite(good, tmp / "x.zip", members=lambda m: {**m, extra: b"x"}, manifest=drop_extra)


def _path_traversal(good: Path, tmp: Path) -> Path:
    return _rewrite(good, tmp / "p.zip", members=lambda m: {**m, "documents/../../jahat": b"x"})


def _absolute_path(good: Path, tmp: Path) -> Path:
    return _rewrite(good, tmp / "a.zip", members=lambda m: {**m, "/etc/jahat": b"x"})


def _without_manifest(good: Path, tmp: Path) -> Path:
    target = tmp / "n.zip"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(target, "w") as archive:
        for name in source.namelist():
            if name != "manifest.json":
                archive.writestr(name, source.read(name))
    return target


def _garbled_manifest(good: Path, tmp: Path) -> Path:
    target = tmp / "g.zip"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(target, "w") as archive:
        for name in source.namelist():
            data = b"{ bukan json" if name == "manifest.json" else source.read(name)
            archive.writestr(name, data)
    return target


def _another_programs_zip(good: Path, tmp: Path) -> Path:
    return _rewrite(good, tmp / "o.zip", manifest=lambda m: m.update(format="lain"))


def _newer_archive_format(good: Path, tmp: Path) -> Path:
    return _rewrite(good, tmp / "v.zip", manifest=lambda m: m.update(format_version=99))


def _database_fails_integrity_check(good: Path, tmp: Path) -> Path:
    return _rewrite(good, tmp / "i.zip", members=_corrupt_pages)


def _database_of_a_newer_version(good: Path, tmp: Path) -> Path:
    return _rewrite(good, tmp / "s.zip", members=lambda m: _unknown_schema(m, tmp))


def _with_sql(content: dict[str, bytes], tmp: Path, *statements: str) -> dict[str, bytes]:
    path = tmp / "diubah.sqlite3"
    path.write_bytes(content[DATABASE_FILE])
    connection = sqlite3.connect(path)
    with connection:
        for statement in statements:
            connection.execute(statement)
    connection.close()
    return {**content, DATABASE_FILE: path.read_bytes()}


def _audit_triggers_replaced(good: Path, tmp: Path) -> Path:
    # Same names, same revision, but the audit trail can now be rewritten.
    return _rewrite(
        good,
        tmp / "p.zip",
        members=lambda m: _with_sql(
            m,
            tmp,
            "DROP TRIGGER audit_log_no_update",
            "DROP TRIGGER audit_log_no_delete",
            "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT 1; END",
            "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT 1; END",
        ),
    )


def _audit_trigger_dropped(good: Path, tmp: Path) -> Path:
    return _rewrite(
        good,
        tmp / "d.zip",
        members=lambda m: _with_sql(m, tmp, "DROP TRIGGER audit_log_no_delete"),
    )


def _extra_table(good: Path, tmp: Path) -> Path:
    return _rewrite(
        good,
        tmp / "x.zip",
        members=lambda m: _with_sql(m, tmp, "CREATE TABLE catatan_gelap (isi TEXT)"),
    )


DAMAGES: dict[str, tuple[Callable[[Path, Path], Path], str]] = {
    "truncated": (_truncated, "bukan arsip cadangan yang utuh"),
    "empty-file": (_empty, "bukan arsip cadangan yang utuh"),
    "a-photo-named-zip": (_a_photo_named_zip, "bukan arsip cadangan yang utuh"),
    "flipped-byte-in-database": (_flipped_in_database, "rusak"),
    "flipped-byte-in-document": (_flipped_in_document, "rusak"),
    "document-replaced-hash-kept": (_document_replaced_hash_kept, "tidak sama dengan sidik"),
    "member-missing": (_member_missing, "hilang"),
    "member-not-in-manifest": (_member_not_in_manifest, "di luar daftar isi"),
    "path-traversal": (_path_traversal, "tidak sah"),
    "absolute-path": (_absolute_path, "tidak sah"),
    "manifest-missing": (_without_manifest, "(manifest.json) tidak ada"),
    "manifest-garbled": (_garbled_manifest, "(manifest.json) rusak"),
    "another-programs-zip": (_another_programs_zip, "bukan cadangan aplikasi"),
    "newer-archive-format": (_newer_archive_format, "versi aplikasi yang lebih baru"),
    "database-fails-integrity-check": (_database_fails_integrity_check, "basis data di dalamnya"),
    "database-of-a-newer-version": (_database_of_a_newer_version, "versi aplikasi yang lebih baru"),
    "audit-triggers-replaced": (_audit_triggers_replaced, "pemicu audit_log_no_delete berbeda"),
    "audit-trigger-dropped": (_audit_trigger_dropped, "pemicu audit_log_no_delete tidak ada"),
    "extra-table": (_extra_table, "tabel catatan_gelap tidak dikenal"),
}


@pytest.fixture
def closed_data(office_ctx: AppContext, tmp_path: Path) -> tuple[DataDir, Path]:
    """A data folder (application closed) and a good archive of it."""
    good = backup.create_backup(
        office_ctx, tmp_path / "baik.zip", actor=sign_in(office_ctx).actor
    ).path
    office_ctx.close()
    return office_ctx.data_dir, good


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_a_damaged_archive_is_refused_and_changes_nothing(
    closed_data: tuple[DataDir, Path], tmp_path: Path, damage: str
) -> None:
    data_dir, good = closed_data
    make, expected = DAMAGES[damage]
    bad_folder = tmp_path / "rusak"
    bad_folder.mkdir()
    bad = make(good, bad_folder)
    before = _tree(data_dir.path)

    with pytest.raises(BackupError) as caught:
        backup_verify.verify_backup(bad)
    assert expected in str(caught.value)
    with pytest.raises(BackupError) as caught:
        backup_restore.restore_backup(data_dir, bad)
    assert expected in str(caught.value)
    assert "Data sekarang tidak diubah" in str(caught.value)

    assert _tree(data_dir.path) == before
    assert list(data_dir.backups_dir.iterdir()) == []  # not even a safety copy
    with open_app(data_dir.path) as ctx:
        assert _registration_count(ctx) == 3


def test_a_missing_archive_is_a_clear_error(
    closed_data: tuple[DataDir, Path], tmp_path: Path
) -> None:
    data_dir, _good = closed_data
    with pytest.raises(BackupError, match="tidak ditemukan"):
        backup_restore.restore_backup(data_dir, tmp_path / "tidak-ada.zip")


def test_not_enough_room_to_restore_changes_nothing(
    closed_data: tuple[DataDir, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir, good = closed_data
    before = _tree(data_dir.path)
    monkeypatch.setattr(backup_restore, "MIN_FREE_BYTES", 10**15)
    with pytest.raises(BackupError, match="Ruang kosong"):
        backup_restore.restore_backup(data_dir, good)
    assert _tree(data_dir.path) == before


# -- an interrupted swap --------------------------------------------------------------------------


class _PowerCut(BaseException):
    """Stands for the process dying: no except clause of the code under test catches it."""


def _count_swap_steps(data_dir: DataDir) -> int:
    files = [p for p in data_dir.path.iterdir() if p.name.startswith(DATABASE_FILE)]
    return len(files) + 3  # old documents out, new documents in, new database in


@pytest.mark.parametrize("moves_before_cut", [0, 1, 2, 3])
def test_a_restore_cut_off_during_the_swap_is_rolled_back_at_the_next_start(
    closed_data: tuple[DataDir, Path], monkeypatch: pytest.MonkeyPatch, moves_before_cut: int
) -> None:
    data_dir, good = closed_data
    # A newer state than the archive, to tell them apart.
    with open_app(data_dir.path) as ctx:
        settings.set_setting(ctx, settings.EDIT_LOCK_MINUTES, 99, actor=sign_in(ctx).actor)
    before = _tree(data_dir.path)
    assert moves_before_cut < _count_swap_steps(data_dir)

    real_replace = Path.replace
    journal = data_dir.path / backup_restore.RESTORE_JOURNAL
    moves = 0

    def replace(self: Path, target: Path) -> Path:
        nonlocal moves
        if journal.exists() and not self.name.startswith(backup_restore.RESTORE_JOURNAL):
            if moves == moves_before_cut:
                raise _PowerCut
            moves += 1
        return real_replace(self, target)

    monkeypatch.setattr(Path, "replace", replace)
    with pytest.raises(_PowerCut):
        backup_restore.restore_backup(data_dir, good)
    monkeypatch.undo()
    assert (data_dir.path / backup_restore.RESTORE_JOURNAL).exists()

    with open_app(data_dir.path) as ctx:  # the next start
        assert settings.get_setting(ctx, settings.EDIT_LOCK_MINUTES) == 99
    assert not (data_dir.path / backup_restore.RESTORE_JOURNAL).exists()
    after = _tree(data_dir.path)
    for name, digest in before.items():
        if not name.startswith(("backups", DATABASE_FILE)):
            assert after.get(name) == digest, name
    assert not [p for p in data_dir.path.iterdir() if p.name.startswith((".pulih", ".lama"))]


def test_a_failed_swap_is_undone_at_once(
    closed_data: tuple[DataDir, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir, good = closed_data
    with open_app(data_dir.path) as ctx:
        settings.set_setting(ctx, settings.EDIT_LOCK_MINUTES, 99, actor=sign_in(ctx).actor)
    real_replace = Path.replace

    def replace(self: Path, target: Path) -> Path:
        # Windows refuses to replace a file another program holds open.
        if (
            self.parent.name.startswith(backup_restore.STAGING_PREFIX)
            and target == data_dir.database_path
        ):
            raise PermissionError(13, "Permission denied")
        return real_replace(self, target)

    monkeypatch.setattr(Path, "replace", replace)
    with pytest.raises(BackupError, match="tetap seperti semula"):
        backup_restore.restore_backup(data_dir, good)
    monkeypatch.undo()
    assert not (data_dir.path / backup_restore.RESTORE_JOURNAL).exists()
    with open_app(data_dir.path) as ctx:
        assert settings.get_setting(ctx, settings.EDIT_LOCK_MINUTES) == 99


# -- the daily automatic backup --------------------------------------------------------------------


@pytest.fixture
def usb(office_ctx: AppContext, tmp_path: Path) -> Path:
    folder = tmp_path / "usb"
    folder.mkdir()
    settings.set_setting(
        office_ctx, settings.BACKUP_FOLDER, str(folder), actor=sign_in(office_ctx).actor
    )
    return folder


def test_no_daily_backup_when_no_folder_is_chosen(office_ctx: AppContext) -> None:
    assert backup_auto.backup_folder(office_ctx) is None
    assert backup_auto.run_daily_backup_if_due(office_ctx) is None


def test_one_daily_backup_per_day(office_ctx: AppContext, usb: Path, clock: FakeClock) -> None:
    made = backup_auto.run_daily_backup_if_due(office_ctx)
    assert made is not None
    assert made.created.reason == backup.REASON_AUTOMATIC
    assert made.created.path.name.startswith("nonasn-otomatis-3273-")
    assert made.removed == ()
    clock.advance(minutes=30)
    assert backup_auto.run_daily_backup_if_due(office_ctx) is None
    clock.advance(days=1)
    again = backup_auto.run_daily_backup_if_due(office_ctx)
    assert again is not None
    assert len(backup_auto.automatic_backups(usb, "3273")) == 2


def test_rotation_keeps_the_newest_and_touches_nothing_else(
    office_ctx: AppContext, usb: Path, clock: FakeClock
) -> None:
    settings.set_setting(office_ctx, settings.BACKUP_KEEP, 2, actor=sign_in(office_ctx).actor)
    (usb / "catatan.txt").write_text("jangan dihapus")
    (usb / "nonasn-otomatis-3204-20250101-080000.zip").write_bytes(b"kantor lain")
    (usb / "nonasn-cadangan-3273-20250101-080000.zip").write_bytes(b"cadangan manual")
    made: list[BackupInfo] = []
    for _ in range(4):
        result = backup_auto.run_daily_backup_if_due(office_ctx)
        assert result is not None
        made.append(result.created)
        clock.advance(days=1)
    assert backup_auto.automatic_backups(usb, "3273") == [made[2].path, made[3].path]
    assert (usb / "catatan.txt").exists()
    assert (usb / "nonasn-otomatis-3204-20250101-080000.zip").exists()
    assert (usb / "nonasn-cadangan-3273-20250101-080000.zip").exists()


def test_an_unplugged_usb_drive_is_reported(office_ctx: AppContext, usb: Path) -> None:
    usb.rmdir()
    with pytest.raises(BackupError, match="tidak ditemukan") as caught:
        backup_auto.run_daily_backup_if_due(office_ctx)
    assert "diska USB" in str(caught.value)


def test_the_backup_settings_are_declared_with_limits(office_ctx: AppContext) -> None:
    assert settings.get_setting(office_ctx, settings.BACKUP_KEEP) == 7
    with pytest.raises(Exception, match="antara 1 dan 365"):
        settings.set_setting(office_ctx, settings.BACKUP_KEEP, 0, actor=sign_in(office_ctx).actor)


def test_interrupted_restore_check_is_harmless_on_a_missing_folder(tmp_path: Path) -> None:
    assert backup_restore.finish_interrupted_restore(DataDir(tmp_path / "tidak-ada")) is False
    assert not (tmp_path / "tidak-ada").exists()


def test_zip_times_before_1980_are_clamped() -> None:
    # A laptop whose clock battery died starts in 1970: the archive must still be written.
    assert backup._zip_time(dt.datetime(1970, 1, 1, 12, tzinfo=dt.UTC))[0] == 1980


# -- restoring into the running application, and the daily backup's settings ------------------


def test_restore_in_place_keeps_the_context_usable(
    office_ctx: AppContext, tmp_path: Path, clock: FakeClock
) -> None:
    archive = backup.create_backup(
        office_ctx, tmp_path / "b.zip", actor=sign_in(office_ctx).actor
    ).path
    demo.generate(office_ctx, 1, RecordStatus.DRAF, seed=8, actor=sign_in(office_ctx).actor)
    assert _registration_count(office_ctx) == 4
    result = backup_restore.restore_in_place(office_ctx, archive, actor=sign_in(office_ctx).actor)
    assert result.safety_copy is not None
    # The same context now reads the restored data.
    assert _registration_count(office_ctx) == 3
    assert audit.recent(office_ctx, action_prefix="backup.")[0].action == "backup.restore"


def test_restore_in_place_refuses_a_damaged_archive_and_the_data_stays_usable(
    office_ctx: AppContext, tmp_path: Path
) -> None:
    bad = tmp_path / "rusak.zip"
    bad.write_bytes(b"PK\x03\x04 bukan arsip")
    with pytest.raises(BackupError, match="tidak dapat dipakai"):
        backup_restore.restore_in_place(office_ctx, bad, actor=sign_in(office_ctx).actor)
    assert _registration_count(office_ctx) == 3


def test_automatic_backup_settings_and_status(
    office_ctx: AppContext, tmp_path: Path, clock: FakeClock
) -> None:
    status = backup_auto.automatic_backup_status(office_ctx)
    assert not status.enabled
    assert status.describe_latest() == "Cadangan otomatis harian tidak aktif."
    usb = tmp_path / "usb"
    usb.mkdir()
    backup_auto.set_automatic_backup(office_ctx, usb, 3, actor=sign_in(office_ctx).actor)
    status = backup_auto.automatic_backup_status(office_ctx)
    assert (status.folder, status.keep, status.latest) == (usb, 3, None)
    assert status.describe_latest() == f"Belum ada cadangan otomatis di {usb}."
    made = backup_auto.run_daily_backup_if_due(office_ctx)
    assert made is not None
    status = backup_auto.automatic_backup_status(office_ctx)
    assert status.latest == made.created.path
    local = office_ctx.now().astimezone()
    assert status.latest_at == local.replace(microsecond=0)
    assert status.describe_latest().startswith(
        f"Cadangan otomatis terakhir: {local:%d-%m-%Y %H:%M}"
    )
    backup_auto.set_automatic_backup(office_ctx, None, 3, actor=sign_in(office_ctx).actor)
    assert not backup_auto.automatic_backup_status(office_ctx).enabled
    changes = [e.entity_id for e in audit.recent(office_ctx, action_prefix="setting.")]
    assert "backup_folder" in changes


def test_an_automatic_backup_folder_must_exist(office_ctx: AppContext, tmp_path: Path) -> None:
    with pytest.raises(FieldError, match="tidak ditemukan") as caught:
        backup_auto.set_automatic_backup(
            office_ctx, tmp_path / "usb-tidak-ada", 7, actor=sign_in(office_ctx).actor
        )
    assert caught.value.field == "backup_folder"
    assert not backup_auto.automatic_backup_status(office_ctx).enabled
