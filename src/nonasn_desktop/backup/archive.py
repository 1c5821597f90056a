"""Backup and restore of a data folder: the database and the documents in one ZIP archive.

Archive layout (a plain ZIP, so IT staff can look inside with any tool)::

    nonasn.sqlite3          a consistent snapshot of the database (rollback-journal mode)
    documents/ab/cd/<sha>   every stored document file, as in the data folder
    manifest.json           written last: format, application and schema version, office,
                            counts, and the size and SHA-256 of every other member

**Creating** is safe while the application runs: SQLite's online backup API copies a
consistent snapshot (readers never block writers in WAL mode), and documents are
content-addressed and never rewritten, so every document the snapshot refers to is already in
the folder when the documents are copied. Members are streamed (nothing is held in memory
whole). The archive is written under a temporary name next to its target, flushed to disk and
renamed: a crash, a full USB drive or a pulled cable never leaves half an archive under the
final name.

**Restoring** verifies the archive completely first (manifest, every member's size and
SHA-256, ``PRAGMA integrity_check`` of the database, a schema this version knows) while
extracting it into a staging folder beside the data; a damaged archive changes nothing. Then
the current data is saved as ``backups/sebelum-pulih-<time>.zip`` and the staged database and
documents are swapped in by renames listed beforehand in a journal. A restore interrupted
there (power cut) is rolled back at the next start by :func:`finish_interrupted_restore`.

The **daily automatic backup** (:func:`run_daily_backup_if_due`) writes to the folder of the
``BACKUP_FOLDER`` setting (a USB drive) at most once per local calendar day and keeps the
newest ``BACKUP_KEEP`` automatic archives of this office there.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import IO, Any

from nonasn_desktop import __version__
from nonasn_desktop.atomicfile import fsync_dir
from nonasn_desktop.core import audit
from nonasn_desktop.core.context import AppContext, Clock, utc_now
from nonasn_desktop.errors import DataDirError, FieldError, StorageError, UserError
from nonasn_desktop.office.identity import get_office
from nonasn_desktop.office.settings import BACKUP_FOLDER, BACKUP_KEEP, get_setting, set_setting
from nonasn_desktop.rules.documents import format_size
from nonasn_desktop.rules.formatting import format_date
from nonasn_desktop.storage.database import Database
from nonasn_desktop.storage.datadir import DATABASE_FILE, MIN_FREE_BYTES, DataDir
from nonasn_desktop.storage.upgrade import (
    UpgradeResult,
    integrity_problems,
    known_revision,
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

# Beside the data (same disk, so the final renames are atomic); dot-names keep them out of
# the way, and finish_interrupted_restore() knows them.
RESTORE_JOURNAL = ".pulih-jurnal.json"
STAGING_PREFIX = ".pulih-"
OLD_PREFIX = ".lama-"

CHUNK = 1024 * 1024
BUSY_TIMEOUT_S = 10.0
_STAMP = "%Y%m%d-%H%M%S"
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


@dataclass(frozen=True)
class RestoreResult:
    restored: BackupInfo
    # The archive of the data as it was before the restore; None when there was no database.
    safety_copy: Path | None


@dataclass(frozen=True)
class AutoBackupResult:
    created: BackupInfo
    # Older automatic archives removed by rotation.
    removed: tuple[Path, ...]


# -- small helpers -----------------------------------------------------------------------------


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone().strftime(_STAMP)


def _unique(path: Path) -> Path:
    """``path``, or ``name-2.zip``, ``name-3.zip``… when it exists (two backups in a second)."""
    candidate = path
    number = 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
        number += 1
    return candidate


def _write_error(target: Path, exc: OSError) -> BackupError:
    if exc.errno == errno.ENOSPC:
        return BackupError(
            f"Penyimpanan di {target.parent} penuh; cadangan {target.name} tidak dibuat.",
            hint="Kosongkan ruang (atau pakai diska lain) lalu coba lagi.",
        )
    return BackupError(
        f"Cadangan {target.name} tidak dapat ditulis ke {target.parent} ({exc.strerror}).",
        hint="Periksa apakah folder itu ada, dapat ditulis, dan diskanya terpasang.",
    )


def _zip_time(moment: dt.datetime) -> tuple[int, int, int, int, int, int]:
    local = moment.astimezone()
    return (max(local.year, 1980), local.month, local.day, local.hour, local.minute, local.second)


def _database_file(ctx: AppContext) -> Path:
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


def _scalar(connection: sqlite3.Connection, sql: str) -> Any:
    try:
        row = connection.execute(sql).fetchone()
    except sqlite3.Error:
        return None
    return None if row is None else row[0]


def _facts(connection: sqlite3.Connection) -> _DatabaseFacts:
    office = None
    with contextlib.suppress(sqlite3.Error):
        office = connection.execute("SELECT code, name FROM office WHERE id = 1").fetchone()
    return _DatabaseFacts(
        revision=_scalar(connection, "SELECT version_num FROM alembic_version"),
        office_code=office[0] if office else None,
        office_name=office[1] if office else None,
        registrations=int(_scalar(connection, "SELECT count(*) FROM registration") or 0),
        problems=tuple(integrity_problems(connection)),
    )


def _snapshot(source: Path, target: Path) -> _DatabaseFacts:
    """A consistent copy of ``source`` at ``target`` (one file, no WAL), and what it holds."""
    if not source.is_file():
        raise BackupError(
            f"Basis data {source} tidak ditemukan; tidak ada yang dapat dicadangkan.",
        )
    src = sqlite3.connect(source, timeout=BUSY_TIMEOUT_S)
    try:
        dst = sqlite3.connect(target)
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


def _write_archive(
    target: Path,
    *,
    data_dir: DataDir,
    db_file: Path,
    now: dt.datetime,
    reason: str,
    allow_damaged: bool = False,
) -> BackupInfo:
    """Write the archive of ``db_file`` and the documents of ``data_dir`` to ``target``.

    ``allow_damaged``: keep going when the database fails its integrity check, or cannot be
    read by SQLite at all (then its raw files are stored): the safety copy taken before a
    restore must save whatever is there. Such an archive is marked and cannot be restored.
    """
    folder = target.parent
    if not folder.is_dir():
        raise BackupError(
            f"Folder {folder} tidak ada; cadangan tidak dibuat.",
            hint="Pilih folder lain, atau pasang diskanya lebih dulu.",
        )
    try:
        handle, temp_name = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=".part", dir=folder)
    except OSError as exc:
        raise _write_error(target, exc) from None
    temp_path = Path(temp_name)
    try:
        with tempfile.TemporaryDirectory(prefix="nonasn-cadangan-") as scratch:
            snapshot = Path(scratch) / DATABASE_FILE
            raw_files: list[Path] = []
            try:
                facts = _snapshot(db_file, snapshot)
            except sqlite3.DatabaseError as exc:
                if not allow_damaged:
                    raise BackupError(
                        f"Basis data {db_file} tidak dapat dibaca ({exc}); cadangan tidak dibuat.",
                        hint="Pulihkan dari cadangan yang lebih lama, atau hubungi petugas TI.",
                    ) from None
                log.warning("database %s unreadable (%s); storing its raw files", db_file, exc)
                facts = _DatabaseFacts(None, None, None, 0, (str(exc),))
                raw_files = [
                    db_file.with_name(db_file.name + suffix)
                    for suffix in ("", "-wal", "-journal")
                    if db_file.with_name(db_file.name + suffix).is_file()
                ]
            if facts.problems and not allow_damaged:
                raise BackupError(
                    f"Basis data {db_file} rusak ({facts.problems[0]}); cadangan tidak dibuat.",
                    hint="Pulihkan dari cadangan yang lebih lama, atau hubungi petugas TI.",
                )
            members: list[dict[str, Any]] = []
            damaged: list[str] = []
            with os.fdopen(handle, "w+b") as raw, zipfile.ZipFile(raw, "w") as archive:
                if raw_files:
                    for file in raw_files:
                        members.append(_add_file(archive, file.name, file, now, compress=True))
                else:
                    members.append(_add_file(archive, DATABASE_FILE, snapshot, now, compress=True))
                for path, name in _document_files(data_dir.documents_dir):
                    # Already compressed (JPEG, PDF): stored as they are.
                    member = _add_file(archive, name, path, now, compress=False)
                    members.append(member)
                    if _SHA256.fullmatch(path.name) and member["sha256"] != path.name:
                        damaged.append(name)
                documents = sum(1 for m in members if m["name"].startswith(f"{DOCUMENTS}/"))
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
                    "documents": documents,
                    "database_ok": not facts.problems and not raw_files,
                    "database_problems": list(facts.problems[:5]),
                    "damaged_documents": damaged,
                    "members": members,
                }
                info = zipfile.ZipInfo(MANIFEST_NAME, date_time=_zip_time(now))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, json.dumps(manifest, ensure_ascii=False, indent=1))
                archive.close()
                raw.flush()
                os.fsync(raw.fileno())
        temp_path.replace(target)
        fsync_dir(folder)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temp_path.unlink(missing_ok=True)
        raise _write_error(target, exc) from None
    except BaseException:
        with contextlib.suppress(OSError):
            temp_path.unlink(missing_ok=True)
        raise
    if damaged:
        log.warning("backup %s: %d document files were already damaged", target, len(damaged))
    log.info("backup written: %s (%s)", target, reason)
    return _info_from_manifest(target, manifest)


def _info_from_manifest(path: Path, manifest: dict[str, Any]) -> BackupInfo:
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
    return f"{MANUAL_PREFIX}-{code}-{_stamp(ctx.now())}{SUFFIX}"


def create_backup(ctx: AppContext, out: Path, *, actor: str = audit.SYSTEM_ACTOR) -> BackupInfo:
    """Write a backup archive to ``out`` (a file name, or an existing folder to put it in).

    Works while the application is in use. An existing file is never overwritten. Recorded in
    the audit trail (by ``actor``).
    """
    out = Path(out).expanduser()
    target = _unique(out / default_backup_name(ctx)) if out.is_dir() else out
    if target.exists() or target.is_symlink():
        raise BackupError(
            f"Berkas {target} sudah ada; cadangan tidak menimpa berkas lain.",
            hint="Pilih nama lain, atau sebutkan foldernya saja agar nama dibuat otomatis.",
        )
    info = _write_archive(
        target,
        data_dir=ctx.data_dir,
        db_file=_database_file(ctx),
        now=ctx.now(),
        reason=REASON_MANUAL,
    )
    _audit_backup(ctx, info, actor)
    return info


def _audit_backup(ctx: AppContext, info: BackupInfo, actor: str) -> None:
    """Note the backup in the audit trail; the archive is made even if this cannot be written."""
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
    data_dir: DataDir, db_file: Path, revision: str | None, *, now: dt.datetime
) -> Path:
    """The archive taken into ``backups/`` before an older database is migrated."""
    data_dir.backups_dir.mkdir(parents=True, exist_ok=True)
    name = f"{REASON_BEFORE_UPGRADE}-{revision or 'awal'}-{_stamp(now)}{SUFFIX}"
    target = _unique(data_dir.backups_dir / name)
    return _write_archive(
        target, data_dir=data_dir, db_file=db_file, now=now, reason=REASON_BEFORE_UPGRADE
    ).path


def upgrade_with_backup(
    db: Database, data_dir: DataDir, *, clock: Clock = utc_now
) -> UpgradeResult:
    """Start-up migration (``open_app``): an older database is archived first, then migrated."""

    def backup(db_file: Path, revision: str | None) -> Path:
        return backup_before_upgrade(data_dir, db_file, revision, now=clock())

    return upgrade_safely(db, backup=backup)


# -- reading and verifying an archive ----------------------------------------------------------


def _damaged(archive: Path, detail: str) -> BackupError:
    return BackupError(
        f"Berkas cadangan {archive.name} tidak dapat dipakai: {detail}.",
        hint="Data sekarang tidak diubah. Pakai berkas cadangan lain (misalnya cadangan "
        "otomatis di diska USB).",
    )


def _safe_member_name(name: str) -> bool:
    """Only the database and files under documents/, with plain relative names."""
    if name == DATABASE_FILE:
        return True
    if "\\" in name or ":" in name or name.endswith("/"):
        return False
    path = PurePosixPath(name)
    parts = path.parts
    return (
        not path.is_absolute()
        and len(parts) >= 2  # documents/<file> at least
        and parts[0] == DOCUMENTS
        and all(part not in ("", ".", "..") and not part.startswith(".") for part in parts)
    )


def _read_manifest(archive_path: Path, archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        raw = archive.read(MANIFEST_NAME)
    except KeyError:
        raise _damaged(archive_path, "daftar isinya (manifest.json) tidak ada") from None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise _damaged(archive_path, "daftar isinya (manifest.json) rusak") from None
    try:
        manifest = json.loads(raw.decode("utf-8"))
        if not isinstance(manifest, dict):
            raise TypeError
        if manifest.get("format") != ARCHIVE_FORMAT:
            raise _damaged(archive_path, "bukan cadangan aplikasi Pendataan Non-ASN")
        if not isinstance(manifest.get("format_version"), int):
            raise TypeError
        if manifest["format_version"] > ARCHIVE_FORMAT_VERSION:
            raise _damaged(
                archive_path,
                f"dibuat oleh versi aplikasi yang lebih baru ({manifest.get('app_version')})",
            )
        members = manifest["members"]
        for member in members:
            if not (
                isinstance(member["name"], str)
                and isinstance(member["size"], int)
                and isinstance(member["sha256"], str)
            ):
                raise TypeError
        dt.datetime.fromisoformat(manifest["created_at"])
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError):
        raise _damaged(archive_path, "daftar isinya (manifest.json) rusak") from None
    return manifest


def _open_archive(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except FileNotFoundError:
        raise BackupError(f"Berkas cadangan {path} tidak ditemukan.") from None
    except IsADirectoryError:
        raise BackupError(f"{path} adalah folder, bukan berkas cadangan.") from None
    except OSError as exc:
        raise BackupError(f"Berkas cadangan {path} tidak dapat dibaca ({exc.strerror}).") from None
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise _damaged(path, "bukan arsip cadangan yang utuh") from None


def _copy_member(
    archive_path: Path, archive: zipfile.ZipFile, member: dict[str, Any], out: IO[bytes] | None
) -> None:
    name = member["name"]
    digest = hashlib.sha256()
    size = 0
    try:
        with archive.open(name) as stream:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                if out is not None:
                    out.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError):
        # A CRC mismatch (BadZipFile) or undecodable compressed data: damaged bytes.
        raise _damaged(archive_path, f"isi {name} rusak") from None
    if size != member["size"] or digest.hexdigest() != member["sha256"]:
        raise _damaged(archive_path, f"isi {name} tidak sama dengan sidik SHA-256 di daftar isi")


def _verify_into(archive_path: Path, folder: Path | None) -> BackupInfo:
    """Check everything; with ``folder``, extract the database and documents into it.

    Without ``folder`` only the database is extracted (to a temporary folder) for its
    integrity check; the documents are hashed as they stream by.
    """
    with _open_archive(archive_path) as archive:
        manifest = _read_manifest(archive_path, archive)
        names = [info.filename for info in archive.infolist()]
        if len(names) != len(set(names)):
            raise _damaged(archive_path, "ada nama berkas ganda di dalamnya")
        listed = [m["name"] for m in manifest["members"]]
        for name in listed:
            if not _safe_member_name(name):
                raise _damaged(archive_path, f"ada nama berkas yang tidak sah ({name!r})")
        missing = set(listed) - set(names)
        if missing:
            raise _damaged(archive_path, f"berkas {sorted(missing)[0]} hilang dari dalamnya")
        extra = set(names) - set(listed) - {MANIFEST_NAME}
        if extra:
            raise _damaged(archive_path, f"berisi berkas {sorted(extra)[0]} di luar daftar isi")
        if DATABASE_FILE not in listed:
            raise _damaged(archive_path, "basis data tidak ada di dalamnya")
        if not manifest.get("database_ok", False):
            raise _damaged(archive_path, "basis data di dalamnya sudah rusak saat dicadangkan")
        with tempfile.TemporaryDirectory(prefix="nonasn-periksa-") as scratch:
            db_folder = folder if folder is not None else Path(scratch)
            for member in manifest["members"]:
                name = member["name"]
                if name == DATABASE_FILE or folder is not None:
                    target = db_folder.joinpath(*PurePosixPath(name).parts)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with target.open("wb") as out:
                        _copy_member(archive_path, archive, member, out)
                        out.flush()
                        os.fsync(out.fileno())
                else:
                    _copy_member(archive_path, archive, member, None)
            _check_database(archive_path, db_folder / DATABASE_FILE)
    return _info_from_manifest(archive_path, manifest)


def _check_database(archive_path: Path, db_file: Path) -> None:
    try:
        connection = sqlite3.connect(db_file)
        try:
            problems = integrity_problems(connection)
            revision = _scalar(connection, "SELECT version_num FROM alembic_version")
        finally:
            connection.close()
    except sqlite3.DatabaseError:
        raise _damaged(archive_path, "basis data di dalamnya bukan basis data yang utuh") from None
    if problems:
        log.warning("backup %s: integrity check failed: %s", archive_path, problems[:5])
        raise _damaged(archive_path, "basis data di dalamnya rusak (pemeriksaan keutuhan gagal)")
    if revision is None:
        raise _damaged(archive_path, "basis data di dalamnya tidak berisi data aplikasi ini")
    if not known_revision(str(revision)):
        raise _damaged(
            archive_path,
            f"dibuat oleh versi aplikasi yang lebih baru (skema {revision}); pasang versi terbaru",
        )


def _read_error(archive: Path, exc: OSError) -> BackupError:
    return BackupError(
        f"Berkas cadangan {archive.name} tidak dapat dibaca atau diperiksa ({exc.strerror}).",
        hint="Data sekarang tidak diubah. Periksa diska tempat berkas itu dan ruang kosong "
        "disk, lalu coba lagi.",
    )


def verify_backup(archive: Path) -> BackupInfo:
    """Check an archive completely without changing anything; BackupError says what is wrong."""
    archive = Path(archive).expanduser()
    try:
        return _verify_into(archive, None)
    except OSError as exc:
        raise _read_error(archive, exc) from None


# -- restoring -----------------------------------------------------------------------------------


def _folder_size(folder: Path) -> int:
    if not folder.is_dir():
        return 0
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _check_space(data_dir: DataDir, archive_path: Path) -> None:
    with _open_archive(archive_path) as archive:
        manifest = _read_manifest(archive_path, archive)
    incoming = sum(int(m["size"]) for m in manifest["members"])
    current = _folder_size(data_dir.documents_dir)
    if data_dir.database_path.is_file():
        current += data_dir.database_path.stat().st_size
    needed = incoming + current + MIN_FREE_BYTES
    free = shutil.disk_usage(data_dir.path).free
    if free < needed:
        raise BackupError(
            f"Ruang kosong di disk folder data tinggal {format_size(free)}; pemulihan ini "
            f"memerlukan sekitar {format_size(needed)}.",
            hint="Kosongkan ruang disk lalu coba lagi. Data sekarang tidak diubah.",
        )


def _write_journal(path: Path, plan: list[list[str]], done: int) -> None:
    """Write the journal atomically (temporary file, fsync, rename): never half a journal."""
    temp = path.with_name(f"{path.name}.baru")
    with temp.open("w", encoding="utf-8") as stream:
        json.dump({"plan": plan, "done": done}, stream)
        stream.flush()
        os.fsync(stream.fileno())
    temp.replace(path)
    fsync_dir(path.parent)


def _swap(data_dir: DataDir, staging: Path, stamp: str) -> None:
    """Replace the database and documents by the staged ones; all or nothing.

    Every rename is listed in the journal before the first one and the journal records how
    many are done after each: whatever stops the process, the next start knows exactly what
    to undo (:func:`finish_interrupted_restore`). Deleting the journal is the commit point.
    """
    root = data_dir.path
    old = root / f"{OLD_PREFIX}{stamp}"
    old.mkdir()
    moves: list[tuple[Path, Path]] = []
    # The -wal/-shm files belong to the old database: a new database beside an old WAL file
    # would be read as corrupt.
    for suffix in ("", "-wal", "-shm", "-journal"):
        current = root / f"{DATABASE_FILE}{suffix}"
        if current.exists():
            moves.append((current, old / current.name))
    if data_dir.documents_dir.exists():
        moves.append((data_dir.documents_dir, old / DOCUMENTS))
    moves.append((staging / DOCUMENTS, data_dir.documents_dir))
    # Last: the database appearing is the sign that the swap is complete.
    moves.append((staging / DATABASE_FILE, data_dir.database_path))
    plan = [[a.relative_to(root).as_posix(), b.relative_to(root).as_posix()] for a, b in moves]
    journal = root / RESTORE_JOURNAL
    _write_journal(journal, plan, 0)
    done = 0
    try:
        for source, target in moves:
            source.replace(target)
            done += 1
            _write_journal(journal, plan, done)
    except OSError as exc:
        log.exception("restore swap failed after %d of %d moves; rolling back", done, len(moves))
        try:
            _undo(root, plan, done)
        except OSError:
            # The journal stays: the next start finishes the roll-back.
            log.exception("rolling back the restore swap failed")
            raise DataDirError(
                "Pemulihan terhenti di tengah jalan dan tidak dapat dibatalkan otomatis.",
                hint="Tutup aplikasi lalu buka lagi: keadaan sebelum pemulihan dikembalikan "
                "saat aplikasi dibuka. Bila tetap gagal, hubungi petugas TI.",
            ) from None
        journal.unlink()
        raise BackupError(
            f"Data tidak dapat diganti ({exc.strerror}); data sekarang tetap seperti semula.",
            hint="Tutup aplikasi lain yang memakai folder data ini, lalu coba lagi.",
        ) from None
    journal.unlink()  # the commit point
    fsync_dir(root)
    shutil.rmtree(old, ignore_errors=True)


def _undo(root: Path, plan: list[list[str]], done: int) -> None:
    """Move back the first ``done`` moves of ``plan``, and the next one if it happened.

    The move after ``done`` may have happened just before the process died (the journal
    update is the step after it): it is undone only when its target exists and its source
    does not. Moves after that one certainly did not happen and are not looked at.
    """
    for index in reversed(range(min(done + 1, len(plan)))):
        source, target = root / plan[index][0], root / plan[index][1]
        if target.exists() and not source.exists():
            source.parent.mkdir(parents=True, exist_ok=True)
            target.replace(source)
    fsync_dir(root)


def finish_interrupted_restore(data_dir: DataDir) -> bool:
    """Roll back a restore interrupted during its swap; tidy leftovers. True if rolled back.

    Called at every start before the database is opened. Cheap when there is nothing to do.
    """
    root = data_dir.path
    if not root.is_dir():
        return False
    journal = root / RESTORE_JOURNAL
    rolled_back = False
    if journal.is_file():
        try:
            content = json.loads(journal.read_text(encoding="utf-8"))
            plan = [[str(a), str(b)] for a, b in content["plan"]]
            done = int(content["done"])
        except (OSError, ValueError, KeyError, TypeError):
            # Written atomically, so this is not an interrupted write: refuse to guess.
            raise DataDirError(
                f"Catatan pemulihan data {journal} rusak; data tidak dapat dibuka dengan aman.",
                hint=f"Jangan mengubah isi folder {root}; hubungi petugas TI.",
            ) from None
        try:
            _undo(root, plan, done)
            journal.unlink()
        except OSError as exc:
            raise DataDirError(
                f"Pemulihan data yang terputus tidak dapat dibatalkan ({exc.strerror}).",
                hint=f"Jangan mengubah isi folder {root}; tutup program lain yang memakainya "
                "lalu buka aplikasi lagi, atau hubungi petugas TI.",
            ) from None
        log.warning("an interrupted restore in %s was rolled back", root)
        rolled_back = True
    for leftover in sorted(root.iterdir()):
        if leftover.is_dir() and leftover.name.startswith((STAGING_PREFIX, OLD_PREFIX)):
            shutil.rmtree(leftover, ignore_errors=True)
    (root / f"{RESTORE_JOURNAL}.baru").unlink(missing_ok=True)
    return rolled_back


def restore_backup(
    data_dir: DataDir, archive: Path, *, now: dt.datetime | None = None
) -> RestoreResult:
    """Replace the data of ``data_dir`` by the archive's, after verifying it completely.

    The application must not have this data folder open (the GUI closes its context first).
    A damaged archive raises BackupError and changes nothing. The current data is first
    archived as ``backups/sebelum-pulih-<time>.zip``. The restored database may be of an
    older schema: it is migrated (after its own backup) when the application opens it.
    """
    archive = Path(archive).expanduser()
    moment = now if now is not None else utc_now()
    data_dir.prepare(create=True)
    finish_interrupted_restore(data_dir)
    _check_space(data_dir, archive)
    stamp = _stamp(moment)
    staging = data_dir.path / f"{STAGING_PREFIX}{stamp}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        try:
            info = _verify_into(archive, staging)
        except OSError as exc:
            raise _read_error(archive, exc) from None
        (staging / DOCUMENTS).mkdir(exist_ok=True)
        safety: Path | None = None
        if data_dir.database_path.exists():
            target = _unique(data_dir.backups_dir / f"{REASON_BEFORE_RESTORE}-{stamp}{SUFFIX}")
            safety = _write_archive(
                target,
                data_dir=data_dir,
                db_file=data_dir.database_path,
                now=moment,
                reason=REASON_BEFORE_RESTORE,
                allow_damaged=True,
            ).path
        _swap(data_dir, staging, stamp)
    finally:
        # An unfinished swap (its journal is still there) is rolled back at the next start,
        # which needs the staged files where the journal says they are.
        if not (data_dir.path / RESTORE_JOURNAL).exists():
            shutil.rmtree(staging, ignore_errors=True)
    log.info("restored %s into %s (safety copy %s)", archive, data_dir.path, safety)
    return RestoreResult(restored=replace(info, path=archive), safety_copy=safety)


def record_restore(ctx: AppContext, result: RestoreResult, *, actor: str) -> None:
    """Note a restore in the (restored) database's audit trail, once it is open again."""
    with ctx.db.session() as session:
        audit.record(
            session,
            actor=actor,
            action="backup.restore",
            entity="backup",
            entity_id=result.restored.path.name,
            changes={
                "berkas": (None, str(result.restored.path)),
                "salinan_pengaman": (None, str(result.safety_copy or "")),
            },
            reason=result.restored.describe(),
            at=ctx.now(),
        )


def restore_in_place(ctx: AppContext, archive: Path, *, actor: str) -> RestoreResult:
    """Restore into the data folder of the running application (the GUI's "Pulihkan").

    The database's pooled connections are closed first (a file open elsewhere cannot be
    swapped on Windows, and an open connection would go on seeing the old file on Linux); the
    engine reconnects to the restored file on its next use, after it was migrated if it is of
    an older schema. Everything holding ``ctx`` goes on working, with the restored data. The
    signed-in clerk should sign in again: the restored data may have other users.
    """
    if sqlite_file(ctx.db) != ctx.data_dir.database_path:
        raise BackupError(
            "Pemulihan hanya dapat dilakukan untuk basis data di folder data aplikasi ini.",
            hint=f"Basis data yang dipakai sekarang: {ctx.db.url}.",
        )
    ctx.db.close()
    result = restore_backup(ctx.data_dir, archive, now=ctx.now())
    upgrade_with_backup(ctx.db, ctx.data_dir, clock=ctx.clock)
    record_restore(ctx, result, actor=actor)
    return result


# -- the daily automatic backup ------------------------------------------------------------------


@dataclass(frozen=True)
class AutoBackupStatus:
    """The daily backup's settings and the newest archive it left in its folder."""

    folder: Path | None
    keep: int
    latest: Path | None
    latest_at: dt.datetime | None

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    def describe_latest(self) -> str:
        if self.folder is None:
            return "Cadangan otomatis harian tidak aktif."
        if self.latest is None or self.latest_at is None:
            return f"Belum ada cadangan otomatis di {self.folder}."
        when = f"{format_date(self.latest_at.date())} {self.latest_at:%H:%M}"
        return f"Cadangan otomatis terakhir: {when} ({self.latest.name})."


def _auto_pattern(prefix: str) -> re.Pattern[str]:
    return re.compile(rf"{re.escape(prefix)}(\d{{8}})-(\d{{6}})(?:-\d+)?{re.escape(SUFFIX)}")


def automatic_backups(folder: Path, office_code: str) -> list[Path]:
    """This office's automatic archives in ``folder``, oldest first."""
    prefix = f"{AUTO_PREFIX}-{office_code}-"
    pattern = _auto_pattern(prefix)
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if p.is_file() and pattern.fullmatch(p.name)]
    return sorted(found, key=lambda p: p.name)


def backup_folder(ctx: AppContext) -> Path | None:
    """The folder of the daily automatic backup, or None when it is off."""
    configured = get_setting(ctx, BACKUP_FOLDER).strip()
    return Path(configured).expanduser() if configured else None


def _office_code(ctx: AppContext) -> str:
    office = get_office(ctx)
    return office.code if office else "kantor"


def _archive_time(path: Path) -> dt.datetime | None:
    match = re.search(r"(\d{8}-\d{6})(?:-\d+)?\.zip$", path.name)
    if match is None:
        return None
    # Named in the computer's local time.
    return dt.datetime.strptime(match.group(1), _STAMP).astimezone()


def automatic_backup_status(ctx: AppContext) -> AutoBackupStatus:
    folder = backup_folder(ctx)
    keep = get_setting(ctx, BACKUP_KEEP)
    archives = automatic_backups(folder, _office_code(ctx)) if folder is not None else []
    latest = archives[-1] if archives else None
    return AutoBackupStatus(
        folder, keep, latest, _archive_time(latest) if latest is not None else None
    )


def set_automatic_backup(ctx: AppContext, folder: Path | None, keep: int, *, actor: str) -> None:
    """Turn the daily backup on (into ``folder``, keeping ``keep`` archives) or off (None).

    The folder must exist and be writable now (a USB drive plugged in). Admins only; audited.
    """
    if folder is not None:
        folder = Path(folder).expanduser()
        if not folder.is_dir():
            raise FieldError(
                BACKUP_FOLDER.key,
                f"Folder {folder} tidak ditemukan.",
                hint="Pasang diska USB-nya lalu pilih foldernya lagi.",
            )
        try:
            handle, name = tempfile.mkstemp(prefix=".uji-tulis-", dir=folder)
            os.close(handle)
            Path(name).unlink()
        except OSError as exc:
            raise FieldError(
                BACKUP_FOLDER.key,
                f"Folder {folder} tidak dapat ditulis ({exc.strerror}).",
                hint="Pilih folder lain, atau periksa apakah diska USB-nya terkunci.",
            ) from None
    set_setting(ctx, BACKUP_KEEP, keep, actor=actor)
    set_setting(ctx, BACKUP_FOLDER, str(folder) if folder is not None else "", actor=actor)


def run_daily_backup_if_due(ctx: AppContext) -> AutoBackupResult | None:
    """Write today's automatic backup unless it exists (or the feature is off).

    The GUI calls this at start and every hour. Returns None when nothing was due. A missing
    folder (the USB drive not plugged in) raises BackupError for the GUI to mention.
    """
    folder = backup_folder(ctx)
    if folder is None:
        return None
    if not folder.is_dir():
        raise BackupError(
            f"Folder cadangan otomatis {folder} tidak ditemukan; cadangan hari ini belum dibuat.",
            hint="Pasang diska USB cadangan, atau ubah foldernya di menu Admin.",
        )
    code = _office_code(ctx)
    now = ctx.now()
    today = now.astimezone().strftime("%Y%m%d")
    existing = automatic_backups(folder, code)
    pattern = _auto_pattern(f"{AUTO_PREFIX}-{code}-")
    if any(
        (match := pattern.fullmatch(path.name)) is not None and match.group(1) == today
        for path in existing
    ):
        return None
    target = _unique(folder / f"{AUTO_PREFIX}-{code}-{_stamp(now)}{SUFFIX}")
    info = _write_archive(
        target, data_dir=ctx.data_dir, db_file=_database_file(ctx), now=now, reason=REASON_AUTOMATIC
    )
    _audit_backup(ctx, info, audit.SYSTEM_ACTOR)
    keep = get_setting(ctx, BACKUP_KEEP)
    archives = automatic_backups(folder, code)
    removed: list[Path] = []
    for old in archives[: max(0, len(archives) - keep)]:
        try:
            old.unlink()
            removed.append(old)
        except OSError:
            log.warning("could not remove old automatic backup %s", old, exc_info=True)
    return AutoBackupResult(created=info, removed=tuple(removed))
