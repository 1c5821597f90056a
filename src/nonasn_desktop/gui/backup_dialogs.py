"""Backup screens of the Admin menu.

- "Cadangkan Data…" (:class:`BackupDialog`): the database and every document into one ZIP
  file, while the application stays in use;
- "Pulihkan dari Cadangan…" (:class:`RestoreDialog`): the chosen file is checked first and
  what it holds is shown; only then can it be restored, after a confirmation. The current data
  is kept as a safety copy; the clerk signs in again afterwards;
- "Cadangan Otomatis Harian…" (:class:`AutoBackupDialog`): a folder (a USB drive) that gets
  one backup a day, and how many to keep there (made by ``gui/daily_backup.py``).

All work goes through ``backup``; slow work runs off the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from nonasn_desktop.accounts.users import UserInfo
from nonasn_desktop.backup import archive as backup
from nonasn_desktop.backup import automatic as backup_auto
from nonasn_desktop.backup import restore as backup_restore
from nonasn_desktop.backup import verify as backup_verify
from nonasn_desktop.backup.archive import BackupInfo
from nonasn_desktop.backup.restore import RestoreResult
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import UserError
from nonasn_desktop.office import identity as office
from nonasn_desktop.office import settings
from nonasn_desktop.rules.documents import format_size

from . import file_dialogs, messages, theme
from .workers import Task, run_in_background

ZIP_FILTER = "Berkas cadangan (*.zip)"
FIELD_WIDTH = 420


def _form() -> QFormLayout:
    form = QFormLayout()
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
    form.setHorizontalSpacing(12)
    form.setVerticalSpacing(8)
    return form


def _busy_bar() -> QProgressBar:
    bar = QProgressBar()
    bar.setObjectName("busy")
    bar.setRange(0, 0)  # no known length: a moving bar
    bar.setTextVisible(False)
    bar.setMaximumHeight(8)
    bar.setVisible(False)
    return bar


def _summary_lines(info: BackupInfo) -> list[tuple[str, str]]:
    local = info.created_at.astimezone()
    office_text = info.office_code or "(belum disiapkan)"
    if info.office_name:
        office_text += f" — {info.office_name}"
    return [
        ("Dibuat", f"{local:%d-%m-%Y %H:%M}"),
        ("Kantor", office_text),
        (
            "Isi",
            f"{info.registrations} pendaftaran, {info.documents} berkas dokumen "
            f"({format_size(info.content_bytes)})",
        ),
        ("Versi aplikasi", info.app_version),
    ]


def inform(parent: QWidget | None, title: str, text: str) -> None:
    """A plain notice with one "Tutup" button."""
    box = QMessageBox(QMessageBox.Icon.Information, title, text, parent=parent)
    box.setObjectName("notice_box")
    box.addButton("Tutup", QMessageBox.ButtonRole.AcceptRole)
    box.exec()


class _BackupWindow(QDialog):
    """Title band, a form, an inline message, a busy bar, then the buttons."""

    def __init__(self, title: str, subtitle: str, action: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(theme.header_banner(title, subtitle))
        self.body = QVBoxLayout()
        self.body.setContentsMargins(22, 16, 22, 18)
        self.body.setSpacing(12)
        outer.addLayout(self.body)
        self.form = _form()
        self.error = theme.error_label()
        self.busy = _busy_bar()
        self.buttons = QHBoxLayout()
        self.buttons.addStretch(1)
        self.close_button = QPushButton("Tutup")
        self.close_button.setObjectName("close")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        self.ok_button = theme.primary_button(action)
        self.ok_button.setObjectName("ok")
        self.buttons.addWidget(self.close_button)
        self.buttons.addWidget(self.ok_button)
        self._task: Task | None = None
        outer.setSizeConstraint(QLayout.SizeConstraint.SetFixedSize)

    def finish_layout(self, *after_form: QWidget) -> None:
        self.body.addLayout(self.form)
        for widget in after_form:
            self.body.addWidget(widget)
        self.body.addWidget(self.error)
        self.body.addWidget(self.busy)
        self.body.addLayout(self.buttons)

    @property
    def working(self) -> bool:
        return self._task is not None

    def start(
        self,
        work: Callable[[Task], object],
        on_success: Callable[[object], None],
    ) -> None:
        theme.show_error_text(self.error, "")
        self.busy.setVisible(True)
        self.ok_button.setEnabled(False)
        self.close_button.setEnabled(False)
        self._task = run_in_background(
            work,
            on_success=on_success,
            on_failure=self._failed,
            on_crash=self._crashed,
            on_finished=self._finished,
        )

    def _finished(self) -> None:
        self._task = None
        self.busy.setVisible(False)
        self.close_button.setEnabled(True)
        self.ok_button.setEnabled(True)

    def _failed(self, exc: UserError) -> None:
        theme.show_error_text(self.error, str(exc))

    def _crashed(self, exc: BaseException) -> None:
        messages.show_bug(self, exc)

    def reject(self) -> None:
        if self.working:  # the work finishes first; it cannot be left half done
            return
        super().reject()


class BackupDialog(_BackupWindow):
    """ "Cadangkan Data": choose where, then one ZIP with the database and the documents."""

    backed_up = Signal(object)  # BackupInfo

    def __init__(self, ctx: AppContext, actor: UserInfo, parent: QWidget | None = None) -> None:
        super().__init__(
            "Cadangkan Data",
            "Basis data dan semua dokumen dalam satu berkas",
            "Cadangkan",
            parent,
        )
        self.setObjectName("backup_dialog")
        self._ctx = ctx
        self._actor = actor
        self.info: BackupInfo | None = None
        self.body.addWidget(
            theme.hint_label(
                "Simpan cadangan di luar komputer ini (diska USB, komputer lain), agar data "
                "tetap ada bila laptop rusak atau hilang. Aplikasi boleh tetap dipakai selama "
                "cadangan dibuat."
            )
        )
        start = file_dialogs.start_folder(file_dialogs.Kind.BACKUP, backup_auto.backup_folder(ctx))
        self.path = QLineEdit(str(start / backup.default_backup_name(ctx)))
        self.path.setObjectName("path")
        self.path.setMinimumWidth(FIELD_WIDTH)
        choose = QPushButton("Pilih…")
        choose.setObjectName("choose")
        choose.setAutoDefault(False)
        choose.clicked.connect(self.choose)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(choose)
        label = QLabel("&Simpan ke:")
        label.setBuddy(self.path)
        self.form.addRow(label, row)
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setVisible(False)
        self.ok_button.clicked.connect(self.submit)
        self.finish_layout(self.summary)

    def choose(self) -> None:
        path = file_dialogs.save_file(
            self, file_dialogs.Kind.BACKUP, "Simpan Cadangan", self.path.text().strip(), ZIP_FILTER
        )
        if path is not None:
            name = str(path)
            self.path.setText(name if name.lower().endswith(".zip") else f"{name}.zip")

    def submit(self) -> None:
        text = self.path.text().strip()
        if not text:
            theme.show_error_text(self.error, "Pilih tempat menyimpan berkas cadangan.")
            return
        target = Path(text)
        ctx, actor = self._ctx, self._actor.actor
        self.start(lambda _task: backup.create_backup(ctx, target, actor=actor), self._done)

    def _done(self, info: object) -> None:
        assert isinstance(info, BackupInfo)
        self.info = info
        lines = [f"Cadangan dibuat: {info.path}", info.describe() + "."]
        if info.damaged_documents:
            lines.append(
                f"Perhatian: {len(info.damaged_documents)} berkas dokumen sudah rusak di folder "
                "data; berkas itu dicadangkan apa adanya. Laporkan kepada petugas TI."
            )
        self.summary.setText("\n".join(lines))
        self.summary.setVisible(True)
        self.path.setEnabled(False)
        self.ok_button.setVisible(False)
        self.close_button.setDefault(True)
        self.backed_up.emit(info)


class RestoreDialog(_BackupWindow):
    """ "Pulihkan dari Cadangan": check the file, show what it holds, then restore."""

    restored = Signal(object)  # RestoreResult

    def __init__(self, ctx: AppContext, actor: UserInfo, parent: QWidget | None = None) -> None:
        super().__init__(
            "Pulihkan dari Cadangan",
            "Mengganti data di komputer ini dengan isi berkas cadangan",
            "Pulihkan",
            parent,
        )
        self.setObjectName("restore_dialog")
        self._ctx = ctx
        self._actor = actor
        current = office.get_office(ctx)
        self._office_code = current.code if current else None
        self.checked: BackupInfo | None = None
        self.outcome: RestoreResult | None = None
        self.body.addWidget(
            theme.hint_label(
                "Berkas dipilih lalu diperiksa lebih dulu; berkas yang rusak ditolak tanpa "
                "mengubah apa pun. Data sekarang disimpan dulu sebagai salinan pengaman di "
                "folder backups. Sesudah pemulihan, semua pengguna masuk lagi."
            )
        )
        self.path = QLineEdit()
        self.path.setObjectName("path")
        self.path.setMinimumWidth(FIELD_WIDTH)
        self.path.setPlaceholderText("Pilih berkas cadangan (.zip)")
        self.path.editingFinished.connect(self.check)
        choose = QPushButton("Pilih…")
        choose.setObjectName("choose")
        choose.setAutoDefault(False)
        choose.clicked.connect(self.choose)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(choose)
        label = QLabel("&Berkas cadangan:")
        label.setBuddy(self.path)
        self.form.addRow(label, row)
        self.facts: dict[str, QLabel] = {}
        for name in ("Dibuat", "Kantor", "Isi", "Versi aplikasi"):
            value = QLabel("—")
            value.setObjectName(f"fact_{name.split()[0].lower()}")
            value.setWordWrap(True)
            # A wrapped label needs a width to compute its height from in a fixed-size dialog.
            value.setMinimumWidth(FIELD_WIDTH)
            caption = QLabel(f"{name}:")
            caption.setObjectName("muted")
            self.form.addRow(caption, value)
            self.facts[name] = value
        self.warning = QLabel()
        self.warning.setObjectName("error")
        self.warning.setWordWrap(True)
        self.warning.setVisible(False)
        self.ok_button.setEnabled(False)
        self.ok_button.clicked.connect(self.submit)
        self.finish_layout(self.warning)

    def choose(self) -> None:
        path = file_dialogs.open_file(
            self,
            file_dialogs.Kind.BACKUP,
            "Pilih Berkas Cadangan",
            f"{ZIP_FILTER};;{file_dialogs.ALL_FILES}",
            preferred=backup_auto.backup_folder(self._ctx),
        )
        if path is not None:
            self.path.setText(str(path))
            self.check()

    def _show_facts(self, info: BackupInfo | None) -> None:
        lines = dict(_summary_lines(info)) if info is not None else {}
        for name, label in self.facts.items():
            label.setText(lines.get(name, "—"))
        other_office = (
            info is not None
            and info.office_code is not None
            and self._office_code is not None
            and info.office_code != self._office_code
        )
        if other_office and info is not None:
            self.warning.setText(
                f"Perhatian: cadangan ini milik kantor {info.office_code}, bukan kantor "
                f"{self._office_code} yang datanya ada sekarang."
            )
        self.warning.setVisible(other_office)

    def check(self) -> None:
        text = self.path.text().strip()
        if self.working or not text:
            return
        archive = Path(text)
        if self.checked is not None and self.checked.path == archive:
            return  # focus left the field unchanged (e.g. on the way to "Pulihkan")
        self.checked = None
        self._show_facts(None)  # then the archive (a sealed one opens with the folder's key):
        self.start(lambda _: backup_verify.verify_backup(archive, key=self._ctx.key), self._checked)

    def _checked(self, info: object) -> None:
        assert isinstance(info, BackupInfo)
        self.checked = info
        self._show_facts(info)

    def _finished(self) -> None:
        super()._finished()
        self.ok_button.setEnabled(self.checked is not None and self.outcome is None)

    def submit(self) -> None:
        info = self.checked
        if info is None or self.working:
            return
        question = (
            f"Data di komputer ini akan diganti dengan isi cadangan {info.path.name} "
            f"({info.registrations} pendaftaran). Data sekarang disimpan dulu sebagai "
            "salinan pengaman. Lanjutkan pemulihan?"
        )
        if not messages.confirm(self, "Pulihkan Data", question):
            return
        ctx, actor, archive = self._ctx, self._actor.actor, info.path
        self.start(
            lambda _task: backup_restore.restore_in_place(ctx, archive, actor=actor), self._restored
        )

    def _restored(self, result: object) -> None:
        assert isinstance(result, RestoreResult)
        self.outcome = result
        self.restored.emit(result)
        self.accept()


class AutoBackupDialog(QDialog):
    """ "Cadangan Otomatis Harian": on or off, the folder, and how many archives to keep."""

    def __init__(self, ctx: AppContext, actor: UserInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("auto_backup_dialog")
        self.setWindowTitle("Cadangan Otomatis Harian")
        self.setModal(True)
        self._ctx = ctx
        self._actor = actor
        status = backup_auto.automatic_backup_status(ctx)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(
            theme.header_banner("Cadangan Otomatis Harian", "Sekali sehari ke diska USB")
        )
        body = QVBoxLayout()
        body.setContentsMargins(22, 16, 22, 18)
        body.setSpacing(12)
        outer.addLayout(body)
        self.daily = QCheckBox("Buat cadangan otomatis setiap hari")
        self.daily.setObjectName("daily")
        self.daily.setChecked(status.enabled)
        body.addWidget(self.daily)
        form = _form()
        self.folder = QLineEdit(str(status.folder) if status.folder else "")
        self.folder.setObjectName("folder")
        self.folder.setMinimumWidth(FIELD_WIDTH)
        self.folder.setPlaceholderText("mis. E:\\Cadangan BKD")
        self.choose_button = QPushButton("Pilih Folder…")
        self.choose_button.setObjectName("choose")
        self.choose_button.setAutoDefault(False)
        self.choose_button.clicked.connect(self.choose)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(self.choose_button)
        folder_label = QLabel("&Folder:")
        folder_label.setBuddy(self.folder)
        form.addRow(folder_label, row)
        keep = settings.BACKUP_KEEP
        self.keep = QSpinBox()
        self.keep.setObjectName("keep")
        self.keep.setRange(keep.minimum or 1, keep.maximum or 365)
        self.keep.setValue(status.keep)
        self.keep.setSuffix(" cadangan terakhir")
        self.keep.setMinimumWidth(200)
        keep_row = QHBoxLayout()
        keep_row.addWidget(self.keep)
        keep_row.addStretch(1)
        keep_label = QLabel("&Simpan:")
        keep_label.setBuddy(self.keep)
        form.addRow(keep_label, keep_row)
        body.addLayout(form)
        body.addWidget(
            theme.hint_label(
                "Cadangan dibuat saat aplikasi dibuka dan diperiksa lagi tiap jam, paling "
                "banyak sekali sehari. Cadangan otomatis yang lebih lama dihapus dari folder "
                "itu; berkas lain di folder itu tidak disentuh."
            )
        )
        self.latest = QLabel(status.describe_latest())
        self.latest.setObjectName("latest")
        self.latest.setWordWrap(True)
        body.addWidget(self.latest)
        self.error = theme.error_label()
        body.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        cancel = theme.cancel_button()
        cancel.clicked.connect(self.reject)
        self.ok_button = theme.primary_button("Simpan")
        self.ok_button.setObjectName("save")
        self.ok_button.clicked.connect(self.submit)
        buttons.addWidget(cancel)
        buttons.addWidget(self.ok_button)
        body.addLayout(buttons)
        self.daily.toggled.connect(self._update)
        self._update()
        outer.setSizeConstraint(QLayout.SizeConstraint.SetFixedSize)

    def _update(self) -> None:
        on = self.daily.isChecked()
        for widget in (self.folder, self.choose_button, self.keep):
            widget.setEnabled(on)

    def choose(self) -> None:
        text = self.folder.text().strip()
        chosen = file_dialogs.choose_folder(
            self,
            file_dialogs.Kind.BACKUP_FOLDER,
            "Pilih Folder Cadangan",
            preferred=Path(text) if text else None,
        )
        if chosen is not None:
            self.folder.setText(str(chosen))

    def submit(self) -> None:
        folder: Path | None = None
        if self.daily.isChecked():
            text = self.folder.text().strip()
            if not text:
                theme.mark_invalid(self.folder, True)
                theme.show_error_text(self.error, "Pilih folder untuk cadangan otomatis.")
                return
            folder = Path(text)
        try:
            backup_auto.set_automatic_backup(
                self._ctx, folder, self.keep.value(), actor=self._actor.actor
            )
        except UserError as exc:
            theme.mark_invalid(self.folder, getattr(exc, "field", None) == "backup_folder")
            theme.show_error_text(self.error, str(exc))
            return
        self.accept()


def add_backup_actions(
    menu: QMenu,
    window: QWidget,
    ctx: AppContext,
    actor: UserInfo,
    *,
    on_restored: Callable[[], object] | None = None,
) -> list[QAction]:
    """Add "Cadangkan Data…", "Pulihkan dari Cadangan…" and "Cadangan Otomatis Harian…".

    ``on_restored`` runs after a restore (the main window signs out: the data changed).
    """

    def backup_now() -> None:
        BackupDialog(ctx, actor, window).exec()

    def restore() -> None:
        dialog = RestoreDialog(ctx, actor, window)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.outcome is not None:
            safety = dialog.outcome.safety_copy
            kept = f"\n\nData sebelum pemulihan disimpan di {safety}." if safety else ""
            inform(
                window,
                "Data Dipulihkan",
                f"Data dipulihkan dari {dialog.outcome.restored.path.name}.{kept}\n\n"
                "Silakan masuk kembali.",
            )
            if on_restored is not None:
                on_restored()

    def automatic() -> None:
        AutoBackupDialog(ctx, actor, window).exec()

    actions = []
    for name, text, tip, slot in (
        ("backup", "&Cadangkan Data…", "Simpan basis data dan dokumen ke satu berkas", backup_now),
        ("restore", "&Pulihkan dari Cadangan…", "Ganti data dengan isi berkas cadangan", restore),
        (
            "auto_backup",
            "Cadangan &Otomatis Harian…",
            "Atur cadangan harian ke diska USB",
            automatic,
        ),
    ):
        action = QAction(text, window)
        action.setObjectName(f"action_{name}")
        action.setStatusTip(tip)
        action.setToolTip(tip)
        action.triggered.connect(slot)
        menu.addAction(action)
        actions.append(action)
    return actions
