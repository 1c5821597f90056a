"""Indonesian for the texts Qt draws itself: file, message and print dialogs, standard buttons
and the context menus of text fields ("Cari di", "Nama berkas", "Buka", "Batal", "Salin").

Qt ships no Indonesian translation of its own strings, so the application carries one:
``resources/i18n/qt_id.ts`` (the source, edited by hand; the source texts are qtbase's) compiled
to ``qt_id.qm`` beside it with ``make translations``. The compiled file is checked in, so a
checkout, a wheel and the frozen build (build.spec bundles resources/) all find it the same way;
tests/gui/test_gui_translations.py fails when the .qm is older than the .ts.
"""

from __future__ import annotations

import importlib.resources
import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTranslator

log = logging.getLogger(__name__)

QM_NAME = "qt_id.qm"
TS_NAME = "qt_id.ts"
_installed: dict[int, QTranslator] = {}


def catalogue_folder() -> Path:
    """resources/i18n, wherever the package was installed or frozen."""
    return Path(str(importlib.resources.files("nonasn_desktop.resources") / "i18n"))


def install(app: QCoreApplication) -> QTranslator | None:
    """Load the Indonesian Qt texts into ``app`` (once); None when the file cannot be read.

    A missing translation is not a reason to refuse to start: Qt then speaks English, and
    the log says why.
    """
    existing = _installed.get(id(app))
    if existing is not None:
        return existing
    translator = QTranslator(app)
    path = catalogue_folder() / QM_NAME
    if not translator.load(str(path)):
        log.warning("Indonesian Qt texts not loaded from %s", path)
        translator.deleteLater()
        return None
    app.installTranslator(translator)
    _installed[id(app)] = translator
    return translator


def installed(app: QCoreApplication) -> bool:
    return id(app) in _installed


def uninstall(app: QCoreApplication) -> None:
    """Take the translator out again (a test, or a run inside another program, ends)."""
    translator = _installed.pop(id(app), None)
    if translator is not None:
        app.removeTranslator(translator)
        translator.deleteLater()
