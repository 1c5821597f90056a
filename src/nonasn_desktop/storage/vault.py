"""The data folder's key: its slots on disk, the record of failed unlocks, the unlocked key.

A data folder made by this version holds ``kunci-data.json`` (the key slots, see
:mod:`nonasn_desktop.crypto.keyslots`; nothing in it is secret) beside the encrypted database
and documents. Signing in opens one slot with the clerk's password and yields the folder's
:class:`DataKey`, from which every other key is derived. The file of failed attempts
(``kunci-data-percobaan.json``) lets sign-in slow down a person guessing passwords at the
keyboard before the database can even be opened; it holds usernames, counts and times only.

Both files are written atomically and privately (0600); a damaged attempts file counts as none
(it must never lock every clerk out), a damaged slot file is refused with a message that points
to the recovery key.

The recovery key made when a folder is encrypted must reach an admin even when the program dies
before it was shown: until an admin has confirmed seeing it, it is kept in
``kunci-pemulihan-belum-dicatat.age``, sealed with the folder's own key (crypto.atrest, kind
``recovery``), so only a clerk signed in to this folder can read it and a thief learns nothing.
It is written before the conversion's commit point (storage.convert) and destroyed once an admin
has seen it (startup.recovery_key_seen) or a new recovery key replaced it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from nonasn_desktop.atomicfile import write_bytes_atomically
from nonasn_desktop.crypto import atrest, keyslots
from nonasn_desktop.crypto.errors import DecryptionError, WrongPassphraseError
from nonasn_desktop.crypto.kdf import KdfParams
from nonasn_desktop.errors import DataDirError
from nonasn_desktop.storage.datadir import DataDir

KEY_SLOTS_FILE: Final = "kunci-data.json"
ATTEMPTS_FILE: Final = "kunci-data-percobaan.json"
PENDING_RECOVERY_FILE: Final = "kunci-pemulihan-belum-dicatat.age"
_MAX_ATTEMPTS_FILE: Final = 1024 * 1024
_MAX_SLOTS_FILE: Final = 4 * 1024 * 1024
# An age header and 20 sealed bytes take about 250; anything far larger is not ours.
_MAX_PENDING_FILE: Final = 4096

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DataKey:
    """The unlocked key of a data folder. Never written anywhere in plain; never printed."""

    raw: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.raw) != keyslots.DATA_KEY_SIZE:
            raise ValueError("a data key is 32 bytes")

    def derive(self, purpose: str) -> bytes:
        """A 32-byte key for one use (``"sqlcipher"``, …), independent of every other use."""
        return HKDF(
            algorithm=hashes.SHA256(),
            length=32,
            salt=None,
            info=b"nonasn-data-key/" + purpose.encode("ascii"),
        ).derive(self.raw)

    @property
    def database_key(self) -> bytes:
        return self.derive("sqlcipher")

    @property
    def files_key(self) -> bytes:
        """The key :mod:`nonasn_desktop.crypto.atrest` derives the files' identities from."""
        return self.derive("files")


def slots_path(folder: DataDir) -> Path:
    return folder.path / KEY_SLOTS_FILE


def attempts_path(folder: DataDir) -> Path:
    return folder.path / ATTEMPTS_FILE


def _read_limited(path: Path, limit: int) -> bytes | None:
    """The file's bytes, None when missing; refuses a special file or one over ``limit``."""
    try:
        if not path.is_file():
            if path.exists():
                raise DataDirError(
                    f"{path} bukan berkas biasa.",
                    hint="Hapus atau pindahkan benda itu dari folder data, lalu coba lagi.",
                )
            return None
        with path.open("rb") as stream:
            data = stream.read(limit + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise DataDirError(
            f"Berkas {path} tidak dapat dibaca ({exc.strerror or exc}).",
            hint="Periksa izin folder data dan diskanya, lalu coba lagi.",
        ) from exc
    if len(data) > limit:
        return b""  # Too large to be ours: treated as damaged by the caller.
    return data


def read_slots(folder: DataDir) -> keyslots.KeySlots | None:
    """The folder's key slots; None for a folder made before encryption at rest."""
    data = _read_limited(slots_path(folder), _MAX_SLOTS_FILE)
    if data is None:
        return None
    return keyslots.loads(data, where=str(slots_path(folder)))


def write_slots(folder: DataDir, slots: keyslots.KeySlots) -> None:
    path = slots_path(folder)
    try:
        write_bytes_atomically(path, keyslots.dumps(slots))
    except OSError as exc:
        raise DataDirError(
            f"Kunci folder data tidak dapat disimpan ke {path} ({exc.strerror or exc}).",
            hint="Pastikan folder data dapat ditulis dan masih ada ruang, lalu coba lagi; "
            "tidak ada yang berubah.",
        ) from exc


def new_slots(
    folder_id: str,
    key: DataKey,
    username: str,
    password: str,
    recovery_key: bytes,
    params: KdfParams | None = None,
) -> keyslots.KeySlots:
    """Slots for a new folder: the first admin's and the recovery key's."""
    slots = keyslots.KeySlots(folder_id)
    slots = slots.with_slot(keyslots.password_slot(folder_id, key.raw, username, password, params))
    return slots.with_slot(keyslots.recovery_slot(folder_id, key.raw, recovery_key))


# -- the recovery key not yet seen by an admin ---------------------------------------------------


def pending_recovery_path(folder: DataDir) -> Path:
    return folder.path / PENDING_RECOVERY_FILE


def seal_pending_recovery(key: DataKey, recovery_key: bytes) -> bytes:
    """The content of the pending recovery key file: ``recovery_key`` sealed with ``key``."""
    if len(recovery_key) != keyslots.RECOVERY_KEY_SIZE:
        raise ValueError("a recovery key is 20 bytes")
    return atrest.encrypt_bytes(recovery_key, key.files_key, "recovery")


def read_pending_recovery(folder: DataDir, key: DataKey) -> bytes | None:
    """The folder's recovery key while no admin has confirmed seeing it, else None.

    Only a key that opens the folder's present recovery slot is returned: a damaged file, or
    one left from a key since replaced, counts as none (an admin must never copy a key that
    does not work into the office safe).
    """
    data = _read_limited(pending_recovery_path(folder), _MAX_PENDING_FILE)
    if not data:
        return None
    slots = read_slots(folder)
    try:
        recovery = atrest.decrypt_bytes(data, key.files_key, "recovery")
        if slots is None or keyslots.open_with_recovery_key(slots, recovery) != key.raw:
            return None
    except (DecryptionError, WrongPassphraseError, ValueError):
        log.warning("the pending recovery key file does not open this folder; ignored")
        return None
    return recovery


def discard_pending_recovery(folder: DataDir) -> bool:
    """Destroy the pending recovery key (an admin has seen it, or it was replaced).

    False when it cannot be removed (a read-only folder): it is then shown again at the next
    admin sign-in, which is the safe side of the failure.
    """
    try:
        pending_recovery_path(folder).unlink(missing_ok=True)
    except OSError as exc:
        log.warning("the pending recovery key file cannot be removed: %s", exc.strerror)
        return False
    return True


# -- failed attempts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempts:
    """Failed unlocks of one username in a row, and until when it must wait."""

    failures: int = 0
    locked_until: dt.datetime | None = None


def read_attempts(folder: DataDir) -> dict[str, Attempts]:
    data = _read_limited(attempts_path(folder), _MAX_ATTEMPTS_FILE)
    if not data:
        return {}
    try:
        document = json.loads(data.decode("utf-8"))
        result: dict[str, Attempts] = {}
        for name, item in document.items():
            until = item.get("locked_until")
            result[str(name)] = Attempts(
                failures=max(0, int(item["failures"])),
                locked_until=dt.datetime.fromisoformat(until).astimezone(dt.UTC) if until else None,
            )
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
        # Damaged: forget the count rather than lock everybody out.
        return {}
    return result


def write_attempts(folder: DataDir, attempts: dict[str, Attempts]) -> None:
    document = {
        name: {
            "failures": value.failures,
            "locked_until": value.locked_until.isoformat() if value.locked_until else None,
        }
        for name, value in sorted(attempts.items())
        if value.failures or value.locked_until
    }
    try:
        write_bytes_atomically(attempts_path(folder), json.dumps(document).encode("utf-8"))
    except OSError:
        # A read-only or full folder must not stop a clerk from signing in; the count is
        # a brake on guessing at the keyboard, not the protection itself (argon2id is).
        return
