"""Message boxes in Indonesian for the two kinds of trouble: a user's and a bug."""

from __future__ import annotations

import logging
import traceback

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from nonasn_desktop.errors import UserError

log = logging.getLogger(__name__)

BUG_TEXT = (
    "Terjadi kesalahan tak terduga di dalam aplikasi. Data yang sudah tersimpan aman.\n\n"
    "Mohon laporkan kepada petugas TI: tekan \u201cSalin detail\u201d lalu tempelkan di pesan Anda."
)


def show_user_error(parent: QWidget | None, exc: UserError, title: str = "Periksa kembali") -> None:
    """A problem the user can act on: its message, nothing technical."""
    box = QMessageBox(
        QMessageBox.Icon.Warning, title, exc.message, QMessageBox.StandardButton.Ok, parent
    )
    if exc.hint:
        box.setInformativeText(exc.hint)
    box.setObjectName("user_error_box")
    box.exec()


def show_bug(parent: QWidget | None, exc: BaseException) -> None:
    """An unexpected error: logged, apologised for, details copyable for IT staff."""
    details = "".join(traceback.format_exception(exc))
    log.error("unexpected error shown to the user:\n%s", details)
    box = QMessageBox(QMessageBox.Icon.Critical, "Kesalahan tak terduga", BUG_TEXT, parent=parent)
    box.setObjectName("bug_box")
    copy = box.addButton("Salin detail", QMessageBox.ButtonRole.ActionRole)
    box.addButton("Tutup", QMessageBox.ButtonRole.AcceptRole)
    box.setDetailedText(details)
    box.exec()
    if box.clickedButton() is copy:
        QApplication.clipboard().setText(details)


def show_error(parent: QWidget | None, exc: BaseException) -> None:
    if isinstance(exc, UserError):
        show_user_error(parent, exc)
    else:
        show_bug(parent, exc)


def confirm(
    parent: QWidget | None, title: str, text: str, yes: str = "Iya", no: str = "Tidak"
) -> bool:
    """A yes/no question with the portal's words; Enter does not answer yes by accident."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    yes_button = box.addButton(yes, QMessageBox.ButtonRole.YesRole)
    no_button = box.addButton(no, QMessageBox.ButtonRole.NoRole)
    yes_button.setObjectName(f"button_{yes.lower()}")
    no_button.setObjectName(f"button_{no.lower()}")
    box.setDefaultButton(no_button)
    box.exec()
    return box.clickedButton() is yes_button
