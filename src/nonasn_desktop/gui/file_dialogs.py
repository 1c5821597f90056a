"""Every file dialog of the application: Qt's own, in Indonesian, starting where it makes sense.

The dialogs are Qt's widgets, never the operating system's, so that the Indonesian Qt texts
(:mod:`.translations`) apply on every desktop. Each kind of file remembers the folder it was
last taken from or saved to, for the rest of the session: the roster file comes from the
unit's e-mail folder, backups go to a USB stick, and neither should send the clerk looking for
the other. Before a kind was used, the dialog opens in the folder the caller prefers (the
configured backup folder, say) when it exists, else the clerk's Documents or Downloads folder,
never the program's own folder (Qt's default for an empty start).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget


class Kind(StrEnum):
    """What a dialog is for; each remembers its own last folder."""

    ROSTER = "daftar"  # roster workbooks imported
    REPORT = "laporan"  # workbooks the program writes (import report, recap)
    DOCUMENT = "dokumen"  # scans attached to a registration
    PDF = "pdf"  # printouts saved as PDF
    BACKUP = "cadangan"  # backup files made or restored
    BACKUP_FOLDER = "folder_cadangan"  # where daily backups go
    BATCH = "batch"  # where signed batches are written


ALL_FILES = "Semua berkas (*)"
_last: dict[Kind, Path] = {}


def remember(kind: Kind, folder: Path) -> None:
    """The next dialog of ``kind`` starts in ``folder``."""
    _last[kind] = folder


def forget_all() -> None:
    """Start afresh (a new session; tests)."""
    _last.clear()


def _usable(folder: Path | None) -> bool:
    return folder is not None and str(folder) not in ("", ".") and folder.is_dir()


def home_folders() -> list[Path]:
    """The clerk's Documents, then Downloads, then the home folder."""
    folders = []
    for location in (
        QStandardPaths.StandardLocation.DocumentsLocation,
        QStandardPaths.StandardLocation.DownloadLocation,
        QStandardPaths.StandardLocation.HomeLocation,
    ):
        text = QStandardPaths.writableLocation(location)
        if text:
            folders.append(Path(text))
    return [*folders, Path.home()]


def start_folder(kind: Kind, preferred: Path | None = None) -> Path:
    """Where a dialog of ``kind`` opens (see the module documentation)."""
    for candidate in (_last.get(kind), preferred, *home_folders()):
        if candidate is not None and _usable(candidate):
            return candidate
    return Path.home()


def build(
    parent: QWidget | None,
    kind: Kind,
    title: str,
    *,
    mode: QFileDialog.FileMode = QFileDialog.FileMode.ExistingFile,
    save: bool = False,
    filters: str = ALL_FILES,
    suggested_name: str = "",
    preferred: Path | None = None,
) -> QFileDialog:
    """The configured, not yet shown dialog (the functions below run it)."""
    dialog = QFileDialog(parent, title)
    dialog.setObjectName(f"berkas_{kind.value}")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setFileMode(mode)
    dialog.setAcceptMode(
        QFileDialog.AcceptMode.AcceptSave if save else QFileDialog.AcceptMode.AcceptOpen
    )
    if mode == QFileDialog.FileMode.Directory:
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    else:
        dialog.setNameFilters(filters.split(";;"))
    dialog.setDirectory(str(start_folder(kind, preferred)))
    if suggested_name:
        dialog.selectFile(suggested_name)
    return dialog


def _run(dialog: QFileDialog, kind: Kind, folder_of_choice: bool) -> Path | None:
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.selectedFiles():
            return None
        chosen = Path(dialog.selectedFiles()[0])
    finally:
        dialog.deleteLater()
    remember(kind, chosen if folder_of_choice else chosen.parent)
    return chosen


def open_file(
    parent: QWidget | None,
    kind: Kind,
    title: str,
    filters: str = ALL_FILES,
    preferred: Path | None = None,
) -> Path | None:
    """An existing file chosen by the clerk; None when cancelled."""
    dialog = build(parent, kind, title, filters=filters, preferred=preferred)
    return _run(dialog, kind, folder_of_choice=False)


def save_file(
    parent: QWidget | None,
    kind: Kind,
    title: str,
    suggested_name: str = "",
    filters: str = ALL_FILES,
    preferred: Path | None = None,
) -> Path | None:
    """Where to write a file (Qt asks before replacing one); None when cancelled.

    ``suggested_name`` may be a bare name (put in the start folder) or a whole path.
    """
    suggested = Path(suggested_name) if suggested_name else None
    if suggested is not None and suggested.is_absolute():
        preferred = preferred or suggested.parent
        suggested_name = suggested.name
    dialog = build(
        parent,
        kind,
        title,
        mode=QFileDialog.FileMode.AnyFile,
        save=True,
        filters=filters,
        suggested_name=suggested_name,
        preferred=preferred,
    )
    return _run(dialog, kind, folder_of_choice=False)


def choose_folder(
    parent: QWidget | None, kind: Kind, title: str, preferred: Path | None = None
) -> Path | None:
    """A folder chosen by the clerk; None when cancelled."""
    dialog = build(parent, kind, title, mode=QFileDialog.FileMode.Directory, preferred=preferred)
    return _run(dialog, kind, folder_of_choice=True)
