"""The office signing key: created once, sealed, opened only with the passphrase."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from helpers.accounts import actor_for
from helpers.tools import require_tool
from nonasn_desktop.core import audit
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.crypto.errors import WrongPassphraseError
from nonasn_desktop.crypto.minisign import PublicKey
from nonasn_desktop.errors import ConflictError, FieldError, NotFoundError
from nonasn_desktop.office import identity as office
from nonasn_desktop.office import keys
from nonasn_desktop.storage.models import OfficeKey

PASSPHRASE = "frasa sandi kantor 2022"


@pytest.fixture
def ready(app_ctx: AppContext) -> AppContext:
    office.initialise(app_ctx, office_code="3273", office_name="BKPSDM Kota Bandung")
    return app_ctx


def test_create_show_and_export(ready: AppContext, tmp_path: Path) -> None:
    assert keys.get_key_info(ready) is None
    info = keys.create_office_key(ready, PASSPHRASE)
    assert info == keys.get_key_info(ready)
    assert info.office_code == "3273"
    assert len(info.key_id) == 16
    assert "basis data kantor" in info.where
    assert info.created_at == ready.now()
    out = keys.export_public_key(ready, tmp_path / "out" / "3273.pub", actor=actor_for(ready))
    text = (tmp_path / "out" / "3273.pub").read_text()
    assert out.public_key_text == text
    lines = text.splitlines()
    assert len(lines) == 2
    assert (
        lines[0] == f"untrusted comment: nonasn office key 3273 {info.key_id} (BKPSDM Kota Bandung)"
    )
    parsed = PublicKey.parse(text)
    assert parsed.key_id_hex == info.key_id
    entries = audit.history(ready, "office_key", info.key_id)
    assert [e.action for e in entries] == ["office_key.create"]


def _sealed(ctx: AppContext) -> bytes | None:
    with ctx.db.session() as session:
        row = session.get(OfficeKey, 1)
        return None if row is None else bytes(row.sealed)


def test_the_key_is_sealed_in_the_database_and_no_file_is_written(ready: AppContext) -> None:
    keys.create_office_key(ready, PASSPHRASE)
    key = keys.unlock_office_key(ready, PASSPHRASE)
    sealed = _sealed(ready)
    assert sealed is not None
    assert key.seed() not in sealed
    assert not keys.key_path(ready).exists()


def test_a_second_key_is_refused(ready: AppContext) -> None:
    first = keys.create_office_key(ready, PASSPHRASE)
    with pytest.raises(ConflictError, match="sudah ada"):
        keys.create_office_key(ready, "frasa sandi yang lain")
    assert keys.get_key_info(ready) == first


def test_weak_passphrase_and_no_office(app_ctx: AppContext) -> None:
    with pytest.raises(ConflictError, match="Kantor belum disiapkan"):
        keys.create_office_key(app_ctx, PASSPHRASE)
    office.initialise(app_ctx, office_code="3273", office_name="BKPSDM")
    with pytest.raises(FieldError, match="paling sedikit 10"):
        keys.create_office_key(app_ctx, "pendek")
    with pytest.raises(FieldError, match="tidak sama"):
        keys.validate_new_passphrase(PASSPHRASE, PASSPHRASE + "x")
    assert keys.get_key_info(app_ctx) is None


def test_wrong_passphrase_and_missing_key(ready: AppContext) -> None:
    with pytest.raises(NotFoundError, match="belum dibuat"):
        keys.unlock_office_key(ready, PASSPHRASE)
    with pytest.raises(NotFoundError):
        keys.require_key_info(ready)
    keys.create_office_key(ready, PASSPHRASE)
    with pytest.raises(WrongPassphraseError, match="salah"):
        keys.check_passphrase(ready, "bukan frasa sandinya")
    keys.check_passphrase(ready, PASSPHRASE)


def _file_of_an_earlier_version(ctx: AppContext, sealed: bytes) -> Path:
    target = keys.key_path(ctx)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(sealed)
    return target


def test_a_key_file_of_an_earlier_version_is_taken_in_at_start(
    ready: AppContext, tmp_path: Path
) -> None:
    from nonasn_desktop.startup import open_app

    info = keys.create_office_key(ready, PASSPHRASE)
    sealed = _sealed(ready)
    assert sealed is not None
    with open_app(tmp_path / "old", create=True) as old:
        office.initialise(old, office_code="3273", office_name="BKPSDM Kota Bandung")
        path = _file_of_an_earlier_version(old, sealed)
    with open_app(tmp_path / "old") as reopened:
        adopted = keys.get_key_info(reopened)
        assert adopted is not None
        assert adopted.public_key_text == info.public_key_text
        keys.check_passphrase(reopened, PASSPHRASE)
        assert [e.action for e in audit.history(reopened, "office_key", info.key_id)] == [
            "office_key.adopt"
        ]
    # The file is left as it was, and a database with a key keeps its own.
    assert path.read_bytes() == sealed
    with open_app(tmp_path / "old") as again:
        assert len(audit.history(again, "office_key", info.key_id)) == 1


def test_a_key_file_of_another_office_is_not_taken_in(ready: AppContext, tmp_path: Path) -> None:
    from nonasn_desktop.startup import open_app

    keys.create_office_key(ready, PASSPHRASE)
    sealed = _sealed(ready)
    assert sealed is not None
    with open_app(tmp_path / "other", create=True) as other:
        office.initialise(other, office_code="3171", office_name="BKD Jakarta Pusat")
        _file_of_an_earlier_version(other, sealed)
    with open_app(tmp_path / "other") as reopened:
        assert keys.get_key_info(reopened) is None


def test_stock_minisign_verifies_with_the_exported_key(ready: AppContext, tmp_path: Path) -> None:
    minisign = require_tool("minisign")
    keys.create_office_key(ready, PASSPHRASE)
    public = tmp_path / "3273.pub"
    keys.export_public_key(ready, public, actor=actor_for(ready))
    data = tmp_path / "surat.txt"
    data.write_text("isi surat")
    signature = keys.unlock_office_key(ready, PASSPHRASE).sign_file(
        data, trusted_comment="uji kunci kantor"
    )
    (tmp_path / "surat.txt.minisig").write_text(signature.to_text())
    result = subprocess.run(
        [minisign, "-V", "-p", str(public), "-m", str(data)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
