"""Everything a service needs, opened once at start-up and passed to every service call."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from sqlalchemy.orm import Session

from nonasn_desktop.policy import Policy, default_policy
from nonasn_desktop.storage.blobs import BlobStore
from nonasn_desktop.storage.database import ENV_DATABASE_URL, Database
from nonasn_desktop.storage.datadir import DataDir, resolve_data_dir

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class AppContext:
    """The open application: data folder, database, document store, policy and clock.

    ``clock`` returns the current time as an aware UTC datetime; tests inject a fake one.
    """

    data_dir: DataDir
    db: Database
    blobs: BlobStore
    policy: Policy
    clock: Clock = field(default=utc_now)

    def now(self) -> dt.datetime:
        """The clock's time, checked to be timezone-aware and converted to UTC."""
        value = self.clock()
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("the clock returned a naive datetime; it must be aware UTC")
        return value.astimezone(dt.UTC)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> AppContext:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


@contextmanager
def use_session(ctx: AppContext, session: Session | None = None) -> Iterator[Session]:
    """``session`` itself when given (the caller's transaction), else a new one of its own.

    Lets a read be part of a larger transaction (so it sees uncommitted changes of that
    transaction) or stand alone.
    """
    if session is not None:
        yield session
        return
    with ctx.db.session() as own:
        yield own


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
    # backup imports this module: imported here, when both are complete.
    from nonasn_desktop.services.backup import finish_interrupted_restore, upgrade_with_backup

    folder = DataDir(resolve_data_dir(data_dir))
    uses_own_file = not database_url and not os.environ.get(ENV_DATABASE_URL, "").strip()
    finish_interrupted_restore(folder)
    folder.prepare(create, require_database=uses_own_file)
    db = Database.open(database_url) if database_url else Database.for_data_dir(folder)
    try:
        # An older database is archived into backups/ first; a failed migration changes nothing.
        upgrade_with_backup(db, folder, clock=clock if clock is not None else utc_now)
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
