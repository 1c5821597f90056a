"""The transfer manifest's member list, checked by the helper shared with batch manifests."""

from __future__ import annotations

from typing import Any

import pytest

from nonasn_desktop.devices.values import TransferValueError
from nonasn_desktop.transfer import format as fmt

SHA = "ab" * 32


def manifest() -> dict[str, Any]:
    return fmt.Manifest(
        transfer_id="6f1c1a52-4a55-4d7e-9a43-0d2f6c3b8e10",
        office_code="BKD3273",
        device_code="L01",
        sequence=1,
        created_at="2026-01-05T08:00:00Z",
        app_version="1.0.0",
        record_count=1,
        audit_count=2,
        document_count=1,
        members=(
            fmt.Member(fmt.RECORDS_MEMBER, SHA, 10),
            fmt.Member(fmt.AUDIT_MEMBER, SHA, 20),
            fmt.Member(f"documents/{SHA}.jpg", SHA, 5),
        ),
    ).to_json()


def test_manifest_round_trip() -> None:
    assert fmt.Manifest.from_json(manifest(), "t.zip.age").to_json() == manifest()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m.update(members={}), "members harus daftar"),
        (lambda m: m["members"].append("x"), "anggota harus objek"),
        (lambda m: m["members"].append(dict(m["members"][0])), "ganda"),
        (lambda m: m["members"][2].update(name=f"documents/{'cd' * 32}.jpg"), "tidak dikenal"),
        (lambda m: m["members"][0].update(sha256="xyz"), "sha256 anggota records.jsonl"),
        (lambda m: m["members"][2].update(size=2**62), "ukuran anggota documents/"),
        (lambda m: m["members"][1].update(size=True), "ukuran anggota audit.jsonl"),
        (lambda m: m.update(members=m["members"][:1]), "audit.jsonl tidak tercantum"),
        (lambda m: m.update(document_count=2), "document_count"),
    ],
)
def test_bad_members_are_refused(change: Any, message: str) -> None:
    data = manifest()
    change(data)
    with pytest.raises(TransferValueError, match=message):
        fmt.Manifest.from_json(data, "t.zip.age")
