"""``make screenshots``: every main screen and wizard page saved as a 1366×768 PNG, at 100 %
and at 150 % display scaling, and nothing on them cut, elided or overlapping (the layout audit
runs over every window pictured; ``--check`` makes a finding fail)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from nonasn_desktop.gui import screenshots

pytestmark = pytest.mark.gui

MAIN_SCREENS = [
    "01_masuk.png",
    "02_mulai_pertama.png",
    "03_daftar_admin.png",
    "04_daftar_operator.png",
    "05_tentang.png",
    "06_pengguna.png",
    "07_pengaturan.png",
    "08_kartu_informasi_akun.png",
    "09_informasi_pendaftaran.png",
    "10_verval.png",
    "11_impor_daftar.png",
]


def _render_at(scale: str, out: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    args = [str(out), "--records", "5", "--check"]
    if scale == "1":
        code = screenshots.main(args)
        return code, capsys.readouterr().err
    # Qt reads QT_SCALE_FACTOR when it starts: another process, on the module's own
    # offscreen 1366×768 laptop screen.
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "QT_SCALE_FACTOR")}
    done = subprocess.run(
        [sys.executable, "-m", "nonasn_desktop.gui.screenshots", *args, "--scale", scale],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    return done.returncode, done.stderr


def _findings(errors: str) -> set[str]:
    """``picture: kind: widget`` of every finding printed (sizes left out)."""
    kinds = (": cut: ", ": outside: ", ": overlap: ")
    lines = [line for line in errors.splitlines() if any(kind in line for kind in kinds)]
    return {": ".join(line.split(": ")[:3]) for line in lines}


@pytest.mark.slow
@pytest.mark.parametrize("scale", ["1", "1.5"])
def test_every_screen_is_pictured_and_nothing_is_cut(
    qtbot: QtBot, tmp_path: Path, capsys: pytest.CaptureFixture[str], scale: str
) -> None:
    code, errors = _render_at(scale, tmp_path, capsys)
    # At 150 % a 1366×768 laptop offers 911×512 logical pixels: the same rule as at 100 %.
    assert _findings(errors) == set(), errors
    assert code == 0, errors
    names = sorted(path.name for path in tmp_path.glob("*.png"))
    assert [name for name in names if not name.startswith("page_")] == MAIN_SCREENS
    pages = [name for name in names if name.startswith("page_")]
    assert "page_06a_unggah_ktp_dan_pas_foto.png" in pages
    assert "page_24_pendaftaran_selesai.png" in pages
    for name in names:
        image = QImage(str(tmp_path / name))
        assert (image.width(), image.height()) == screenshots.SIZE, name


def test_too_few_records_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        screenshots.main([str(tmp_path), "--records", "2"])
    assert "--records" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.png"))
