"""``make screenshots``: every main screen and wizard page saved as a 1366×768 PNG."""

from __future__ import annotations

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


def test_main_saves_every_screen_at_laptop_size(qtbot: QtBot, tmp_path: Path) -> None:
    assert screenshots.main([str(tmp_path), "--records", "5"]) == 0
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
