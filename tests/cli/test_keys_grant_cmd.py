"""``nonasn keys grant-documents``: a clerk without a slot of the office data key gets one at the
admin's desk with their own password, and the list of who still lacks one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.accounts import CLERK_PASSWORD, sign_in
from helpers.commands import run
from helpers.officekey import JPEG, SLOTLESS, failed_attempts, office_with_a_slotless_clerk
from nonasn_desktop.startup import open_app


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, str]]:
    monkeypatch.delenv("NONASN_CLERK_PASSWORD", raising=False)
    with office_with_a_slotless_clerk(tmp_path / "meja", monkeypatch) as made:
        yield made


def test_the_admin_lists_then_grants_and_the_clerk_reads(
    desk: tuple[Path, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, sha = desk
    command = ["--data-dir", str(folder), "keys", "grant-documents"]
    code, out, err = run(command, capsys)
    assert code == 0, err
    assert "Pengguna aktif tanpa akses dokumen kantor: siti" in out
    # The conversion (run again here: nothing left to encrypt) names them too.
    code, out, err = run(["--data-dir", str(folder), "keys", "encrypt-documents"], capsys)
    assert code == 0, err
    assert "Dokumen dienkripsi: 0; sudah terenkripsi: 1." in out
    assert "Pengguna aktif tanpa akses dokumen kantor: siti" in out
    assert "nonasn keys grant-documents USER" in out
    # No password given and no terminal to type it on: nothing is done.
    code, out, err = run([*command, SLOTLESS], capsys)
    assert code != 0
    assert "Kata sandi siti tidak diberikan" in err
    assert "NONASN_CLERK_PASSWORD" in err
    monkeypatch.setenv("NONASN_CLERK_PASSWORD", "bukan-sandinya-1")
    code, out, err = run([*command, SLOTLESS], capsys)
    assert code != 0
    assert "Kata sandi siti salah; akses dokumen tidak diberikan." in err
    monkeypatch.setenv("NONASN_CLERK_PASSWORD", CLERK_PASSWORD)
    code, out, err = run([*command, SLOTLESS], capsys)
    assert code == 0, err
    assert "Akses dokumen kantor untuk siti diberikan." in out
    assert "Semua pengguna aktif dapat membuka dokumen kantor." in out
    with open_app(folder) as ctx:
        assert failed_attempts(ctx, SLOTLESS) == 0  # the right password started the count anew
        sign_in(ctx, SLOTLESS)
        assert ctx.blobs.get(sha) == JPEG


def test_a_clerk_who_is_not_admin_is_refused(
    desk: tuple[Path, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, _ = desk
    monkeypatch.setenv("NONASN_USER", SLOTLESS)
    monkeypatch.setenv("NONASN_PASSWORD", CLERK_PASSWORD)
    monkeypatch.setenv("NONASN_CLERK_PASSWORD", CLERK_PASSWORD)
    code, _, err = run(["--data-dir", str(folder), "keys", "grant-documents", SLOTLESS], capsys)
    assert code != 0
    assert "hanya untuk pengguna dengan peran Admin" in err
    with open_app(folder) as ctx:
        sign_in(ctx, SLOTLESS)
        assert ctx.office_key is None
