"""The folder of trusted office keys."""

from __future__ import annotations

import os
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


def test_the_file_name_registers_the_office_never_the_comment(tmp_path: Path) -> None:
    ours = SecretKey.generate()
    stock = SecretKey.generate()
    labelled = SecretKey.generate()
    write_key(tmp_path / "3273.pub", ours, public_key_comment("3273", "BKD", "X"))
    write_key(tmp_path / "3171.pub", stock)  # as stock minisign -G writes it
    write_key(tmp_path / "1771BKD-laptop2.pub", labelled)
    # The comment names 3273, but the file name registers no office: the comment is not trust.
    unregistered = SecretKey.generate()
    write_key(tmp_path / "bandung.pub", unregistered, public_key_comment("3273", "BKD", "Y"))
    (tmp_path / "catatan.txt").write_text("not a key")
    store = TrustStore.load(tmp_path)
    assert len(store) == 4
    usable = {trusted.office_code for trusted in store.keys if trusted.usable}
    assert usable == {"3273", "3171", "1771BKD"}
    found = store.find(stock.sign_digest(bytes(64), trusted_comment="x"))
    assert found is not None
    assert found.office_code == "3171"
    stray = store.find(unregistered.sign_digest(bytes(64), trusted_comment="x"))
    assert stray is not None
    assert not stray.usable
    assert stray.office_code is None
    (problem,) = store.problems
    assert "bandung.pub" in problem
    assert "komentarnya menyebut kantor 3273" in problem
    assert store.notices == []


def test_a_key_whose_comment_names_another_office_is_refused(tmp_path: Path) -> None:
    evil = SecretKey.generate()
    write_key(tmp_path / "9999EVL.pub", evil, public_key_comment("1771BKD", "BKD", "X"))
    write_key(tmp_path / "1771BKD.pub", SecretKey.generate())
    store = TrustStore.load(tmp_path)
    found = store.find(evil.sign_digest(bytes(64), trusted_comment="x"))
    assert found is not None
    assert found.office_code == "9999EVL"
    assert not found.usable
    assert found.refusal is not None
    assert "komentarnya menyebut kantor 1771BKD" in found.refusal
    assert [k.path.name for k in store.keys_of("1771BKD")] == ["1771BKD.pub"]
    assert store.keys_of("9999EVL") == []
    assert any("9999EVL.pub" in problem for problem in store.problems)


def test_several_keys_of_one_office_are_listed(tmp_path: Path) -> None:
    first, second = SecretKey.generate(), SecretKey.generate()
    one = write_key(tmp_path / "3273.pub", first)
    two = write_key(tmp_path / "3273-kedua.pub", second)
    write_key(tmp_path / "3171.pub", SecretKey.generate())
    store = TrustStore.load(tmp_path)
    (notice,) = store.notices
    assert notice.startswith("Kantor 3273 memiliki 2 kunci tepercaya")
    assert f"3273.pub ({one.key_id_hex})" in notice
    assert f"3273-kedua.pub ({two.key_id_hex})" in notice
    assert len(store.keys_of("3273")) == 2
    assert store.problems == []


def test_one_key_registered_for_two_offices_is_refused(tmp_path: Path) -> None:
    key = SecretKey.generate()
    write_key(tmp_path / "3273.pub", key)
    write_key(tmp_path / "3171.pub", key)
    with pytest.raises(UserError, match="terdaftar untuk dua kantor"):
        TrustStore.load(tmp_path)


def test_special_files_in_the_trust_folder_are_skipped(tmp_path: Path) -> None:
    write_key(tmp_path / "3273.pub", SecretKey.generate())
    (tmp_path / "3171.pub").symlink_to("/dev/zero")
    os.mkfifo(tmp_path / "3172.pub")
    (tmp_path / "3174.pub").mkdir()
    (tmp_path / "3175.pub").write_bytes(b"untrusted comment: x\n" + b"A" * 100_000)
    store = TrustStore.load(tmp_path)  # returns at once: nothing blocks, nothing is read whole
    assert [k.path.name for k in store.keys] == ["3273.pub"]
    problems = "\n".join(store.problems)
    assert "3171.pub dilewati: Kunci publik" in problems
    assert "sebuah perangkat" in problems
    assert "sebuah pipa (FIFO)" in problems
    assert "sebuah folder" in problems
    assert "terlalu besar" in problems
    with pytest.raises(UserError, match="bukan folder"):
        TrustStore.load(tmp_path / "3171.pub")


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
