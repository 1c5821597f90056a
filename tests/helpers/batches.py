"""Offices with approved records, keys and exported batches, for the batch and central tests.

Import as ``from helpers.batches import ...``. Records come from the application's own demo
generator (the real flow, the real document checks); ``seed`` makes them reproducible, so two
offices made with the same seed and the same regency (the first four digits of the office code)
hold the same people: the way to make a NIK arrive from two offices.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from helpers.tools import require_tool
from nonasn_desktop.crypto.age import Identity
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.services import demo, keys, office
from nonasn_desktop.services.batch_export import BatchResult, export_batch
from nonasn_desktop.services.context import AppContext, Clock, open_app

PASSPHRASE = "frasa sandi kantor 2022"


@dataclass
class Office:
    ctx: AppContext
    code: str
    public_key: Path

    def export(
        self, out: Path, *, recipients: list[str] | None = None, actor: str = "system"
    ) -> BatchResult:
        return export_batch(
            self.ctx, out, passphrase=PASSPHRASE, recipients=recipients or [], actor=actor
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
    office.initialise(ctx, office_code=code, office_name=name, instansi_name=f"Pemerintah {name}")
    info = keys.create_office_key(ctx, PASSPHRASE)
    target = (trust or folder) / f"{code}-{info.key_id}.pub"
    keys.export_public_key(ctx, target)
    if approved:
        demo.generate(ctx, approved, RecordStatus.DISETUJUI, seed=seed)
    return Office(ctx, code, target)


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
        demo.generate(made.ctx, others, RecordStatus.PENDAFTARAN_SELESAI, seed=seed + 1000)
    made.ctx.close()
    return folder / "data"


def clone(data_folder: Path, target: Path, *, clock: Clock | None = None) -> AppContext:
    """An open copy of a prepared data folder (the caller closes it)."""
    shutil.copytree(data_folder, target)
    return open_app(target, clock=clock)
