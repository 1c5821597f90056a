"""Checking a batch file layer by layer before anything of it is believed.

Order (docs/batch-format.md, "Verification order"):

1. the detached signature ``FILE.minisig`` exists and parses;
2. its key id is one of the trusted office keys (else: unknown sender);
3. the trusted comment's global signature, then the signature over the BLAKE2b-512 of the whole
   file as it lies on disk (encrypted bytes when encrypted): proves the sender and that no byte
   changed, before any decryption or parsing;
4. the trusted comment names a batch of this format, from the office the key belongs to;
5. if encrypted (age), the file is decrypted with the centre's identity, chunk by chunk, every
   chunk authenticated;
6. the ZIP container: every member stored, no duplicates, exactly the members the manifest
   lists plus the manifest;
7. the manifest: format and schema version, and batch id, office, sequence, record count and
   creation time equal to the signed trusted comment;
8. the SHA-256 and size of every member;
9. every record's shape (schema), one record per NIK and per account number, every account
   number one of the batch's office (made at the office or on one of its field laptops:
   ``format.account_number_problem``), and every document a record names is in the container
   with the same hash and size.

The file is opened once and every check reads that same open file.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO

from nonasn_desktop.central import format as fmt
from nonasn_desktop.central.files import open_regular, read_bounded
from nonasn_desktop.central.format import BatchFormatError, Manifest, SignedFacts
from nonasn_desktop.central.trust import TrustedKey, TrustStore
from nonasn_desktop.crypto.age import AgeReader, Identity, is_age_file
from nonasn_desktop.crypto.errors import DecryptionError, SignatureError
from nonasn_desktop.crypto.minisign import Signature, verify_digest
from nonasn_desktop.errors import UserError

_READ = 1024 * 1024
_HEAD = 64
# A signature file is four short lines (minisign's comments are at most 1 KB each).
MAX_SIGNATURE_FILE = 8192


@dataclass(frozen=True)
class SignatureCheck:
    """A file whose signature by a trusted office key has been verified."""

    path: Path
    key: TrustedKey
    facts: SignedFacts
    encrypted: bool
    size: int
    sha256: str


def _signature_path(path: Path) -> Path:
    return path.with_name(path.name + fmt.SIGNATURE_SUFFIX)


def _load_signature(path: Path) -> Signature:
    try:
        data = read_bounded(path, MAX_SIGNATURE_FILE, "Tanda tangan")
    except FileNotFoundError:
        raise SignatureError(
            f"Tanda tangan {path.name} tidak ada: berkas tanpa tanda tangan tidak diterima.",
            hint="Minta kantor pengirim menyertakan berkas .minisig di samping berkas batch.",
        ) from None
    return Signature.parse(data, source=path.name)


def _check_signature(path: Path, stream: BinaryIO, trust: TrustStore) -> SignatureCheck:
    signature = _load_signature(_signature_path(path))
    trusted = trust.find(signature)
    if trusted is None:
        raise SignatureError(
            f"Berkas {path.name} ditandatangani dengan kunci {signature.key_id_hex} yang tidak "
            f"ada di folder kunci tepercaya {trust.folder}: pengirimnya tidak dikenal.",
            hint="Muat hanya batch dari kantor yang kunci publiknya sudah didaftarkan.",
        )
    blake = hashlib.blake2b(digest_size=64)
    sha = hashlib.sha256()
    size = 0
    head = b""
    try:
        stream.seek(0)
        while chunk := stream.read(_READ):
            if len(head) < _HEAD:
                head += chunk[: _HEAD - len(head)]
            blake.update(chunk)
            sha.update(chunk)
            size += len(chunk)
    except OSError as exc:
        # A vanished USB stick or a bad sector: nothing was believed, nothing loaded.
        raise UserError(
            f"Berkas {path.name} tidak dapat dibaca sampai habis ({exc.strerror}).",
            hint="Salin berkas itu ke disk komputer ini lalu ulangi.",
        ) from None
    verify_digest(signature, trusted.key, blake.digest(), name=path.name)
    if trusted.refusal is not None or trusted.office_code is None:
        # The registration (the key file's name at the centre) decides the office, never the
        # key's own comment; a key without one, or whose comment disagrees, speaks for nobody.
        raise SignatureError(
            f"Berkas {path.name} ditandatangani dengan kunci yang tidak dipakai: "
            f"{trusted.refusal or 'kunci itu tidak terdaftar untuk kantor mana pun.'}",
            hint="Jangan memuat berkas ini sebelum kunci itu didaftarkan dengan benar.",
        )
    facts = SignedFacts.parse(signature.trusted_comment)
    if facts.office_code != trusted.office_code:
        raise SignatureError(
            f"Batch {path.name} mengaku dari kantor {facts.office_code} tetapi ditandatangani "
            f"dengan kunci kantor {trusted.office_code}.",
            hint="Jangan memuat berkas ini; laporkan kepada kedua kantor.",
        )
    encrypted = is_age_file(head)
    if facts.file_name.endswith(fmt.ENCRYPTED_SUFFIX) != encrypted:
        raise BatchFormatError(
            f"Jenis berkas {path.name} (terenkripsi atau tidak) tidak sesuai dengan keterangan "
            "bertanda tangannya."
        )
    return SignatureCheck(path, trusted, facts, encrypted, size, sha.hexdigest())


def _bad(path: Path, what: str) -> BatchFormatError:
    return BatchFormatError(
        f"Isi batch {path.name} tidak sah: {what}.",
        hint="Jangan memuat berkas ini; minta kantor pengirim mengirim ulang batch ini.",
    )


# How many foreign account numbers a refusal names (the rest are counted).
MAX_NAMED_ACCOUNTS = 5


class ForeignAccountError(BatchFormatError):
    """Account numbers that are not the batch's office's: refused, the file loads nothing."""


class _ForeignAccounts:
    """Collects the account numbers of a batch that its office cannot have made.

    All records are read before the refusal, so it names the first few and counts the rest:
    a batch carrying another office's numbers (a desk set up with the wrong office code, a
    copied database, a forged file) is then seen as what it is, not one record at a time.
    """

    def __init__(self, office_code: str) -> None:
        self.office_code = office_code
        self.named: list[str] = []
        self.count = 0

    def check(self, number: int, account: str) -> None:
        if fmt.account_number_problem(account, self.office_code) is None:
            return
        self.count += 1
        if len(self.named) < MAX_NAMED_ACCOUNTS:
            self.named.append(f"{account} (data ke-{number})")

    def refuse(self, path: Path) -> None:
        if not self.count:
            return
        more = self.count - len(self.named)
        rest = f" dan {more} lainnya" if more else ""
        office = self.office_code
        raise ForeignAccountError(
            f"Batch {path.name} dari kantor {office} memuat {self.count} nomor akun yang "
            f"bukan milik kantor itu: {', '.join(self.named)}{rest}; berkas tidak dimuat.",
            hint=f"Nomor akun kantor {office} berbentuk {office}-TAHUN-NNNNNN (dibuat di "
            f"kantor) atau {office}-Lnn-TAHUN-NNNNNN (dibuat di perangkat lapangannya). Minta "
            "kantor pengirim memeriksa meja atau perangkat yang membuat nomor itu, lalu "
            "mengirim batch yang benar.",
        )


class BatchContents:
    """An open batch whose every layer has been checked (see the module's docstring)."""

    def __init__(self, check: SignatureCheck, archive: zipfile.ZipFile) -> None:
        self.check = check
        self._archive = archive
        self.manifest: Manifest
        self.manifest_sha256: str
        self._members: dict[str, fmt.Member] = {}
        with self._zip_errors():
            self._verify()

    @contextlib.contextmanager
    def _zip_errors(self) -> Iterator[None]:
        """Errors of a damaged ZIP structure (inside a correctly signed file) as user errors."""
        try:
            yield
        except (zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError, zlib.error):
            raise _bad(self.check.path, "wadah ZIP rusak") from None

    @property
    def path(self) -> Path:
        return self.check.path

    def _verify(self) -> None:
        path = self.check.path
        infos = self._archive.infolist()
        names = [info.filename for info in infos]
        if len(set(names)) != len(names):
            raise _bad(path, "nama anggota ganda di dalam ZIP")
        for info in infos:
            if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 0x1:
                raise _bad(path, f"anggota {info.filename} dimampatkan atau dienkripsi ZIP")
        if fmt.MANIFEST_MEMBER not in names:
            raise _bad(path, f"{fmt.MANIFEST_MEMBER} tidak ada")
        manifest_info = self._archive.getinfo(fmt.MANIFEST_MEMBER)
        if manifest_info.file_size > fmt.MAX_MANIFEST_BYTES:
            raise _bad(path, "manifest terlalu besar")
        manifest_bytes = self._archive.read(fmt.MANIFEST_MEMBER)
        try:
            manifest_data = json.loads(manifest_bytes.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise _bad(path, "manifest bukan JSON") from None
        self.manifest = Manifest.from_json(manifest_data)
        self.manifest_sha256 = hashlib.sha256(manifest_bytes).hexdigest()
        self._compare_with_signature()
        self._members = {member.name: member for member in self.manifest.members}
        listed = set(self._members) | {fmt.MANIFEST_MEMBER}
        extra = sorted(set(names) - listed)
        missing = sorted(listed - set(names))
        if extra:
            raise _bad(path, f"anggota tak tercantum di manifest: {', '.join(extra[:3])}")
        if missing:
            raise _bad(path, f"anggota yang tercantum tidak ada: {', '.join(missing[:3])}")
        for member in self.manifest.members:
            if member.name.startswith(fmt.DOCUMENTS_PREFIX) and not member.name.startswith(
                fmt.DOCUMENTS_PREFIX + member.sha256 + "."
            ):
                raise _bad(path, f"nama dokumen {member.name} tidak sesuai dengan hash-nya")
            if member.name != fmt.RECORDS_MEMBER and member.size > fmt.MAX_DOCUMENT_BYTES:
                raise _bad(path, f"dokumen {member.name} terlalu besar")
            if self._archive.getinfo(member.name).file_size != member.size:
                raise _bad(path, f"ukuran {member.name} tidak sesuai dengan manifest")
            self._check_hash(member)
        count = 0
        for _ in self.records():
            count += 1
        if count != self.manifest.record_count:
            raise _bad(
                path, f"manifest menyebut {self.manifest.record_count} data, berkas berisi {count}"
            )

    def _compare_with_signature(self) -> None:
        facts, manifest = self.check.facts, self.manifest
        signed = (
            facts.batch_id,
            facts.office_code,
            facts.sequence,
            facts.record_count,
            facts.created_at,
        )
        stated = (
            manifest.batch_id,
            manifest.office_code,
            manifest.sequence,
            manifest.record_count,
            manifest.created_at,
        )
        if signed != stated:
            raise _bad(self.check.path, "manifest tidak sesuai dengan keterangan bertanda tangan")

    def _open(self, name: str) -> IO[bytes]:
        with self._zip_errors():
            return self._archive.open(name)

    def _check_hash(self, member: fmt.Member) -> None:
        digest = hashlib.sha256()
        with self._open(member.name) as stream:
            while chunk := stream.read(_READ):
                digest.update(chunk)
        if digest.hexdigest() != member.sha256:
            raise _bad(self.check.path, f"hash {member.name} tidak cocok dengan manifest")

    def records(self) -> Iterator[dict[str, Any]]:
        """Every record, checked against the schema, in file order.

        The records member is hashed again while it is read; a difference (the file changed
        under us) raises at the end, before the caller can commit anything.
        """
        path = self.check.path
        member = self._members[fmt.RECORDS_MEMBER]
        digest = hashlib.sha256()
        niks: set[str] = set()
        accounts: set[str] = set()
        foreign = _ForeignAccounts(self.manifest.office_code)
        with self._open(fmt.RECORDS_MEMBER) as raw:
            for number, line in enumerate(self._guarded_lines(raw, digest), start=1):
                try:
                    record = json.loads(line.decode("utf-8"))
                except (UnicodeDecodeError, ValueError, RecursionError):
                    # RecursionError: "[[[[…" nested deeper than the parser's stack.
                    raise _bad(path, f"data ke-{number} bukan JSON") from None
                problems = fmt.record_problems(record)
                if problems:
                    shown = "; ".join(problems[:3])
                    raise _bad(path, f"data ke-{number} tidak sesuai skema ({shown})")
                nik, account = fmt.record_key(record)
                if nik in niks or account in accounts:
                    raise _bad(path, f"data ke-{number}: NIK atau nomor akun ganda dalam batch")
                niks.add(nik)
                accounts.add(account)
                foreign.check(number, account)
                for document in fmt.document_references(record):
                    listed = self._members.get(document["member"])
                    if (
                        listed is None
                        or listed.sha256 != document["sha256"]
                        or listed.size != document["size"]
                    ):
                        raise _bad(
                            path, f"data ke-{number}: dokumen {document['kind']} tidak ada di batch"
                        )
                yield record
        if digest.hexdigest() != member.sha256:
            raise _bad(path, f"hash {fmt.RECORDS_MEMBER} tidak cocok dengan manifest")
        foreign.refuse(path)

    def _guarded_lines(self, raw: IO[bytes], digest: Any) -> Iterator[bytes]:
        lines = _lines(raw, digest)
        while True:
            with self._zip_errors():
                line = next(lines, None)
            if line is None:
                return
            yield line

    def document(self, name: str) -> bytes:
        """The bytes of a document member, checked against the manifest's hash."""
        member = self._members[name]
        with self._zip_errors():
            data = self._archive.read(name)
        if hashlib.sha256(data).hexdigest() != member.sha256:
            raise _bad(self.check.path, f"hash {name} tidak cocok dengan manifest")
        return data

    @property
    def document_members(self) -> list[fmt.Member]:
        return [m for m in self.manifest.members if m.name.startswith(fmt.DOCUMENTS_PREFIX)]


def _lines(stream: IO[bytes], digest: Any) -> Iterator[bytes]:
    """Lines of a JSON Lines stream, each at most MAX_RECORD_LINE bytes; feeds ``digest``."""
    pending = b""
    while chunk := stream.read(_READ):
        digest.update(chunk)
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for line in complete:
            if line.strip():
                yield line
        if len(pending) > fmt.MAX_RECORD_LINE:
            raise BatchFormatError("Satu baris data di records.jsonl terlalu panjang.")
    if pending.strip():
        yield pending


@contextlib.contextmanager
def check_signature(path: Path, trust: TrustStore) -> Iterator[tuple[SignatureCheck, BinaryIO]]:
    """Open ``path`` and verify its signature; yields the check and the open file."""
    path = Path(path)
    try:
        stream = open_regular(path, "Berkas batch")
    except FileNotFoundError:
        raise UserError(f"Berkas {path} tidak ada.") from None
    with stream:
        yield _check_signature(path, stream, trust), stream


@contextlib.contextmanager
def open_batch(
    path: Path, trust: TrustStore, identities: Sequence[Identity] = ()
) -> Iterator[BatchContents]:
    """Verify ``path`` completely (see the module's docstring) and yield its contents.

    Raises a UserError subclass with the reason for anything that is not right.
    """
    with check_signature(path, trust) as (check, stream):
        source: BinaryIO
        if check.encrypted:
            if not identities:
                raise DecryptionError(
                    f"Berkas {check.path.name} terenkripsi; isinya tidak dapat diperiksa tanpa "
                    "kunci identitas.",
                    hint="Berikan kunci identitas age kantor pusat dengan --identity.",
                )
            source = io.BufferedReader(AgeReader(stream, identities), buffer_size=_READ)
        else:
            source = stream
        try:
            archive = zipfile.ZipFile(source)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError):
            raise _bad(check.path, "bukan wadah ZIP yang utuh") from None
        with archive:
            yield BatchContents(check, archive)


@dataclass(frozen=True)
class VerifyReport:
    check: SignatureCheck
    # None when the file is encrypted and no identity was given (signature checked only).
    manifest: Manifest | None
    manifest_sha256: str | None
    document_count: int | None


def verify_file(path: Path, trust: TrustStore, identities: Sequence[Identity] = ()) -> VerifyReport:
    """Verify a batch file; without identities an encrypted file is checked up to its signature."""
    with check_signature(path, trust) as (check, _stream):
        if check.encrypted and not identities:
            return VerifyReport(check, None, None, None)
    with open_batch(path, trust, identities) as contents:
        return VerifyReport(
            contents.check,
            contents.manifest,
            contents.manifest_sha256,
            len(contents.document_members),
        )
