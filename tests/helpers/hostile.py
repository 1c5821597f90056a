"""Batches from a trusted office carrying values the central database cannot take.

Import as ``from helpers.hostile import HOSTILE, hostile_batch``; used by the central tests on
SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from helpers.batches import Exported, tampered

Change = Callable[[dict[str, Any]], None]


def _set_name(value: str) -> Change:
    def change(record: dict[str, Any]) -> None:
        record["identity"]["nama"] = value

    return change


def _set_manifest(key: str, value: object) -> Change:
    def change(manifest: dict[str, Any]) -> None:
        manifest[key] = value

    return change


def _unknown_key(record: dict[str, Any]) -> None:
    # Readers ignore keys they do not know, but the centre keeps the record's JSON.
    record["catatan_baru"] = {"teks": "a\ud800b"}


# (record change, manifest change, what the refusal names)
HOSTILE: dict[str, tuple[Change | None, Change | None, str]] = {
    "name of 150 characters": (
        _set_name("A" * 150),
        None,
        "data ke-1 tidak sesuai skema (identity.nama lebih dari 100 karakter)",
    ),
    "NUL in a name": (
        _set_name("SITI\x00AMINAH"),
        None,
        "data ke-1 tidak sesuai skema (identity.nama berisi karakter kendali",
    ),
    "office name of 200 characters": (
        None,
        _set_manifest("office_name", "B" * 200),
        "office_name lebih dari 150 karakter",
    ),
    "sequence of 10^20": (
        None,
        _set_manifest("sequence", 10**20),
        "sequence harus bilangan bulat 1–2147483647",
    ),
    "lone surrogate under an unknown key": (
        _unknown_key,
        None,
        "catatan_baru.teks berisi karakter kendali atau karakter tidak sah",
    ),
}


def hostile_batch(batch: Exported, target: Path, case: str) -> Path:
    record, manifest, _ = HOSTILE[case]
    return tampered(batch, target, record=record, manifest=manifest)
