"""Verification refuses anything not exactly as a trusted office signed it."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from helpers.batches import Exported, craft, read_members
from nonasn_desktop.central import format as fmt
from nonasn_desktop.central.format import BatchFormatError
from nonasn_desktop.central.trust import TrustStore
from nonasn_desktop.central.verify import open_batch, verify_file
from nonasn_desktop.crypto.age import Identity
from nonasn_desktop.crypto.errors import DecryptionError, SignatureError
from nonasn_desktop.crypto.minisign import PublicKey, SecretKey


def facts_of(batch: Exported) -> fmt.SignedFacts:
    return fmt.SignedFacts(
        office_code=batch.office.code,
        batch_id=batch.plain.batch_id,
        sequence=batch.plain.sequence,
        record_count=batch.plain.record_count,
        created_at=json.loads(read_members(batch.plain.file)[fmt.MANIFEST_MEMBER])["created_at"],
        file_name=batch.plain.file.name,
    )


def test_a_good_encrypted_batch_verifies(batch_a: Exported, tmp_path: Path) -> None:
    path = batch_a.copy(tmp_path)
    report = verify_file(path, batch_a.trust_store(), batch_a.identities)
    assert report.check.encrypted
    assert report.check.facts.batch_id == batch_a.encrypted.batch_id
    assert report.check.key.office_code == "3273"
    assert report.manifest is not None
    assert report.manifest.record_count == batch_a.encrypted.record_count
    assert report.manifest_sha256 == batch_a.encrypted.manifest_sha256
    assert report.document_count == batch_a.encrypted.document_count


def test_without_identity_only_the_signature_is_checked(batch_a: Exported, tmp_path: Path) -> None:
    report = verify_file(batch_a.copy(tmp_path), batch_a.trust_store())
    assert report.manifest is None
    assert report.check.facts.sequence == 1
    with (
        pytest.raises(DecryptionError, match="--identity"),
        open_batch(batch_a.copy(tmp_path), batch_a.trust_store()),
    ):
        pass


def test_a_good_plain_batch_verifies(batch_a: Exported, tmp_path: Path) -> None:
    report = verify_file(batch_a.copy(tmp_path, encrypted=False), batch_a.trust_store())
    assert not report.check.encrypted
    assert report.manifest_sha256 == batch_a.plain.manifest_sha256


@pytest.mark.parametrize("encrypted", [True, False], ids=["encrypted", "plain"])
@pytest.mark.parametrize("where", [0, 0.25, 0.5, 0.75, -1])
def test_one_changed_byte_anywhere_in_the_file(
    batch_a: Exported, tmp_path: Path, encrypted: bool, where: float
) -> None:
    path = batch_a.copy(tmp_path, encrypted=encrypted)
    data = bytearray(path.read_bytes())
    index = -1 if where == -1 else int(len(data) * where)
    data[index] ^= 0x20
    path.write_bytes(bytes(data))
    with pytest.raises(SignatureError, match="tidak cocok dengan tanda tangannya"):
        verify_file(path, batch_a.trust_store(), batch_a.identities)


@pytest.mark.parametrize("line", [1, 2, 3])
def test_one_changed_byte_in_the_signature(batch_a: Exported, tmp_path: Path, line: int) -> None:
    path = batch_a.copy(tmp_path)
    signature = path.with_name(path.name + ".minisig")
    lines = signature.read_text().splitlines()
    text = lines[line]
    position = len(text) // 2
    if line == 2:  # the trusted comment: change a character of the text
        changed = text[:position] + ("X" if text[position] != "X" else "Y") + text[position + 1 :]
    else:  # a base64 line: swap one character for another valid one
        changed = text[:position] + ("A" if text[position] != "A" else "B") + text[position + 1 :]
    lines[line] = changed
    signature.write_text("\n".join(lines) + "\n")
    with pytest.raises(SignatureError):
        verify_file(path, batch_a.trust_store(), batch_a.identities)


def test_a_truncated_file(batch_a: Exported, tmp_path: Path) -> None:
    path = batch_a.copy(tmp_path)
    path.write_bytes(path.read_bytes()[:-1000])
    with pytest.raises(SignatureError, match="terpotong"):
        verify_file(path, batch_a.trust_store(), batch_a.identities)


def test_an_unsigned_file(batch_a: Exported, tmp_path: Path) -> None:
    path = batch_a.copy(tmp_path)
    path.with_name(path.name + ".minisig").unlink()
    with pytest.raises(SignatureError, match="tanpa tanda tangan tidak diterima"):
        verify_file(path, batch_a.trust_store(), batch_a.identities)


def test_an_unknown_signer(batch_a: Exported, tmp_path: Path) -> None:
    trust = tmp_path / "trust"
    trust.mkdir()
    (trust / "3171.pub").write_text(SecretKey.generate().public_key().to_text())
    with pytest.raises(SignatureError, match="pengirimnya tidak dikenal"):
        verify_file(batch_a.copy(tmp_path / "in"), TrustStore.load(trust), batch_a.identities)


def test_a_wrong_key_under_the_right_key_id(batch_a: Exported, tmp_path: Path) -> None:
    trust = tmp_path / "trust"
    trust.mkdir()
    impostor = PublicKey(batch_a.key.key_id, SecretKey.generate().public_key().key)
    (trust / "3273.pub").write_text(impostor.to_text())
    with pytest.raises(SignatureError):
        verify_file(batch_a.copy(tmp_path / "in"), TrustStore.load(trust), batch_a.identities)


def test_a_signer_key_that_names_no_office(batch_a: Exported, tmp_path: Path) -> None:
    trust = tmp_path / "trust"
    trust.mkdir()
    (trust / "kunci-lama.pub").write_text(batch_a.key.public_key().to_text())
    (trust / "3171.pub").write_text(SecretKey.generate().public_key().to_text())
    with pytest.raises(SignatureError, match="tidak menyebut kode kantor"):
        verify_file(batch_a.copy(tmp_path / "in"), TrustStore.load(trust), batch_a.identities)
    # Named after its office, the same key is accepted.
    (trust / "kunci-lama.pub").rename(trust / "3273.pub.tmp")
    (trust / "3171.pub").unlink()
    (trust / "3273.pub.tmp").rename(trust / "3273.pub")
    report = verify_file(batch_a.copy(tmp_path / "in2"), TrustStore.load(trust), batch_a.identities)
    assert report.check.key.office_code == "3273"


def test_the_wrong_identity(batch_a: Exported, tmp_path: Path) -> None:
    with pytest.raises(DecryptionError, match="tidak ditujukan"):
        verify_file(batch_a.copy(tmp_path), batch_a.trust_store(), [Identity.generate()])


def test_a_file_renamed_to_another_batch_is_still_the_same_batch(
    batch_a: Exported, tmp_path: Path
) -> None:
    path = batch_a.copy(tmp_path)
    renamed = path.with_name("nonasn-3273-000099.zip.age")
    path.rename(renamed)
    path.with_name(path.name + ".minisig").rename(renamed.with_name(renamed.name + ".minisig"))
    report = verify_file(renamed, batch_a.trust_store(), batch_a.identities)
    assert report.check.facts.sequence == 1


# -- signed by the office, but not a valid batch inside -------------------------------------


def test_a_changed_member_with_a_valid_signature(batch_a: Exported, tmp_path: Path) -> None:
    members = read_members(batch_a.plain.file)
    document = next(name for name in members if name.startswith(fmt.DOCUMENTS_PREFIX))
    members[document] = members[document][:-1] + b"\x00"
    path = craft(tmp_path / "x.zip", members, batch_a.key, facts_of(batch_a))
    with pytest.raises(BatchFormatError, match=r"hash .* tidak cocok"):
        verify_file(path, batch_a.trust_store())


def test_a_record_of_the_wrong_shape_with_consistent_hashes(
    batch_a: Exported, tmp_path: Path
) -> None:
    members = read_members(batch_a.plain.file)
    lines = members[fmt.RECORDS_MEMBER].splitlines()
    record = json.loads(lines[1])
    record["identity"]["tanggal_lahir"] = "30-03-1969"
    lines[1] = json.dumps(record).encode()
    members[fmt.RECORDS_MEMBER] = b"\n".join(lines) + b"\n"
    path = craft(tmp_path / "x.zip", members, batch_a.key, facts_of(batch_a), fix_manifest=True)
    with pytest.raises(BatchFormatError, match=r"data ke-2 tidak sesuai skema.*tanggal_lahir"):
        verify_file(path, batch_a.trust_store())


def test_an_extra_member_not_in_the_manifest(batch_a: Exported, tmp_path: Path) -> None:
    members = read_members(batch_a.plain.file)
    members["documents/extra.jpg"] = b"not listed"
    path = craft(tmp_path / "x.zip", members, batch_a.key, facts_of(batch_a))
    with pytest.raises(BatchFormatError, match="tak tercantum di manifest"):
        verify_file(path, batch_a.trust_store())


def test_a_missing_document(batch_a: Exported, tmp_path: Path) -> None:
    members = read_members(batch_a.plain.file)
    document = next(name for name in members if name.startswith(fmt.DOCUMENTS_PREFIX))
    del members[document]
    path = craft(tmp_path / "x.zip", members, batch_a.key, facts_of(batch_a))
    with pytest.raises(BatchFormatError, match="tidak ada"):
        verify_file(path, batch_a.trust_store())


def test_a_signed_comment_that_disagrees_with_the_manifest(
    batch_a: Exported, tmp_path: Path
) -> None:
    facts = dataclasses.replace(facts_of(batch_a), sequence=2)
    path = craft(tmp_path / "x.zip", read_members(batch_a.plain.file), batch_a.key, facts)
    with pytest.raises(BatchFormatError, match="tidak sesuai dengan keterangan bertanda tangan"):
        verify_file(path, batch_a.trust_store())


def test_an_office_signing_for_another_office(batch_a: Exported, tmp_path: Path) -> None:
    facts = dataclasses.replace(facts_of(batch_a), office_code="3171")
    path = craft(tmp_path / "x.zip", read_members(batch_a.plain.file), batch_a.key, facts)
    with pytest.raises(SignatureError, match="mengaku dari kantor 3171"):
        verify_file(path, batch_a.trust_store())


def test_a_newer_format_version_is_named(batch_a: Exported, tmp_path: Path) -> None:
    members = read_members(batch_a.plain.file)
    manifest = json.loads(members[fmt.MANIFEST_MEMBER])
    manifest["record_schema"] = 2
    members[fmt.MANIFEST_MEMBER] = json.dumps(manifest).encode()
    path = craft(tmp_path / "x.zip", members, batch_a.key, facts_of(batch_a))
    with pytest.raises(BatchFormatError, match="versi aplikasi yang lebih baru"):
        verify_file(path, batch_a.trust_store())


def test_a_signed_file_that_is_not_a_zip(batch_a: Exported, tmp_path: Path) -> None:
    path = tmp_path / "x.zip"
    path.write_bytes(b"bukan zip " * 100)
    signature = batch_a.key.sign_file(path, trusted_comment=facts_of(batch_a).to_comment())
    path.with_name("x.zip.minisig").write_text(signature.to_text())
    with pytest.raises(BatchFormatError, match="bukan wadah ZIP"):
        verify_file(path, batch_a.trust_store())
