"""The batch format's own checks: trusted comment, manifest, record schema."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from nonasn_desktop.central import format as fmt
from nonasn_desktop.central.format import BatchFormatError, Manifest, SignedFacts

BATCH_ID = "8c0f6a3e-7f0e-4c55-9d7b-0f3c1f9d2a11"
SHA = "ab" * 32


def facts() -> SignedFacts:
    return SignedFacts("3273", BATCH_ID, 3, 12, "2026-01-05T08:00:00Z", "nonasn-3273-000003.zip")


def manifest() -> dict[str, Any]:
    return Manifest(
        batch_id=BATCH_ID,
        office_code="3273",
        office_name="BKD",
        instansi_name=None,
        sequence=3,
        created_at="2026-01-05T08:00:00Z",
        app_version="0.1.0",
        record_count=12,
        document_count=1,
        members=(
            fmt.Member(fmt.RECORDS_MEMBER, SHA, 10),
            fmt.Member(f"documents/{SHA}.jpg", SHA, 5),
        ),
    ).to_json()


def record() -> dict[str, Any]:
    return {
        "record_schema": 1,
        "identity": {
            "nik": "3273013003690001",
            "nomor_kk": None,
            "nama": "SITI",
            "tempat_lahir": None,
            "tanggal_lahir": "1969-03-30",
            "jenis_kelamin": "P",
            "nomor_hp": None,
            "email": None,
            "nomor_thk2": None,
        },
        "account": {
            "account_number": "3273-2026-000001",
            "account_created_at": "2026-01-05T08:00:00Z",
            "pertanyaan_pengaman": None,
        },
        "biodata": {"agama": None, "status_perkawinan": None, "alamat": None},
        "education": {
            "pendidikan_jenjang": None,
            "nama_sekolah": None,
            "jurusan": None,
            "nomor_ijazah": None,
            "tanggal_ijazah": None,
        },
        "employment": {"masih_aktif": True, "bentuk_sk": None, "unit_kerja": None},
        "work_history": [],
        "eligibility": {"outcome": "MS", "failed_criteria": None, "criteria": []},
        "verval": {"decision": "disetujui", "reason": None, "decided_at": None, "decided_by": None},
        "history": [],
        "registration": {"created_at": None, "declaration_at": None, "completed_at": None},
        "documents": [
            {
                "kind": "ktp",
                "variant": None,
                "original_name": "ktp.jpg",
                "media_type": "image/jpeg",
                "size": 5,
                "sha256": SHA,
                "member": f"documents/{SHA}.jpg",
                "compliant_copy": False,
            }
        ],
    }


def test_trusted_comment_round_trip() -> None:
    assert SignedFacts.parse(facts().to_comment()) == facts()


@pytest.mark.parametrize(
    "comment",
    [
        "timestamp:1700000000\tfile:x.zip",
        "nonasn-batch v1 office=3273",
        "nonasn-batch v1 office=3273 batch=not-a-uuid sequence=1 records=1 created=x file=y",
        "nonasn-batch v1 office=3273 office=3171 batch=" + BATCH_ID,
    ],
)
def test_foreign_or_broken_comments(comment: str) -> None:
    with pytest.raises(BatchFormatError):
        SignedFacts.parse(comment)


def test_a_newer_comment_version_is_named() -> None:
    with pytest.raises(BatchFormatError, match="v2"):
        SignedFacts.parse(facts().to_comment().replace(" v1 ", " v2 "))


def test_manifest_round_trip() -> None:
    assert Manifest.from_json(manifest()).to_json() == manifest()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m.update(format="zip"), "bukan manifest"),
        (lambda m: m.update(format_version=2), "versi 2"),
        (lambda m: m.update(batch_id="x"), "UUID"),
        (lambda m: m.update(sequence=0), "sequence"),
        (lambda m: m.update(created_at="kemarin"), "created_at"),
        (lambda m: m.update(record_count="12"), "record_count"),
        (lambda m: m["members"].append(dict(m["members"][0])), "ganda"),
        (
            lambda m: m["members"].append({"name": "../etc/passwd", "sha256": SHA, "size": 1}),
            "tidak dikenal",
        ),
        (lambda m: m.update(members=m["members"][1:]), "records.jsonl tidak tercantum"),
        # A document is named by its own hash (the check shared with transfer files).
        (lambda m: m["members"][1].update(name=f"documents/{'cd' * 32}.jpg"), "tidak dikenal"),
        (
            lambda m: m["members"].append({"name": "manifest.json", "sha256": SHA, "size": 1}),
            "'manifest.json' tidak sah",
        ),
        (lambda m: m.update(document_count=5), "document_count"),
        (lambda m: m["members"][0].update(sha256="xyz"), "sha256"),
        # Bounds of the central database's columns.
        (lambda m: m.update(sequence=10**20), "sequence harus bilangan bulat 1–2147483647"),
        (lambda m: m.update(record_count=-1), "record_count harus bilangan bulat 0–"),
        (lambda m: m.update(office_name="B" * 151), "office_name lebih dari 150 karakter"),
        (lambda m: m.update(instansi_name="C" * 151), "instansi_name lebih dari 150"),
        (lambda m: m.update(app_version="1" * 21), "app_version lebih dari 20"),
        (lambda m: m.update(office_name="BKD\x00"), "office_name berisi karakter kendali"),
        (lambda m: m.update(created_at="9999-12-31T23:59:59-01:00"), "created_at"),
        (lambda m: m["members"][1].update(size=2**31), "ukuran anggota documents/"),
    ],
)
def test_bad_manifests(change: Any, message: str) -> None:
    data = manifest()
    change(data)
    with pytest.raises(BatchFormatError, match=message):
        Manifest.from_json(data)


def test_a_good_record_has_no_problems() -> None:
    assert fmt.record_problems(record()) == []
    assert fmt.record_key(record()) == ("3273013003690001", "3273-2026-000001")


@pytest.mark.parametrize(
    ("path", "value", "problem"),
    [
        (("identity", "nik"), "123", "identity.nik harus 16 digit"),
        (("identity", "nama"), None, "identity.nama wajib diisi"),
        (("identity", "tanggal_lahir"), "30-03-1969", "harus tanggal"),
        (("identity", "jenis_kelamin"), "X", "harus salah satu dari L, P"),
        (("account", "account_created_at"), "2026-01-05T08:00:00", "harus waktu UTC"),
        (("employment", "masih_aktif"), "ya", "harus true/false"),
        (("verval", "decision"), "ditolak", "verval.decision"),
        (("eligibility", "outcome"), "OK", "eligibility.outcome"),
    ],
)
def test_wrong_values_are_named(path: tuple[str, str], value: Any, problem: str) -> None:
    data = record()
    data[path[0]][path[1]] = value
    problems = fmt.record_problems(data)
    assert len(problems) == 1, problems
    assert problem in problems[0]


def test_missing_sections_and_keys() -> None:
    data = copy.deepcopy(record())
    del data["biodata"]
    del data["identity"]["email"]
    data["documents"][0]["member"] = "documents/other.jpg"
    data["record_schema"] = 2
    problems = fmt.record_problems(data)
    assert "biodata harus objek" in problems
    assert "identity.email tidak ada" in problems
    assert any("documents[0].member" in p for p in problems)
    assert "record_schema harus 1" in problems
    assert fmt.record_problems([]) == ["data harus objek JSON"]


@pytest.mark.parametrize(
    ("path", "value", "problem"),
    [
        (("identity", "nama"), "A" * 101, "identity.nama lebih dari 100 karakter"),
        (("identity", "nama"), "SITI\x00", "identity.nama berisi karakter kendali"),
        (("identity", "nama"), "SITI\x1b[2J", "identity.nama berisi karakter kendali"),
        (("identity", "alamat_lain"), "x", None),
        (("account", "account_number"), "9" * 33, "account.account_number lebih dari 32"),
        (("employment", "unit_kerja"), "U" * 151, "employment.unit_kerja lebih dari 150"),
        (("biodata", "alamat"), "x" * (fmt.TEXT_LENGTH + 1), "biodata.alamat lebih dari 4000"),
        (("biodata", "alamat"), "Jl. Merdeka 1\nRT 01", None),
    ],
)
def test_values_are_bounded_by_the_central_schema(
    path: tuple[str, str], value: Any, problem: str | None
) -> None:
    data = record()
    data[path[0]][path[1]] = value
    problems = fmt.record_problems(data)
    if problem is None:
        assert problems == []
    else:
        assert len(problems) == 1, problems
        assert problem in problems[0]


def test_integers_and_hidden_values_are_bounded() -> None:
    data = record()
    data["documents"][0]["size"] = 10**20
    data["work_history"] = [{**dict.fromkeys(fmt.WORK_HISTORY_ENTRY), "seq": -1}]
    data["tambahan"] = {"daftar": ["ok", "a\ud800"]}
    problems = fmt.record_problems(data)
    assert "documents[0].size harus bilangan bulat 0–2147483647" in problems
    assert "work_history[0].seq harus bilangan bulat 0–2147483647" in problems
    assert "tambahan.daftar[1] berisi karakter kendali atau karakter tidak sah" in problems
