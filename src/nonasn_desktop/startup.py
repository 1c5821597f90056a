"""Opening the application's data: the one way the command line and the GUI start work.

Kept apart from :mod:`nonasn_desktop.core.context` because opening needs the backup package (an
interrupted restore is finished and an older database archived before it is migrated), while
the backup package itself works on an open :class:`AppContext`.
"""

from __future__ import annotations

import os
from pathlib import Path

from nonasn_desktop.backup.archive import upgrade_with_backup
from nonasn_desktop.backup.restore import finish_interrupted_restore
from nonasn_desktop.core.context import AppContext, Clock, utc_now
from nonasn_desktop.policy import Policy, default_policy
from nonasn_desktop.storage.blobs import BlobStore
from nonasn_desktop.storage.database import ENV_DATABASE_URL, Database
from nonasn_desktop.storage.datadir import DataDir, resolve_data_dir


def open_app(
    data_dir: Path | None = None,
    *,
    create: bool = False,
    database_url: str | None = None,
    policy: Policy | None = None,
    clock: Clock | None = None,
) -> AppContext:
    """Resolve and check the data folder, open the database and bring it up to date.

    ``create``: make the folder (and an empty database) when missing; without it a missing
    folder or database raises DataDirError telling the user to run ``nonasn init``.
    ``database_url`` (or ``$NONASN_DATABASE_URL``) replaces the database file of the folder.
    """
    folder = DataDir(resolve_data_dir(data_dir))
    uses_own_file = not database_url and not os.environ.get(ENV_DATABASE_URL, "").strip()
    finish_interrupted_restore(folder)
    folder.prepare(create, require_database=uses_own_file)
    db = Database.open(database_url) if database_url else Database.for_data_dir(folder)
    try:
        # An older database is archived into backups/ first; a failed migration changes nothing.
        upgrade_with_backup(db, folder, clock=clock if clock is not None else utc_now)
        # SQLite makes a new database (and its -wal/-shm) readable by everyone.
        folder.make_private()
        return AppContext(
            data_dir=folder,
            db=db,
            blobs=BlobStore(folder.documents_dir),
            policy=policy if policy is not None else default_policy(),
            clock=clock if clock is not None else utc_now,
        )
    except BaseException:
        db.close()
        raise
