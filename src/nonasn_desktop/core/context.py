"""Everything a service needs, opened once at start-up and passed to every service call."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import TracebackType

from sqlalchemy.orm import Session

from nonasn_desktop.policy import Policy
from nonasn_desktop.storage.database import Database
from nonasn_desktop.storage.datadir import DataDir
from nonasn_desktop.storage.docstore import DocumentStore
from nonasn_desktop.storage.vault import DataKey

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Desk:
    """The installation this application runs on (see storage.deskconfig)."""

    code: str
    name: str


# A context opened without a desk (tests building one by hand, scratch folders) still names
# itself in locks and the audit log.
UNNAMED_DESK = Desk(code="M0", name="Meja ini")


@dataclass
class AppContext:
    """The open application: data folder, database, document store, policy, clock and desk.

    ``clock`` returns the current time as an aware UTC datetime; tests inject a fake one.
    ``blobs`` is where document bytes live (storage.docstore: the data folder with SQLite, the
    office database with PostgreSQL).
    ``key``: the unlocked data key of an encrypted folder (storage.vault), None for a plain
    one; backups and new key slots need it.
    ``office_key``: the data key of a PostgreSQL office, opened by the clerk's sign-in
    (accounts.slots.open_office_key); it encrypts the office's documents and makes the key
    slots of clerks created or given a new password at this desk. None before sign-in, on
    SQLite, and on an office whose documents are not encrypted yet.
    """

    data_dir: DataDir
    db: Database
    blobs: DocumentStore
    policy: Policy
    clock: Clock = field(default=utc_now)
    desk: Desk = UNNAMED_DESK
    key: DataKey | None = field(default=None, repr=False)
    office_key: DataKey | None = field(default=None, repr=False)

    @property
    def encrypted(self) -> bool:
        return self.key is not None

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
