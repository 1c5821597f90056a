"""The folder of trusted office keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from nonasn_desktop.central.format import public_key_comment
from nonasn_desktop.central.trust import TrustStore
from nonasn_desktop.crypto.minisign import PublicKey, SecretKey
from nonasn_desktop.errors import UserError


def write_key(path: Path, key: SecretKey, comment: str = "") -> PublicKey:
    public = key.public_key(comment)
    path.write_text(public.to_text())
    return public


def test_office_from_the_comment_or_the_file_name(tmp_path: Path) -> None:
    ours = SecretKey.generate()
    stock = SecretKey.generate()
    write_key(
        tmp_path / "bandung.pub",
        ours,
        public_key_comment("3273", "BKD", ours.public_key().key_id_hex),
    )
    write_key(tmp_path / "3171.pub", stock)  # as stock minisign -G writes it
    (tmp_path / "catatan.txt").write_text("not a key")
    store = TrustStore.load(tmp_path)
    assert len(store) == 2
    offices = {trusted.office_code for trusted in store.keys}
    assert offices == {"3273", "3171"}
    signature = stock.sign_digest(bytes(64), trusted_comment="x")
    found = store.find(signature)
    assert found is not None
    assert found.office_code == "3171"


def test_a_key_naming_no_office_is_kept_but_flagged(tmp_path: Path) -> None:
    stray = SecretKey.generate()
    write_key(tmp_path / "kunci-kantor.pub", stray)
    with pytest.raises(UserError, match="yang dapat dipakai"):
        TrustStore.load(tmp_path)  # nothing usable at all
    write_key(tmp_path / "3273.pub", SecretKey.generate())
    store = TrustStore.load(tmp_path)
    assert len(store) == 2
    (problem,) = store.problems
    assert "kunci-kantor.pub" in problem
    assert "tidak menyebut kode kantor" in problem
    found = store.find(stray.sign_digest(bytes(64), trusted_comment="x"))
    assert found is not None
    assert found.office_code is None


def test_empty_missing_and_damaged_folders(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="tidak berisi kunci publik"):
        TrustStore.load(tmp_path)
    with pytest.raises(UserError, match="tidak ada"):
        TrustStore.load(tmp_path / "missing")
    (tmp_path / "3171.pub").write_text("rusak\n")
    with pytest.raises(UserError, match="tidak berisi kunci publik"):
        TrustStore.load(tmp_path)
    write_key(tmp_path / "3273.pub", SecretKey.generate())
    store = TrustStore.load(tmp_path)
    assert len(store) == 1
    assert store.problems[0].startswith("3171.pub dilewati: ")
    assert "bukan kunci publik minisign" in store.problems[0]


def test_two_different_keys_under_one_id_are_refused(tmp_path: Path) -> None:
    key = SecretKey.generate()
    write_key(tmp_path / "3273.pub", key)
    clash = PublicKey(key.key_id, SecretKey.generate().public_key().key)
    (tmp_path / "3274.pub").write_text(clash.to_text())
    with pytest.raises(UserError, match="ID kunci harus unik"):
        TrustStore.load(tmp_path)


def test_database_urls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nonasn_desktop.central.db import resolve_url

    monkeypatch.delenv("NONASN_CENTRAL_DB", raising=False)
    assert resolve_url(None, cwd=tmp_path) == f"sqlite:///{tmp_path / 'central.sqlite3'}"
    assert resolve_url("pusat.db", cwd=tmp_path) == f"sqlite:///{tmp_path / 'pusat.db'}"
    assert resolve_url("postgresql://pusat@/data?host=/run/pg").startswith(
        "postgresql+psycopg://pusat@/data"
    )
    assert resolve_url("sqlite:////srv/pusat.sqlite3") == "sqlite:////srv/pusat.sqlite3"
    monkeypatch.setenv("NONASN_CENTRAL_DB", "postgres://x@/y")
    assert resolve_url(None).startswith("postgresql+psycopg://x@/y")
    with pytest.raises(UserError, match="tidak sah"):
        resolve_url("bukan://:alamat:")
