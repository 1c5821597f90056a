"""The batch export: content, signature, encryption, crash safety, cancel, rewrite."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from helpers.accounts import ADMIN_PASSWORD, ADMIN_USERNAME, actor_for, sign_in
from helpers.batches import PASSPHRASE, age_identity, clone, prepared_data_folder, stock_keygen
from helpers.tools import require_tool
from nonasn_desktop.accounts.users import create_user
from nonasn_desktop.batch import export as batch_export
from nonasn_desktop.batch import files as batch_files
from nonasn_desktop.batch import writing as batch_writing
from nonasn_desktop.batch.export import (
    ExportCancelledError,
    NothingToExportError,
    export_batch,
    rewrite_batch,
)
from nonasn_desktop.central import format as fmt
from nonasn_desktop.core import audit
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.core.progress import OperationCancelledError, ProgressStep
from nonasn_desktop.crypto.age import AgeReader, read_identities
from nonasn_desktop.crypto.errors import CryptoError, WrongPassphraseError
from nonasn_desktop.demo import generate as demo
from nonasn_desktop.errors import AuthError, NotFoundError, StorageError
from nonasn_desktop.office import keys
from nonasn_desktop.registration.store import count_by_status
from nonasn_desktop.rules.roles import Role
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.storage.models import Batch, Registration

APPROVED = 4

if TYPE_CHECKING:
    from helpers.accounts import FakeClock


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prepared_data_folder(
        tmp_path_factory.mktemp("office"), approved=APPROVED, others=1, seed=7
    )


@pytest.fixture
def ready(template: Path, tmp_path: Path, clock: FakeClock) -> Iterator[AppContext]:
    ctx = clone(template, tmp_path / "data", clock=clock)
    try:
        yield ctx
    finally:
        ctx.close()


def export(ctx: AppContext, out: Path, **kwargs: object) -> batch_export.BatchResult:
    return export_batch(ctx, out, passphrase=PASSPHRASE, **kwargs, actor=actor_for(ctx))  # type: ignore[arg-type]


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def exported_count(ctx: AppContext) -> int:
    return count_by_status(ctx)[RecordStatus.DIEKSPOR]


def test_export_writes_the_three_files_and_marks_the_records(
    ready: AppContext, tmp_path: Path
) -> None:
    out = tmp_path / "usb"
    result = export(ready, out)
    assert result.sequence == 1
    assert result.record_count == APPROVED
    assert not result.encrypted
    assert files_in(out) == [
        "nonasn-3273-000001.sptjm.pdf",
        "nonasn-3273-000001.zip",
        "nonasn-3273-000001.zip.minisig",
    ]
    assert result.size == (out / "nonasn-3273-000001.zip").stat().st_size
    counts = count_by_status(ready)
    assert counts[RecordStatus.DIEKSPOR] == APPROVED
    assert counts[RecordStatus.DISETUJUI] == 0
    assert counts[RecordStatus.PENDAFTARAN_SELESAI] == 1
    assert batch_export.pending_count(ready) == 0
    with ready.db.session() as session:
        batch = session.scalars(select(Batch)).one()
        assert batch.batch_uuid == result.batch_id
        assert batch.manifest_sha256 == result.manifest_sha256
        assert batch.key_id == result.key_id
        assert batch.recipients is None
        assert batch.created_at == ready.now()
        members = session.scalars(select(Registration).where(Registration.batch_id == batch.id))
        assert len(list(members)) == APPROVED
    actions = [e.action for e in audit.recent(ready, limit=10)]
    assert "batch.export" in actions
    assert "registration.exported" in actions
    (info,) = batch_export.list_batches(ready)
    assert batch_export.find_batch(ready, "1") == info
    assert batch_export.find_batch(ready, result.batch_id) == info


def test_container_layout_manifest_and_records(ready: AppContext, tmp_path: Path) -> None:
    result = export(ready, tmp_path)
    with zipfile.ZipFile(result.file) as archive:
        infos = archive.infolist()
        names = [i.filename for i in infos]
        assert names[0] == fmt.RECORDS_MEMBER
        assert names[-1] == fmt.MANIFEST_MEMBER
        assert all(i.compress_type == zipfile.ZIP_STORED for i in infos)
        manifest = fmt.Manifest.from_json(json.loads(archive.read(fmt.MANIFEST_MEMBER)))
        assert manifest.batch_id == result.batch_id
        assert manifest.office_code == "3273"
        assert manifest.sequence == 1
        assert manifest.record_count == APPROVED
        assert manifest.created_at == "2026-01-05T08:00:00Z"
        assert {m.name for m in manifest.members} | {fmt.MANIFEST_MEMBER} == set(names)
        import hashlib

        for member in manifest.members:
            assert hashlib.sha256(archive.read(member.name)).hexdigest() == member.sha256
        raw = archive.read(fmt.RECORDS_MEMBER)
    assert b"$argon2" not in raw
    assert b"jawaban" not in raw
    assert b"password" not in raw
    records = [json.loads(line) for line in raw.splitlines()]
    assert len(records) == APPROVED
    for record in records:
        assert fmt.record_problems(record) == []
        assert record["verval"]["decision"] == "disetujui"
        assert {d["kind"] for d in record["documents"]} >= {"ktp", "pas_foto", "ijazah"}
        assert [h["to_status"] for h in record["history"] if h["to_status"]] == [
            "akun_dibuat",
            "pendaftaran_selesai",
            "disetujui",
        ]


def test_signature_and_encryption_with_the_stock_tools(ready: AppContext, tmp_path: Path) -> None:
    minisign = require_tool("minisign")
    age = require_tool("age")
    identity_file, recipient = stock_keygen(tmp_path)
    public = tmp_path / "3273.pub"
    keys.export_public_key(ready, public, actor=actor_for(ready))
    result = export(ready, tmp_path / "out", recipients=[recipient])
    assert result.encrypted
    assert result.file.name == "nonasn-3273-000001.zip.age"
    verified = subprocess.run(
        [minisign, "-V", "-p", str(public), "-m", str(result.file)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert verified.returncode == 0, verified.stderr
    assert f"batch={result.batch_id}" in verified.stdout
    assert "office=3273" in verified.stdout
    assert "sequence=1" in verified.stdout
    plain = subprocess.run(
        [age, "-d", "-i", str(identity_file), str(result.file)], capture_output=True, check=True
    ).stdout
    with zipfile.ZipFile(io.BytesIO(plain)) as archive:
        assert archive.testzip() is None
        assert fmt.MANIFEST_MEMBER in archive.namelist()


def test_no_identity_card_scan_is_readable_without_the_key(
    ready: AppContext, tmp_path: Path
) -> None:
    _identity, recipient = age_identity(tmp_path)
    result = export(ready, tmp_path / "out", recipients=[recipient])
    with ready.db.session() as session:
        from nonasn_desktop.storage.models import Document

        sha = session.scalars(select(Document.sha256).where(Document.kind == "ktp")).first()
    assert sha is not None
    scan = ready.blobs.get(sha)
    assert scan[:64] not in result.file.read_bytes()


def test_nothing_to_export_and_the_next_sequence(ready: AppContext, tmp_path: Path) -> None:
    export(ready, tmp_path / "a")
    with pytest.raises(NothingToExportError, match="Tidak ada data"):
        export(ready, tmp_path / "b")
    assert files_in(tmp_path / "b") == []
    demo.generate(ready, 2, RecordStatus.DISETUJUI, seed=9, actor=actor_for(ready))
    second = export(ready, tmp_path / "b")
    assert second.sequence == 2
    assert second.record_count == 2
    assert second.file.name == "nonasn-3273-000002.zip"


def test_wrong_passphrase_writes_and_marks_nothing(ready: AppContext, tmp_path: Path) -> None:
    with pytest.raises(WrongPassphraseError):
        export_batch(ready, tmp_path / "out", passphrase="salah sekali", actor=actor_for(ready))
    assert files_in(tmp_path / "out") == []
    assert exported_count(ready) == 0


def test_bad_recipient_and_wrong_role(ready: AppContext, tmp_path: Path) -> None:
    with pytest.raises(CryptoError, match="Penerima age"):
        export(ready, tmp_path / "out", recipients=["age1bukan"])
    create_user(
        ready,
        username="veri",
        full_name="Verifikator",
        role=Role.VERIFIKATOR,
        password="rahasia123",
        actor=actor_for(ready),
    )
    with pytest.raises(AuthError):
        export_batch(
            ready,
            tmp_path / "out",
            passphrase=PASSPHRASE,
            actor=sign_in(ready, "veri", "rahasia123").actor,
        )
    assert files_in(tmp_path / "out") == []
    assert exported_count(ready) == 0


def test_crash_halfway_leaves_nothing_that_looks_complete(
    ready: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copied = []
    real = batch_writing.copy_document

    def copy_then_fail(*args: object, **kwargs: object) -> None:
        if len(copied) >= 5:
            raise RuntimeError("power cut")
        copied.append(1)
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(batch_writing, "copy_document", copy_then_fail)
    with pytest.raises(RuntimeError, match="power cut"):
        export(ready, tmp_path / "out")
    assert copied == [1] * 5
    assert files_in(tmp_path / "out") == []
    assert exported_count(ready) == 0
    with ready.db.session() as session:
        assert session.scalars(select(Batch)).first() is None


def test_a_killed_export_leaves_only_partials_cleaned_by_the_next(
    ready: AppContext, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    script = textwrap.dedent(
        f"""
        import os, sys
        from pathlib import Path
        from nonasn_desktop.accounts.users import authenticate
        from nonasn_desktop.batch import export as batch_export
        from nonasn_desktop.batch import writing as batch_writing
        from nonasn_desktop.startup import open_app

        real = batch_writing.copy_document
        calls = []
        def copy_then_die(*args, **kwargs):
            real(*args, **kwargs)
            calls.append(1)
            if len(calls) == 3:
                os._exit(9)
        batch_writing.copy_document = copy_then_die
        ctx = open_app(Path({str(ready.data_dir.path)!r}))
        actor = authenticate(ctx, {ADMIN_USERNAME!r}, {ADMIN_PASSWORD!r}).actor
        batch_export.export_batch(
            ctx, Path({str(out)!r}), passphrase={PASSPHRASE!r}, actor=actor
        )
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, check=False)
    assert result.returncode == 9, result.stderr.decode()
    left = files_in(out)
    assert left == [".nonasn-3273-000001.zip.partial"]
    assert exported_count(ready) == 0
    # The next export removes the stale partial (untouched for a while) and succeeds.
    stale = out / left[0]
    old = stale.stat().st_mtime - batch_files.STALE_PARTIAL_SECONDS - 1
    os.utime(stale, (old, old))
    export(ready, out)
    assert not any(name.endswith(".partial") for name in files_in(out))
    assert exported_count(ready) == APPROVED


def test_a_fresh_partial_of_a_running_export_is_left_alone(tmp_path: Path) -> None:
    fresh = tmp_path / ".nonasn-3273-000009.zip.partial"
    fresh.write_bytes(b"sedang ditulis")
    assert batch_export.clean_stale_partials(tmp_path) == 0
    assert fresh.exists()


def test_cancel_stops_and_cleans_up(ready: AppContext, tmp_path: Path) -> None:
    seen: list[ProgressStep] = []

    def cancelled() -> bool:
        return any(p.phase == batch_export.PHASE_DOCUMENTS and p.done > 0 for p in seen)

    with pytest.raises(ExportCancelledError, match="dibatalkan") as info:
        export(ready, tmp_path / "out", progress=seen.append, cancelled=cancelled)
    # One cancellation protocol: the GUI and the command line catch the common base.
    assert isinstance(info.value, OperationCancelledError)
    assert files_in(tmp_path / "out") == []
    assert exported_count(ready) == 0


def test_progress_reaches_the_end_of_every_phase(ready: AppContext, tmp_path: Path) -> None:
    seen: list[ProgressStep] = []
    export(ready, tmp_path / "out", progress=seen.append)
    last = {p.phase: p for p in seen}
    assert list(last) == [
        batch_export.PHASE_RECORDS,
        batch_export.PHASE_DOCUMENTS,
        batch_export.PHASE_FINISH,
    ]
    for progress in last.values():
        assert progress.done == progress.total > 0
    documents = [p.done for p in seen if p.phase == batch_export.PHASE_DOCUMENTS]
    assert documents == sorted(documents)


def test_a_failing_commit_removes_the_files(
    ready: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = batch_files.install

    def install_then_fail(written: batch_files.Written) -> None:
        real(written)
        raise OSError(5, "I/O error")

    monkeypatch.setattr(batch_files, "install", install_then_fail)
    with pytest.raises(OSError, match="I/O"):
        export(ready, tmp_path / "out")
    assert files_in(tmp_path / "out") == []
    assert exported_count(ready) == 0


def test_a_damaged_document_stops_the_export(ready: AppContext, tmp_path: Path) -> None:
    with ready.db.session() as session:
        from nonasn_desktop.storage.models import Document

        sha = session.scalars(select(Document.sha256).where(Document.kind == "ijazah")).first()
    assert sha is not None
    path = ready.blobs.path(sha)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(StorageError, match="rusak"):
        export(ready, tmp_path / "out")
    assert files_in(tmp_path / "out") == []
    assert exported_count(ready) == 0


def test_rewrite_gives_the_same_content_with_new_encryption(
    ready: AppContext, tmp_path: Path
) -> None:
    identity_file, recipient = age_identity(tmp_path)
    first = export(ready, tmp_path / "first", recipients=[recipient])
    again = rewrite_batch(
        ready, first.batch_id, tmp_path / "again", passphrase=PASSPHRASE, actor=actor_for(ready)
    )
    assert (again.batch_id, again.sequence, again.record_count) == (
        first.batch_id,
        first.sequence,
        first.record_count,
    )
    assert again.rewritten
    assert again.recipients == first.recipients
    assert again.manifest_sha256 == first.manifest_sha256
    assert again.file.read_bytes() != first.file.read_bytes()  # fresh file key
    plain = rewrite_batch(
        ready, "1", tmp_path / "plain", passphrase=PASSPHRASE, recipients=[], actor=actor_for(ready)
    )
    assert not plain.encrypted
    identities = read_identities(identity_file)
    for encrypted in (first.file, again.file):
        with encrypted.open("rb") as stream:
            assert AgeReader(stream, identities).read() == plain.file.read_bytes()
    assert exported_count(ready) == APPROVED
    assert len(batch_export.list_batches(ready)) == 1


def test_rewrite_refuses_unknown_batches_and_changed_content(
    ready: AppContext, tmp_path: Path
) -> None:
    first = export(ready, tmp_path / "first")
    with pytest.raises(NotFoundError, match="tidak ditemukan"):
        rewrite_batch(ready, "7", tmp_path / "x", passphrase=PASSPHRASE, actor=actor_for(ready))
    with ready.db.session() as session:
        batch = session.scalars(select(Batch)).one()
        batch.manifest_sha256 = "0" * 64
    with pytest.raises(Exception, match="tidak dapat dibuat sama persis"):
        rewrite_batch(
            ready, first.batch_id, tmp_path / "x", passphrase=PASSPHRASE, actor=actor_for(ready)
        )
    assert files_in(tmp_path / "x") == []


def test_rewrite_after_the_office_was_renamed(ready: AppContext, tmp_path: Path) -> None:
    from nonasn_desktop.office import identity as office

    first = export(ready, tmp_path / "first")
    office.initialise(ready, office_code="3273", office_name="BKPSDM Kota Bandung (baru)")
    again = rewrite_batch(
        ready, "1", tmp_path / "again", passphrase=PASSPHRASE, recipients=[], actor=actor_for(ready)
    )
    assert again.manifest_sha256 == first.manifest_sha256
    assert again.file.read_bytes() == first.file.read_bytes()
    with zipfile.ZipFile(again.file) as archive:
        manifest = json.loads(archive.read(fmt.MANIFEST_MEMBER))
    assert manifest["office_name"] == "BKPSDM Kota Bandung"
