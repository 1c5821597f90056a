"""Verifying a backup archive completely: manifest, every member's size and SHA-256, and a
database that passes ``PRAGMA integrity_check`` and has a schema this version knows.

Verification extracts into a folder when restoring (the staging folder beside the data), so a
restore never uses bytes that were not checked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import stat
import tempfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import IO, Any

from nonasn_desktop.atomicfile import atomic_write
from nonasn_desktop.backup import sealed
from nonasn_desktop.backup.archive import (
    ARCHIVE_FORMAT,
    ARCHIVE_FORMAT_VERSION,
    CHUNK,
    DOCUMENTS,
    MANIFEST_NAME,
    BackupError,
    BackupInfo,
    connect,
    database_errors,
    info_from_manifest,
    scalar,
)
from nonasn_desktop.backup.schema import schema_difference
from nonasn_desktop.crypto import keyslots
from nonasn_desktop.policy import BackupLimits, default_policy
from nonasn_desktop.rules.documents import format_size
from nonasn_desktop.storage import vault
from nonasn_desktop.storage.datadir import DATABASE_FILE
from nonasn_desktop.storage.upgrade import integrity_problems, known_revision

log = logging.getLogger(__name__)


def _damaged(archive: Path, detail: str) -> BackupError:
    return BackupError(
        f"Berkas cadangan {archive.name} tidak dapat dipakai: {detail}.",
        hint="Data sekarang tidak diubah. Pakai berkas cadangan lain (misalnya cadangan "
        "otomatis di diska USB).",
    )


def _safe_member_name(name: str) -> bool:
    """Only the database and files under documents/, with plain relative names."""
    if name == DATABASE_FILE:
        return True
    if "\\" in name or ":" in name or name.endswith("/"):
        return False
    path = PurePosixPath(name)
    parts = path.parts
    return (
        not path.is_absolute()
        and len(parts) >= 2  # documents/<file> at least
        and parts[0] == DOCUMENTS
        and all(part not in ("", ".", "..") and not part.startswith(".") for part in parts)
    )


def _read_bounded(archive: zipfile.ZipFile, name: str, limit: int) -> bytes | None:
    """A member's bytes, or None when it inflates to more than ``limit`` (read no further:
    the sizes in a ZIP's headers can lie)."""
    with archive.open(name) as stream:
        data = stream.read(limit + 1)
    return None if len(data) > limit else data


def _check_limits(archive_path: Path, members: list[dict[str, Any]], limits: BackupLimits) -> None:
    """The manifest's promises within the named limits (forms/backup_limits.toml); what is
    inflated later is held to these promises, so nothing beyond them is ever unpacked."""
    if len(members) + 1 > limits.max_members:
        raise _damaged(
            archive_path,
            f"berisi {len(members) + 1} berkas, lebih dari batas {limits.max_members}",
        )
    total = 0
    for member in members:
        size = member["size"]
        limit = (
            limits.max_database_bytes
            if member["name"] == DATABASE_FILE
            else limits.max_document_bytes
        )
        if size < 0 or size > limit:
            raise _damaged(
                archive_path,
                f"berkas {member['name']} di dalamnya berukuran {format_size(max(size, 0))}, "
                f"lebih dari batas {format_size(limit)}",
            )
        total += size
    if total > limits.max_total_bytes:
        raise _damaged(
            archive_path,
            f"isinya berukuran {format_size(total)} setelah dibuka, lebih dari batas "
            f"{format_size(limits.max_total_bytes)}",
        )


def read_manifest(
    archive_path: Path, archive: zipfile.ZipFile, limits: BackupLimits | None = None
) -> dict[str, Any]:
    """The manifest, checked for form and against ``limits`` (default: the installed policy)."""
    limits = limits if limits is not None else default_policy().backup_limits
    try:
        raw = _read_bounded(archive, MANIFEST_NAME, limits.max_manifest_bytes)
    except KeyError:
        raise _damaged(archive_path, "daftar isinya (manifest.json) tidak ada") from None
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError):
        raise _damaged(archive_path, "daftar isinya (manifest.json) rusak") from None
    if raw is None:
        raise _damaged(
            archive_path,
            "daftar isinya (manifest.json) lebih besar dari batas "
            f"{format_size(limits.max_manifest_bytes)}",
        )
    try:
        manifest = json.loads(raw.decode("utf-8"))
        if not isinstance(manifest, dict):
            raise TypeError
        if manifest.get("format") != ARCHIVE_FORMAT:
            raise _damaged(archive_path, "bukan cadangan aplikasi Pendataan Non-ASN")
        if not isinstance(manifest.get("format_version"), int):
            raise TypeError
        if manifest["format_version"] > ARCHIVE_FORMAT_VERSION:
            raise _damaged(
                archive_path,
                f"dibuat oleh versi aplikasi yang lebih baru ({manifest.get('app_version')})",
            )
        members = manifest["members"]
        for member in members:
            if not (
                isinstance(member["name"], str)
                and isinstance(member["size"], int)
                and isinstance(member["sha256"], str)
            ):
                raise TypeError
        dt.datetime.fromisoformat(manifest["created_at"])
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError):
        raise _damaged(archive_path, "daftar isinya (manifest.json) rusak") from None
    _check_limits(archive_path, members, limits)
    return manifest


def check_archive_path(path: Path) -> None:
    """Refuse, before reading a byte, what is not an ordinary file: a folder, a device (also
    through a symbolic link, e.g. to /dev/zero, which never ends), a pipe (FIFO), a socket."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise BackupError(f"Berkas cadangan {path} tidak ditemukan.") from None
    except OSError as exc:
        raise BackupError(f"Berkas cadangan {path} tidak dapat dibaca ({exc.strerror}).") from None
    if stat.S_ISDIR(info.st_mode):
        raise BackupError(
            f"{path} adalah folder, bukan berkas cadangan.",
            hint="Pilih berkas cadangan .zip di dalam folder itu.",
        )
    if not stat.S_ISREG(info.st_mode):
        raise BackupError(
            f"{path} bukan berkas biasa (mis. perangkat atau pipa), jadi bukan berkas cadangan; "
            "berkas itu tidak dibaca.",
            hint="Pilih berkas cadangan .zip yang dibuat aplikasi ini.",
        )


# The end of a ZIP: its last record (22 bytes, then a comment of at most 64 KB) states how
# many entries the central directory holds; ZIP64 archives state it in a record before that.
_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"


def _declared_entries(path: Path) -> int | None:
    """How many entries the archive's end record declares (None: no end record found)."""
    with path.open("rb") as stream:
        size = stream.seek(0, os.SEEK_END)
        tail_start = max(0, size - (22 + 65535 + 20))
        stream.seek(tail_start)
        tail = stream.read()
        at = tail.rfind(_EOCD)
        if at < 0 or len(tail) - at < 22:
            return None
        count = int.from_bytes(tail[at + 10 : at + 12], "little")
        locator = at - 20
        if count == 0xFFFF and locator >= 0 and tail[locator : locator + 4] == _ZIP64_LOCATOR:
            offset = int.from_bytes(tail[locator + 8 : locator + 16], "little")
            stream.seek(offset)
            record = stream.read(56)
            if len(record) == 56 and record[:4] == _ZIP64_EOCD:
                count = int.from_bytes(record[32:40], "little")
        return count


def open_archive(
    path: Path, limits: BackupLimits | None = None, key: vault.DataKey | None = None
) -> zipfile.ZipFile:
    """The archive, opened after its path and its number of entries were found acceptable:
    reading the central directory of millions of entries would take the memory first.

    A sealed archive (of an encrypted folder, :mod:`.sealed`) is opened with ``key``: the
    archive returned is the one inside it."""
    limits = limits if limits is not None else default_policy().backup_limits
    check_archive_path(path)
    try:
        declared = _declared_entries(path)
        if declared is not None and declared > limits.max_members:
            raise _damaged(path, f"berisi {declared} berkas, lebih dari batas {limits.max_members}")
        archive = zipfile.ZipFile(path)
        if not sealed.is_sealed(archive):
            return archive
        archive.close()
        return sealed.open_inner(path, key)
    except FileNotFoundError:
        raise BackupError(f"Berkas cadangan {path} tidak ditemukan.") from None
    except IsADirectoryError:
        raise BackupError(f"{path} adalah folder, bukan berkas cadangan.") from None
    except OSError as exc:
        raise BackupError(f"Berkas cadangan {path} tidak dapat dibaca ({exc.strerror}).") from None
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise _damaged(path, "bukan arsip cadangan yang utuh") from None


def _copy_member(
    archive_path: Path, archive: zipfile.ZipFile, member: dict[str, Any], out: IO[bytes] | None
) -> None:
    name = member["name"]
    digest = hashlib.sha256()
    size = 0
    try:
        with archive.open(name) as stream:
            # At most one byte more than the manifest promised is ever inflated.
            while chunk := stream.read(min(CHUNK, member["size"] - size + 1)):
                digest.update(chunk)
                size += len(chunk)
                if size > member["size"]:
                    raise _damaged(
                        archive_path, f"isi {name} lebih besar dari yang tercantum di daftar isi"
                    )
                if out is not None:
                    out.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError):
        # A CRC mismatch (BadZipFile) or undecodable compressed data: damaged bytes.
        raise _damaged(archive_path, f"isi {name} rusak") from None
    if size != member["size"] or digest.hexdigest() != member["sha256"]:
        raise _damaged(archive_path, f"isi {name} tidak sama dengan sidik SHA-256 di daftar isi")


def verify_into(
    archive_path: Path,
    folder: Path | None,
    limits: BackupLimits | None = None,
    key: vault.DataKey | None = None,
) -> BackupInfo:
    """Check everything; with ``folder``, extract the database and documents into it.

    Without ``folder`` only the database is extracted (to a temporary folder) for its
    integrity check; the documents are hashed as they stream by. A sealed archive needs the
    ``key`` of its folder; what it holds stays encrypted when extracted, and its key slots are
    extracted beside the database.
    """
    with open_archive(archive_path, limits, key) as archive:
        manifest = read_manifest(archive_path, archive, limits)
        encrypted = bool(manifest.get("encrypted"))
        if encrypted and key is None:
            raise _damaged(archive_path, "menyebut dirinya terenkripsi tetapi tidak tersegel")
        names = [info.filename for info in archive.infolist()]
        if len(names) != len(set(names)):
            raise _damaged(archive_path, "ada nama berkas ganda di dalamnya")
        listed = [m["name"] for m in manifest["members"]]
        for name in listed:
            if not _safe_member_name(name):
                raise _damaged(archive_path, f"ada nama berkas yang tidak sah ({name!r})")
        missing = set(listed) - set(names)
        if missing:
            raise _damaged(archive_path, f"berkas {sorted(missing)[0]} hilang dari dalamnya")
        extra = set(names) - set(listed) - {MANIFEST_NAME}
        if extra:
            raise _damaged(archive_path, f"berisi berkas {sorted(extra)[0]} di luar daftar isi")
        if DATABASE_FILE not in listed:
            raise _damaged(archive_path, "basis data tidak ada di dalamnya")
        if not manifest.get("database_ok", False):
            raise _damaged(archive_path, "basis data di dalamnya sudah rusak saat dicadangkan")
        with tempfile.TemporaryDirectory(prefix="nonasn-periksa-") as scratch:
            db_folder = folder if folder is not None else Path(scratch)
            for member in manifest["members"]:
                name = member["name"]
                if name == DATABASE_FILE or folder is not None:
                    target = db_folder.joinpath(*PurePosixPath(name).parts)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with atomic_write(target) as out:
                        _copy_member(archive_path, archive, member, out)
                else:
                    _copy_member(archive_path, archive, member, None)
            _check_database(archive_path, db_folder / DATABASE_FILE, key if encrypted else None)
    if folder is not None and encrypted:
        with zipfile.ZipFile(archive_path) as outer:
            slots = sealed.read_slots(outer, archive_path.name)
        (folder / vault.KEY_SLOTS_FILE).write_bytes(keyslots.dumps(slots))
    return info_from_manifest(archive_path, manifest)


def _check_database(archive_path: Path, db_file: Path, key: vault.DataKey | None) -> None:
    try:
        connection = connect(db_file, key)
        try:
            problems = integrity_problems(connection)
            revision = scalar(connection, "SELECT version_num FROM alembic_version")
            difference: str | None = None
            if revision is not None and not problems and known_revision(str(revision)):
                difference = schema_difference(connection, str(revision))
        finally:
            connection.close()
    except database_errors():
        raise _damaged(archive_path, "basis data di dalamnya bukan basis data yang utuh") from None
    if problems:
        log.warning("backup %s: integrity check failed: %s", archive_path, problems[:5])
        raise _damaged(archive_path, "basis data di dalamnya rusak (pemeriksaan keutuhan gagal)")
    if revision is None:
        raise _damaged(archive_path, "basis data di dalamnya tidak berisi data aplikasi ini")
    if not known_revision(str(revision)):
        raise _damaged(
            archive_path,
            f"dibuat oleh versi aplikasi yang lebih baru (skema {revision}); pasang versi terbaru",
        )
    if difference is not None:
        # Tables, indexes and triggers (the audit trail's append-only triggers among them)
        # must be exactly those of the revision: anything else was changed by hand.
        log.warning("backup %s: schema differs from %s: %s", archive_path, revision, difference)
        raise _damaged(
            archive_path,
            f"susunan basis data di dalamnya tidak sama dengan skema {revision} aplikasi ini "
            f"({difference}); basis data itu telah diubah di luar aplikasi",
        )


def read_error(archive: Path, exc: OSError) -> BackupError:
    return BackupError(
        f"Berkas cadangan {archive.name} tidak dapat dibaca atau diperiksa ({exc.strerror}).",
        hint="Data sekarang tidak diubah. Periksa diska tempat berkas itu dan ruang kosong "
        "disk, lalu coba lagi.",
    )


def verify_backup(
    archive: Path, *, limits: BackupLimits | None = None, key: vault.DataKey | None = None
) -> BackupInfo:
    """Check an archive completely without changing anything; BackupError says what is wrong.

    ``key``: of the folder a sealed archive belongs to (see :func:`open_archive`)."""
    archive = Path(archive).expanduser()
    try:
        return verify_into(archive, None, limits, key)
    except OSError as exc:
        raise read_error(archive, exc) from None
