"""Opening the application's data: the one way the command line and the GUI start work.

Kept apart from :mod:`nonasn_desktop.core.context` because opening needs the backup package (an
interrupted restore is finished and an older database archived before it is migrated), while
the backup package itself works on an open :class:`AppContext`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from nonasn_desktop.backup.archive import upgrade_with_backup
from nonasn_desktop.backup.restore import finish_interrupted_restore
from nonasn_desktop.core.context import AppContext, Clock, Desk, utc_now
from nonasn_desktop.errors import FolderLockedError
from nonasn_desktop.office.keys import adopt_key_file
from nonasn_desktop.policy import Policy, default_policy
from nonasn_desktop.storage import convert, vault
from nonasn_desktop.storage.database import Database, database_url_for, sqlite_url
from nonasn_desktop.storage.datadir import DataDir, resolve_data_dir
from nonasn_desktop.storage.deskconfig import (
    default_desk_name,
    new_desk_code,
    read_desk_config,
    write_desk_config,
)
from nonasn_desktop.storage.docstore import document_store_for


def _desk(folder: DataDir) -> Desk:
    """This installation's desk code and name, made (and remembered) on first use."""
    config = read_desk_config(folder.path)
    code, name = config.code or new_desk_code(), config.name or default_desk_name()
    if (code, name) != (config.code, config.name):
        write_desk_config(folder.path, replace(config, code=code, name=name))
    return Desk(code=code, name=name)


def open_app(
    data_dir: Path | None = None,
    *,
    create: bool = False,
    database_url: str | None = None,
    policy: Policy | None = None,
    clock: Clock | None = None,
    key: vault.DataKey | None = None,
) -> AppContext:
    """Resolve and check the data folder, open the database and bring it up to date.

    ``create``: make the folder (and an empty database) when missing; without it a missing
    folder or database raises DataDirError telling the user to run ``nonasn init``.
    ``database_url`` (or ``$NONASN_DATABASE_URL``, or the office database the desk remembers,
    see storage.deskconfig) replaces the database file of the folder. An office key file left
    in the folder by an older version is taken into the database when it has none.

    A folder with key slots (storage.vault) is encrypted: its database and documents open only
    with ``key`` (see accounts.unlock), else FolderLockedError. A folder without them is
    plain, as made by earlier versions, and opens as before (signing in converts it).
    """
    folder = DataDir(resolve_data_dir(data_dir))
    finish_interrupted_restore(folder)
    if folder.path.is_dir():
        convert.finish_interrupted(folder)
    encrypted = folder.path.is_dir() and vault.read_slots(folder) is not None
    if encrypted and key is None:
        raise FolderLockedError()
    url = database_url or database_url_for(folder)
    uses_own_file = url == sqlite_url(folder.database_path)
    folder.prepare(create, require_database=uses_own_file)
    desk = _desk(folder)
    db_key = key.database_key if key is not None and uses_own_file else None
    db = Database.open(url, key=db_key)
    db.device_code = desk.code
    try:
        # An older database is archived into backups/ first; a failed migration changes nothing.
        upgrade_with_backup(db, folder, clock=clock if clock is not None else utc_now)
        # SQLite makes a new database (and its -wal/-shm) readable by everyone.
        folder.make_private()
        ctx = AppContext(
            data_dir=folder,
            db=db,
            blobs=document_store_for(
                db, folder.documents_dir, key.files_key if key is not None else None
            ),
            policy=policy if policy is not None else default_policy(),
            clock=clock if clock is not None else utc_now,
            desk=desk,
            key=key,
        )
        adopt_key_file(ctx)
        return ctx
    except BaseException:
        db.close()
        raise
