"""The data folder: where the database, the documents, the logs and the backups live.

Resolution order: an explicit ``--data-dir`` beats the ``NONASN_DATA_DIR`` environment variable,
which beats the per-user folder of the operating system (platformdirs). Preparing the folder
checks, before anything is written, that it exists (or may be created), is a folder, is writable
and has room. Nothing here ever deletes data.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from nonasn_desktop.atomicfile import PRIVATE_DIR_MODE, make_private
from nonasn_desktop.errors import DataDirError

log = logging.getLogger(__name__)

ENV_DATA_DIR = "NONASN_DATA_DIR"
APP_NAME = "nonasn-desktop"
APP_AUTHOR = "BKD"

DATABASE_FILE = "nonasn.sqlite3"

# Below this much free space we refuse to start: a registration with its documents takes a few
# MB, SQLite needs room for its write-ahead log and journal, and a disk that fills up in the
# middle of a commit is the one failure a clerk cannot repair. 50 MB leaves room for a day of
# work plus a backup of a typical office database; the check is only a floor, not a quota.
MIN_FREE_BYTES = 50 * 1024 * 1024


# Why the machine refused a file operation, in the user's words. Only reasons of the
# environment (not of the program) are listed; strerror is English and often cryptic.
_ENVIRONMENT_REASONS = {
    getattr(errno, name): reason
    for name, reason in (
        ("EROFS", "disk atau folder itu hanya dapat dibaca"),
        ("EACCES", "izin ditolak"),
        ("EPERM", "izin ditolak"),
        ("ENOSPC", "disk penuh"),
        ("EDQUOT", "kuota disk habis"),
        ("EIO", "kesalahan baca/tulis disk"),
        ("ENODEV", "perangkatnya tidak ada lagi"),
        ("ENXIO", "perangkatnya tidak ada lagi"),
    )
    if hasattr(errno, name)
}


def environment_reason(exc: OSError) -> str | None:
    """The Indonesian reason for an OSError the machine caused (read-only, full, gone…)."""
    return _ENVIRONMENT_REASONS.get(exc.errno or 0)


def _reason(exc: OSError) -> str:
    return environment_reason(exc) or exc.strerror or type(exc).__name__


def resolve_data_dir(explicit: Path | None) -> Path:
    """The data folder to use: ``explicit`` > ``$NONASN_DATA_DIR`` > the per-user folder."""
    if explicit is not None:
        return Path(explicit).expanduser()
    from_env = os.environ.get(ENV_DATA_DIR, "").strip()
    if from_env:
        return Path(from_env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


_PROBE_PREFIX = ".write-probe-"


def _probe_writable(folder: Path) -> None:
    """Write and remove a small file; raises OSError when the folder refuses writes.

    ``os.access`` is not enough: it ignores read-only mounts on some systems and ACLs on
    Windows. Only a real write tells the truth.
    """
    # A probe left by a process killed between these lines would stay forever: remove them.
    for stale in folder.glob(f"{_PROBE_PREFIX}*"):
        stale.unlink(missing_ok=True)
    handle, name = tempfile.mkstemp(prefix=_PROBE_PREFIX, dir=folder)
    try:
        os.write(handle, b"ok")
    finally:
        os.close(handle)
        Path(name).unlink(missing_ok=True)


def _tighten_tree(folder: Path) -> None:
    """Make every folder 0700 and every file 0600 below ``folder`` (symbolic links untouched)."""
    for current, folders, files in os.walk(folder):
        base = Path(current)
        for name in (*folders, *files):
            make_private(base / name)


def _format_megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


@dataclass(frozen=True)
class DataDir:
    """A data folder and the fixed layout inside it."""

    path: Path

    @classmethod
    def resolve(cls, explicit: Path | None = None) -> DataDir:
        return cls(resolve_data_dir(explicit))

    @property
    def database_path(self) -> Path:
        return self.path / DATABASE_FILE

    @property
    def documents_dir(self) -> Path:
        return self.path / "documents"

    @property
    def logs_dir(self) -> Path:
        return self.path / "logs"

    @property
    def backups_dir(self) -> Path:
        return self.path / "backups"

    def prepare(
        self,
        create: bool,
        *,
        require_database: bool = False,
        min_free_bytes: int = MIN_FREE_BYTES,
    ) -> DataDir:
        """Check (and, when ``create`` is true, make) the folder; raise DataDirError if unusable.

        ``require_database``: without ``create``, a folder that holds no database is treated
        as not prepared. This guards against pointing at the wrong folder (an unplugged drive
        whose mount point still exists) and silently starting with an empty database.
        """
        folder = self.path
        init_hint = f'Jalankan: nonasn init --data-dir "{folder}" untuk menyiapkannya.'
        if folder.exists() and not folder.is_dir():
            raise DataDirError(
                f"{folder} bukan folder, jadi tidak dapat dipakai sebagai folder data.",
                hint="Pilih folder lain dengan --data-dir atau NONASN_DATA_DIR; "
                "berkas itu tidak diubah.",
            )
        if not folder.exists():
            if not create:
                raise DataDirError(
                    f"Folder data {folder} belum disiapkan.",
                    hint=f"{init_hint} Bila data ada di folder lain, pilih dengan --data-dir.",
                )
            try:
                folder.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
            except OSError as exc:
                raise DataDirError(
                    f"Folder data {folder} tidak dapat dibuat ({_reason(exc)}).",
                    hint="Pastikan folder induknya ada dan dapat ditulis, atau pilih folder lain.",
                ) from None
        elif require_database and not create and not self.database_path.exists():
            raise DataDirError(
                f"Folder data {folder} belum disiapkan: basis data {DATABASE_FILE} tidak ada.",
                hint=f"{init_hint} Bila data ada di folder lain (mis. diska yang belum "
                "terpasang), pilih folder itu dengan --data-dir.",
            )
        try:
            _probe_writable(folder)
        except OSError as exc:
            raise DataDirError(
                f"Folder data {folder} tidak dapat ditulis ({_reason(exc)}).",
                hint="Periksa izin folder atau apakah diskanya terkunci/hanya-baca, "
                "atau pilih folder lain dengan --data-dir.",
            ) from None
        free = shutil.disk_usage(folder).free
        if free < min_free_bytes:
            raise DataDirError(
                f"Ruang kosong di disk folder data {folder} tinggal {_format_megabytes(free)}; "
                f"paling sedikit {_format_megabytes(min_free_bytes)} diperlukan.",
                hint="Kosongkan ruang disk (pindahkan berkas lain, bukan isi folder data) "
                "lalu buka aplikasi lagi.",
            )
        for sub in (self.documents_dir, self.logs_dir, self.backups_dir):
            try:
                sub.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)
            except FileExistsError:
                raise DataDirError(
                    f"{sub} ada tetapi bukan folder.",
                    hint="Pindahkan berkas itu ke tempat lain lalu buka aplikasi lagi.",
                ) from None
            except OSError as exc:
                raise DataDirError(
                    f"Folder {sub} tidak dapat dibuat ({_reason(exc)}).",
                    hint="Periksa izin folder data.",
                ) from None
        self.make_private()
        return self

    @property
    def _own_folders(self) -> tuple[Path, ...]:
        # keys/ is office.keys.KEY_FOLDER (named here: storage does not import office).
        return (self.documents_dir, self.logs_dir, self.backups_dir, self.path / "keys")

    def make_private(self) -> None:
        """The data folder and everything the program keeps in it readable by the user who
        runs the program only.

        POSIX: folders 0700, files 0600. A folder made by an earlier version (0755, files
        0644) is tightened once, all through the program's own subfolders (documents, logs,
        backups, keys) and its files at the top (the database with its -wal and -shm); other
        things someone put there are left as they are. Afterwards the folder itself is 0700
        and only the files that appear at every start (database files, logs) are looked at.
        Windows: nothing to do; the data folder is in the user's own profile
        (%LOCALAPPDATA%), whose access list admits only that user and administrators.
        A file that cannot be changed (owned by another user) is logged, not fatal: the
        folder's own mode already keeps others out.
        """
        if os.name != "posix":
            return
        try:
            loose = bool(stat.S_IMODE(self.path.stat().st_mode) & 0o077)
            make_private(self.path)
            for sub in self._own_folders:
                if sub.is_dir():
                    make_private(sub)
                    if loose:
                        _tighten_tree(sub)
            for suffix in ("", "-wal", "-shm", "-journal"):
                database = self.path / f"{DATABASE_FILE}{suffix}"
                if database.exists():
                    make_private(database)
            if self.logs_dir.is_dir():
                for entry in self.logs_dir.iterdir():
                    make_private(entry)
        except OSError as exc:
            log.warning("could not make %s private: %s", self.path, exc)
