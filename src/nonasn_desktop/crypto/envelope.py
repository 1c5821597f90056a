"""Signed, encrypted envelopes: the files an office sends to a field device.

An envelope carries one payload (bytes, in practice UTF-8 JSON) that is

- **signed** by the sender's Ed25519 key in minisign's pre-hashed form; the trusted comment
  names the envelope's kind (``enrolment``, ``refresh``, ``return``), so a file of one kind can
  never be passed off as another, and the reader checks the key it trusts;
- **encrypted** with age to one X25519 recipient: the device's own (derived from its signing
  seed, :func:`transfer_identity`), or, for the enrolment file (which carries the device's seed
  and so cannot be encrypted to it), an identity derived from the *enrolment passphrase* by
  argon2id (:func:`passphrase_identity`), whose salt and parameters stand in the envelope's
  clear header.

File layout::

    nonasn-envelope v1\\n
    {"kind": "...", "kdf": {...} or null}\\n        (one line of JSON, at most 4 KiB)
    <age v1 file>                                   (its plaintext: the signed document)

The signed document (age plaintext) is JSON ``{"payload": base64, "signature": minisig text}``.
Every read is bounded by the caller's limit; the age layer refuses a truncated or altered file,
the signature refuses a payload from anyone but the trusted key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import os
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from nonasn_desktop.crypto import age, atrest
from nonasn_desktop.crypto.errors import CryptoError, DecryptionError, SignatureError
from nonasn_desktop.crypto.kdf import KdfParams, derive, kdf_json, parse_kdf
from nonasn_desktop.crypto.minisign import PublicKey, SecretKey, Signature, verify_digest

MAGIC = b"nonasn-envelope v1\n"
TRUSTED_PREFIX = "nonasn-envelope v1 kind="
KINDS = frozenset({"enrolment", "refresh", "return"})
TRANSFER_INFO = b"nonasn-office-transfer-x25519"
_MAX_HEADER = 4096
_SALT_SIZE = 16


def transfer_identity(seed: bytes) -> age.Identity:
    """The X25519 identity files *for* the holder of an Ed25519 ``seed`` are encrypted to.

    Derived with HKDF from the signing key's seed, so no second secret has to be kept: the
    office's transfer recipient from the office key, a device's from the device key.
    """
    secret = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=TRANSFER_INFO).derive(seed)
    return age.Identity(secret)


def passphrase_identity(passphrase: str, salt: bytes, params: KdfParams) -> age.Identity:
    """The identity an enrolment file is encrypted to: argon2id of the enrolment passphrase,
    then the at-rest derivation of kind "enrolment"."""
    return atrest.identity(derive(passphrase, salt, params), "enrolment")


@dataclass(frozen=True)
class Opened:
    kind: str
    payload: bytes
    signature: Signature


class EnvelopeError(CryptoError):
    """An envelope file is not one, or not of the kind expected."""


def _damaged(name: str) -> EnvelopeError:
    return EnvelopeError(
        f"Berkas {name} rusak, terpotong, atau bukan berkas dari kantor untuk perangkat ini.",
        hint="Minta admin kantor membuat ulang berkas itu, lalu salin ulang.",
    )


def seal(
    payload: bytes,
    *,
    kind: str,
    signer: SecretKey,
    comment: str,
    recipient: age.Recipient | None = None,
    passphrase: str | None = None,
    params: KdfParams | None = None,
) -> bytes:
    """The envelope's bytes: ``payload`` signed by ``signer`` and encrypted to ``recipient``
    (or to ``passphrase``). ``comment``: facts for the trusted comment (no spaces-free rule:
    tokens ``key=value`` separated by spaces)."""
    if kind not in KINDS:
        raise ValueError(f"unknown envelope kind {kind}")
    if (recipient is None) == (passphrase is None):
        raise ValueError("give exactly one of recipient and passphrase")
    digest = hashlib.blake2b(payload, digest_size=64).digest()
    signature = signer.sign_digest(digest, trusted_comment=f"{TRUSTED_PREFIX}{kind} {comment}")
    document = json.dumps(
        {
            "payload": base64.b64encode(payload).decode("ascii"),
            "signature": signature.to_text(),
        }
    ).encode("utf-8")
    kdf: dict[str, Any] | None = None
    if passphrase is not None:
        params = params or KdfParams()
        salt = os.urandom(_SALT_SIZE)
        kdf = kdf_json(params, salt)
        recipient = passphrase_identity(passphrase, salt, params).recipient
    assert recipient is not None
    out = io.BytesIO()
    out.write(MAGIC)
    out.write(json.dumps({"kind": kind, "kdf": kdf}, sort_keys=True).encode("utf-8") + b"\n")
    writer = age.AgeWriter(out, [recipient])
    writer.write(document)
    writer.finish()
    return out.getvalue()


def _header(data: bytes, name: str) -> tuple[dict[str, Any], int]:
    if not data.startswith(MAGIC):
        raise _damaged(name)
    end = data.find(b"\n", len(MAGIC), len(MAGIC) + _MAX_HEADER)
    if end < 0:
        raise _damaged(name)
    try:
        header = json.loads(data[len(MAGIC) : end].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _damaged(name) from None
    if not isinstance(header, dict) or header.get("kind") not in KINDS:
        raise _damaged(name)
    return header, end + 1


def kind_of(data: bytes, name: str) -> str:
    """The kind an envelope says it is (unauthenticated: only for choosing what to ask)."""
    header, _ = _header(data, name)
    return str(header["kind"])


def _kdf(header: dict[str, Any], name: str) -> tuple[bytes, KdfParams]:
    try:
        params, salt = parse_kdf(header.get("kdf"), min_salt=_SALT_SIZE)
    except (KeyError, TypeError, ValueError):
        raise _damaged(name) from None
    return salt, params


def open_envelope(
    data: bytes,
    *,
    kind: str,
    trusted: PublicKey | None,
    name: str,
    identity: age.Identity | None = None,
    passphrase: str | None = None,
) -> Opened:
    """Decrypt and verify an envelope of ``kind`` signed by ``trusted``; raise a CryptoError
    subclass (with an Indonesian message naming ``name``) for anything else.

    ``trusted`` None: only for the enrolment file, which brings the key it is signed by; the
    caller then calls :func:`verify` with that key before believing the payload."""
    header, start = _header(data, name)
    if header["kind"] != kind:
        raise EnvelopeError(
            f"Berkas {name} adalah berkas jenis '{header['kind']}', bukan '{kind}'.",
            hint="Periksa berkas yang dipilih.",
        )
    if passphrase is not None:
        salt, params = _kdf(header, name)
        identity = passphrase_identity(passphrase, salt, params)
    if identity is None:
        raise ValueError("give an identity or a passphrase")
    try:
        reader = age.AgeReader(io.BytesIO(data[start:]), [identity])
        plaintext = reader.read()
    except DecryptionError:
        if passphrase is not None:
            raise DecryptionError(
                f"Berkas {name} tidak dapat dibuka: frasa sandi pendaftaran salah, atau "
                "berkasnya rusak/terpotong.",
                hint="Ketik frasa sandi yang diberikan admin kantor saat mendaftarkan perangkat "
                "ini (huruf besar/kecil diperhatikan).",
            ) from None
        raise DecryptionError(
            f"Berkas {name} tidak dapat dibuka: bukan untuk perangkat ini, atau rusak/terpotong.",
            hint="Minta admin kantor membuat berkas untuk perangkat ini, lalu salin ulang.",
        ) from None
    try:
        document = json.loads(plaintext.decode("utf-8"))
        payload = base64.b64decode(str(document["payload"]), validate=True)
        signature = Signature.parse(str(document["signature"]).encode("utf-8"), source=name)
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, RecursionError, binascii.Error):
        raise _damaged(name) from None
    opened = Opened(kind=kind, payload=payload, signature=signature)
    if trusted is not None:
        verify(opened, trusted, name=name)
    return opened


def verify(opened: Opened, trusted: PublicKey, *, name: str) -> None:
    """Raise SignatureError unless ``opened`` was signed by ``trusted`` as its kind."""
    signature = opened.signature
    if signature.key_id != trusted.key_id:
        raise SignatureError(
            f"Berkas {name} tidak ditandatangani dengan kunci kantor yang dipercaya perangkat "
            f"ini ({trusted.key_id_hex}).",
            hint="Hanya berkas dari kantor tempat perangkat ini didaftarkan yang diterima.",
        )
    digest = hashlib.blake2b(opened.payload, digest_size=64).digest()
    verify_digest(signature, trusted, digest, name=name)
    if not signature.trusted_comment.startswith(f"{TRUSTED_PREFIX}{opened.kind} "):
        raise _damaged(name)
