"""Opening the application's data: the one way the command line and the GUI start work.

Kept apart from :mod:`nonasn_desktop.core.context` because opening needs the backup package (an
interrupted restore is finished and an older database archived before it is migrated), while
the backup package itself works on an open :class:`AppContext`.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field, replace
from pathlib import Path

from nonasn_desktop.accounts.slots import create_office_key
from nonasn_desktop.accounts.throttle import (
    WRONG_CREDENTIALS,
    WRONG_CREDENTIALS_HINT,
    format_wait,
    lock_duration,
)
from nonasn_desktop.accounts.users import authenticate, normalise_username
from nonasn_desktop.backup.archive import backup_before_upgrade, upgrade_with_backup
from nonasn_desktop.backup.restore import finish_interrupted_restore
from nonasn_desktop.core.context import AppContext, Clock, Desk, utc_now
from nonasn_desktop.crypto import keyslots
from nonasn_desktop.crypto.errors import WrongPassphraseError
from nonasn_desktop.errors import AuthError, FolderLockedError, UserError
from nonasn_desktop.office.keys import adopt_key_file
from nonasn_desktop.policy import Policy, default_policy
from nonasn_desktop.rules.roles import Role
from nonasn_desktop.storage import convert, officeslots, vault
from nonasn_desktop.storage.database import Database, database_url_for, sqlite_url
from nonasn_desktop.storage.datadir import DataDir, resolve_data_dir
from nonasn_desktop.storage.deskconfig import (
    KIND_FIELD_DEVICE,
    default_desk_name,
    new_desk_code,
    read_desk_config,
    write_desk_config,
)
from nonasn_desktop.storage.docstore import document_store_for

log = logging.getLogger(__name__)


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
        upgrade_with_backup(db, folder, clock=clock if clock is not None else utc_now, key=key)
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


# -- unlocking an encrypted folder ---------------------------------------------------------------


@dataclass(frozen=True)
class Unlocked:
    """What signing in to a data folder gives: its key (None: a plain folder that stays plain,
    because only an admin's sign-in converts it), and the recovery key of a folder converted
    just now, to be shown to that admin (kept sealed in the folder until they confirm seeing
    it: :func:`recovery_key_seen`)."""

    key: vault.DataKey | None
    recovery_key: bytes | None = field(default=None, repr=False)

    @property
    def recovery_text(self) -> str | None:
        return keyslots.format_recovery_key(self.recovery_key) if self.recovery_key else None


def is_encrypted(data_dir: Path | None = None) -> bool:
    """True when the data folder has key slots (and so needs signing in before it opens)."""
    folder = DataDir(resolve_data_dir(data_dir))
    return folder.path.is_dir() and vault.slots_path(folder).exists()


def _throttled(folder: DataDir, label: str, now: dt.datetime) -> None:
    record = vault.read_attempts(folder).get(label)
    if record is not None and record.locked_until is not None and now < record.locked_until:
        raise AuthError(
            "Terlalu banyak percobaan masuk yang gagal; akun dikunci sementara.",
            hint=f"Coba lagi dalam {format_wait(record.locked_until - now)}. Bila lupa kata "
            "sandi, minta admin kantor menggantinya (atau pakai kunci pemulihan).",
        )


def _count_failure(folder: DataDir, label: str, now: dt.datetime) -> dt.timedelta:
    attempts = vault.read_attempts(folder)
    failures = attempts.get(label, vault.Attempts()).failures + 1
    wait = lock_duration(failures)
    attempts[label] = vault.Attempts(failures, now + wait if wait else None)
    vault.write_attempts(folder, attempts)
    return wait


def _clear_failures(folder: DataDir, label: str) -> None:
    attempts = vault.read_attempts(folder)
    if attempts.pop(label, None) is not None:
        vault.write_attempts(folder, attempts)


def _open_slot(folder: DataDir, label: str, secret: str, now: dt.datetime) -> vault.DataKey:
    """The brake of sign-in (accounts.throttle.lock_duration), kept in the folder's attempts file
    because the database cannot be read before the key is known."""
    slots = vault.read_slots(folder)
    if slots is None:
        raise FolderLockedError("Folder data ini tidak terenkripsi.")
    _throttled(folder, label, now)
    try:
        if label == keyslots.RECOVERY_LABEL:
            raw = keyslots.open_with_recovery_key(slots, keyslots.parse_recovery_key(secret))
        else:
            if slots.password_slot(label) is None:
                # Same work as a real slot, so timing does not tell which usernames exist.
                keyslots.password_slot(slots.folder_id, bytes(32), label, secret)
            raw = keyslots.open_with_password(slots, label, secret, remember_output=True)
    except WrongPassphraseError as exc:
        wait = _count_failure(folder, label, now)
        if label == keyslots.RECOVERY_LABEL:
            raise
        hint = f"Akun dikunci sementara; coba lagi dalam {format_wait(wait)}." if wait else None
        raise AuthError(WRONG_CREDENTIALS, hint=hint or WRONG_CREDENTIALS_HINT) from exc
    _clear_failures(folder, label)
    return vault.DataKey(raw)


def unlock_with_recovery_key(
    data_dir: Path | None, recovery_text: str, *, clock: Clock | None = None
) -> vault.DataKey:
    """The folder's key from its recovery key (typed or read from a file); throttled too.

    A recovery key that opens the folder is evidently in hand: a copy kept until an admin saw
    it (it can only be this same key) is no longer needed."""
    folder = DataDir(resolve_data_dir(data_dir))
    now = (clock or utc_now)()
    key = _open_slot(folder, keyslots.RECOVERY_LABEL, recovery_text, now)
    recovery_key_seen(folder.path)
    return key


def unlock(
    data_dir: Path | None,
    username: str,
    password: str,
    *,
    clock: Clock | None = None,
) -> Unlocked:
    """Sign in to the data folder's key: the one place the command line and the GUI unlock.

    An encrypted folder: the clerk's key slot is opened with the password (argon2id, about a
    second: call it off the GUI thread); wrong passwords are counted and throttled like
    sign-in. A plain folder of an older version: the clerk signs in as before, and when that
    clerk is an admin the folder is converted (after an automatic backup into ``backups/``)
    and the new recovery key is returned for that admin to see once.
    """
    folder = DataDir(resolve_data_dir(data_dir))
    now = (clock or utc_now)()
    if folder.path.is_dir():
        convert.finish_interrupted(folder)
    if vault.read_slots(folder) is not None:
        return Unlocked(_open_slot(folder, normalise_username(username)[:64], password, now))
    if not _of_its_own(folder):
        return Unlocked(None)  # An office database server: see README, not converted here.
    with open_app(folder.path, clock=clock) as ctx:
        user = authenticate(ctx, username, password)
        revision = ctx.db.current_revision()
    if not _converts(folder, user.role):
        return Unlocked(None)
    return _back_up_and_encrypt(folder, user.username, password, revision, now)


def _of_its_own(folder: DataDir) -> bool:
    """True when the folder's database is its own SQLite file (not an office database server,
    whose protection is the server's: see README)."""
    return database_url_for(folder) == sqlite_url(folder.database_path)


def _keeps_recovery_key(folder: DataDir, role: Role) -> bool:
    """Whether a clerk of ``role`` converts this folder and is shown its recovery key.

    An office's folder is converted by its admin, who keeps the recovery key; a field laptop
    has no admin, and is the folder most likely to be lost: any of its clerks converts it.
    """
    return role == Role.ADMIN or read_desk_config(folder.path).kind == KIND_FIELD_DEVICE


def _converts(folder: DataDir, role: Role) -> bool:
    """Whether a sign-in of ``role`` converts this plain folder of an older version."""
    return _keeps_recovery_key(folder, role) and convert.needs_conversion(folder)


def encryption_due(data_dir: Path | None, database_url: str | None = None) -> bool:
    """Whether the data folder is a plain one of its own that an admin's sign-in (or ``nonasn
    keys encrypt-folder``) would convert; ``database_url``: the database a command was told
    to use instead (an office database server is protected by the server, see README)."""
    folder = DataDir(resolve_data_dir(data_dir))
    if not folder.path.is_dir() or not _of_its_own(folder):
        return False
    if database_url is not None and database_url != sqlite_url(folder.database_path):
        return False
    return convert.needs_conversion(folder)


# -- the recovery key until an admin has seen it -------------------------------------------------


def pending_recovery_key(ctx: AppContext, role: Role) -> str | None:
    """The recovery key of ``ctx``'s folder that no admin has confirmed seeing yet (the program
    stopped between encrypting the folder and the admin's "Sudah Saya Catat"), formatted, for a
    clerk of ``role`` who keeps it (see :func:`conversion_due`); None otherwise. Reads one
    small file: cheap on the GUI thread."""
    folder = ctx.data_dir
    if ctx.key is None or not _keeps_recovery_key(folder, role):
        return None
    recovery = vault.read_pending_recovery(folder, ctx.key)
    return keyslots.format_recovery_key(recovery) if recovery is not None else None


def recovery_key_seen(data_dir: Path | None) -> None:
    """An admin has seen the folder's recovery key (pressed "Sudah Saya Catat", or the command
    line printed it): the copy kept for them is destroyed. Never raises: a copy that cannot be
    removed is shown again at the next admin sign-in."""
    folder = DataDir(resolve_data_dir(data_dir))
    pending = folder.path.is_dir() and vault.pending_recovery_path(folder).exists()
    if pending and vault.discard_pending_recovery(folder):
        log.info("data folder %s: recovery key seen by an admin", folder.path)


def _back_up_and_encrypt(
    folder: DataDir, username: str, password: str, revision: str | None, now: dt.datetime
) -> Unlocked:
    saved = backup_before_upgrade(folder, folder.database_path, revision, now=now)
    log.info("data folder %s: backup %s taken before encryption", folder.path, saved.name)
    return _encrypt(folder, username, password)


def _encrypt(folder: DataDir, username: str | None, password: str) -> Unlocked:
    conversion = convert.convert(folder)
    if username is not None and username not in conversion.clerks_with_slots:
        # The admin's stored hash could not serve (an older hash shape): the password can.
        slots = vault.read_slots(folder)
        assert slots is not None
        slot = keyslots.password_slot(slots.folder_id, conversion.key.raw, username, password)
        vault.write_slots(folder, slots.with_slot(slot))
    log.info("data folder %s encrypted at rest", folder.path)
    return Unlocked(conversion.key, conversion.recovery_key)


def encrypt_new_folder(data_dir: Path | None, username: str, password: str) -> Unlocked:
    """Encrypt a data folder made just now (``nonasn init``, the GUI's first start) whose
    first admin ``username`` was created with ``password``: the same crash-safe conversion as
    an older folder's, without the backup (there is nothing yet to lose)."""
    folder = DataDir(resolve_data_dir(data_dir))
    if not convert.needs_conversion(folder):
        raise FolderLockedError("Folder data ini sudah terenkripsi.", hint="Tidak ada yang diubah.")
    return _encrypt(folder, normalise_username(username), password)


def encrypt_after_first_start(
    ctx: AppContext, username: str, password: str
) -> tuple[AppContext, str | None]:
    """The GUI's first start, as ``nonasn init`` does it: once a new folder of its own has its
    first admin, the folder is encrypted and opened again with its key.

    Returns the context to go on with and the recovery key to show once; (``ctx``, None) when
    there is nothing to encrypt (a folder already encrypted). On an office database server
    the office data key is made instead (its documents are encrypted with it) and its recovery
    key returned. ``ctx`` is closed when a new one is
    returned.
    """
    folder = ctx.data_dir
    if ctx.db.is_postgresql:
        return ctx, _encrypt_office_documents(ctx, username, password)
    if database_url_for(folder) != sqlite_url(folder.database_path):
        return ctx, None
    if not convert.needs_conversion(folder):
        return ctx, None
    clock = ctx.clock
    ctx.close()
    unlocked = encrypt_new_folder(folder.path, username, password)
    return open_app(folder.path, clock=clock, key=unlocked.key), unlocked.recovery_text


def _encrypt_office_documents(ctx: AppContext, username: str, password: str) -> str | None:
    """A new office on a database server: the office data key (accounts.slots), made with its
    first admin's slot, so documents are encrypted from the first one; its recovery key."""
    with ctx.db.session() as session:
        if officeslots.exists(session):
            return None
    actor = authenticate(ctx, username, password).actor
    return create_office_key(ctx, actor=actor, password=password)


@dataclass(frozen=True)
class SignInConversion:
    """The outcome of converting a plain folder at a GUI sign-in: the context to go on with
    (encrypted, or the plain folder opened again), the recovery key to show once, or why the
    conversion failed (the folder then stays plain and usable)."""

    ctx: AppContext
    recovery_text: str | None = field(default=None, repr=False)
    failure: UserError | None = None


def conversion_due(ctx: AppContext, role: Role) -> bool:
    """Whether the sign-in of a clerk of ``role`` converts ``ctx``'s folder (as :func:`unlock`
    would): a plain folder of its own made by an older version, signed in to by its admin (or
    by any clerk of a field laptop). Reads two small files: cheap on the GUI thread."""
    folder = ctx.data_dir
    return ctx.key is None and _of_its_own(folder) and _converts(folder, role)


def convert_after_sign_in(ctx: AppContext, username: str, password: str) -> SignInConversion:
    """The GUI's :func:`unlock` of a plain folder: ``username`` has just signed in to ``ctx``
    with ``password`` and :func:`conversion_due` said yes. The automatic pre-upgrade backup is
    taken, the folder converted (storage.convert, crash-safe) and opened again with its key.

    ``ctx`` is always closed. A failure the user can act on (a full disk, a read-only folder)
    leaves the plain folder as it was, opened again, with the reason in ``failure``. Slow
    (argon2id, copying every document): call it off the GUI thread.
    """
    folder, clock, policy = ctx.data_dir, ctx.clock, ctx.policy
    revision = ctx.db.current_revision()
    ctx.close()
    try:
        unlocked = _back_up_and_encrypt(
            folder, normalise_username(username), password, revision, clock()
        )
    except UserError as exc:
        log.warning("data folder %s not encrypted at sign-in: %s", folder.path, type(exc).__name__)
        return SignInConversion(open_app(folder.path, policy=policy, clock=clock), failure=exc)
    opened = open_app(folder.path, policy=policy, clock=clock, key=unlocked.key)
    return SignInConversion(opened, unlocked.recovery_text)


def encrypt_field_device(data_dir: Path | None) -> Unlocked:
    """Encrypt a field laptop's folder set up just now from its enrolment file. The laptop
    knows its clerks' password hashes, not their passwords: each gets a slot made from the
    hash (accounts.slots), so every clerk signs in with the password they have at the office."""
    folder = DataDir(resolve_data_dir(data_dir))
    if not convert.needs_conversion(folder):
        raise FolderLockedError("Folder data ini sudah terenkripsi.", hint="Tidak ada yang diubah.")
    return _encrypt(folder, None, "")
