"""``make bench`` prints one row per figure of every benchmark module, failures included."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# benchmarks/ sits beside src/ (`python -m pytest` from the top finds it; plain `pytest` not).
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
bench = importlib.import_module("benchmarks.__main__")
harness = importlib.import_module("benchmarks.harness")
Result, reported, within = harness.Result, harness.reported, harness.within

MODULES = {
    "bench_fast": """
from benchmarks.harness import within, reported

def run():
    return [
        within("dasbor dibuka, 100.000 data", 0.4, 1.0, "<= 1 s"),
        within("kartu dicetak, 1.000 data", 3.0, 2.0, "<= 2 s"),
        reported("ukuran berkas batch", "12 MB"),
    ]
""",
    "bench_broken": """
def run():
    raise RuntimeError("benchmark crashed")
""",
    "bench_silent": """
def run():
    return []
""",
    "helper_not_a_benchmark": """
raise AssertionError("only bench_* modules are run")
""",
}


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Path]]:
    name = "dummy_benchmarks"
    folder = tmp_path / name
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    for module, source in MODULES.items():
        (folder / f"{module}.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    yield name, folder
    for module in [m for m in sys.modules if m.startswith(name)]:
        del sys.modules[module]


def test_every_module_has_rows_and_the_table_has_every_column(
    package: tuple[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    name, folder = package
    code = bench.main([], package=name, folder=folder)
    out = capsys.readouterr().out
    lines = out.strip().splitlines()
    header = lines[0].split()
    assert header == ["figure", "target", "measured", "ratio", "result"]
    rows = {line.split("  ")[0]: line for line in lines[2:-2]}
    assert "PASS" in rows["dasbor dibuka, 100.000 data"]
    assert "0.40" in rows["dasbor dibuka, 100.000 data"]
    assert "FAIL" in rows["kartu dicetak, 1.000 data"]
    assert "1.50" in rows["kartu dicetak, 1.000 data"]
    assert rows["ukuran berkas batch"].rstrip().endswith("-")
    assert "error" in rows["bench_broken"]
    assert "FAIL" in rows["bench_broken"]
    assert "nothing reported" in rows["bench_silent"]
    assert lines[-1] == "5 figures, 3 failed"
    assert code == 1


def test_only_selects_modules_by_name(
    package: tuple[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    name, folder = package
    assert bench.main(["fast"], package=name, folder=folder) == 1  # one figure fails
    out = capsys.readouterr().out
    assert "bench_broken" not in out
    assert out.strip().splitlines()[-1] == "3 figures, 1 failed"


def test_all_passing_exits_0(package: tuple[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    name, folder = package
    for module in ("bench_broken", "bench_silent"):
        (folder / f"{module}.py").unlink()
    (folder / "bench_fast.py").write_text(
        "from benchmarks.harness import within\n"
        "def run():\n"
        "    return [within('cepat', 0.1, 1.0, '<= 1 s')]\n"
    )
    assert bench.main([], package=name, folder=folder) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == "1 figures, 0 failed"


def test_the_real_benchmarks_are_discovered() -> None:
    names = bench._modules([])
    assert names == sorted(names)
    assert all(name.startswith("bench_") for name in names)


def test_result_helpers() -> None:
    assert within("x", 2.0, 4.0, "<= 4 s") == Result("x", "<= 4 s", "2.000 s", 0.5, True)
    assert within("x", 1.0, 0.0, "<= 0 s").passed is False
    assert reported("y", "3 MB") == Result("y", "(dilaporkan)", "3 MB", None, None)


def test_beside_prints_both_figures_and_checks_the_encrypted_ratio() -> None:
    near = harness.beside("impor", 2.0, 2.2)
    assert near.figure == "impor: encrypted vs plain"
    assert near.target == "<= 1.15x plain"
    assert near.measured == "2.000 -> 2.200 s = 1.10x"
    assert near.passed is True
    assert near.ratio == pytest.approx(1.1 / 1.15)
    far = harness.beside("ekspor", 1.0, 1.2)
    assert far.passed is False
    assert far.ratio == pytest.approx(1.2 / 1.15)
    assert harness.beside("nol", 0.0, 0.1).passed is False


def test_a_child_benchmark_keeps_its_fastest_run_and_its_highest_peak() -> None:
    runs = [
        {"seconds": 3.0, "peak_kib": 100_000.0, "added": 5.0},
        {"seconds": 2.0, "peak_kib": 90_000.0, "added": 5.0},
    ]
    best = harness.best_child_run(runs, "added", 5)
    assert (best["seconds"], best["peak_kib"]) == (2.0, 100_000.0)
    with pytest.raises(AssertionError):
        harness.best_child_run([{"seconds": 1.0, "peak_kib": 1.0, "added": 4.0}], "added", 5)


def test_against_hashing_checks_time_and_memory() -> None:
    figures = {"seconds": 2.0, "peak_kib": 160 * 1024.0}
    timed, memory = harness.against_hashing("impor", "1 data", figures, 1.0, (2.5, 150))
    assert timed.figure == "impor (1 data) vs sha256sum"
    assert timed.target == "<= 2.5x sha256sum (2.50 s)"
    assert timed.passed is True
    assert memory.figure == "impor peak memory (1 data)"
    assert memory.passed is False


def test_encrypted_copy_leaves_the_prepared_folder_plain_and_opens_unlocked(
    tmp_path: Path,
) -> None:
    from nonasn_desktop.registration import records
    from nonasn_desktop.startup import is_encrypted, open_app
    from nonasn_desktop.storage import cipher

    plain = tmp_path / "data"
    with open_app(plain, create=True) as ctx:
        harness.signed_in_admin(ctx)
        stored = ctx.blobs.put(b"%PDF-1.4 ijazah uji")
    sealed = harness.encrypted_copy(plain, tmp_path / "encrypted")

    assert not is_encrypted(plain)
    assert cipher.is_plain_sqlite(plain / "nonasn.sqlite3")
    assert is_encrypted(sealed)
    assert not cipher.is_plain_sqlite(sealed / "nonasn.sqlite3")
    with harness.open_folder(sealed) as ctx:
        assert ctx.key is not None
        assert ctx.blobs.get(stored) == b"%PDF-1.4 ijazah uji"
        actor = harness.signed_in_admin(ctx)
        assert records.search(ctx, records.RecordQuery(), 0, 1, actor=actor) == []
    with harness.open_folder(plain) as ctx:
        assert ctx.key is None
