"""The office's signing key: made once, kept sealed in the data folder, used to sign batches.

The key is an Ed25519 key in minisign's terms (a random 8-byte key id plus the key). Its secret
half lives only in ``<data folder>/keys/office-signing.key``, sealed with the admin's passphrase
(argon2id + ChaCha20-Poly1305, see :mod:`nonasn_desktop.crypto.keyfile`); it is opened in memory
for the moment of signing and never written in plain. The public half is given to the central
office as a minisign public key file (``nonasn keys export``); its comment names the office,
which is how the centre's trust folder maps a key to an office.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from nonasn_desktop.atomicfile import AtomicFile, write_bytes_atomically
from nonasn_desktop.central.format import public_key_comment
from nonasn_desktop.core import audit
from nonasn_desktop.core.audit import SYSTEM_ACTOR
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.crypto import keyfile
from nonasn_desktop.crypto.minisign import PublicKey, SecretKey
from nonasn_desktop.errors import ConflictError, FieldError, NotFoundError, StorageError
from nonasn_desktop.office.identity import OfficeInfo, get_office

KEY_FOLDER = "keys"
KEY_FILE = "office-signing.key"
MIN_PASSPHRASE_LENGTH = 10


@dataclass(frozen=True)
class KeyInfo:
    """The public facts about the office key (nothing secret)."""

    key_id: str
    office_code: str
    office_name: str
    created_at: dt.datetime
    # The minisign public key file's text (two lines).
    public_key_text: str
    path: Path


def key_path(ctx: AppContext) -> Path:
    return ctx.data_dir.path / KEY_FOLDER / KEY_FILE


def _parse_time(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return dt.datetime.fromtimestamp(0, dt.UTC)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _read_key_file(ctx: AppContext) -> bytes | None:
    path = key_path(ctx)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StorageError(
            f"Berkas kunci kantor {path} tidak dapat dibaca ({exc.strerror}).",
            hint="Periksa izin folder data.",
        ) from None


def _info(ctx: AppContext, data: bytes) -> KeyInfo:
    path = key_path(ctx)
    info = keyfile.read_info(data, where=str(path))
    comment = public_key_comment(info.office_code, info.office_name, info.key_id_hex)
    return KeyInfo(
        key_id=info.key_id_hex,
        office_code=info.office_code,
        office_name=info.office_name,
        created_at=_parse_time(info.created_at),
        public_key_text=info.minisign_public_key(comment).to_text(),
        path=path,
    )


def get_key_info(ctx: AppContext) -> KeyInfo | None:
    """The office key's public facts; None when no key has been made yet."""
    data = _read_key_file(ctx)
    return None if data is None else _info(ctx, data)


def _missing_key() -> NotFoundError:
    return NotFoundError(
        "Kunci tanda tangan kantor belum dibuat.",
        hint="Buat dengan: nonasn init --office-code KODE --office-name NAMA "
        "(kunci dibuat bila belum ada), atau dari jendela Pengaturan Awal.",
    )


def require_key_info(ctx: AppContext) -> KeyInfo:
    info = get_key_info(ctx)
    if info is None:
        raise _missing_key()
    return info


def validate_new_passphrase(passphrase: str, repeat: str | None = None) -> None:
    """Raise FieldError unless ``passphrase`` is acceptable for a new key."""
    if len(passphrase.strip()) < MIN_PASSPHRASE_LENGTH:
        raise FieldError(
            "frasa_sandi",
            f"Frasa sandi kunci kantor paling sedikit {MIN_PASSPHRASE_LENGTH} karakter.",
            hint="Pakai beberapa kata yang mudah diingat admin, mis. 'kopi pagi di BKD 2022'.",
        )
    if repeat is not None and repeat != passphrase:
        raise FieldError("frasa_sandi_ulang", "Frasa sandi dan ulangannya tidak sama.")


def _require_office(ctx: AppContext) -> OfficeInfo:
    office = get_office(ctx)
    if office is None:
        raise ConflictError(
            "Kantor belum disiapkan; kunci kantor memerlukan kode kantor.",
            hint="Jalankan dulu: nonasn init --office-code KODE --office-name NAMA",
        )
    return office


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` readable by the owner only, atomically (fsync, rename)."""
    try:
        # The key folder, like the whole data folder, is the user's own.
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        pending = AtomicFile(path)
        try:
            pending.stream.write(data)
            pending.finish()
            if path.exists():
                raise ConflictError("Kunci tanda tangan kantor sudah ada; tidak diganti.")
            pending.install()
        except BaseException:
            pending.discard()
            raise
    except OSError as exc:
        raise StorageError(
            f"Kunci kantor tidak dapat disimpan di {path.parent} ({exc.strerror}).",
            hint="Periksa izin dan ruang kosong folder data.",
        ) from None


def create_office_key(ctx: AppContext, passphrase: str, *, actor: str = SYSTEM_ACTOR) -> KeyInfo:
    """Make the office's signing key, sealed with ``passphrase``. Refuses to replace a key."""
    office = _require_office(ctx)
    validate_new_passphrase(passphrase)
    if key_path(ctx).exists():
        raise ConflictError(
            "Kunci tanda tangan kantor sudah ada; tidak dibuat ulang.",
            hint="Batch yang sudah dikirim ditandatangani dengan kunci itu; menggantinya "
            "memerlukan pendaftaran kunci baru di kantor pusat.",
        )
    key = SecretKey.generate()
    created = ctx.now()
    data = keyfile.seal(
        key,
        passphrase,
        office_code=office.code,
        office_name=office.name,
        created_at=created.isoformat().replace("+00:00", "Z"),
    )
    _write_private(key_path(ctx), data)
    info = _info(ctx, data)
    with ctx.db.session() as session:
        audit.record(
            session,
            actor=actor,
            action="office_key.create",
            entity="office_key",
            entity_id=info.key_id,
            changes={"key_id": (None, info.key_id)},
            at=created,
        )
    return info


def unlock_office_key(ctx: AppContext, passphrase: str) -> SecretKey:
    """The signing key, opened with ``passphrase`` (WrongPassphraseError otherwise).

    The key must belong to the office of this data folder.
    """
    data = _read_key_file(ctx)
    if data is None:
        raise _missing_key()
    office = _require_office(ctx)
    info = keyfile.read_info(data, where=str(key_path(ctx)))
    if info.office_code != office.code:
        raise ConflictError(
            f"Kunci kantor di folder data ini milik kantor {info.office_code}, bukan "
            f"{office.code}.",
            hint="Folder data atau berkas kunci telah tertukar; pulihkan dari cadangan.",
        )
    return keyfile.unseal(data, passphrase, where=str(key_path(ctx)))


def check_passphrase(ctx: AppContext, passphrase: str) -> None:
    """Raise WrongPassphraseError unless ``passphrase`` opens the office key."""
    unlock_office_key(ctx, passphrase)


def public_key(ctx: AppContext) -> PublicKey:
    """The office's public key as a minisign key (with the office in its comment)."""
    info = require_key_info(ctx)
    return PublicKey.parse(info.public_key_text)


def export_public_key(ctx: AppContext, out: Path) -> KeyInfo:
    """Write the minisign public key file to ``out`` (replacing a file of that name)."""
    info = require_key_info(ctx)
    out = Path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        # A public key is meant to be handed on: readable by others, unlike everything else.
        write_bytes_atomically(out, info.public_key_text.encode("utf-8"), mode=0o644)
    except OSError as exc:
        raise StorageError(
            f"Kunci publik tidak dapat ditulis ke {out} ({exc.strerror}).",
            hint="Periksa apakah folder tujuan ada dan dapat ditulis.",
        ) from None
    return info
