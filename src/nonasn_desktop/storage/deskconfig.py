"""What a data folder remembers about its desk: its code, its name and its office database.

A desk is one installation of the application (a clerk's PC on the office network; later also
an enrolled field laptop). Its code names it in the audit log, in edit locks and as the place a
record was first saved; its name is what other clerks read ("Sedang dibuka oleh Siti (Meja 2)").
The office database URL is remembered here so that a desk of a multi-desk office opens the
office's PostgreSQL database without any environment variable; ``NONASN_DATABASE_URL`` still
overrides it. The file lives in the data folder only: nothing here is written to the office
database, so a desk joining an office changes nothing there.

The URL may carry ``sslmode`` / ``sslrootcert`` (passed to psycopg as they are); a password is
better kept in PostgreSQL's own ``pgpass`` file than in this one. The file is written
atomically and readable by its owner only.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path

from nonasn_desktop.atomicfile import write_bytes_atomically
from nonasn_desktop.errors import DataDirError

DESK_FILE = "meja.json"
DESK_NAME_MAX = 60
DESK_CODE_PREFIX = "M"
FORMAT_VERSION = 1
# What kind of installation the folder is: a desk of the office, or an enrolled field laptop.
KIND_DESK = "meja"
KIND_FIELD_DEVICE = "perangkat_lapangan"


@dataclass(frozen=True)
class DeskConfig:
    code: str | None = None
    name: str | None = None
    # The office database (SQLAlchemy URL); None: the SQLite file of the data folder.
    database_url: str | None = None
    # KIND_FIELD_DEVICE for a laptop set up from an enrolment file (None: a desk).
    kind: str | None = None
    # A field laptop's trusted office public key (minisign text), for people reading the file;
    # the laptop's database holds the same (office.fielddevice), which is what is used.
    office_public_key: str | None = None


def desk_file(folder: Path) -> Path:
    return Path(folder) / DESK_FILE


def new_desk_code() -> str:
    """A fresh desk code, e.g. ``M3FA91C07``: random, so two desks never pick the same one
    without having to ask each other (a field laptop cannot ask anyone)."""
    return DESK_CODE_PREFIX + secrets.token_hex(4).upper()


def default_desk_name() -> str:
    """The computer's network name: what an office's IT staff already call that PC."""
    name = " ".join(socket.gethostname().split())
    return (name or "Meja")[:DESK_NAME_MAX]


def clean_desk_name(raw: str) -> str:
    name = " ".join(raw.split())
    if not name:
        raise DataDirError("Nama meja wajib diisi.", hint='Contoh: --desk-name "Meja 2"')
    return name[:DESK_NAME_MAX]


def _damaged(path: Path, detail: str) -> DataDirError:
    return DataDirError(
        f"Berkas pengaturan meja {path} rusak ({detail}).",
        hint="Hapus berkas itu lalu jalankan lagi: nonasn init --database-url URL "
        "(data di basis data kantor tidak terpengaruh).",
    )


def read_desk_config(folder: Path) -> DeskConfig:
    """The desk's settings; an empty DeskConfig when the folder has none yet."""
    path = desk_file(folder)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return DeskConfig()
    except (OSError, UnicodeDecodeError) as exc:
        raise _damaged(path, str(getattr(exc, "strerror", None) or exc)) from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        raise _damaged(path, "bukan JSON") from None
    if not isinstance(data, dict):
        raise _damaged(path, "bukan objek JSON")
    values = {
        key: data.get(key) for key in ("code", "name", "database_url", "kind", "office_public_key")
    }
    if any(value is not None and not isinstance(value, str) for value in values.values()):
        raise _damaged(path, "isian bukan teks")
    return DeskConfig(**{key: value or None for key, value in values.items()})


def write_desk_config(folder: Path, config: DeskConfig) -> None:
    path = desk_file(folder)
    data = {
        "format": FORMAT_VERSION,
        "code": config.code,
        "name": config.name,
        "database_url": config.database_url,
    }
    if config.kind is not None:
        data["kind"] = config.kind
    if config.office_public_key is not None:
        data["office_public_key"] = config.office_public_key
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    try:
        write_bytes_atomically(path, text.encode("utf-8"))
    except OSError as exc:
        raise DataDirError(
            f"Pengaturan meja tidak dapat disimpan di {path} ({exc.strerror}).",
            hint="Periksa izin dan ruang kosong folder data.",
        ) from None
    # The URL may name a user (and, against advice, a password): the owner only.
    with contextlib.suppress(OSError):
        path.chmod(0o600)
