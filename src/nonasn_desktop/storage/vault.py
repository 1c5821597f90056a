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
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from nonasn_desktop.atomicfile import write_bytes_atomically
from nonasn_desktop.crypto import keyslots
from nonasn_desktop.crypto.kdf import KdfParams
from nonasn_desktop.errors import DataDirError
from nonasn_desktop.storage.datadir import DataDir

KEY_SLOTS_FILE: Final = "kunci-data.json"
ATTEMPTS_FILE: Final = "kunci-data-percobaan.json"
_MAX_ATTEMPTS_FILE: Final = 1024 * 1024
_MAX_SLOTS_FILE: Final = 4 * 1024 * 1024


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
