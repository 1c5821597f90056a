"""Verification and validation (verval), and the batch export for the central office.

One widget per module: :mod:`.window` is the verifier's desk (:class:`VervalWindow`),
:mod:`.viewer` its document viewer (:class:`DocumentViewer`), :mod:`.export_dialog` the admin's
batch export (:class:`BatchExportDialog`); :mod:`.common` holds what they share.
"""

from nonasn_desktop.gui.verval.export_dialog import BatchExportDialog
from nonasn_desktop.gui.verval.viewer import DocumentViewer
from nonasn_desktop.gui.verval.window import VervalWindow

__all__ = ["BatchExportDialog", "DocumentViewer", "VervalWindow"]
