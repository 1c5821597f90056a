"""Converting a data folder made before encryption at rest, so that a crash cannot lose it.

The plain folder is never changed until an encrypted copy of everything is complete on disk:

1. *Prepare* (the plain folder still in use, nothing visible changes): an encrypted copy of
   the database (``nonasn.sqlite3.enkripsi``, SQLCipher), of every document
   (``documents.enkripsi/``, same layout) and of every backup archive in ``backups/``
   (``*.zip.age``), the new recovery key sealed with the new key until an admin has seen it
   (``kunci-pemulihan-belum-dicatat.age.baru``, see storage.vault) and the new key slots
   (``kunci-data.json.baru``), each flushed to disk.
2. *Commit*: the journal ``enkripsi-jurnal.json`` is written atomically. Before it exists a
   crash leaves the plain folder as it was (the next start throws the half-made copies away and
   begins again); once it exists the conversion is certain to finish, and its recovery key is
   certain to be shown to an admin (the pending copy goes with it).
3. *Swap* (idempotent, resumed by the next start after a crash): the encrypted files take the
   plain ones' names, the plain ones are set aside, the slots take their final name.
4. *Remove* the plain files, then the journal.

Removal is ``unlink``: on a hard disk the old blocks stay until overwritten, and on an SSD even
an overwrite may land elsewhere (wear levelling), so the README tells the office what deletion
can and cannot promise.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from nonasn_desktop.atomicfile import fsync_dir, write_bytes_atomically
from nonasn_desktop.crypto import atrest, keyslots
from nonasn_desktop.errors import DataDirError
from nonasn_desktop.storage import cipher, vault
from nonasn_desktop.storage.datadir import DataDir

JOURNAL_FILE: Final = "enkripsi-jurnal.json"
ENCRYPTED_SUFFIX: Final = ".enkripsi"
PLAIN_SUFFIX: Final = ".polos"
NEW_SLOTS_SUFFIX: Final = ".baru"
BACKUP_PATTERN: Final = "*.zip"
_COPY_CHUNK: Final = 1024 * 1024

# Called at each step (for tests that crash the conversion at a chosen point).
Checkpoint = Callable[[str], None]


@dataclass(frozen=True)
class Conversion:
    """What the conversion made: the key, and the recovery key to show (once) to the admin."""

    key: vault.DataKey
    recovery_key: bytes
    folder_id: str
    clerks_with_slots: tuple[str, ...]
    clerks_without_slots: tuple[str, ...]


def needs_conversion(folder: DataDir) -> bool:
    """True for a folder of an older version: a plain database and no key slots."""
    return cipher.is_plain_sqlite(folder.database_path) and vault.read_slots(folder) is None


def _journal(folder: DataDir) -> Path:
    return folder.path / JOURNAL_FILE


def _encrypted_db(folder: DataDir) -> Path:
    return folder.database_path.with_name(folder.database_path.name + ENCRYPTED_SUFFIX)


def _encrypted_documents(folder: DataDir) -> Path:
    return folder.documents_dir.with_name(folder.documents_dir.name + ENCRYPTED_SUFFIX)


def _set_aside(path: Path) -> Path:
    return path.with_name(path.name + PLAIN_SUFFIX)


def _new_slots(folder: DataDir) -> Path:
    return vault.slots_path(folder).with_name(vault.KEY_SLOTS_FILE + NEW_SLOTS_SUFFIX)


def _new_pending(folder: DataDir) -> Path:
    path = vault.pending_recovery_path(folder)
    return path.with_name(path.name + NEW_SLOTS_SUFFIX)


def _fail(exc: OSError, what: str) -> DataDirError:
    return DataDirError(
        f"Enkripsi folder data gagal saat {what} ({exc.strerror or exc}).",
        hint="Folder data tetap seperti semula dan tetap dapat dipakai; kosongkan ruang disk "
        "atau periksa izin folder, lalu buka aplikasi lagi.",
    )


def _clerks(database: Path) -> list[tuple[str, str, bool]]:
    """(username, password hash, active) of every clerk, read from the plain database."""
    with contextlib.closing(sqlite3.connect(database)) as connection:
        # Everything committed in the write-ahead log goes into the file being copied.
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        rows = connection.execute("SELECT username, password_hash, active FROM clerk").fetchall()
    return [(str(name), str(stored), bool(active)) for name, stored, active in rows]


def _encrypt_file(source: Path, target: Path, key: bytes, kind: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with source.open("rb") as plain, target.open("xb") as sealed:
        writer = atrest.writer(sealed, key, kind)
        while chunk := plain.read(_COPY_CHUNK):
            writer.write(chunk)
        writer.finish()
        sealed.flush()
        os.fsync(sealed.fileno())


def _documents(root: Path) -> Iterator[Path]:
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                yield path


def _discard_partial(folder: DataDir) -> None:
    """Throw away what an interrupted *prepare* left (the plain folder was not touched)."""
    _encrypted_db(folder).unlink(missing_ok=True)
    shutil.rmtree(_encrypted_documents(folder), ignore_errors=True)
    _new_slots(folder).unlink(missing_ok=True)
    _new_pending(folder).unlink(missing_ok=True)
    for partial in folder.backups_dir.glob(BACKUP_PATTERN + ".age" + ENCRYPTED_SUFFIX):
        partial.unlink(missing_ok=True)


def _prepare(
    folder: DataDir,
    key: vault.DataKey,
    slots: keyslots.KeySlots,
    recovery: bytes,
    checkpoint: Checkpoint,
) -> None:
    cipher.encrypt_copy(folder.database_path, _encrypted_db(folder), key.database_key)
    checkpoint("database")
    documents = _encrypted_documents(folder)
    for path in _documents(folder.documents_dir):
        relative = path.relative_to(folder.documents_dir)
        _encrypt_file(path, documents / relative, key.files_key, "document")
    checkpoint("documents")
    for archive in sorted(folder.backups_dir.glob(BACKUP_PATTERN)):
        staged = archive.with_name(archive.name + ".age" + ENCRYPTED_SUFFIX)
        _encrypt_file(archive, staged, key.files_key, "backup")
    checkpoint("backups")
    write_bytes_atomically(_new_pending(folder), vault.seal_pending_recovery(key, recovery))
    write_bytes_atomically(_new_slots(folder), keyslots.dumps(slots))
    fsync_dir(folder.path)


def _swap(folder: DataDir, checkpoint: Checkpoint) -> None:
    """Each step checks what is already done, so running it again after a crash is safe."""
    database, staged_db = folder.database_path, _encrypted_db(folder)
    if staged_db.exists():
        for suffix in ("", "-wal", "-shm"):
            plain = Path(str(database) + suffix)
            if plain.exists():
                plain.replace(_set_aside(plain))
        staged_db.replace(database)
    checkpoint("swap-database")
    documents, staged_docs = folder.documents_dir, _encrypted_documents(folder)
    if staged_docs.exists():
        if documents.exists():
            documents.replace(_set_aside(documents))
        staged_docs.replace(documents)
    checkpoint("swap-documents")
    for staged in sorted(folder.backups_dir.glob(BACKUP_PATTERN + ".age" + ENCRYPTED_SUFFIX)):
        final = staged.with_name(staged.name.removesuffix(ENCRYPTED_SUFFIX))
        staged.replace(final)
        plain = final.with_name(final.name.removesuffix(".age"))
        if plain.exists():
            plain.replace(_set_aside(plain))
    new_pending = _new_pending(folder)
    if new_pending.exists():
        new_pending.replace(vault.pending_recovery_path(folder))
    new_slots = _new_slots(folder)
    if new_slots.exists():
        new_slots.replace(vault.slots_path(folder))
    fsync_dir(folder.path)
    checkpoint("swap")


def _remove_plain(folder: DataDir) -> None:
    for suffix in ("", "-wal", "-shm"):
        _set_aside(Path(str(folder.database_path) + suffix)).unlink(missing_ok=True)
    shutil.rmtree(_set_aside(folder.documents_dir), ignore_errors=True)
    for plain in folder.backups_dir.glob(BACKUP_PATTERN + PLAIN_SUFFIX):
        plain.unlink(missing_ok=True)


def finish_interrupted(folder: DataDir, checkpoint: Checkpoint | None = None) -> bool:
    """Finish (after the commit point) or undo (before it) a conversion a crash interrupted.

    Called at every start before the database is opened; True when there was one to finish.
    """
    step = checkpoint or (lambda _name: None)
    journal = _journal(folder)
    try:
        if journal.exists():
            _swap(folder, step)
            _remove_plain(folder)
            journal.unlink()
            fsync_dir(folder.path)
            return True
        staged = (_encrypted_db(folder), _new_slots(folder), _new_pending(folder))
        if any(path.exists() for path in staged):
            _discard_partial(folder)
    except OSError as exc:
        raise _fail(exc, "menyelesaikan enkripsi yang terputus") from exc
    return False


def convert(folder: DataDir, *, checkpoint: Checkpoint | None = None) -> Conversion:
    """Encrypt a folder of an older version in place (see the module's description).

    The caller has made the automatic pre-upgrade backup first and shows the returned recovery
    key; until an admin has confirmed seeing it, it is also kept sealed in the folder (see
    storage.vault), so a crash before it was shown does not lose it. Every active clerk gets a
    slot made from their stored password hash, so each signs in with the password they already
    have; a clerk whose hash cannot serve gets a slot when an admin next sets their password.
    """
    step = checkpoint or (lambda _name: None)
    if not needs_conversion(folder):
        raise DataDirError(
            f"Folder data {folder.path} sudah terenkripsi atau bukan folder data aplikasi ini."
        )
    key = vault.DataKey(keyslots.new_data_key())
    recovery = keyslots.new_recovery_key()
    folder_id = keyslots.new_folder_id()
    slots = keyslots.KeySlots(folder_id).with_slot(
        keyslots.recovery_slot(folder_id, key.raw, recovery)
    )
    with_slots: list[str] = []
    without: list[str] = []
    try:
        _discard_partial(folder)
        for username, stored, active in _clerks(folder.database_path):
            slot = keyslots.slot_from_password_hash(folder_id, key.raw, username, stored)
            if active and slot is not None:
                slots = slots.with_slot(slot)
                with_slots.append(username)
            elif active:
                without.append(username)
        _prepare(folder, key, slots, recovery, step)
        write_bytes_atomically(_journal(folder), json.dumps({"fase": "tukar"}).encode())
        step("commit")
    except OSError as exc:
        with contextlib.suppress(OSError):
            _discard_partial(folder)
        raise _fail(exc, "menyiapkan salinan terenkripsi") from exc
    except sqlite3.DatabaseError as exc:
        with contextlib.suppress(OSError):
            _discard_partial(folder)
        raise DataDirError(
            f"Basis data {folder.database_path} tidak dapat dibaca untuk dienkripsi ({exc}).",
            hint="Folder data tidak diubah; pulihkan dari cadangan bila basis datanya rusak.",
        ) from exc
    finish_interrupted(folder, step)
    # The new database and documents are made with the process's umask; tightened now rather
    # than at the next start.
    folder.make_private()
    return Conversion(key, recovery, folder_id, tuple(with_slots), tuple(without))
