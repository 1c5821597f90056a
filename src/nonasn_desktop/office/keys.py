"""The office's signing key: one per office, kept sealed in the office database, signs batches.

The key is an Ed25519 key in minisign's terms (a random 8-byte key id plus the key). Its secret
half lives only in the ``office_key`` row of the office database, sealed with the admin's
passphrase (argon2id + ChaCha20-Poly1305, see :mod:`nonasn_desktop.crypto.keyfile`), so every
desk of an office network signs with the same key: any admin at any desk opens it with the
passphrase, in memory, for the moment of signing; it is never written in plain. The public half
is given to the central office as a minisign public key file (``nonasn keys export``); its
comment names the office, which is how the centre's trust folder maps a key to an office.

Earlier versions kept the sealed key in ``<data folder>/keys/office-signing.key``. Such a file
is taken into the database at start-up when the database has no key yet
(:func:`adopt_key_file`), and left where it is.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import IntegrityError

from nonasn_desktop.accounts.authz import Actor, authorise
from nonasn_desktop.atomicfile import write_bytes_atomically
from nonasn_desktop.central.format import public_key_comment
from nonasn_desktop.core import audit
from nonasn_desktop.core.audit import SYSTEM_ACTOR
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.crypto import keyfile
from nonasn_desktop.crypto.minisign import PublicKey, SecretKey
from nonasn_desktop.errors import ConflictError, FieldError, NotFoundError, StorageError, UserError
from nonasn_desktop.office.identity import OfficeInfo, get_office
from nonasn_desktop.rules.permissions import Permission
from nonasn_desktop.storage.models import OfficeKey

log = logging.getLogger(__name__)

# Where earlier versions kept the sealed key, inside the data folder (see adopt_key_file).
KEY_FOLDER = "keys"
KEY_FILE = "office-signing.key"
MIN_PASSPHRASE_LENGTH = 10
KEY_ROW_ID = 1


@dataclass(frozen=True)
class KeyInfo:
    """The public facts about the office key (nothing secret)."""

    key_id: str
    office_code: str
    office_name: str
    created_at: dt.datetime
    # The minisign public key file's text (two lines).
    public_key_text: str
    # Where the sealed key is kept, for messages: the office database.
    where: str


def key_path(ctx: AppContext) -> Path:
    """Where an earlier version of the application kept the sealed key file."""
    return ctx.data_dir.path / KEY_FOLDER / KEY_FILE


def _where(ctx: AppContext) -> str:
    return f"basis data kantor ({ctx.db.location})"


def _parse_time(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return dt.datetime.fromtimestamp(0, dt.UTC)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _read_sealed(ctx: AppContext) -> bytes | None:
    with ctx.db.session() as session:
        row = session.get(OfficeKey, KEY_ROW_ID)
        return None if row is None else bytes(row.sealed)


def _info(ctx: AppContext, data: bytes, *, where: str | None = None) -> KeyInfo:
    where = where or _where(ctx)
    info = keyfile.read_info(data, where=where)
    comment = public_key_comment(info.office_code, info.office_name, info.key_id_hex)
    return KeyInfo(
        key_id=info.key_id_hex,
        office_code=info.office_code,
        office_name=info.office_name,
        created_at=_parse_time(info.created_at),
        public_key_text=info.minisign_public_key(comment).to_text(),
        where=where,
    )


def get_key_info(ctx: AppContext) -> KeyInfo | None:
    """The office key's public facts; None when no key has been made yet."""
    data = _read_sealed(ctx)
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


def create_office_key(ctx: AppContext, passphrase: str) -> KeyInfo:
    """Make the office's signing key, sealed with ``passphrase``. Refuses to replace a key
    (also one that another desk made a moment ago).

    Set-up, not an operation of a clerk: ``nonasn init`` and the first start make the one key
    of an office that has none yet (audited as the system); there is nothing to replace.
    """
    office = _require_office(ctx)
    validate_new_passphrase(passphrase)
    if _read_sealed(ctx) is not None:
        raise _key_exists()
    key = SecretKey.generate()
    created = ctx.now()
    data = keyfile.seal(
        key,
        passphrase,
        office_code=office.code,
        office_name=office.name,
        created_at=created.isoformat().replace("+00:00", "Z"),
    )
    info = _info(ctx, data)
    _store(ctx, info, data, action="office_key.create", actor=SYSTEM_ACTOR, at=created)
    return info


def _key_exists() -> ConflictError:
    return ConflictError(
        "Kunci tanda tangan kantor sudah ada; tidak dibuat ulang.",
        hint="Batch yang sudah dikirim ditandatangani dengan kunci itu; menggantinya "
        "memerlukan pendaftaran kunci baru di kantor pusat.",
    )


def _store(
    ctx: AppContext, info: KeyInfo, data: bytes, *, action: str, actor: str, at: dt.datetime
) -> None:
    """Insert the one key row with its audit entry; ConflictError when a key is there."""
    try:
        with ctx.db.session() as session:
            session.add(OfficeKey(id=KEY_ROW_ID, key_id=info.key_id, sealed=data, created_at=at))
            session.flush()
            audit.record(
                session,
                actor=actor,
                action=action,
                entity="office_key",
                entity_id=info.key_id,
                changes={"key_id": (None, info.key_id)},
                at=at,
            )
    except IntegrityError:
        # Another desk stored the office's key between our check and our insert.
        raise _key_exists() from None


def adopt_key_file(ctx: AppContext) -> KeyInfo | None:
    """Take the key file an earlier version left in the data folder into the database.

    Only when the database has no key and the file belongs to the database's office; the file
    is left as it is either way. Returns the adopted key, None when nothing was taken. A
    damaged or foreign file is logged and left for the admin (``nonasn keys show`` tells).
    """
    path = key_path(ctx)
    if not path.is_file():
        return None
    office = get_office(ctx)
    if office is None or _read_sealed(ctx) is not None:
        return None
    try:
        data = path.read_bytes()
        info = _info(ctx, data, where=str(path))
    except (OSError, UserError) as exc:
        log.warning("office key file %s not taken into the database: %s", path, exc)
        return None
    if info.office_code != office.code:
        log.warning(
            "office key file %s belongs to office %s, not %s; not taken into the database",
            path,
            info.office_code,
            office.code,
        )
        return None
    try:
        _store(ctx, info, data, action="office_key.adopt", actor=SYSTEM_ACTOR, at=ctx.now())
    except ConflictError:
        return None
    log.info("office key %s taken from %s into the database", info.key_id, path)
    return _info(ctx, data)


def unlock_office_key(ctx: AppContext, passphrase: str) -> SecretKey:
    """The signing key, opened with ``passphrase`` (WrongPassphraseError otherwise).

    The key must belong to the office of this database.
    """
    data = _read_sealed(ctx)
    if data is None:
        raise _missing_key()
    office = _require_office(ctx)
    info = keyfile.read_info(data, where=_where(ctx))
    if info.office_code != office.code:
        raise ConflictError(
            f"Kunci kantor di basis data ini milik kantor {info.office_code}, bukan {office.code}.",
            hint="Basis data kantor telah tertukar atau diubah; pulihkan dari cadangan.",
        )
    return keyfile.unseal(data, passphrase, where=_where(ctx))


def check_passphrase(ctx: AppContext, passphrase: str) -> None:
    """Raise WrongPassphraseError unless ``passphrase`` opens the office key."""
    unlock_office_key(ctx, passphrase)


def public_key(ctx: AppContext) -> PublicKey:
    """The office's public key as a minisign key (with the office in its comment)."""
    info = require_key_info(ctx)
    return PublicKey.parse(info.public_key_text)


def export_public_key(ctx: AppContext, out: Path, *, actor: Actor) -> KeyInfo:
    """Write the minisign public key file to ``out`` (replacing a file of that name).

    Admins only: the file is what the central office registers as this office's key.
    """
    authorise(ctx, actor, Permission.KEY_MANAGE)
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
