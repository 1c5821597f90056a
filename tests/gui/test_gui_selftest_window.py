"""The self-test's Qt check shows a real window and reads JPEG and SVG through Qt's plug-ins."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from nonasn_desktop.gui import selftest_window


@pytest.mark.gui
def test_the_window_is_shown_grabbed_and_closed(qtbot: QtBot, tmp_path: Path) -> None:
    detail = selftest_window.check_qt_window(tmp_path)
    assert detail.startswith("platform offscreen, jendela ")
    assert "JPEG, ikon SVG dan teks Qt berbahasa Indonesia terbaca" in detail
    picture = QImage(str(tmp_path / "jendela.png"))
    assert not picture.isNull()
    assert picture.width() >= 300
    # The window it showed is closed again.
    shown = [w for w in QApplication.topLevelWidgets() if w.objectName() == "about_dialog"]
    assert not [w for w in shown if w.isVisible()]


@pytest.mark.gui
def test_a_missing_jpeg_plugin_is_named(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QImage, "loadFromData", lambda self, data, fmt: False)
    with pytest.raises(selftest_window.QtCheckError, match="plug-in JPEG"):
        selftest_window.check_qt_window(tmp_path)


@pytest.mark.gui
def test_a_missing_indonesian_qt_catalogue_is_named(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nonasn_desktop.gui import translations

    monkeypatch.setattr(translations, "catalogue_folder", lambda: tmp_path / "kosong")
    with pytest.raises(selftest_window.QtCheckError, match=r"qt_id\.qm"):
        selftest_window.check_qt_window(tmp_path)
    assert not translations.installed(QApplication.instance())  # type: ignore[arg-type]
