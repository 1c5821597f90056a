"""``nonasn backup create|verify|restore|daily``: backups for office IT staff and scripts.

``create`` works while the application is open. ``restore`` must not run while the application
has the same data folder open. ``daily`` is for a scheduled task (Windows Task Scheduler, cron):
it writes the day's automatic backup to the folder chosen in the application, if due.
"""

from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path
from typing import Any

from nonasn_desktop.accounts.authz import authorise
from nonasn_desktop.backup import archive as backup
from nonasn_desktop.backup import automatic as backup_auto
from nonasn_desktop.backup import restore as backup_restore
from nonasn_desktop.backup import sealed
from nonasn_desktop.backup import verify as backup_verify
from nonasn_desktop.cli.argparse_id import ArgumentParser
from nonasn_desktop.cli.common import (
    Credentials,
    add_data_dir_option,
    data_dir_of,
    open_signed_in,
    read_credentials,
    sign_in,
    unlock_data_folder,
)
from nonasn_desktop.errors import UserError
from nonasn_desktop.rules.permissions import Permission
from nonasn_desktop.startup import open_app
from nonasn_desktop.storage.datadir import DataDir
from nonasn_desktop.storage.vault import DataKey

# The audit trail's name for a restore into a data folder that had no database (a new
# computer): there was no clerk to sign in.
NEW_FOLDER_ACTOR = "system"
YES_WORDS = ("iya", "ya", "y")


def register(commands: Any) -> None:
    parser: ArgumentParser = commands.add_parser(
        "backup", help="cadangkan atau pulihkan data (basis data dan dokumen)"
    )
    actions = parser.add_subparsers(
        dest="backup_action", metavar="TINDAKAN", required=True, parser_class=ArgumentParser
    )

    create = actions.add_parser("create", help="buat berkas cadangan")
    add_data_dir_option(create)
    create.add_argument(
        "out", type=Path, metavar="TUJUAN", help="berkas .zip, atau folder (nama dibuat otomatis)"
    )
    create.set_defaults(handler=run_create)

    verify = actions.add_parser("verify", help="periksa berkas cadangan tanpa mengubah apa pun")
    verify.add_argument("file", type=Path, metavar="BERKAS")
    verify.set_defaults(handler=run_verify)

    restore = actions.add_parser(
        "restore", help="pulihkan data dari berkas cadangan (data sekarang disimpan dulu)"
    )
    add_data_dir_option(restore)
    restore.add_argument("file", type=Path, metavar="BERKAS")
    restore.add_argument("--ya", action="store_true", help="pulihkan tanpa bertanya lagi")
    restore.set_defaults(handler=run_restore)

    daily = actions.add_parser(
        "daily", help="buat cadangan otomatis hari ini ke folder yang dipilih, bila belum ada"
    )
    add_data_dir_option(daily)
    daily.set_defaults(handler=run_daily)


def _print_info(info: backup.BackupInfo) -> None:
    print(info.describe() + ".")
    if info.damaged_documents:
        print(
            f"Peringatan: {len(info.damaged_documents)} berkas dokumen sudah rusak di folder "
            "data (isinya tidak sama lagi dengan saat diunggah); berkas itu tetap dicadangkan "
            "apa adanya. Laporkan kepada petugas TI.",
            file=sys.stderr,
        )


def run_create(args: argparse.Namespace) -> int:
    with open_signed_in(args) as (ctx, actor):
        info = backup.create_backup(ctx, args.out, actor=actor)
    print(f"Cadangan dibuat: {info.path}")
    _print_info(info)
    return 0


def _archive_key(path: Path) -> tuple[DataKey | None, Credentials | None]:
    """The key of a sealed archive (an encrypted folder's), from the clerk's credentials, and
    the credentials read (so the clerk is asked once)."""
    try:
        slots = sealed.slots_of(Path(path))
    except (zipfile.BadZipFile, OSError, UserError):
        return None, None  # Verification says precisely what is wrong with it.
    if slots is None:
        return None, None
    credentials = read_credentials()
    return sealed.unlock_archive(Path(path), *credentials), credentials


def run_verify(args: argparse.Namespace) -> int:
    key, _ = _archive_key(args.file)
    info = backup_verify.verify_backup(args.file, key=key)
    print(f"Berkas cadangan {args.file} utuh.")
    _print_info(info)
    return 0


def _confirmed(info: backup.BackupInfo, data_dir: DataDir) -> bool:
    if not sys.stdin.isatty():
        raise UserError(
            "Pemulihan mengganti data di folder data; tidak ada yang diubah.",
            hint="Tambahkan --ya untuk memulihkan tanpa pertanyaan (misalnya dalam skrip).",
        )
    print(f"Berkas cadangan utuh: {info.describe()}.")
    print(
        f"Data di {data_dir.path} akan diganti dengan isi cadangan ini. Data sekarang "
        "disimpan dulu di folder backups."
    )
    answer = input("Lanjutkan pemulihan? [iya/tidak] ").strip().casefold()
    return answer in YES_WORDS


def _restoring_clerk(
    data_dir: DataDir, credentials: Credentials | None
) -> tuple[str, DataKey | None, Credentials | None]:
    """Who restores: a clerk allowed to, signed in to the data that is about to be replaced;
    with the key of that data (its safety copy is sealed with it) and the credentials used.

    A data folder without a database yet (a new computer) has nobody to ask and nothing to
    lose; the restored data's own clerks sign in afterwards.
    """
    if not data_dir.database_path.exists():
        return NEW_FOLDER_ACTOR, None, credentials
    key, credentials = unlock_data_folder(data_dir.path, credentials)
    with open_app(data_dir.path, key=key) as ctx:
        actor = sign_in(ctx, credentials)
        authorise(ctx, actor, Permission.BACKUP_RESTORE)
    return actor.username, key, credentials


def run_restore(args: argparse.Namespace) -> int:
    data_dir = DataDir.resolve(data_dir_of(args))
    # The archive is verified before anyone signs in: a damaged archive, or a "no" to the
    # question, leaves the data folder exactly as it was (not even a sign-in in its trail).
    archive_key, credentials = _archive_key(args.file)
    info = backup_verify.verify_backup(args.file, key=archive_key)
    if not args.ya and not _confirmed(info, data_dir):
        print("Pemulihan dibatalkan; tidak ada yang diubah.")
        return 1
    restorer, folder_key, credentials = _restoring_clerk(data_dir, credentials)
    result = backup_restore.restore_backup(
        data_dir, args.file, key=folder_key, archive_key=archive_key
    )
    # Opening migrates a restored database of an older version (after its own backup).
    restored_key, _ = unlock_data_folder(data_dir.path, credentials)
    with open_app(data_dir.path, key=restored_key) as ctx:
        backup_restore.record_restore(ctx, result, actor=restorer)
    print(f"Data dipulihkan dari {args.file}.")
    print(result.restored.describe() + ".")
    if result.safety_copy is not None:
        print(f"Data sebelum pemulihan disimpan di {result.safety_copy}.")
    return 0


def run_daily(args: argparse.Namespace) -> int:
    # The scheduled task runs as a clerk who may make backups (NONASN_USER, NONASN_PASSWORD);
    # the backup itself is the application's own, audited as the system like the GUI's.
    with open_signed_in(args) as (ctx, actor):
        authorise(ctx, actor, Permission.BACKUP_CREATE)
        folder = backup_auto.backup_folder(ctx)
        if folder is None:
            print("Cadangan otomatis harian tidak aktif (folder cadangan belum dipilih).")
            return 0
        result = backup_auto.run_daily_backup_if_due(ctx)
    if result is None:
        print(f"Cadangan otomatis hari ini sudah ada di {folder}.")
        return 0
    print(f"Cadangan otomatis dibuat: {result.created.path}")
    _print_info(result.created)
    for removed in result.removed:
        print(f"Cadangan lama dihapus: {removed.name}")
    return 0
