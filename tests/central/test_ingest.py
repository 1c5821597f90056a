"""Ingest: all or nothing per file, idempotent, conflicts reported, with the stock tools."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from helpers.batches import Exported, craft, read_members
from helpers.tools import require_tool
from nonasn_desktop.central import format as fmt
from nonasn_desktop.central import ingest as ingest_module
from nonasn_desktop.central.conflicts import (
    KIND_BATCHES,
    KIND_OFFICES,
    find_conflicts,
    write_conflicts_xlsx,
)
from nonasn_desktop.central.db import CentralDb
from nonasn_desktop.central.ingest import ingest_file, ingest_files
from nonasn_desktop.central.models import (
    CentralBatch,
    CentralDocument,
    CentralRecord,
    CentralRecordDocument,
)
from nonasn_desktop.errors import ConflictError


def counts(central: CentralDb) -> tuple[int, int, int, int]:
    with central.db.session() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (CentralBatch, CentralRecord, CentralDocument, CentralRecordDocument)
        )


def test_round_trip_with_the_stock_tools(
    batch_a: Exported, central: CentralDb, tmp_path: Path
) -> None:
    minisign = require_tool("minisign")
    age = require_tool("age")
    path = batch_a.copy(tmp_path / "inbox")
    public = next(batch_a.trust.glob("3273-*.pub"))
    verified = subprocess.run(
        [minisign, "-V", "-p", str(public), "-m", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert verified.returncode == 0, verified.stderr
    plain = subprocess.run(
        [age, "-d", "-i", str(batch_a.identity_file), str(path)], capture_output=True, check=True
    ).stdout
    assert plain == batch_a.plain.file.read_bytes()

    outcome = ingest_file(central, path, batch_a.trust_store(), batch_a.identities)
    assert outcome.status == "loaded"
    assert outcome.records_added == batch_a.encrypted.record_count
    assert outcome.documents_added == batch_a.encrypted.document_count
    assert outcome.conflicts == ()
    batches, records, documents, links = counts(central)
    assert (batches, records, documents) == (
        1,
        batch_a.encrypted.record_count,
        batch_a.encrypted.document_count,
    )
    assert links >= 7 * records
    exported = read_members(batch_a.plain.file)
    lines = exported[fmt.RECORDS_MEMBER].splitlines()
    with central.db.session() as session:
        batch = session.scalars(select(CentralBatch)).one()
        assert batch.batch_uuid == batch_a.encrypted.batch_id
        assert batch.office_code == "3273"
        assert batch.encrypted
        assert batch.key_id == batch_a.key.public_key().key_id_hex
        assert batch.file_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        stored = [json.loads(r.data) for r in session.scalars(select(CentralRecord))]
        assert sorted(stored, key=lambda r: r["identity"]["nik"]) == sorted(
            (json.loads(line) for line in lines), key=lambda r: r["identity"]["nik"]
        )
        for sha in session.scalars(select(CentralDocument.sha256)):
            assert central.documents.verify(sha)
            name = next(n for n in exported if n.startswith(f"documents/{sha}"))
            assert central.documents.get(sha) == exported[name]


def test_the_same_batch_twice_adds_nothing(
    batch_a: Exported, central: CentralDb, tmp_path: Path
) -> None:
    trust = batch_a.trust_store()
    first = ingest_file(central, batch_a.copy(tmp_path), trust, batch_a.identities)
    before = counts(central)
    again = ingest_file(central, batch_a.copy(tmp_path / "again"), trust, batch_a.identities)
    assert first.status == "loaded"
    assert again.status == "already_loaded"
    assert "sudah pernah dimuat" in again.message
    assert again.records_added == 0
    # The rewrite of a lost batch (plain now, same content) is the same batch too.
    plain = ingest_file(central, batch_a.copy(tmp_path / "p", encrypted=False), trust)
    assert plain.status == "already_loaded"
    assert counts(central) == before


def test_a_different_file_under_a_known_batch_id_is_refused(
    batch_a: Exported, central: CentralDb, tmp_path: Path
) -> None:
    trust = batch_a.trust_store()
    ingest_file(central, batch_a.copy(tmp_path), trust, batch_a.identities)
    before = counts(central)
    members = read_members(batch_a.plain.file)
    lines = members[fmt.RECORDS_MEMBER].splitlines()
    record = json.loads(lines[0])
    record["identity"]["nama"] = "NAMA LAIN"
    members[fmt.RECORDS_MEMBER] = b"\n".join([json.dumps(record).encode(), *lines[1:]]) + b"\n"
    manifest = json.loads(members[fmt.MANIFEST_MEMBER])
    facts = fmt.SignedFacts(
        office_code="3273",
        batch_id=batch_a.plain.batch_id,
        sequence=1,
        record_count=batch_a.plain.record_count,
        created_at=manifest["created_at"],
        file_name="nonasn-3273-000001.zip",
    )
    path = craft(
        tmp_path / "lain" / "nonasn-3273-000001.zip", members, batch_a.key, facts, fix_manifest=True
    )
    with pytest.raises(ConflictError, match="isi yang berbeda"):
        ingest_file(central, path, trust)
    assert counts(central) == before


def test_refused_files_load_nothing_and_do_not_stop_good_ones(
    batch_a: Exported, central: CentralDb, tmp_path: Path
) -> None:
    good = batch_a.copy(tmp_path / "good")
    tampered = batch_a.copy(tmp_path / "tampered")
    data = bytearray(tampered.read_bytes())
    data[len(data) // 2] ^= 1
    tampered.write_bytes(bytes(data))
    truncated = batch_a.copy(tmp_path / "truncated")
    truncated.write_bytes(truncated.read_bytes()[:5000])
    unsigned = batch_a.copy(tmp_path / "unsigned")
    unsigned.with_name(unsigned.name + ".minisig").unlink()
    outcomes = ingest_files(
        central, [tampered, truncated, unsigned], batch_a.trust_store(), batch_a.identities
    )
    assert [o.status for o in outcomes] == ["refused"] * 3
    assert counts(central) == (0, 0, 0, 0)
    outcomes = ingest_files(central, [tampered, good], batch_a.trust_store(), batch_a.identities)
    assert [o.status for o in outcomes] == ["refused", "loaded"]
    assert counts(central)[1] == batch_a.encrypted.record_count


def test_a_failure_while_loading_rolls_the_whole_file_back(
    batch_a: Exported, central: CentralDb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = ingest_module._record_row
    made: list[int] = []

    def second_record_breaks(record: dict[str, object], batch: CentralBatch) -> CentralRecord:
        made.append(1)
        if len(made) == 2:
            raise RuntimeError("disk lepas")
        return real(record, batch)  # type: ignore[arg-type]

    monkeypatch.setattr(ingest_module, "_record_row", second_record_breaks)
    with pytest.raises(RuntimeError, match="disk lepas"):
        ingest_file(central, batch_a.copy(tmp_path), batch_a.trust_store(), batch_a.identities)
    assert counts(central) == (0, 0, 0, 0)
    monkeypatch.setattr(ingest_module, "_record_row", real)
    outcome = ingest_file(
        central, batch_a.copy(tmp_path / "2"), batch_a.trust_store(), batch_a.identities
    )
    assert outcome.status == "loaded"


def test_a_nik_from_two_offices_is_a_conflict(
    batch_a: Exported, batch_b: Exported, central: CentralDb, tmp_path: Path
) -> None:
    niks_a = {
        json.loads(line)["identity"]["nik"]
        for line in read_members(batch_a.plain.file)[fmt.RECORDS_MEMBER].splitlines()
    }
    trust = batch_a.trust_store()
    first = ingest_file(central, batch_a.copy(tmp_path / "a"), trust, batch_a.identities)
    second = ingest_file(central, batch_b.copy(tmp_path / "b"), trust, batch_b.identities)
    assert first.conflicts == ()
    assert set(second.conflicts) == niks_a
    assert counts(central)[1] == 2 * len(niks_a)  # both kept: the centre decides
    entries = find_conflicts(central)
    assert len(entries) == 2 * len(niks_a)
    assert {e.kind for e in entries} == {KIND_OFFICES}
    assert {e.office_code for e in entries} == {"3273", "327399"}
    out = tmp_path / "laporan" / "konflik.xlsx"
    assert write_conflicts_xlsx(entries, out) == len(entries)
    sheet = openpyxl.load_workbook(out).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("NIK", "Nama", "Jenis konflik")
    assert {row[0] for row in rows[1:]} == niks_a
    assert all(isinstance(row[0], str) and len(row[0]) == 16 for row in rows[1:])


def test_a_second_batch_with_a_known_sequence_of_one_office_is_refused(
    batch_a: Exported, batch_c: Exported, central: CentralDb, tmp_path: Path
) -> None:
    # Two installations of office 3273, each with its own "batch 1".
    trust = batch_a.trust_store()
    ingest_file(central, batch_a.copy(tmp_path / "a"), trust, batch_a.identities)
    before = counts(central)
    with pytest.raises(ConflictError, match="batch nomor urut 1 dengan isi yang berbeda"):
        ingest_file(central, batch_c.copy(tmp_path / "c"), trust, batch_c.identities)
    assert counts(central) == before


def _account_numbers(batch: Exported) -> list[str]:
    lines = read_members(batch.plain.file)[fmt.RECORDS_MEMBER].splitlines()
    return [json.loads(line)["account"]["account_number"] for line in lines]


def test_an_account_number_naming_another_person_is_refused(
    batch_a: Exported, central: CentralDb, tmp_path: Path
) -> None:
    taken = _account_numbers(batch_a)[0]
    with central.db.session() as session:
        # An earlier batch in which that number belongs to someone else.
        other = CentralBatch(
            batch_uuid="00000000-0000-4000-8000-000000000001",
            office_code="3273",
            office_name="BKD",
            sequence=9,
            created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            app_version="0.1.0",
            record_count=1,
            document_count=0,
            key_id="0" * 16,
            manifest_sha256="0" * 64,
            file_name="lain.zip",
            file_sha256="0" * 64,
            encrypted=False,
            ingested_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        )
        session.add(other)
        session.flush()
        session.add(
            CentralRecord(
                batch_id=other.id,
                office_code="3273",
                nik="3273010101900001",
                account_number=taken,
                nama="Orang Lain",
                data="{}",
            )
        )
    before = counts(central)
    trust = batch_a.trust_store()
    with pytest.raises(ConflictError, match=f"Nomor akun {taken} sudah dipakai orang lain"):
        ingest_file(central, batch_a.copy(tmp_path / "a"), trust, batch_a.identities)
    assert counts(central) == before


def test_a_nik_in_two_batches_of_one_office_is_a_conflict(
    batch_a: Exported, batch_c: Exported, central: CentralDb, tmp_path: Path
) -> None:
    trust = batch_a.trust_store()
    ingest_file(central, batch_a.copy(tmp_path / "a"), trust, batch_a.identities)
    with central.db.session() as session:
        # As if the office's first load had been its batch 2: batch_c is then its batch 1.
        loaded = session.scalars(select(CentralBatch)).one()
        loaded.sequence = 2
    outcome = ingest_file(central, batch_c.copy(tmp_path / "c"), trust, batch_c.identities)
    assert outcome.status == "loaded"
    assert len(outcome.conflicts) == batch_a.plain.record_count
    assert {e.kind for e in find_conflicts(central)} == {KIND_BATCHES}


def test_documents_lost_from_the_folder_are_stored_again(
    batch_a: Exported, batch_b: Exported, central: CentralDb, tmp_path: Path
) -> None:
    trust = batch_a.trust_store()
    ingest_file(central, batch_a.copy(tmp_path / "a"), trust, batch_a.identities)
    shutil.rmtree(central.documents.root)
    ingest_file(central, batch_b.copy(tmp_path / "b"), trust, batch_b.identities)
    with central.db.session() as session:
        shas = set(session.scalars(select(CentralRecordDocument.sha256)))
    assert shas
    assert all(central.documents.verify(sha) for sha in shas)
