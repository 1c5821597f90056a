"""The self-test's checks pass on a sound installation and report failures on one line each."""

from __future__ import annotations

from pathlib import Path

import pytest

from nonasn_desktop import selftest
from nonasn_desktop.errors import DocumentError
from nonasn_desktop.selftest import CheckResult, core_checks, run_selftest


@pytest.mark.parametrize(("name", "check"), core_checks(), ids=[n for n, _ in core_checks()])
def test_every_check_passes_here(
    name: str, check: selftest.Check, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The checks must never touch the user's data folder.
    monkeypatch.setenv("NONASN_DATA_DIR", str(tmp_path / "bukan-di-sini"))
    detail = check(tmp_path)
    assert detail
    assert not (tmp_path / "bukan-di-sini").exists()


def test_failures_are_reported_one_line_each_and_the_rest_still_run(tmp_path: Path) -> None:
    seen: list[Path] = []

    def passes(scratch: Path) -> str:
        seen.append(scratch)
        (scratch / "berkas").write_text("x")
        return "baik"

    def user_problem(_scratch: Path) -> str:
        raise DocumentError("Berkas contoh tidak terbaca.", hint="Pasang ulang aplikasi.")

    def bug(_scratch: Path) -> str:
        raise KeyError("x" * 5000)

    reported: list[CheckResult] = []
    report = run_selftest(
        [("Pertama", passes), ("Kedua", user_problem), ("Ketiga", bug), ("Keempat", passes)],
        on_result=reported.append,
    )
    assert reported == report.results
    assert [r.ok for r in report.results] == [True, False, False, True]
    lines = [r.line() for r in report.results]
    assert lines[0] == "[OK] Pertama — baik"
    assert lines[1] == "[GAGAL] Kedua (Berkas contoh tidak terbaca. Pasang ulang aplikasi.)"
    assert lines[2].startswith("[GAGAL] Ketiga (KeyError: 'xxx")
    assert len(lines[2]) < 320
    assert all("\n" not in line for line in lines)
    assert not report.ok
    assert report.summary() == "2 dari 4 pemeriksaan gagal: Kedua, Ketiga."
    # Every check had a scratch folder of its own, removed afterwards.
    assert len(set(seen)) == 2
    assert not any(path.exists() for path in seen)


def test_all_passing_summary() -> None:
    report = run_selftest([("Satu", lambda _s: "")])
    assert report.ok
    assert report.results[0].line() == "[OK] Satu"
    assert report.summary() == "Semua 1 pemeriksaan berhasil."


def test_a_check_that_finds_a_problem_says_what(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A library that misbehaves (here: phone numbers) fails its check with a reason."""
    import nonasn_desktop.rules.identity as identity

    monkeypatch.setattr(identity, "normalise_phone", lambda raw: "08123")
    report = run_selftest([("Aturan NIK, KK dan nomor HP", selftest.check_identity)])
    assert report.results[0].line() == (
        "[GAGAL] Aturan NIK, KK dan nomor HP (nomor HP menjadi 08123)"
    )
