"""Writing backup archives of a data folder: the database and the documents in one ZIP.

Archive layout (a plain ZIP, so IT staff can look inside with any tool)::

    nonasn.sqlite3          a consistent snapshot of the database (rollback-journal mode)
    documents/ab/cd/<sha>   every stored document file, as in the data folder
    manifest.json           written last: format, application and schema version, office,
                            counts, and the size and SHA-256 of every other member

Creating is safe while the application runs: SQLite's online backup API copies a consistent
snapshot (readers never block writers in WAL mode), and documents are content-addressed and
never rewritten, so every document the snapshot refers to is already in the folder when the
documents are copied. Members are streamed (nothing is held in memory whole). The archive is
written under a temporary name next to its target, flushed to disk and renamed: a crash, a
full USB drive or a pulled cable never leaves half an archive under the final name.

Verification is in :mod:`.verify`, restoring in :mod:`.restore`, the daily automatic backup in
:mod:`.automatic`. The archive of an encrypted data folder is this archive sealed with the
folder's key (:mod:`.sealed`): the database and documents go in as they are on disk, encrypted.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import json
import logging
import re
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nonasn_desktop import __version__
from nonasn_desktop.accounts.authz import Actor, authorise
from nonasn_desktop.atomicfile import AtomicFile
from nonasn_desktop.backup import sealed
from nonasn_desktop.core import audit
from nonasn_desktop.core.context import AppContext, Clock, utc_now
from nonasn_desktop.errors import StorageError, UserError
from nonasn_desktop.office.identity import get_office
from nonasn_desktop.rules.documents import format_size
from nonasn_desktop.rules.formatting import format_date
from nonasn_desktop.rules.permissions import Permission
from nonasn_desktop.storage import cipher, vault
from nonasn_desktop.storage.database import Database
from nonasn_desktop.storage.datadir import DATABASE_FILE, DataDir
from nonasn_desktop.storage.upgrade import (
    UpgradeResult,
    integrity_problems,
    sqlite_file,
    upgrade_safely,
)

log = logging.getLogger(__name__)

ARCHIVE_FORMAT = "nonasn-cadangan"
ARCHIVE_FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
DOCUMENTS = "documents"
SUFFIX = ".zip"

# Why an archive was made; part of its file name and of its manifest.
REASON_MANUAL = "manual"
REASON_AUTOMATIC = "otomatis"
REASON_BEFORE_RESTORE = "sebelum-pulih"
REASON_BEFORE_UPGRADE = "sebelum-pembaruan"
REASON_LABELS = {
    REASON_MANUAL: "cadangan manual",
    REASON_AUTOMATIC: "cadangan otomatis harian",
    REASON_BEFORE_RESTORE: "salinan pengaman sebelum pemulihan",
    REASON_BEFORE_UPGRADE: "cadangan sebelum pembaruan aplikasi",
}
MANUAL_PREFIX = "nonasn-cadangan"
AUTO_PREFIX = "nonasn-otomatis"


CHUNK = 1024 * 1024
BUSY_TIMEOUT_S = 10.0
STAMP_FORMAT = "%Y%m%d-%H%M%S"
_SHA256 = re.compile(r"[0-9a-f]{64}")


class BackupError(UserError):
    """A backup cannot be made, or an archive cannot be restored; nothing was changed."""


@dataclass(frozen=True)
class BackupInfo:
    """What an archive holds, from its manifest (checked, when it comes from verification)."""

    path: Path
    created_at: dt.datetime
    reason: str
    app_version: str
    schema_revision: str | None
    office_code: str | None
    office_name: str | None
    registrations: int
    documents: int
    # Sum of the members' sizes, before compression.
    content_bytes: int
    database_ok: bool
    # Stored document files whose content no longer matched their name when backed up.
    damaged_documents: tuple[str, ...] = ()

    def describe(self) -> str:
        """One Indonesian line for the clerk: when, which office, how much."""
        local = self.created_at.astimezone()
        when = f"{format_date(local.date())} {local:%H:%M}"
        office = f"kantor {self.office_code}" if self.office_code else "kantor belum disiapkan"
        if self.office_name:
            office += f" ({self.office_name})"
        return (
            f"{REASON_LABELS.get(self.reason, 'cadangan').capitalize()} {when}, {office}, "
            f"{self.registrations} pendaftaran, {self.documents} berkas dokumen, "
            f"{format_size(self.content_bytes)}, aplikasi versi {self.app_version}"
        )


# -- small helpers -----------------------------------------------------------------------------


def stamp(moment: dt.datetime) -> str:
    return moment.astimezone().strftime(STAMP_FORMAT)


def unique_path(path: Path) -> Path:
    """``path``, or ``name-2.zip``, ``name-3.zip``… when it exists (two backups in a second)."""
    candidate = path
    number = 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
        number += 1
    return candidate


def _write_error(target: Path, exc: OSError) -> BackupError:
    # The archive is written under a temporary name and renamed only when complete, so
    # whatever happened nothing half-written carries the archive's name.
    if exc.errno == errno.ENOSPC:
        return BackupError(
            f"Penyimpanan di {target.parent} penuh; cadangan {target.name} tidak dibuat dan "
            "tidak ada berkas cadangan setengah jadi yang tertinggal.",
            hint="Kosongkan ruang (atau pakai diska lain) lalu coba lagi.",
        )
    return BackupError(
        f"Cadangan {target.name} tidak dapat ditulis ke {target.parent} ({exc.strerror}); "
        "tidak ada berkas cadangan setengah jadi yang tertinggal.",
        hint="Periksa apakah folder itu ada, dapat ditulis, dan diskanya terpasang, lalu coba "
        "lagi.",
    )


def _zip_time(moment: dt.datetime) -> tuple[int, int, int, int, int, int]:
    local = moment.astimezone()
    return (max(local.year, 1980), local.month, local.day, local.hour, local.minute, local.second)


def database_file(ctx: AppContext) -> Path:
    file = sqlite_file(ctx.db)
    if file is None:
        raise BackupError(
            "Cadangan hanya dapat dibuat untuk basis data SQLite di folder data; basis data "
            f"ini ({ctx.db.url}) dicadangkan oleh pengelolanya.",
        )
    return file


# -- writing an archive ------------------------------------------------------------------------


@dataclass(frozen=True)
class _DatabaseFacts:
    revision: str | None
    office_code: str | None
    office_name: str | None
    registrations: int
    problems: tuple[str, ...]


def database_errors() -> tuple[type[Exception], ...]:
    """What a failing query raises, through the sqlite3 module or SQLCipher's."""
    return (sqlite3.Error, cipher.dbapi().Error)


def connect(path: Path, key: vault.DataKey | None, **options: Any) -> Any:
    """A DB-API connection to ``path``: SQLCipher's with the key of an encrypted folder."""
    if key is None:
        return sqlite3.connect(path, **options)
    connection = cipher.dbapi().connect(str(path), **options)
    cipher.apply_key(connection, key.database_key)
    return connection


def scalar(connection: Any, sql: str) -> Any:
    try:
        row = connection.execute(sql).fetchone()
    except database_errors():
        return None
    return None if row is None else row[0]


def _facts(connection: Any) -> _DatabaseFacts:
    office = None
    with contextlib.suppress(*database_errors()):
        office = connection.execute("SELECT code, name FROM office WHERE id = 1").fetchone()
    return _DatabaseFacts(
        revision=scalar(connection, "SELECT version_num FROM alembic_version"),
        office_code=office[0] if office else None,
        office_name=office[1] if office else None,
        registrations=int(scalar(connection, "SELECT count(*) FROM registration") or 0),
        problems=tuple(integrity_problems(connection)),
    )


def _snapshot(source: Path, target: Path, key: vault.DataKey | None) -> _DatabaseFacts:
    """A consistent copy of ``source`` at ``target`` (one file, no WAL), and what it holds.

    With ``key`` both are SQLCipher files with the folder's key: nothing plain is written."""
    if not source.is_file():
        raise BackupError(
            f"Basis data {source} tidak ditemukan; tidak ada yang dapat dicadangkan.",
        )
    src = connect(source, key, timeout=BUSY_TIMEOUT_S)
    try:
        dst = connect(target, key)
        try:
            src.backup(dst)
            # A self-contained file: nothing left in a -wal file beside it.
            dst.execute("PRAGMA journal_mode=DELETE").fetchall()
            return _facts(dst)
        finally:
            dst.close()
    finally:
        src.close()


def _document_files(folder: Path) -> Iterator[tuple[Path, str]]:
    """Every stored document file and its member name; temporary (dot) files are skipped."""
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        yield path, f"{DOCUMENTS}/{relative.as_posix()}"


def _add_file(
    archive: zipfile.ZipFile, name: str, source: Path, moment: dt.datetime, *, compress: bool
) -> dict[str, Any]:
    info = zipfile.ZipInfo(name, date_time=_zip_time(moment))
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    # Known in advance, so zipfile switches to ZIP64 by itself for a huge database.
    info.file_size = source.stat().st_size
    digest = hashlib.sha256()
    size = 0
    with source.open("rb") as src, archive.open(info, "w") as dst:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            dst.write(chunk)
    return {"name": name, "size": size, "sha256": digest.hexdigest()}


def _read_database(
    db_file: Path, snapshot: Path, *, allow_damaged: bool, key: vault.DataKey | None = None
) -> tuple[_DatabaseFacts, list[Path]]:
    """Snapshot the database into ``snapshot``; returns its facts, and the raw files to store
    instead when SQLite cannot read it at all (only with ``allow_damaged``)."""
    try:
        facts = _snapshot(db_file, snapshot, key)
    except database_errors() as exc:
        if not allow_damaged:
            raise BackupError(
                f"Basis data {db_file} tidak dapat dibaca ({exc}); cadangan tidak dibuat.",
                hint="Pulihkan dari cadangan yang lebih lama, atau hubungi petugas TI.",
            ) from None
        log.warning("database %s unreadable (%s); storing its raw files", db_file, exc)
        raw_files = [
            db_file.with_name(db_file.name + suffix)
            for suffix in ("", "-wal", "-journal")
            if db_file.with_name(db_file.name + suffix).is_file()
        ]
        return _DatabaseFacts(None, None, None, 0, (str(exc),)), raw_files
    if facts.problems and not allow_damaged:
        raise BackupError(
            f"Basis data {db_file} rusak ({facts.problems[0]}); cadangan tidak dibuat.",
            hint="Pulihkan dari cadangan yang lebih lama, atau hubungi petugas TI.",
        )
    return facts, []


def _fill_archive(
    archive: zipfile.ZipFile,
    *,
    database: list[Path],
    facts: _DatabaseFacts,
    raw: bool,
    documents_dir: Path,
    now: dt.datetime,
    reason: str,
    encrypted: bool = False,
) -> dict[str, Any]:
    """Write the database file(s), every document and the manifest; returns the manifest.

    ``encrypted``: the documents are the folder's age files, named by their plaintext's hash
    (checked when the archive is verified with the key, not here)."""
    members: list[dict[str, Any]] = []
    damaged: list[str] = []
    for file in database:
        name = file.name if raw else DATABASE_FILE
        members.append(_add_file(archive, name, file, now, compress=True))
    for path, name in _document_files(documents_dir):
        # Already compressed (JPEG, PDF): stored as they are.
        member = _add_file(archive, name, path, now, compress=False)
        members.append(member)
        if not encrypted and _SHA256.fullmatch(path.name) and member["sha256"] != path.name:
            damaged.append(name)
    manifest = {
        "format": ARCHIVE_FORMAT,
        "format_version": ARCHIVE_FORMAT_VERSION,
        "app_version": __version__,
        "schema_revision": facts.revision,
        "created_at": now.astimezone(dt.UTC).isoformat(),
        "reason": reason,
        "office": {"code": facts.office_code, "name": facts.office_name}
        if facts.office_code
        else None,
        "registrations": facts.registrations,
        "documents": sum(1 for m in members if m["name"].startswith(f"{DOCUMENTS}/")),
        "database_ok": not facts.problems and not raw,
        "encrypted": encrypted,
        "database_problems": list(facts.problems[:5]),
        "damaged_documents": damaged,
        "members": members,
    }
    info = zipfile.ZipInfo(MANIFEST_NAME, date_time=_zip_time(now))
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, json.dumps(manifest, ensure_ascii=False, indent=1))
    return manifest


def write_archive(
    target: Path,
    *,
    data_dir: DataDir,
    db_file: Path,
    now: dt.datetime,
    reason: str,
    allow_damaged: bool = False,
    key: vault.DataKey | None = None,
) -> BackupInfo:
    """Write the archive of ``db_file`` and the documents of ``data_dir`` to ``target``.

    ``key``: the data folder is encrypted; the archive is sealed with it (:mod:`.sealed`).

    ``allow_damaged``: keep going when the database fails its integrity check, or cannot be
    read by SQLite at all (then its raw files are stored): the safety copy taken before a
    restore must save whatever is there. Such an archive is marked and cannot be restored.
    Whatever fails (a full disk, a USB stick pulled out), nothing is left under ``target``.
    """
    folder = target.parent
    if not folder.is_dir():
        raise BackupError(
            f"Folder {folder} tidak ada; cadangan tidak dibuat.",
            hint="Pilih folder lain, atau pasang diskanya lebih dulu.",
        )
    try:
        pending = AtomicFile(target)
    except OSError as exc:
        raise _write_error(target, exc) from None
    try:
        with tempfile.TemporaryDirectory(prefix="nonasn-cadangan-") as scratch:
            snapshot = Path(scratch) / DATABASE_FILE
            facts, raw_files = _read_database(
                db_file, snapshot, allow_damaged=allow_damaged, key=key
            )
            with contextlib.ExitStack() as sealing:
                sink: Any = pending.stream
                if key is not None:
                    slots = vault.slots_path(data_dir).read_bytes()
                    sink = sealing.enter_context(
                        sealed.sealed_writer(pending.stream, slots, key, _zip_time(now))
                    )
                with zipfile.ZipFile(sink, "w") as archive:
                    manifest = _fill_archive(
                        archive,
                        database=raw_files or [snapshot],
                        facts=facts,
                        raw=bool(raw_files),
                        documents_dir=data_dir.documents_dir,
                        now=now,
                        reason=reason,
                        encrypted=key is not None,
                    )
        pending.install()
    except OSError as exc:
        pending.discard()
        raise _write_error(target, exc) from None
    except BaseException:
        pending.discard()
        raise
    if manifest["damaged_documents"]:
        log.warning(
            "backup %s: %d document files were already damaged",
            target,
            len(manifest["damaged_documents"]),
        )
    log.info("backup written: %s (%s)", target, reason)
    return info_from_manifest(target, manifest)


def info_from_manifest(path: Path, manifest: dict[str, Any]) -> BackupInfo:
    office = manifest.get("office") or {}
    members = manifest["members"]
    return BackupInfo(
        path=path,
        created_at=dt.datetime.fromisoformat(manifest["created_at"]),
        reason=str(manifest.get("reason", REASON_MANUAL)),
        app_version=str(manifest.get("app_version", "?")),
        schema_revision=manifest.get("schema_revision"),
        office_code=office.get("code"),
        office_name=office.get("name"),
        registrations=int(manifest.get("registrations", 0)),
        documents=int(manifest.get("documents", 0)),
        content_bytes=sum(int(m["size"]) for m in members),
        database_ok=bool(manifest.get("database_ok", False)),
        damaged_documents=tuple(manifest.get("damaged_documents", ())),
    )


def default_backup_name(ctx: AppContext) -> str:
    """``nonasn-cadangan-<office>-<yyyymmdd-hhmmss>.zip``, the name offered for a backup."""
    office = get_office(ctx)
    code = office.code if office else "kantor"
    return f"{MANUAL_PREFIX}-{code}-{stamp(ctx.now())}{SUFFIX}"


def create_backup(ctx: AppContext, out: Path, *, actor: Actor) -> BackupInfo:
    """Write a backup archive to ``out`` (a file name, or an existing folder to put it in).

    Admins only: an archive holds every NIK and scan of the office. Works while the
    application is in use. An existing file is never overwritten. Recorded in the audit trail
    (by ``actor``). The application's own backups (before an upgrade, the daily one) do not
    come through here.
    """
    authorise(ctx, actor, Permission.BACKUP_CREATE)
    out = Path(out).expanduser()
    target = unique_path(out / default_backup_name(ctx)) if out.is_dir() else out
    if target.exists() or target.is_symlink():
        raise BackupError(
            f"Berkas {target} sudah ada; cadangan tidak menimpa berkas lain.",
            hint="Pilih nama lain, atau sebutkan foldernya saja agar nama dibuat otomatis.",
        )
    info = write_archive(
        target,
        data_dir=ctx.data_dir,
        db_file=database_file(ctx),
        now=ctx.now(),
        reason=REASON_MANUAL,
        key=ctx.key,
    )
    audit_backup(ctx, info, actor.username)
    return info


def audit_backup(ctx: AppContext, info: BackupInfo, actor: str) -> None:
    """Note the backup in the audit trail (under the name ``actor``: a clerk's username, or
    the system for the daily backup); the archive is made even if this cannot be written."""
    try:
        _write_backup_audit(ctx, info, actor)
    except StorageError:
        log.warning("backup %s made, but its audit entry could not be written", info.path)


def _write_backup_audit(ctx: AppContext, info: BackupInfo, actor: str) -> None:
    with ctx.db.session() as session:
        audit.record(
            session,
            actor=actor,
            action="backup.create",
            entity="backup",
            entity_id=info.path.name,
            changes={
                "berkas": (None, str(info.path)),
                "pendaftaran": (None, info.registrations),
                "dokumen": (None, info.documents),
            },
            reason=REASON_LABELS[info.reason],
            at=ctx.now(),
        )


def backup_before_upgrade(
    data_dir: DataDir,
    db_file: Path,
    revision: str | None,
    *,
    now: dt.datetime,
    key: vault.DataKey | None = None,
) -> Path:
    """The archive taken into ``backups/`` before an older database is migrated."""
    data_dir.backups_dir.mkdir(parents=True, exist_ok=True)
    name = f"{REASON_BEFORE_UPGRADE}-{revision or 'awal'}-{stamp(now)}{SUFFIX}"
    target = unique_path(data_dir.backups_dir / name)
    return write_archive(
        target, data_dir=data_dir, db_file=db_file, now=now, reason=REASON_BEFORE_UPGRADE, key=key
    ).path


def upgrade_with_backup(
    db: Database,
    data_dir: DataDir,
    *,
    clock: Clock = utc_now,
    key: vault.DataKey | None = None,
) -> UpgradeResult:
    """Start-up migration (``open_app``): an older database is archived first, then migrated."""

    def backup(db_file: Path, revision: str | None) -> Path:
        return backup_before_upgrade(data_dir, db_file, revision, now=clock(), key=key)

    return upgrade_safely(db, backup=backup)
