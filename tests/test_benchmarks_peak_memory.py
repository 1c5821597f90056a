"""The benchmarks' child scripts read their own peak memory through one helper."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
peak_memory = importlib.import_module("benchmarks.peak_memory")

CHILD = """
import json
from benchmarks.peak_memory import peak_kib
print(json.dumps({"peak_kib": peak_kib()}))
"""


def test_a_child_started_from_another_folder_reports_its_peak(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHILD],
        cwd=tmp_path,
        env=peak_memory.child_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(done.stdout)
    # An interpreter holds a few MB at least; the figure is in KiB, not bytes or pages.
    assert 1024 < figures["peak_kib"] < 4 * 1024 * 1024


def test_the_peak_never_falls_below_what_is_resident_now() -> None:
    held = bytearray(32 * 1024 * 1024)
    assert peak_memory.peak_kib() >= 32 * 1024
    del held
