"""The central office's trusted office keys: a folder of minisign public key files (``*.pub``).

Each file is what an office's ``nonasn keys export`` wrote. The centre's staff decide which
files go into the folder; that decision is the trust. A key file names its office in its
comment (``nonasn office key 3273 …``); a key file without that (e.g. made by the stock
``minisign -G``) is accepted when its file name is the office code (``3273.pub``).

A file that is not a usable key, or a key that names no office, does not stop the others: it is
listed in :attr:`TrustStore.problems` (the command line prints them as warnings), and a batch
signed by a key without an office is refused with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nonasn_desktop.central.format import is_office_code, office_code_of_comment
from nonasn_desktop.crypto.errors import SignatureError
from nonasn_desktop.crypto.minisign import PublicKey, Signature
from nonasn_desktop.errors import UserError


@dataclass(frozen=True)
class TrustedKey:
    key: PublicKey
    # None: the key file names no office (then nothing it signs is accepted).
    office_code: str | None
    path: Path

    @property
    def key_id(self) -> str:
        return self.key.key_id_hex


class TrustStore:
    """Trusted office keys by key id."""

    def __init__(
        self, keys: list[TrustedKey], folder: Path, problems: list[str] | None = None
    ) -> None:
        self.folder = folder
        self.problems = list(problems or [])
        self._by_id: dict[bytes, TrustedKey] = {}
        for trusted in keys:
            known = self._by_id.get(trusted.key.key_id)
            if known is not None and known.key.key != trusted.key.key:
                raise UserError(
                    f"Dua kunci berbeda di folder kepercayaan memakai ID {trusted.key_id}: "
                    f"{known.path.name} dan {trusted.path.name}.",
                    hint="Buang salah satunya; ID kunci harus unik.",
                )
            self._by_id[trusted.key.key_id] = trusted

    def __len__(self) -> int:
        return len(self._by_id)

    @property
    def keys(self) -> list[TrustedKey]:
        return list(self._by_id.values())

    def find(self, signature: Signature) -> TrustedKey | None:
        return self._by_id.get(signature.key_id)

    @classmethod
    def load(cls, folder: Path) -> TrustStore:
        folder = Path(folder)
        if not folder.is_dir():
            raise UserError(
                f"Folder kunci tepercaya {folder} tidak ada.",
                hint="Berikan folder berisi berkas KODE.pub dari tiap kantor dengan --trust.",
            )
        keys: list[TrustedKey] = []
        problems: list[str] = []
        for path in sorted(folder.glob("*.pub")):
            try:
                key = PublicKey.load(path)
            except SignatureError as exc:
                problems.append(f"{path.name} dilewati: {exc}")
                continue
            code = office_code_of_comment(key.comment)
            if code is None and is_office_code(path.stem.upper()):
                code = path.stem.upper()
            if code is None:
                problems.append(
                    f"Kunci {path.name} ({key.key_id_hex}) tidak menyebut kode kantor; batch "
                    "yang ditandatanganinya tidak akan diterima. Beri nama berkas KODEKANTOR.pub."
                )
            keys.append(TrustedKey(key, code, path))
        if not any(trusted.office_code for trusted in keys):
            raise UserError(
                f"Folder {folder} tidak berisi kunci publik kantor (*.pub) yang dapat dipakai.",
                hint="Salin kunci publik tiap kantor (dari 'nonasn keys export') ke folder itu.",
            )
        return cls(keys, folder, problems)
