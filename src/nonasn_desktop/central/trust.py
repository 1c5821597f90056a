"""The central office's trusted office keys: a folder of minisign public key files (``*.pub``).

The centre's staff decide which files go into the folder and under which name; that decision
is the trust, and the **file name** is the registration: ``<OFFICECODE>.pub`` or
``<OFFICECODE>-<label>.pub`` (e.g. ``3273-1A2B3C4D5E6F7081.pub`` for a second key of one
office) makes the key speak for that office and for no other. The key file's comment
(``nonasn office key 3273 …``) is *untrusted* (no signature covers it; anyone can edit it) and
never decides the office: it is only compared with the registration, and a key whose comment
names another office is refused, with the reason, because the file was most likely filed under
the wrong name or tampered with.

Nothing found in the folder stops the other keys: a file that is not a usable key, a key whose
file name names no office, or a key whose comment disagrees is listed in
:attr:`TrustStore.problems` (the command line prints them as warnings), and a batch signed by
such a key is refused with the same reason. Offices with several keys are listed in
:attr:`TrustStore.notices` (several data folders of one office are legitimate, but the centre
should know).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from nonasn_desktop.central.files import read_bounded
from nonasn_desktop.central.format import office_code_of_comment
from nonasn_desktop.crypto.errors import SignatureError
from nonasn_desktop.crypto.minisign import PublicKey, Signature
from nonasn_desktop.errors import UserError

KEY_SUFFIX = ".pub"
# A minisign public key file is two short lines (the comment is at most 1 KB).
MAX_KEY_FILE_BYTES = 4096
# The registration: an office code ([A-Z0-9]{2,12}, exactly as the office's `init` stores it,
# upper case) alone or followed by "-" and any label. Case matters, so that an ordinary word
# ("bandung.pub", "kunci-lama.pub") is never read as an office code.
_REGISTERED_NAME = re.compile(r"(?P<code>[A-Z0-9]{2,12})(?:-.*)?")


def office_code_of_file_name(name: str) -> str | None:
    """The office a key file registers by its name (``3273.pub``, ``3273-laptop2.pub``)."""
    if not name.endswith(KEY_SUFFIX):
        return None
    match = _REGISTERED_NAME.fullmatch(name[: -len(KEY_SUFFIX)])
    return match.group("code") if match else None


@dataclass(frozen=True)
class TrustedKey:
    key: PublicKey
    # The office the centre registered the key for (its file name); None: no registration.
    office_code: str | None
    path: Path
    # Why nothing this key signs is accepted (None: the key is usable).
    refusal: str | None = None

    @property
    def key_id(self) -> str:
        return self.key.key_id_hex

    @property
    def usable(self) -> bool:
        return self.refusal is None


def _refusal(path: Path, key: PublicKey, registered: str | None) -> str | None:
    named = office_code_of_comment(key.comment)
    label = f"Kunci {path.name} ({key.key_id_hex})"
    if registered is None:
        also = (
            f" (komentarnya menyebut kantor {named}, tetapi komentar kunci tidak dipercaya)"
            if named
            else ""
        )
        return (
            f"{label} tidak menyebut kode kantor di nama berkasnya{also}; batch yang "
            "ditandatanganinya tidak akan diterima. Beri nama berkas KODEKANTOR.pub "
            "(mis. 3273.pub) setelah memastikan pemilik kunci."
        )
    if named is not None and named != registered:
        return (
            f"{label} terdaftar untuk kantor {registered} (nama berkas), tetapi komentarnya "
            f"menyebut kantor {named}; kunci ini tidak dipakai. Pastikan pemilik kunci lewat "
            "saluran tepercaya, lalu beri nama berkas sesuai kantornya."
        )
    return None


class TrustStore:
    """Trusted office keys by key id."""

    def __init__(
        self, keys: list[TrustedKey], folder: Path, problems: list[str] | None = None
    ) -> None:
        self.folder = folder
        self.problems = list(problems or [])
        self.notices: list[str] = []
        self._by_id: dict[bytes, TrustedKey] = {}
        for trusted in keys:
            known = self._by_id.get(trusted.key.key_id)
            if known is not None and known.key.key != trusted.key.key:
                raise UserError(
                    f"Dua kunci berbeda di folder kepercayaan memakai ID {trusted.key_id}: "
                    f"{known.path.name} dan {trusted.path.name}.",
                    hint="Buang salah satunya; ID kunci harus unik.",
                )
            if known is not None and None in (known.office_code, trusted.office_code):
                # A stray unregistered copy of a registered key: the registration wins.
                kept, dropped = (known, trusted) if known.office_code else (trusted, known)
                self.problems.append(
                    f"{dropped.path.name} dilewati: kunci yang sama terdaftar sebagai "
                    f"{kept.path.name}."
                )
                self._by_id[trusted.key.key_id] = kept
                continue
            if known is not None and known.office_code != trusted.office_code:
                # One key may speak for one office only.
                raise UserError(
                    f"Kunci {trusted.key_id} terdaftar untuk dua kantor: {known.path.name} dan "
                    f"{trusted.path.name}.",
                    hint="Pastikan pemilik kunci itu, lalu buang berkas yang salah.",
                )
            if known is None:
                self._by_id[trusted.key.key_id] = trusted
        self._note_offices_with_several_keys()

    def _note_offices_with_several_keys(self) -> None:
        by_office: dict[str, list[TrustedKey]] = defaultdict(list)
        for trusted in self._by_id.values():
            if trusted.usable and trusted.office_code is not None:
                by_office[trusted.office_code].append(trusted)
        for code, keys in sorted(by_office.items()):
            if len(keys) > 1:
                listed = ", ".join(f"{k.path.name} ({k.key_id})" for k in keys)
                self.notices.append(
                    f"Kantor {code} memiliki {len(keys)} kunci tepercaya: {listed}. Batch yang "
                    "ditandatangani salah satunya diterima; buang kunci yang tidak dipakai lagi."
                )

    def __len__(self) -> int:
        return len(self._by_id)

    @property
    def keys(self) -> list[TrustedKey]:
        return list(self._by_id.values())

    def keys_of(self, office_code: str) -> list[TrustedKey]:
        """The usable keys registered for ``office_code``."""
        return [k for k in self._by_id.values() if k.usable and k.office_code == office_code]

    def find(self, signature: Signature) -> TrustedKey | None:
        return self._by_id.get(signature.key_id)

    @classmethod
    def load(cls, folder: Path) -> TrustStore:
        folder = Path(folder)
        if not folder.exists():
            raise UserError(
                f"Folder kunci tepercaya {folder} tidak ada.",
                hint="Berikan folder berisi berkas KODE.pub dari tiap kantor dengan --trust.",
            )
        if not folder.is_dir():
            raise UserError(
                f"{folder} bukan folder, jadi tidak dapat dipakai sebagai folder kunci tepercaya.",
                hint="Berikan folder berisi berkas KODE.pub dari tiap kantor dengan --trust.",
            )
        keys: list[TrustedKey] = []
        problems: list[str] = []
        for path in sorted(folder.glob("*" + KEY_SUFFIX)):
            try:
                data = read_bounded(path, MAX_KEY_FILE_BYTES, "Kunci publik")
                key = PublicKey.parse(data.decode("utf-8"), source=f"Berkas {path.name}")
            except FileNotFoundError:
                problems.append(f"{path.name} dilewati: berkasnya hilang (pintasan rusak?).")
                continue
            except UnicodeDecodeError:
                problems.append(f"{path.name} dilewati: bukan berkas teks kunci publik.")
                continue
            except (SignatureError, UserError) as exc:
                problems.append(f"{path.name} dilewati: {exc}")
                continue
            registered = office_code_of_file_name(path.name)
            refusal = _refusal(path, key, registered)
            if refusal is not None:
                problems.append(refusal)
            keys.append(TrustedKey(key, registered, path, refusal))
        if not any(trusted.usable for trusted in keys):
            raise UserError(
                f"Folder {folder} tidak berisi kunci publik kantor (*.pub) yang dapat dipakai.",
                hint="Salin kunci publik tiap kantor (dari 'nonasn keys export') ke folder itu "
                "dengan nama KODEKANTOR.pub.",
            )
        return cls(keys, folder, problems)
