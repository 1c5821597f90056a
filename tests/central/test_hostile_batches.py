"""Hostile input at the centre: keys filed for one office speaking for another, values from a
trusted office that the central database cannot take, and paths that are not regular files."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from helpers.batches import Exported, tampered
from helpers.hostile import HOSTILE, hostile_batch
from nonasn_desktop.central import format as fmt
from nonasn_desktop.central.db import CentralDb
from nonasn_desktop.central.files import SpecialFileError
from nonasn_desktop.central.ingest import ingest_file, ingest_files
from nonasn_desktop.central.models import CentralBatch, CentralRecord
from nonasn_desktop.central.trust import TrustStore
from nonasn_desktop.central.verify import verify_file
from nonasn_desktop.crypto.errors import SignatureError
from nonasn_desktop.crypto.minisign import SecretKey
from nonasn_desktop.errors import StorageError, UserError


def row_counts(central: CentralDb) -> tuple[int, int]:
    with central.db.session() as session:
        return (
            int(session.scalar(select(func.count()).select_from(CentralBatch)) or 0),
            int(session.scalar(select(func.count()).select_from(CentralRecord)) or 0),
        )


# -- the office a key speaks for ----------------------------------------------------------------


def test_a_key_filed_for_one_office_whose_comment_names_another_is_refused(
    batch_a: Exported, tmp_path: Path
) -> None:
    """9999EVL.pub says "1771BKD" in its comment and signs a batch of 1771BKD: refused."""

    def as_1771bkd(manifest: dict[str, Any]) -> None:
        manifest["office_code"] = "1771BKD"

    def numbered_by_1771bkd(record: dict[str, Any]) -> None:
        account = record["account"]
        account["account_number"] = account["account_number"].replace("3273-", "1771BKD-", 1)

    path = tampered(batch_a, tmp_path / "in", manifest=as_1771bkd, every_record=numbered_by_1771bkd)
    trust = tmp_path / "trust"
    trust.mkdir()
    public = batch_a.key.public_key(fmt.public_key_comment("1771BKD", "BKD Dumai", "X"))
    (trust / "9999EVL.pub").write_text(public.to_text())
    (trust / "1771BKD.pub").write_text(SecretKey.generate().public_key().to_text())
    with pytest.raises(SignatureError, match="komentarnya menyebut kantor 1771BKD") as refused:
        verify_file(path, TrustStore.load(trust))
    assert "terdaftar untuk kantor 9999EVL" in str(refused.value)
    # The same key, registered by the centre as 1771BKD's, signs that office's batch.
    (trust / "9999EVL.pub").rename(trust / "1771BKD-kedua.pub")
    report = verify_file(path, TrustStore.load(trust))
    assert report.check.key.office_code == "1771BKD"


def test_a_key_filed_for_another_office_without_a_comment_cannot_sign_for_1771bkd(
    batch_a: Exported, tmp_path: Path
) -> None:
    def as_1771bkd(manifest: dict[str, Any]) -> None:
        manifest["office_code"] = "1771BKD"

    path = tampered(batch_a, tmp_path / "in", manifest=as_1771bkd)
    trust = tmp_path / "trust"
    trust.mkdir()
    (trust / "9999EVL.pub").write_text(batch_a.key.public_key().to_text())
    with pytest.raises(SignatureError, match="mengaku dari kantor 1771BKD"):
        verify_file(path, TrustStore.load(trust))


# -- values the central database cannot take ---------------------------------------------------


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_values_refuse_the_whole_batch_before_writing(
    batch_a: Exported, central: CentralDb, tmp_path: Path, case: str
) -> None:
    path = hostile_batch(batch_a, tmp_path / "in", case)
    good = batch_a.copy(tmp_path / "good", encrypted=False)
    trust = batch_a.trust_store()
    with pytest.raises(UserError) as refused:
        verify_file(path, trust)
    assert HOSTILE[case][2] in str(refused.value)
    outcomes = ingest_files(central, [path], trust)
    assert [o.status for o in outcomes] == ["refused"]
    assert HOSTILE[case][2] in outcomes[0].message
    assert row_counts(central) == (0, 0)
    assert not (tmp_path / "central-dokumen").exists()  # not one document written either
    # The office's genuine batch (same batch id) still loads afterwards.
    assert ingest_file(central, good, trust).status == "loaded"


def test_a_database_refusal_that_verification_missed_is_a_refused_batch(
    batch_a: Exported, central: CentralDb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should a bound ever be missing from the format, the database's refusal (here SQLite's
    OverflowError for 10^20) still ends as a refused file with nothing written."""
    path = hostile_batch(batch_a, tmp_path / "in", "sequence of 10^20")
    monkeypatch.setattr(fmt, "MAX_INTEGER", 10**30)
    with pytest.raises(StorageError, match="Basis data pusat menolak isi batch") as refused:
        ingest_file(central, path, batch_a.trust_store())
    assert "OverflowError" in str(refused.value)
    assert row_counts(central) == (0, 0)


# -- paths that are not regular files ----------------------------------------------------------


def _special(tmp_path: Path, kind: str, name: str) -> Path:
    path = tmp_path / name
    if kind == "symlink to /dev/zero":
        path.symlink_to("/dev/zero")
    elif kind == "FIFO":
        os.mkfifo(path)
    else:
        path.mkdir()
    return path


@pytest.mark.parametrize("kind", ["symlink to /dev/zero", "FIFO", "directory"])
def test_a_batch_path_that_is_not_a_file_is_refused_up_front(
    batch_a: Exported, central: CentralDb, tmp_path: Path, kind: str
) -> None:
    good = batch_a.copy(tmp_path / "asli", encrypted=False)
    inbox = tmp_path / "in"
    inbox.mkdir()
    path = _special(inbox, kind, good.name)
    shutil.copy2(good.with_name(good.name + ".minisig"), inbox / (good.name + fmt.SIGNATURE_SUFFIX))
    with pytest.raises(SpecialFileError, match=r"bukan berkas biasa|sebuah folder"):
        verify_file(path, batch_a.trust_store())
    (outcome,) = ingest_files(central, [path], batch_a.trust_store())
    assert outcome.status == "refused"
    assert row_counts(central) == (0, 0)


@pytest.mark.parametrize("kind", ["symlink to /dev/zero", "FIFO", "directory"])
def test_a_signature_path_that_is_not_a_file_is_refused_up_front(
    batch_a: Exported, tmp_path: Path, kind: str
) -> None:
    good = batch_a.copy(tmp_path / "asli", encrypted=False)
    inbox = tmp_path / "in"
    inbox.mkdir()
    shutil.copy2(good, inbox / good.name)
    _special(inbox, kind, good.name + fmt.SIGNATURE_SUFFIX)
    with pytest.raises(SpecialFileError, match="Tanda tangan"):
        verify_file(inbox / good.name, batch_a.trust_store())
