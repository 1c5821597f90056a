"""Restoring a backup archive over a data folder, all or nothing.

The archive is verified completely first while it is extracted into a staging folder beside
the data; a damaged archive changes nothing. Then the current data is saved as
``backups/sebelum-pulih-<time>.zip`` and the staged database and documents are swapped in by
renames listed beforehand in a journal. A restore interrupted there (power cut) is rolled back
at the next start by :func:`finish_interrupted_restore`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

from nonasn_desktop.accounts.authz import Actor, authorise
from nonasn_desktop.atomicfile import fsync_dir, write_bytes_atomically
from nonasn_desktop.backup.archive import (
    DOCUMENTS,
    REASON_BEFORE_RESTORE,
    SUFFIX,
    BackupError,
    BackupInfo,
    stamp,
    unique_path,
    upgrade_with_backup,
    write_archive,
)
from nonasn_desktop.backup.verify import (
    check_archive_path,
    open_archive,
    read_error,
    read_manifest,
    verify_into,
)
from nonasn_desktop.core import audit
from nonasn_desktop.core.context import AppContext, utc_now
from nonasn_desktop.errors import DataDirError
from nonasn_desktop.policy import BackupLimits
from nonasn_desktop.rules.documents import format_size
from nonasn_desktop.rules.permissions import Permission
from nonasn_desktop.storage import vault
from nonasn_desktop.storage.database import Database, sqlite_url
from nonasn_desktop.storage.datadir import DATABASE_FILE, MIN_FREE_BYTES, DataDir
from nonasn_desktop.storage.docstore import document_store_for
from nonasn_desktop.storage.upgrade import sqlite_file

log = logging.getLogger(__name__)


# Beside the data (same disk, so the final renames are atomic); dot-names keep them out of
# the way, and finish_interrupted_restore() knows them.
RESTORE_JOURNAL = ".pulih-jurnal.json"
STAGING_PREFIX = ".pulih-"
OLD_PREFIX = ".lama-"


@dataclass(frozen=True)
class RestoreResult:
    restored: BackupInfo
    # The archive of the data as it was before the restore; None when there was no database.
    safety_copy: Path | None


def _folder_size(folder: Path) -> int:
    if not folder.is_dir():
        return 0
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _check_space(
    data_dir: DataDir,
    archive_path: Path,
    limits: BackupLimits | None,
    key: vault.DataKey | None = None,
) -> None:
    with open_archive(archive_path, limits, key) as archive:
        manifest = read_manifest(archive_path, archive, limits)
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
    """Write the journal atomically: never half a journal."""
    write_bytes_atomically(path, json.dumps({"plan": plan, "done": done}).encode("utf-8"))


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
    # The key slots go with the data they open: a sealed archive brings its own, a plain one
    # leaves the folder plain (encrypted again at the next admin sign-in).
    slots = vault.slots_path(data_dir)
    if slots.exists():
        moves.append((slots, old / slots.name))
    if (staging / slots.name).exists():
        moves.append((staging / slots.name, slots))
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
    # Only what is there is touched: on a read-only data folder with nothing to tidy this
    # writes nothing, and the folder check that follows says what is wrong.
    for leftover in sorted(root.iterdir()):
        name = leftover.name
        if leftover.is_dir() and name.startswith((STAGING_PREFIX, OLD_PREFIX)):
            shutil.rmtree(leftover, ignore_errors=True)
        elif name == f"{RESTORE_JOURNAL}.baru" or (
            name.startswith(f".{RESTORE_JOURNAL}.") and name.endswith(".tmp")
        ):
            # A journal being written when the process died (".baru": earlier versions).
            with contextlib.suppress(OSError):
                leftover.unlink()
    return rolled_back


def restore_backup(
    data_dir: DataDir,
    archive: Path,
    *,
    now: dt.datetime | None = None,
    limits: BackupLimits | None = None,
    key: vault.DataKey | None = None,
    archive_key: vault.DataKey | None = None,
) -> RestoreResult:
    """Replace the data of ``data_dir`` by the archive's, after verifying it completely.

    No check of who asks: this works on files, with the application closed, and the data
    folder may hold no database yet (a new computer). The caller checks: the GUI through
    :func:`restore_in_place`, the command line by signing in when a database is there.
    The application must not have this data folder open (the GUI closes its context first).
    A damaged archive raises BackupError and changes nothing. The current data is first
    archived as ``backups/sebelum-pulih-<time>.zip``. The restored database may be of an
    older schema: it is migrated (after its own backup) when the application opens it.

    ``key``: of the data folder now (its safety copy is sealed with it); ``archive_key``: of
    the folder a sealed archive belongs to (default: ``key``).
    """
    archive_key = archive_key if archive_key is not None else key
    archive = Path(archive).expanduser()
    # A folder, device or pipe is refused before the data folder is touched.
    check_archive_path(archive)
    moment = now if now is not None else utc_now()
    data_dir.prepare(create=True)
    finish_interrupted_restore(data_dir)
    _check_space(data_dir, archive, limits, archive_key)
    when = stamp(moment)
    staging = data_dir.path / f"{STAGING_PREFIX}{when}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        try:
            info = verify_into(archive, staging, limits, archive_key)
        except OSError as exc:
            raise read_error(archive, exc) from None
        (staging / DOCUMENTS).mkdir(exist_ok=True)
        safety: Path | None = None
        if data_dir.database_path.exists():
            target = unique_path(data_dir.backups_dir / f"{REASON_BEFORE_RESTORE}-{when}{SUFFIX}")
            safety = write_archive(
                target,
                data_dir=data_dir,
                db_file=data_dir.database_path,
                now=moment,
                reason=REASON_BEFORE_RESTORE,
                allow_damaged=True,
                key=key,
            ).path
        _swap(data_dir, staging, when)
    finally:
        # An unfinished swap (its journal is still there) is rolled back at the next start,
        # which needs the staged files where the journal says they are.
        if not (data_dir.path / RESTORE_JOURNAL).exists():
            shutil.rmtree(staging, ignore_errors=True)
    log.info("restored %s into %s (safety copy %s)", archive, data_dir.path, safety)
    return RestoreResult(restored=replace(info, path=archive), safety_copy=safety)


def record_restore(ctx: AppContext, result: RestoreResult, *, actor: str) -> None:
    """Note a restore in the (restored) database's audit trail, once it is open again.

    ``actor`` is only a name for the trail: the clerk who was checked before the restore (in
    the database that was replaced; the restored one may not know them), or the system.
    """
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


def restore_in_place(ctx: AppContext, archive: Path, *, actor: Actor) -> RestoreResult:
    """Restore into the data folder of the running application (the GUI's "Pulihkan").

    The database's pooled connections are closed first (a file open elsewhere cannot be
    swapped on Windows, and an open connection would go on seeing the old file on Linux); the
    engine reconnects to the restored file on its next use, after it was migrated if it is of
    an older schema. Everything holding ``ctx`` goes on working, with the restored data. The
    signed-in clerk should sign in again: the restored data may have other users. Admins only.
    """
    authorise(ctx, actor, Permission.BACKUP_RESTORE)
    if sqlite_file(ctx.db) != ctx.data_dir.database_path:
        raise BackupError(
            "Pemulihan hanya dapat dilakukan untuk basis data di folder data aplikasi ini.",
            hint=f"Basis data yang dipakai sekarang: {ctx.db.url}.",
        )
    ctx.db.close()
    result = restore_backup(ctx.data_dir, archive, now=ctx.now(), key=ctx.key)
    if ctx.key is not None and vault.read_slots(ctx.data_dir) is None:
        # A plain archive of an older version: the folder is plain again until the next
        # admin sign-in encrypts it, so the database and documents are reopened without key.
        ctx.db = Database.open(sqlite_url(ctx.data_dir.database_path))
        ctx.db.device_code = ctx.desk.code
        ctx.blobs = document_store_for(ctx.db, ctx.data_dir.documents_dir)
        ctx.key = None
    upgrade_with_backup(ctx.db, ctx.data_dir, clock=ctx.clock, key=ctx.key)
    record_restore(ctx, result, actor=actor.username)
    return result
