"""The centre refuses a batch carrying account numbers its office cannot have made.

An office numbers its people ``<office>-<year>-<6 digits>`` at its desks and
``<office>-L<nn>-<year>-<6 digits>`` on its field laptops; a batch of office 3273 holding
``3171-2026-000001`` (another office's number), a look-alike office code or no account number
format at all is refused as a whole, by verification (``central verify``) and so by ingest,
before anything is written; the command line says so on standard error with exit code 1.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from helpers.batches import Exported, tampered
from nonasn_desktop.central import verify as verify_module
from nonasn_desktop.central.db import CentralDb
from nonasn_desktop.central.ingest import ingest_file, ingest_files
from nonasn_desktop.central.models import CentralBatch, CentralDocument, CentralRecord
from nonasn_desktop.central.verify import ForeignAccountError, verify_file
from nonasn_desktop.cli.main import main


def _rows(central: CentralDb) -> tuple[int, int, int]:
    with central.db.session() as session:
        return tuple(  # type: ignore[return-value]
            int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (CentralBatch, CentralRecord, CentralDocument)
        )


def _renumbered(batch: Exported, target: Path, number: Callable[[int, str], str]) -> Path:
    """Office 3273's genuine batch with every record's account number replaced by
    ``number(index, original)``, re-hashed and signed with the office's own trusted key: what
    a trusted office sending numbers it cannot have made produces."""
    position = itertools.count()

    def renumber(record: dict[str, Any]) -> None:
        account = record["account"]
        account["account_number"] = number(next(position), account["account_number"])

    return tampered(batch, target, every_record=renumber)


def _first_only(replacement: str) -> Callable[[int, str], str]:
    return lambda index, original: replacement if index == 0 else original


@pytest.mark.parametrize(
    "foreign",
    [
        "3171-2026-000001",  # another office's number
        "32731-2026-000001",  # a look-alike office code that starts like 3273
        "3273-2026-0000001",  # seven digits
        "3273-LXX-2026-000001",  # not a device code
        "3273-2026-000001-3171",  # a tail after the number
        "BENCH-0000001",  # no account number at all
    ],
)
def test_a_foreign_number_refuses_the_whole_batch(
    batch_a: Exported, central: CentralDb, tmp_path: Path, foreign: str
) -> None:
    path = _renumbered(batch_a, tmp_path / "in", _first_only(foreign))
    trust = batch_a.trust_store()
    with pytest.raises(ForeignAccountError) as refused:
        verify_file(path, trust)
    message = str(refused.value)
    assert (
        f"kantor 3273 memuat 1 nomor akun yang bukan milik kantor itu: {foreign} (data ke-1)"
        in message
    )
    assert "berkas tidak dimuat" in message
    assert "3273-TAHUN-NNNNNN" in message
    assert "3273-Lnn-TAHUN-NNNNNN" in message
    (outcome,) = ingest_files(central, [path], trust)
    assert outcome.status == "refused"
    assert foreign in outcome.message
    assert _rows(central) == (0, 0, 0)
    assert not (tmp_path / "central-dokumen").exists()


def test_numbers_of_the_office_and_of_its_field_laptops_are_loaded(
    batch_a: Exported, central: CentralDb, tmp_path: Path
) -> None:
    def laptop_numbers(index: int, original: str) -> str:
        # The first two as made on laptops L01 and L123 (the device code inside the number).
        device = ("L01", "L123")[index] if index < 2 else None
        return original if device is None else original.replace("3273-", f"3273-{device}-", 1)

    path = _renumbered(batch_a, tmp_path / "in", laptop_numbers)
    outcome = ingest_file(central, path, batch_a.trust_store())
    assert outcome.status == "loaded"
    with central.db.session() as session:
        numbers = set(session.scalars(select(CentralRecord.account_number)))
    assert {n.split("-")[1] for n in numbers} >= {"L01", "L123", "2026"}


def test_many_foreign_numbers_are_named_up_to_a_few_and_counted(
    batch_a: Exported, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Five are named; with the three records of the test batch, two show the counting.
    monkeypatch.setattr(verify_module, "MAX_NAMED_ACCOUNTS", 2)
    path = _renumbered(batch_a, tmp_path / "in", lambda i, _: f"3171-2026-{i + 1:06d}")
    records = batch_a.plain.record_count
    assert records == 3
    with pytest.raises(ForeignAccountError) as refused:
        verify_file(path, batch_a.trust_store())
    message = str(refused.value)
    assert "memuat 3 nomor akun yang bukan milik kantor itu" in message
    assert "3171-2026-000001 (data ke-1), 3171-2026-000002 (data ke-2) dan 1 lainnya" in message
    assert "3171-2026-000003" not in message


def test_the_command_line_refuses_with_exit_1_on_standard_error(
    batch_a: Exported, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _renumbered(batch_a, tmp_path / "in", _first_only("3171-2026-000001"))
    good = batch_a.copy(tmp_path / "good", encrypted=False)
    database = tmp_path / "pusat.sqlite3"
    trust = batch_a.trust
    base = ["central", "ingest", "--trust", str(trust), "--db", f"sqlite:///{database}"]
    code = main([*base, str(path)])
    out, err = capsys.readouterr()
    assert code == 1
    assert err.startswith(f"DITOLAK   {path.name}: Batch {path.name} dari kantor 3273 memuat 1")
    assert "3171-2026-000001 (data ke-1)" in err
    assert "DITOLAK" not in out
    # The office's genuine batch still loads afterwards.
    code = main([*base, str(good)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "DIMUAT" in out
    code = main(["central", "verify", "--trust", str(trust), str(path)])
    _, err = capsys.readouterr()
    assert code == 1
    assert "DITOLAK  " in err
    assert "bukan milik kantor itu" in err
