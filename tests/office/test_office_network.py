"""Two desks, one office database on a real PostgreSQL server (issue 10, part 1).

Each desk is its own data folder; both are set up with ``nonasn init --database-url`` as an
office would, then opened the way ``make run`` opens them (the URL remembered by the folder).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text, update

from helpers.accounts import ADMIN_PASSWORD, sign_in
from helpers.postgres import fresh_database
from nonasn_desktop.batch.export import export_batch
from nonasn_desktop.cli.main import main
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.demo import generate as demo
from nonasn_desktop.errors import ConflictError
from nonasn_desktop.office import keys
from nonasn_desktop.registration.documents import document_bytes
from nonasn_desktop.registration.store import (
    SqlFlowStore,
    acquire_edit_lock,
    release_edit_lock,
)
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.startup import open_app
from nonasn_desktop.storage.deskconfig import read_desk_config
from nonasn_desktop.storage.models import (
    AuditLog,
    Clerk,
    DocumentBlob,
    Office,
    OfficeKey,
    Registration,
    Setting,
)
from nonasn_desktop.verval.decisions import decide
from nonasn_desktop.verval.review import load_review

PASSPHRASE = "frasa sandi kantor bengkulu"
OFFICE = ["--office-code", "1771BKD", "--office-name", "BKD Kota Bengkulu"]


@pytest.fixture
def office_url() -> Iterator[str]:
    with fresh_database() as url:
        yield url


@pytest.fixture
def desks(
    office_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> tuple[Path, Path]:
    """Desk 1 sets the office up on the empty server; desk 2 joins it."""
    monkeypatch.setenv("NONASN_ADMIN_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.setenv("NONASN_KEY_PASSPHRASE", PASSPHRASE)
    one, two = tmp_path / "meja1", tmp_path / "meja2"
    init = ["init", "--database-url", office_url]
    assert (
        main(["--data-dir", str(one), *init, *OFFICE, "--admin", "admin", "--desk-name", "Meja 1"])
        == 0
    )
    capsys.readouterr()
    return one, two


def _office_rows(ctx: AppContext) -> dict[str, Any]:
    with ctx.db.session() as session:
        return {
            "office": [(o.code, o.name) for o in session.scalars(select(Office))],
            "keys": [(k.key_id, bytes(k.sealed)) for k in session.scalars(select(OfficeKey))],
            "clerks": [(c.username, c.password_hash) for c in session.scalars(select(Clerk))],
            "settings": [(s.key, s.value) for s in session.scalars(select(Setting))],
            "audit": session.scalar(select(func.count()).select_from(AuditLog)),
        }


def test_a_second_desk_joins_without_changing_the_office(
    desks: tuple[Path, Path], office_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    one, two = desks
    with open_app(one) as first:
        before = _office_rows(first)
    assert len(before["keys"]) == 1
    # Even with office options, an admin and a passphrase at hand: nothing is made twice.
    argv = ["--data-dir", str(two), "init", "--database-url", office_url, *OFFICE]
    assert main([*argv, "--admin", "admin2", "--desk-name", "Meja 2"]) == 0
    out = capsys.readouterr().out
    assert "Kantor 1771BKD (BKD Kota Bengkulu) sudah ada" in out
    assert "Basis data kantor tidak diubah" in out
    assert read_desk_config(two).database_url == office_url
    assert read_desk_config(two).name == "Meja 2"
    with open_app(two) as second:
        assert second.db.is_postgresql
        assert _office_rows(second) == before
        assert second.desk.code != read_desk_config(one).code
    # Another office code on that database is refused.
    assert main(["--data-dir", str(two), "init", "--office-code", "3273"]) == 1
    assert "milik kantor 1771BKD" in capsys.readouterr().err
    # No desk keeps a key or a document of its own.
    for folder in (one, two):
        assert not (folder / "keys").exists()
        assert not any((folder / "documents").iterdir())


def test_typed_at_desk_1_approved_and_exported_at_desk_2(
    desks: tuple[Path, Path], office_url: str, tmp_path: Path
) -> None:
    one, two = desks
    assert main(["--data-dir", str(two), "init", "--database-url", office_url]) == 0
    with open_app(one) as first:
        demo.generate(
            first, 1, RecordStatus.PENDAFTARAN_SELESAI, seed=3, actor=sign_in(first).actor
        )
        [record_id] = [item.id for item in _finished(first)]
    with open_app(two) as second:
        review = load_review(second, record_id, actor=sign_in(second).actor)
        ktp = next(d for d in review.documents if d.kind == "ktp")
        # The verval screen shows the scan through this call.
        assert document_bytes(second, ktp.id, actor=sign_in(second).actor)[:3] == b"\xff\xd8\xff"
        decide(second, record_id, RecordStatus.DISETUJUI, actor=sign_in(second).actor)
        result = export_batch(
            second, tmp_path / "keluar", passphrase=PASSPHRASE, actor=sign_in(second).actor
        )
        assert result.record_count == 1
        assert result.document_count == len(review.documents)
        with second.db.session() as session:
            stored = session.scalar(select(func.count()).select_from(DocumentBlob))
            keys_in_db = session.scalar(select(func.count()).select_from(OfficeKey))
            audit_devices = set(session.scalars(select(AuditLog.device)))
        assert stored == len(review.documents)
        assert keys_in_db == 1
        assert keys.get_key_info(second) is not None
        # The audit trail says at which desk each change was made.
        assert {read_desk_config(one).code, read_desk_config(two).code} <= audit_devices


def _finished(ctx: AppContext) -> list[Registration]:
    with ctx.db.session() as session:
        return list(session.scalars(select(Registration).order_by(Registration.id)))


def test_a_lock_held_at_desk_1_is_refused_at_desk_2_until_it_expires(
    desks: tuple[Path, Path], office_url: str
) -> None:
    one, two = desks
    assert main(["--data-dir", str(two), "init", "--database-url", office_url]) == 0
    with open_app(one) as first, open_app(two) as second:
        demo.generate(first, 1, RecordStatus.AKUN_DIBUAT, seed=5, actor=sign_in(first).actor)
        [row] = _finished(first)
        with first.db.session() as session:
            clerk = session.scalars(select(Clerk)).one()
        acquire_edit_lock(first, row.id, clerk_id=clerk.id)
        acquire_edit_lock(first, row.id, clerk_id=clerk.id)  # the wizard's refresh
        # The same clerk at another desk is refused too, told who, where and since when.
        with pytest.raises(ConflictError, match=r"dibuka oleh admin \(Meja 1\) sejak \d\d\.\d\d"):
            acquire_edit_lock(second, row.id, clerk_id=clerk.id)
        release_edit_lock(second, row.id, clerk_id=clerk.id)  # not desk 2's lock: kept
        with pytest.raises(ConflictError, match="Meja 1"):
            acquire_edit_lock(second, row.id, clerk_id=clerk.id)
        # Desk 1 crashes; half an hour later, by the server's clock, the lock has expired.
        with first.db.session() as session:
            session.execute(
                update(Registration)
                .where(Registration.id == row.id)
                .values(locked_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=31))
            )
        acquire_edit_lock(second, row.id, clerk_id=clerk.id)
        with second.db.session() as session:
            taken = session.get(Registration, row.id)
            assert taken is not None
            assert taken.locked_device == second.desk.code


def test_two_desks_creating_accounts_at_once_never_share_a_number(
    desks: tuple[Path, Path], office_url: str
) -> None:
    one, two = desks
    assert main(["--data-dir", str(two), "init", "--database-url", office_url]) == 0
    numbers: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)
    per_desk = 15

    def create(folder: Path) -> None:
        try:
            with open_app(folder) as ctx:
                store = SqlFlowStore(ctx, actor=sign_in(ctx).actor)
                start.wait()
                for _ in range(per_desk):
                    with ctx.db.session() as session:
                        # The account number is drawn inside the account's own transaction;
                        # a pause before the commit lets the other desk try to draw meanwhile.
                        number = store._next_account_number(session, ctx.now())
                        session.execute(text("SELECT pg_sleep(0.01)"))
                    numbers.append(number)
        except BaseException as exc:  # handed to the main thread
            errors.append(exc)

    threads = [threading.Thread(target=create, args=(folder,)) for folder in (one, two)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    assert len(numbers) == 2 * per_desk
    assert len(set(numbers)) == len(numbers)
