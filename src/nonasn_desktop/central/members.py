"""The member list of a container's manifest: batch files and transfer files alike.

Both are ZIPs whose ``manifest.json`` (written last) lists every other member with its SHA-256
and size: a few fixed members (``records.jsonl``, and a transfer's ``audit.jsonl``) and the
documents, each stored once under its own hash. One check reads that list for both formats
(``central.format`` for batches, ``transfer.format`` for transfer files).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from nonasn_desktop.errors import UserError

MANIFEST_MEMBER = "manifest.json"
DOCUMENTS_PREFIX = "documents/"

_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Member:
    name: str
    sha256: str
    size: int


def manifest_members(
    raw_members: object,
    bad: Callable[[str], UserError],
    *,
    fixed: Mapping[str, int],
    document_size: int,
) -> list[Member]:
    """The members a manifest lists, each named once with its hash and size: every one of the
    ``fixed`` members (name → largest size), then documents named by their hash
    (``documents/<sha256>.<ext>``, at most ``document_size`` bytes). Shared by the batch and the
    transfer manifests; ``bad`` makes the container's own error from what is wrong."""
    if not isinstance(raw_members, list):
        raise bad("members harus daftar")
    members: list[Member] = []
    seen: set[str] = set()
    for item in raw_members:
        if not isinstance(item, dict):
            raise bad("anggota harus objek")
        name, sha, size = item.get("name"), item.get("sha256"), item.get("size")
        if not isinstance(name, str) or name in seen or name == MANIFEST_MEMBER:
            raise bad(f"nama anggota {name!r} tidak sah atau ganda")
        if name not in fixed and not (
            isinstance(sha, str) and name.startswith(DOCUMENTS_PREFIX + sha + ".")
        ):
            raise bad(f"anggota {name!r} tidak dikenal")
        if not isinstance(sha, str) or not _SHA256.fullmatch(sha):
            raise bad(f"sha256 anggota {name} tidak sah")
        largest = fixed.get(name, document_size)
        if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= largest:
            raise bad(f"ukuran anggota {name} tidak sah")
        seen.add(name)
        members.append(Member(name, sha, size))
    missing = [name for name in fixed if name not in seen]
    if missing:
        raise bad(f"{' atau '.join(missing)} tidak tercantum")
    return members
