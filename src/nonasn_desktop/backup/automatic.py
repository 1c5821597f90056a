"""The daily automatic backup: into the folder of the ``BACKUP_FOLDER`` setting (a USB drive),
at most once per local calendar day, keeping the newest ``BACKUP_KEEP`` automatic archives of
this office there.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from nonasn_desktop.accounts.authz import Actor, authorise
from nonasn_desktop.backup.archive import (
    AUTO_PREFIX,
    REASON_AUTOMATIC,
    STAMP_FORMAT,
    SUFFIX,
    BackupError,
    BackupInfo,
    audit_backup,
    database_file,
    stamp,
    unique_path,
    write_archive,
)
from nonasn_desktop.core import audit
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import FieldError
from nonasn_desktop.office.identity import get_office
from nonasn_desktop.office.settings import BACKUP_FOLDER, BACKUP_KEEP, get_setting, set_setting
from nonasn_desktop.rules.formatting import format_date
from nonasn_desktop.rules.permissions import Permission

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AutoBackupResult:
    created: BackupInfo
    # Older automatic archives removed by rotation.
    removed: tuple[Path, ...]


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
    return dt.datetime.strptime(match.group(1), STAMP_FORMAT).astimezone()


def automatic_backup_status(ctx: AppContext) -> AutoBackupStatus:
    folder = backup_folder(ctx)
    keep = get_setting(ctx, BACKUP_KEEP)
    archives = automatic_backups(folder, _office_code(ctx)) if folder is not None else []
    latest = archives[-1] if archives else None
    return AutoBackupStatus(
        folder, keep, latest, _archive_time(latest) if latest is not None else None
    )


def set_automatic_backup(ctx: AppContext, folder: Path | None, keep: int, *, actor: Actor) -> None:
    """Turn the daily backup on (into ``folder``, keeping ``keep`` archives) or off (None).

    The folder must exist and be writable now (a USB drive plugged in). Admins only; audited.
    """
    authorise(ctx, actor, Permission.SETTINGS_CHANGE)
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

    Not an operation of a clerk: the application does it by itself (the GUI at start and every
    hour, ``nonasn backup daily`` after its clerk was checked), audited as the system. Returns
    None when nothing was due. A missing
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
    target = unique_path(folder / f"{AUTO_PREFIX}-{code}-{stamp(now)}{SUFFIX}")
    info = write_archive(
        target,
        data_dir=ctx.data_dir,
        db_file=database_file(ctx),
        now=now,
        reason=REASON_AUTOMATIC,
        key=ctx.key,
    )
    audit_backup(ctx, info, audit.SYSTEM_ACTOR)
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
