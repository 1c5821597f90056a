"""age v1 encryption (https://age-encryption.org/v1) to X25519 recipients, streamed.

Why not a binding: the batch export writes its ZIP container straight into the encryption
(push: ``write()`` as the archive grows) and the central office reads the ZIP back with random
access (its directory is at the end). Both need an encrypting *writer* and a *seekable*
decrypting reader, so that memory stays flat and no plain copy of identity-card scans ever
touches a disk. The format is small; this module follows the specification exactly and the
tests prove interoperability with the stock ``age`` tool in both directions.

Supported: X25519 recipients (``age1…``) and identities (``AGE-SECRET-KEY-1…``, as written by
``age-keygen``). Other stanzas are ignored when decrypting, as the specification requires; a file
meant only for a passphrase (scrypt) or a plugin is refused with a clear message. The armored
(PEM) form is not supported.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from nonasn_desktop.crypto import bech32
from nonasn_desktop.crypto.errors import CryptoError, DecryptionError

VERSION_LINE = b"age-encryption.org/v1\n"
ARMOR_LINE = b"-----BEGIN AGE ENCRYPTED FILE-----"
CHUNK_SIZE = 64 * 1024
TAG_SIZE = 16
ENCRYPTED_CHUNK_SIZE = CHUNK_SIZE + TAG_SIZE
FILE_KEY_SIZE = 16
NONCE_SIZE = 16
X25519_TAG = "X25519"
X25519_INFO = b"age-encryption.org/v1/X25519"
RECIPIENT_HRP = "age"
IDENTITY_HRP = "age-secret-key-"
_LINE_COLUMNS = 64
_MAX_HEADER_LINE = 4096
_MAX_HEADER_BYTES = 1024 * 1024
_MAX_CHUNKS = 1 << 88
_ZERO_NONCE = bytes(12)


def _b64encode(data: bytes) -> bytes:
    return base64.b64encode(data).rstrip(b"=")


def _b64decode(text: bytes) -> bytes:
    """Unpadded, canonical standard base64 (the specification rejects anything else)."""
    if b"=" in text or b"\n" in text or b"\r" in text:
        raise ValueError("padded or wrapped base64")
    try:
        data = base64.b64decode(text + b"=" * (-len(text) % 4), validate=True)
    except binascii.Error:
        raise ValueError("not base64") from None
    if _b64encode(data) != text:
        raise ValueError("non-canonical base64")
    return data


def _hkdf(ikm: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(ikm)


def _header_mac(file_key: bytes, header_without_mac: bytes) -> bytes:
    key = _hkdf(file_key, b"", b"header")
    return hmac.digest(key, header_without_mac, "sha256")


def is_age_file(head: bytes) -> bool:
    """True when ``head`` (the first bytes of a file) starts an age v1 file."""
    return head.startswith(VERSION_LINE)


@dataclass(frozen=True)
class Stanza:
    """One recipient stanza of the header."""

    type: str
    args: tuple[str, ...]
    body: bytes

    def encode(self) -> bytes:
        line = " ".join((self.type, *self.args)).encode("ascii")
        encoded = _b64encode(self.body)
        lines = [encoded[i : i + _LINE_COLUMNS] for i in range(0, len(encoded), _LINE_COLUMNS)]
        if not lines or len(lines[-1]) == _LINE_COLUMNS:
            # The body ends with a line shorter than 64 columns, possibly empty.
            lines.append(b"")
        return b"-> " + line + b"\n" + b"".join(chunk + b"\n" for chunk in lines)


class Recipient:
    """An X25519 recipient: the public half of an age identity (``age1…``)."""

    def __init__(self, public_key: bytes) -> None:
        if len(public_key) != 32:
            raise ValueError("an X25519 public key has 32 bytes")
        self.public_key = public_key

    @classmethod
    def parse(cls, text: str) -> Recipient:
        value = text.strip()
        problem = (
            f"Penerima age '{value}' tidak sah.",
            "Penerima age berbentuk age1… (58 karakter, dari age-keygen atau kantor pusat).",
        )
        try:
            hrp, data = bech32.decode(value)
        except bech32.Bech32Error:
            raise CryptoError(problem[0], hint=problem[1]) from None
        if hrp != RECIPIENT_HRP or len(data) != 32 or value != value.lower():
            raise CryptoError(problem[0], hint=problem[1])
        return cls(data)

    def __str__(self) -> str:
        return bech32.encode(RECIPIENT_HRP, self.public_key)

    def __repr__(self) -> str:
        return f"Recipient({self})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Recipient) and other.public_key == self.public_key

    def __hash__(self) -> int:
        return hash(self.public_key)

    def wrap(self, file_key: bytes) -> Stanza:
        ephemeral = X25519PrivateKey.generate()
        share = ephemeral.public_key().public_bytes_raw()
        shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(self.public_key))
        wrap_key = _hkdf(shared, share + self.public_key, X25519_INFO)
        body = ChaCha20Poly1305(wrap_key).encrypt(_ZERO_NONCE, file_key, None)
        return Stanza(X25519_TAG, (_b64encode(share).decode("ascii"),), body)


class Identity:
    """An X25519 identity (secret key), as written by ``age-keygen``."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) != 32:
            raise ValueError("an X25519 secret key has 32 bytes")
        self._secret = secret
        self._key = X25519PrivateKey.from_private_bytes(secret)

    @classmethod
    def generate(cls) -> Identity:
        return cls(os.urandom(32))

    @classmethod
    def parse(cls, text: str) -> Identity:
        value = text.strip()
        try:
            hrp, data = bech32.decode(value)
        except bech32.Bech32Error:
            hrp, data = "", b""
        if hrp != IDENTITY_HRP or len(data) != 32:
            raise CryptoError(
                "Kunci identitas age tidak sah.",
                hint="Kunci identitas berbentuk AGE-SECRET-KEY-1… (dari age-keygen).",
            )
        return cls(data)

    def __str__(self) -> str:
        return bech32.encode(IDENTITY_HRP, self._secret).upper()

    def __repr__(self) -> str:
        return f"Identity(recipient={self.recipient})"

    @property
    def recipient(self) -> Recipient:
        return Recipient(self._key.public_key().public_bytes_raw())

    def unwrap(self, stanza: Stanza) -> bytes | None:
        """The file key when ``stanza`` is addressed to this identity, else None."""
        if stanza.type != X25519_TAG:
            return None
        if len(stanza.args) != 1:
            raise DecryptionError("Kepala berkas terenkripsi rusak (stanza X25519 tidak sah).")
        try:
            share = _b64decode(stanza.args[0].encode("ascii"))
        except ValueError:
            share = b""
        if len(share) != 32 or len(stanza.body) != FILE_KEY_SIZE + TAG_SIZE:
            raise DecryptionError("Kepala berkas terenkripsi rusak (stanza X25519 tidak sah).")
        try:
            shared = self._key.exchange(X25519PublicKey.from_public_bytes(share))
        except ValueError:
            # An all-zero shared secret (a low-order point): the specification says abort.
            raise DecryptionError(
                "Kepala berkas terenkripsi tidak sah (kunci sementara lemah)."
            ) from None
        own = self._key.public_key().public_bytes_raw()
        wrap_key = _hkdf(shared, share + own, X25519_INFO)
        try:
            return ChaCha20Poly1305(wrap_key).decrypt(_ZERO_NONCE, stanza.body, None)
        except InvalidTag:
            return None


def read_identities(path: Path) -> list[Identity]:
    """The identities of an identity file (``age-keygen -o``): comments and blank lines skipped."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "bukan berkas teks"
        raise CryptoError(
            f"Berkas kunci identitas {path} tidak dapat dibaca ({reason}).",
            hint="Berikan berkas yang dibuat oleh age-keygen.",
        ) from None
    identities: list[Identity] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            identities.append(Identity.parse(stripped))
        except CryptoError:
            raise CryptoError(
                f"Baris {number} berkas kunci identitas {path} bukan kunci age X25519.",
                hint="Berikan berkas yang dibuat oleh age-keygen (AGE-SECRET-KEY-1…).",
            ) from None
    if not identities:
        raise CryptoError(
            f"Berkas {path} tidak berisi kunci identitas age.",
            hint="Berikan berkas yang dibuat oleh age-keygen (AGE-SECRET-KEY-1…).",
        )
    return identities


def _chunk_nonce(counter: int, *, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


class AgeWriter:
    """Encrypts everything written to it into ``sink`` as an age file; call :meth:`finish`.

    Holds at most one chunk (64 KiB) plus the caller's last write in memory. ``finish`` writes
    the final chunk; without it the output is not a valid age file (a reader refuses it as
    truncated), which is what an interrupted export must leave behind.
    """

    def __init__(self, sink: BinaryIO, recipients: Sequence[Recipient]) -> None:
        if not recipients:
            raise ValueError("at least one recipient is needed")
        file_key = os.urandom(FILE_KEY_SIZE)
        header = VERSION_LINE + b"".join(r.wrap(file_key).encode() for r in recipients) + b"---"
        nonce = os.urandom(NONCE_SIZE)
        sink.write(header + b" " + _b64encode(_header_mac(file_key, header)) + b"\n" + nonce)
        self._sink = sink
        self._aead = ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload"))
        self._buffer = bytearray()
        self._counter = 0
        self._finished = False

    def _seal(self, chunk: bytes | bytearray | memoryview, *, last: bool) -> bytes:
        if self._counter >= _MAX_CHUNKS:
            raise OverflowError("age file too large")
        nonce = _chunk_nonce(self._counter, last=last)
        self._counter += 1
        return self._aead.encrypt(nonce, chunk, None)

    def write(self, data: bytes | bytearray | memoryview) -> int:
        if self._finished:
            raise ValueError("write to a finished age file")
        self._buffer += data
        # A full chunk is only known not to be the last when more data follows it.
        if len(self._buffer) > CHUNK_SIZE:
            view = memoryview(self._buffer)
            offset = 0
            sealed = []
            try:
                while len(self._buffer) - offset > CHUNK_SIZE:
                    sealed.append(self._seal(view[offset : offset + CHUNK_SIZE], last=False))
                    offset += CHUNK_SIZE
            finally:
                view.release()
            del self._buffer[:offset]
            # One write for all the chunks of this call: fewer, larger writes downstream.
            self._sink.write(sealed[0] if len(sealed) == 1 else b"".join(sealed))
        return len(data)

    def flush(self) -> None:
        self._sink.flush()

    def finish(self) -> None:
        """Write the final chunk. The sink is flushed but not closed."""
        if self._finished:
            return
        self._sink.write(self._seal(self._buffer, last=True))
        self._buffer = bytearray()
        self._finished = True
        self._sink.flush()


_DAMAGED_HEADER = "Kepala berkas terenkripsi (age) rusak atau bukan berkas age."


class _HeaderLines:
    """Reads the header's lines, each ending in a newline, refusing one line or the whole
    header past its bound; keeps the bytes read so far for the header MAC."""

    def __init__(self, source: BinaryIO, first: bytes) -> None:
        self._source = source
        self._consumed = 0
        self.header = bytearray(first)

    def line(self) -> bytes:
        raw = self._source.readline(_MAX_HEADER_LINE)
        self._consumed += len(raw)
        if not raw.endswith(b"\n") or self._consumed > _MAX_HEADER_BYTES:
            raise DecryptionError(_DAMAGED_HEADER)
        return raw


def _parse_header(source: BinaryIO) -> tuple[list[Stanza], bytes, bytes]:
    """(stanzas, header bytes up to and including '---', MAC) read from ``source``."""
    first = source.readline(_MAX_HEADER_LINE)
    if first.startswith(ARMOR_LINE):
        raise DecryptionError(
            "Berkas age berbentuk teks (armor) tidak didukung.",
            hint="Enkripsikan tanpa pilihan -a/--armor.",
        )
    if first != VERSION_LINE:
        raise DecryptionError(_DAMAGED_HEADER)
    lines = _HeaderLines(source, first)
    stanzas: list[Stanza] = []
    while True:
        current = lines.line()
        if current.startswith(b"---"):
            if not current.startswith(b"--- ") or not stanzas:
                raise DecryptionError(_DAMAGED_HEADER)
            lines.header += b"---"
            try:
                mac = _b64decode(current[4:-1])
            except ValueError:
                raise DecryptionError(_DAMAGED_HEADER) from None
            if len(mac) != 32:
                raise DecryptionError(_DAMAGED_HEADER)
            return stanzas, bytes(lines.header), mac
        if not current.startswith(b"-> "):
            raise DecryptionError(_DAMAGED_HEADER)
        lines.header += current
        stanzas.append(_read_stanza(current, lines))


def _read_stanza(first: bytes, lines: _HeaderLines) -> Stanza:
    """The stanza whose "-> " line is ``first``: its arguments, then its base64 body, which
    ends with the first line shorter than the full width."""
    args = first[3:-1].split(b" ")
    if any(not arg or any(c < 33 or c > 126 for c in arg) for arg in args):
        raise DecryptionError(_DAMAGED_HEADER)
    body = bytearray()
    while True:
        body_line = lines.line()
        lines.header += body_line
        content = body_line[:-1]
        if len(content) > _LINE_COLUMNS:
            raise DecryptionError(_DAMAGED_HEADER)
        body += content
        if len(content) < _LINE_COLUMNS:
            break
    try:
        decoded = _b64decode(bytes(body))
    except ValueError:
        raise DecryptionError(_DAMAGED_HEADER) from None
    texts = [arg.decode("ascii") for arg in args]
    return Stanza(texts[0], tuple(texts[1:]), decoded)


def _file_key(stanzas: list[Stanza], identities: Sequence[Identity]) -> bytes:
    for stanza in stanzas:
        if stanza.type == "scrypt" and len(stanzas) != 1:
            raise DecryptionError("Kepala berkas terenkripsi tidak sah (scrypt bercampur).")
    for stanza in stanzas:
        for identity in identities:
            file_key = identity.unwrap(stanza)
            if file_key is not None:
                return file_key
    if any(s.type == "scrypt" for s in stanzas):
        raise DecryptionError(
            "Berkas ini dienkripsi dengan frasa sandi, bukan untuk kunci identitas kantor pusat."
        )
    raise DecryptionError(
        "Berkas terenkripsi ini tidak ditujukan kepada kunci identitas yang diberikan.",
        hint="Gunakan --identity dengan kunci age yang penerimanya dipakai saat ekspor.",
    )


class AgeReader(io.RawIOBase):
    """A seekable, read-only view of the plaintext of an age file.

    Opening reads and authenticates the header and the final chunk (so the size is known and a
    truncated file is refused at once); every other chunk is authenticated when it is read.
    Any tampering raises :class:`DecryptionError`; no unauthenticated byte is ever returned.
    ``source`` must be seekable and stay open while the reader is used.
    """

    def __init__(self, source: BinaryIO, identities: Sequence[Identity]) -> None:
        super().__init__()
        if not identities:
            raise ValueError("at least one identity is needed")
        self._source = source
        source.seek(0)
        stanzas, header, mac = _parse_header(source)
        file_key = _file_key(stanzas, identities)
        if not hmac.compare_digest(_header_mac(file_key, header), mac):
            raise DecryptionError("Kepala berkas terenkripsi telah diubah (MAC tidak cocok).")
        nonce = source.read(NONCE_SIZE)
        if len(nonce) != NONCE_SIZE:
            raise DecryptionError("Berkas terenkripsi terpotong.")
        self._aead = ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload"))
        self._payload_start = source.tell()
        end = source.seek(0, io.SEEK_END)
        payload = end - self._payload_start
        if payload < TAG_SIZE:
            raise DecryptionError("Berkas terenkripsi terpotong.")
        self._chunks = -(-payload // ENCRYPTED_CHUNK_SIZE)
        last_size = payload - (self._chunks - 1) * ENCRYPTED_CHUNK_SIZE
        if last_size < TAG_SIZE or (self._chunks > 1 and last_size == TAG_SIZE):
            raise DecryptionError("Berkas terenkripsi terpotong.")
        self._size = (self._chunks - 1) * CHUNK_SIZE + last_size - TAG_SIZE
        self._position = 0
        self._cached_index = -1
        self._cached = b""
        # Authenticate the final chunk now: proves the file is not cut short.
        self._chunk(self._chunks - 1)

    @property
    def size(self) -> int:
        """The plaintext size in bytes."""
        return self._size

    def _chunk(self, index: int) -> bytes:
        if index == self._cached_index:
            return self._cached
        self._source.seek(self._payload_start + index * ENCRYPTED_CHUNK_SIZE)
        data = self._source.read(ENCRYPTED_CHUNK_SIZE)
        last = index == self._chunks - 1
        try:
            plain = self._aead.decrypt(_chunk_nonce(index, last=last), data, None)
        except InvalidTag:
            raise DecryptionError(
                "Isi berkas terenkripsi telah diubah atau rusak.",
                hint="Minta kantor pengirim mengirim ulang batch ini.",
            ) from None
        self._cached_index, self._cached = index, plain
        return plain

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            target = offset
        elif whence == io.SEEK_CUR:
            target = self._position + offset
        elif whence == io.SEEK_END:
            target = self._size + offset
        else:
            raise ValueError(f"invalid whence {whence}")
        if target < 0:
            raise OSError("negative seek position")
        self._position = target
        return target

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        out = memoryview(buffer).cast("B")
        written = 0
        while written < len(out) and self._position < self._size:
            index, offset = divmod(self._position, CHUNK_SIZE)
            plain = self._chunk(index)
            take = min(len(out) - written, len(plain) - offset)
            out[written : written + take] = plain[offset : offset + take]
            written += take
            self._position += take
        return written
