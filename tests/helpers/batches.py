"""Offices with approved records, keys and exported batches, for the batch and central tests.

Import as ``from helpers.batches import ...``. Records come from the application's own demo
generator (the real flow, the real document checks); ``seed`` makes them reproducible, so two
offices made with the same seed and the same regency (the first four digits of the office code)
hold the same people: the way to make a NIK arrive from two offices.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers.accounts import ADMIN_PASSWORD, ADMIN_USERNAME, actor_for, sign_in
from helpers.tools import require_tool
from nonasn_desktop.accounts.authz import Actor
from nonasn_desktop.batch.export import BatchResult, export_batch, rewrite_batch
from nonasn_desktop.central import format as fmt
from nonasn_desktop.central.trust import TrustStore
from nonasn_desktop.core.context import AppContext, Clock
from nonasn_desktop.crypto.age import Identity, read_identities
from nonasn_desktop.crypto.minisign import SecretKey
from nonasn_desktop.demo import generate as demo
from nonasn_desktop.office import identity as office
from nonasn_desktop.office import keys
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.startup import open_app

PASSPHRASE = "frasa sandi kantor 2022"


@dataclass
class Office:
    ctx: AppContext
    code: str
    public_key: Path
    # The office's admin (ADMIN_USERNAME / ADMIN_PASSWORD), signed in.
    admin: Actor

    def export(
        self, out: Path, *, recipients: list[str] | None = None, actor: Actor | None = None
    ) -> BatchResult:
        return export_batch(
            self.ctx,
            out,
            passphrase=PASSPHRASE,
            recipients=recipients or [],
            actor=actor or self.admin,
        )


def make_office(
    folder: Path,
    *,
    code: str = "3273",
    name: str = "BKPSDM Kota Bandung",
    approved: int = 3,
    seed: int = 1,
    trust: Path | None = None,
) -> Office:
    """A data folder with an office, its key, and ``approved`` approved records.

    The public key goes to ``trust/<code>-<key id>.pub`` when ``trust`` is given. The caller
    closes ``office.ctx``.
    """
    ctx = open_app(folder / "data", create=True)
    office.initialise(
        ctx,
        office_code=code,
        office_name=name,
        instansi_name=f"Pemerintah {name}",
        admin=(ADMIN_USERNAME, ADMIN_PASSWORD),
    )
    admin = sign_in(ctx).actor
    info = keys.create_office_key(ctx, PASSPHRASE)
    target = (trust or folder) / f"{code}-{info.key_id}.pub"
    keys.export_public_key(ctx, target, actor=admin)
    if approved:
        demo.generate(ctx, approved, RecordStatus.DISETUJUI, actor=admin, seed=seed)
    return Office(ctx, code, target, admin)


def age_identity(folder: Path) -> tuple[Path, str]:
    """An identity file (as age-keygen writes it) and its recipient."""
    identity = Identity.generate()
    path = folder / "central-key.txt"
    path.write_text(f"# public key: {identity.recipient}\n{identity}\n", encoding="utf-8")
    return path, str(identity.recipient)


def stock_keygen(folder: Path) -> tuple[Path, str]:
    """An identity made by the stock age-keygen (skips or fails when the tool is missing)."""
    keygen = require_tool("age-keygen")
    path = folder / "central-age.txt"
    result = subprocess.run([keygen, "-o", str(path)], capture_output=True, text=True, check=True)
    return path, result.stderr.strip().split()[-1]


def prepared_data_folder(
    folder: Path,
    *,
    code: str = "3273",
    name: str = "BKPSDM Kota Bandung",
    approved: int = 3,
    others: int = 0,
    seed: int = 1,
) -> Path:
    """A closed data folder with office, key, ``approved`` approved and ``others`` finished
    (not yet decided) records, to be copied by :func:`clone` (making records is slow)."""
    made = make_office(folder, code=code, name=name, approved=approved, seed=seed)
    if others:
        demo.generate(
            made.ctx, others, RecordStatus.PENDAFTARAN_SELESAI, actor=made.admin, seed=seed + 1000
        )
    made.ctx.close()
    return folder / "data"


def clone(data_folder: Path, target: Path, *, clock: Clock | None = None) -> AppContext:
    """An open copy of a prepared data folder (the caller closes it)."""
    shutil.copytree(data_folder, target)
    return open_app(target, clock=clock)


@dataclass
class Exported:
    """One office's batch, encrypted and plain (the same content), and what verifies it."""

    office: Office
    encrypted: BatchResult
    plain: BatchResult
    trust: Path
    identity_file: Path
    key: SecretKey

    @property
    def identities(self) -> list[Identity]:
        return read_identities(self.identity_file)

    def trust_store(self) -> TrustStore:
        return TrustStore.load(self.trust)

    def copy(self, target: Path, *, encrypted: bool = True) -> Path:
        """Copies of the batch file and its signature in ``target``; returns the file."""
        result = self.encrypted if encrypted else self.plain
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(result.file, target / result.file.name)
        shutil.copy2(result.signature, target / result.signature.name)
        return target / result.file.name


def export_both(
    folder: Path, made: Office, trust: Path, identity_file: Path, recipient: str
) -> Exported:
    """Export the office's batch encrypted to ``recipient``, and rewrite it unencrypted."""
    encrypted = made.export(folder / "usb", recipients=[recipient])
    plain = rewrite_batch(
        made.ctx,
        encrypted.batch_id,
        folder / "plain",
        passphrase=PASSPHRASE,
        recipients=[],
        actor=actor_for(made.ctx),
    )
    key = keys.unlock_office_key(made.ctx, PASSPHRASE)
    return Exported(made, encrypted, plain, trust, identity_file, key)


def read_members(plain_zip: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(plain_zip) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def craft(
    target: Path,
    members: dict[str, bytes],
    key: SecretKey,
    facts: fmt.SignedFacts,
    *,
    fix_manifest: bool = False,
) -> Path:
    """A plain batch file with ``members`` (in order), signed by ``key`` with ``facts``.

    ``fix_manifest``: recompute the manifest's member hashes and sizes, so that only what the
    test changed on purpose is wrong.
    """
    members = dict(members)
    if fix_manifest:
        manifest = json.loads(members[fmt.MANIFEST_MEMBER])
        for entry in manifest["members"]:
            data = members[entry["name"]]
            entry["sha256"] = hashlib.sha256(data).hexdigest()
            entry["size"] = len(data)
        members[fmt.MANIFEST_MEMBER] = json.dumps(manifest).encode()
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    signature = key.sign_file(target, trusted_comment=facts.to_comment())
    target.with_name(target.name + ".minisig").write_text(signature.to_text())
    return target


def tampered(
    batch: Exported,
    target: Path,
    *,
    record: Callable[[dict[str, Any]], None] | None = None,
    manifest: Callable[[dict[str, Any]], None] | None = None,
    every_record: Callable[[dict[str, Any]], None] | None = None,
) -> Path:
    """A plain copy of ``batch`` whose first record and manifest were changed by the callbacks,
    re-hashed and signed again with the office's own key: what a trusted office sending hostile
    values produces (every check before the values themselves passes). ``every_record`` changes
    each record (after ``record`` for the first)."""
    members = read_members(batch.plain.file)
    if record is not None or every_record is not None:
        lines = members[fmt.RECORDS_MEMBER].splitlines()
        for index, line in enumerate(lines):
            changed = json.loads(line)
            if index == 0 and record is not None:
                record(changed)
            if every_record is not None:
                every_record(changed)
            lines[index] = json.dumps(changed).encode()
        members[fmt.RECORDS_MEMBER] = b"\n".join(lines) + b"\n"
    data = json.loads(members[fmt.MANIFEST_MEMBER])
    if manifest is not None:
        manifest(data)
    members[fmt.MANIFEST_MEMBER] = json.dumps(data).encode()
    facts = fmt.SignedFacts(
        office_code=data["office_code"],
        batch_id=data["batch_id"],
        sequence=data["sequence"],
        record_count=data["record_count"],
        created_at=data["created_at"],
        file_name=batch.plain.file.name,
    )
    return craft(target / batch.plain.file.name, members, batch.key, facts, fix_manifest=True)
