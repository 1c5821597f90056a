"""The self-test's Qt check (``nonasn self-test``): a real window created, shown, grabbed, closed.

What a frozen build most often lacks is a Qt plug-in: the platform (offscreen, windows, xcb),
the JPEG reader (document previews) or the SVG icon engine (the application's icons), or a
data file such as the Indonesian Qt texts (resources/i18n/qt_id.qm). Each is exercised here
through the application's own window code.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from nonasn_desktop.demo.documents import make_sample_document
from nonasn_desktop.startup import open_app

from . import theme, translations
from .about import AboutDialog

log = logging.getLogger(__name__)


class QtCheckError(Exception):
    """The Qt check found something wrong (message in Indonesian)."""


def _qt_message(mode: QtMsgType, _context: object, message: str) -> None:
    # Qt's notices (e.g. "This plugin does not support propagateSizeHints()") go to the log,
    # not between the lines of the report.
    serious = mode in (QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg)
    log.log(logging.WARNING if serious else logging.INFO, "Qt: %s", message)


def _application() -> QApplication:
    """The running application (a test's), or a new one set up as the real program does."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    qInstallMessageHandler(_qt_message)
    # Kept alive until the process ends: the self-test is the whole program.
    app = QApplication(sys.argv[:1])
    theme.apply_theme(app)
    return app


def check_qt_window(scratch: Path) -> str:
    """Show the About window of a scratch data folder, grab it to PNG, close it."""
    app = _application()
    with open_app(scratch / "data", create=True) as ctx:
        dialog = AboutDialog(ctx)
        try:
            dialog.show()
            app.processEvents()
            picture = dialog.grab()
            if picture.isNull() or picture.width() < 100 or picture.height() < 100:
                raise QtCheckError(f"jendela tergambar {picture.width()}×{picture.height()}")
            png = scratch / "jendela.png"
            if not picture.save(str(png), "PNG") or png.stat().st_size == 0:
                raise QtCheckError("gambar jendela tidak dapat disimpan sebagai PNG")
        finally:
            dialog.close()
            dialog.deleteLater()
            app.processEvents()

    data, _name = make_sample_document("pas_foto", seed=1)
    photo = QImage()
    if not photo.loadFromData(data, "JPG") or photo.isNull():
        raise QtCheckError("plug-in JPEG Qt tidak ada: pratinjau foto tidak dapat ditampilkan")
    icon = theme.app_icon().pixmap(48, 48)
    if icon.isNull():
        raise QtCheckError("plug-in SVG Qt tidak ada: ikon aplikasi tidak dapat digambar")
    _check_translation(app)
    return (
        f"platform {app.platformName()}, jendela {picture.width()}×{picture.height()}, "
        "JPEG, ikon SVG dan teks Qt berbahasa Indonesia terbaca"
    )


def _check_translation(app: QApplication) -> None:
    """The Indonesian Qt texts load (the frozen build carries resources/i18n/qt_id.qm)."""
    already = translations.installed(app)
    try:
        translations.install(app)
        if QCoreApplication.translate("QFileDialog", "&Open") == "&Open":
            raise QtCheckError(
                f"teks Qt berbahasa Indonesia ({translations.QM_NAME}) tidak ada: dialog "
                "berkas dan tombol standar akan berbahasa Inggris"
            )
    finally:
        if not already:
            translations.uninstall(app)
