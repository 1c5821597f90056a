"""The registration wizard: a window over :class:`~nonasn_desktop.flow.machine.RegistrationFlow`.

Left, the rail of the 24 steps; right, one page per ``kind = "page"`` step with the portal's
buttons; below, the status bar saying when the draft was last saved. The window holds the
flow's one writer, its :class:`~nonasn_desktop.gui.wizard.owner.FlowOwner` on the GUI thread:
pages hand the window what is typed, and every change reaches the flow through the owner.

Everything a rule decides comes from the flow, the policy or the services. The window only
moves between pages when the flow has moved, shows the problems of a refused step at the top
of the page, opens the dialogs of steps 11 and 23, and keeps the record locked for editing
while it is open.

``WizardWindow(ctx, user, registration_id=None, parent=None)`` raises a UserError when the
record cannot be opened (another clerk has it open, it was finished, it does not exist); the
caller shows it. ``closed(int)`` carries the registration id (0 when nothing was saved).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from nonasn_desktop.accounts.users import UserInfo
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import FieldError, FlowError, UserError
from nonasn_desktop.flow.machine import DIALOGS, RegistrationFlow
from nonasn_desktop.flow.secrets import PreparedSecrets, SecretWork
from nonasn_desktop.flow.state import TRANSIENT_FIELDS
from nonasn_desktop.gui import theme
from nonasn_desktop.gui.messages import show_bug, show_error
from nonasn_desktop.gui.responsive import BreakingRow
from nonasn_desktop.gui.wizard.dialogs import ConfirmStepDialog
from nonasn_desktop.gui.wizard.look import em
from nonasn_desktop.gui.wizard.opening import open_flow
from nonasn_desktop.gui.wizard.owner import FlowOwner
from nonasn_desktop.gui.wizard.pages import WizardPage, make_page
from nonasn_desktop.gui.wizard.rail import StepRail
from nonasn_desktop.gui.wizard.style import WIZARD_STYLE
from nonasn_desktop.gui.wizard.values import display_value
from nonasn_desktop.gui.workers import Task, run_in_background
from nonasn_desktop.office.identity import zone_of
from nonasn_desktop.office.settings import EDIT_LOCK_MINUTES, get_setting
from nonasn_desktop.printing.account_card import CardLayout
from nonasn_desktop.registration.store import acquire_edit_lock, release_edit_lock

APP_TITLE = "Pendataan Non-ASN"
AUTOSAVE_NOTE = "Isian tersimpan otomatis; menutup jendela tidak menghapus draf."
# The edit lock is refreshed this often (and at least three times per lock period).
LOCK_REFRESH_MINUTES = 5
# Narrower than this the wizard is laid out for a small screen: a 1366×768 laptop at 150 %
# scaling offers 911 logical pixels.
NARROW_WIDTH = 1100


class WizardWindow(QMainWindow):
    """The 24 steps for one registration, new or resumed; see the module docstring."""

    closed = Signal(int)
    # A printout was made: (title, PDF bytes), just before its preview opens.
    printout_ready = Signal(str, bytes)

    def __init__(
        self,
        ctx: AppContext,
        user: UserInfo,
        registration_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        secrets = PreparedSecrets()
        flow = open_flow(ctx, user, registration_id, secrets)
        super().__init__(parent)
        self.ctx = ctx
        self.user = user
        # Read through self._flow; every change goes through the owner.
        self._flow = flow
        self._owner = FlowOwner(flow, secrets, self)
        self._zone = zone_of(ctx)
        self._locked_id: int | None = registration_id
        self._dirty = False
        self._busy = False
        self._closed = False
        self._print_task: Task | None = None
        self._printing = False
        self._dialog: ConfirmStepDialog | None = None
        self.last_printout: bytes | None = None
        self.setObjectName("wizard_window")
        self.setStyleSheet(theme.STYLESHEET + WIZARD_STYLE)
        self._build()
        self._lock_timer = QTimer(self)
        minutes = min(LOCK_REFRESH_MINUTES, max(1, get_setting(ctx, EDIT_LOCK_MINUTES) // 3))
        self._lock_timer.setInterval(minutes * 60_000)
        self._lock_timer.timeout.connect(self._refresh_lock)
        self._lock_timer.start()
        self._show_current(entered=True)
        self._size_to_screen()

    # ----------------------------------------------------------------- building

    def _build(self) -> None:
        central = QWidget(self)
        central.setObjectName("wizard_central")
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        self.rail = StepRail(self._flow.policy, central)
        row.addWidget(self.rail)
        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        top = QFrame(central)
        top.setObjectName("wizard_topbar")
        bar = QHBoxLayout(top)
        bar.setContentsMargins(em(top, 1.6), em(top, 0.55), em(top, 1.6), em(top, 0.55))
        bar.setSpacing(em(top, 1))
        self.counter = QLabel(top)
        self.counter.setObjectName("step_counter")
        self.phase = QLabel(top)
        self.phase.setObjectName("wizard_phase")
        self.record = QLabel(top)
        self.record.setObjectName("wizard_record")
        # The record's line goes under the step's when both do not fit (150 % scaling).
        self.top_row = BreakingRow(
            [(self.counter, 0), (self.phase, 1), (self.record, 0)],
            lines=[2, 1],
            spacing=em(top, 1),
            line_spacing=em(top, 0.2),
            parent=top,
        )
        bar.addWidget(self.top_row)
        column.addWidget(top)
        self.stack = QStackedWidget(central)
        self.stack.setObjectName("pages")
        self.pages: dict[int, WizardPage] = {}
        for step in self._flow.policy.steps:
            if step.kind == "page":
                page = make_page(self, step)
                self.pages[step.number] = page
                self.stack.addWidget(page)
        column.addWidget(self.stack, 1)
        row.addLayout(column, 1)
        self.setCentralWidget(central)
        self.autosave = QLabel(AUTOSAVE_NOTE, self)
        self.autosave.setObjectName("autosave_status")
        self.statusBar().addPermanentWidget(self.autosave)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        """Narrower than :data:`NARROW_WIDTH` (a 1366×768 laptop at 150 %), the rail shows
        numbers only and each page puts its side panel under the form."""
        super().resizeEvent(event)
        narrow = self.width() < NARROW_WIDTH
        self.rail.set_compact(narrow)
        for page in self.pages.values():
            page.set_narrow(narrow)

    def _size_to_screen(self) -> None:
        """1366×768 or the screen's available area, whichever is smaller."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        width, height = 1366, 768
        if screen is not None:
            area = screen.availableGeometry()
            width, height = min(width, area.width()), min(height, area.height())
        self.resize(width, height)
        self.setMinimumSize(min(880, width), min(480, height))

    # ----------------------------------------------------------------- reading

    @property
    def flow(self) -> RegistrationFlow:
        return self._flow

    @property
    def owner(self) -> FlowOwner:
        """The flow's one writer (see gui/wizard/owner.py)."""
        return self._owner

    @property
    def current_page(self) -> WizardPage:
        return self.pages[self._flow.page]

    def page(self, number: int) -> WizardPage:
        return self.pages[number]

    @property
    def busy(self) -> bool:
        return self._busy

    @property
    def registration_id(self) -> int | None:
        return self._flow.state.registration_id

    # ----------------------------------------------------------------- what pages call

    def edit_field(self, key: str, raw: str) -> None:
        """A field is being typed: the flow gets it at once (errors and NIK info are live)."""
        if self._busy or self._closed:
            return
        try:
            self._owner.set_value(key, raw)
        except FieldError:
            return  # a locked field: its widget is read-only, nothing to keep
        if key not in TRANSIENT_FIELDS:
            self._dirty = True
        if key in ("nama", "nik"):
            self._update_title()

    def commit_field(self, key: str, raw: str) -> None:
        """A field is done: keep it and save the draft (a power cut loses at most one field)."""
        if self._busy or self._closed:
            return
        if self._flow.value(key) != raw:
            self.edit_field(key, raw)
        if self._dirty:
            self._save()

    def set_work_history(self, entries: list[dict[str, str]], *, save: bool) -> None:
        if self._busy or self._closed:
            return
        before = [dict(entry) for entry in self._flow.state.work_history]
        self._owner.set_work_history(entries)
        if self._flow.state.work_history != before:
            self._dirty = True
        if save and self._dirty:
            self._save()
        self.current_page.refresh_problems()

    def set_declaration(self, ticked: bool) -> None:
        try:
            self._owner.set_declaration(ticked)
        except UserError as exc:
            show_error(self, exc)
            return
        self._dirty = True
        self._save()
        self.current_page.refresh_problems()

    def ensure_registration_id(self) -> int:
        """The record's id, saving the draft first when it has none yet (documents need it)."""
        registration_id = self._flow.state.registration_id
        if registration_id is None:
            registration_id = self._owner.save()
            self._dirty = False
            self._after_save()
        return registration_id

    def document_changed(self, kind: str) -> None:
        self._dirty = True
        self._save()
        page = self.current_page
        page.document_attached(kind)
        page.refresh_problems()
        self.rail.update_from(self._flow)

    def show_status(self, text: str) -> None:
        self.statusBar().showMessage(text, 15_000)

    # ----------------------------------------------------------------- saving

    def _has_content(self) -> bool:
        state = self._flow.state
        return bool(state.values or state.work_history or state.documents)

    def _save(self) -> None:
        if self._flow.state.registration_id is None and not self._has_content():
            return
        try:
            self._owner.save()
        except UserError as exc:
            self.autosave.setText("Draf BELUM tersimpan — periksa pesan kesalahan.")
            show_error(self, exc)
            return
        self._dirty = False
        self._after_save()

    def _after_save(self) -> None:
        at = self._zone.clock(self.ctx.now())
        self.autosave.setText(
            f"Tersimpan otomatis pukul {at} · menutup jendela tidak menghapus isian."
        )
        self._take_lock()
        self._update_title()

    def _take_lock(self) -> None:
        registration_id = self._flow.state.registration_id
        if registration_id is None or registration_id == self._locked_id:
            return
        try:
            acquire_edit_lock(self.ctx, registration_id, clerk_id=self.user.id)
        except UserError as exc:
            self.show_status(str(exc))
            return
        self._locked_id = registration_id

    def _refresh_lock(self) -> None:
        if self._locked_id is None or self._closed:
            return
        try:
            acquire_edit_lock(self.ctx, self._locked_id, clerk_id=self.user.id)
        except UserError as exc:
            self.show_status(str(exc))

    # ----------------------------------------------------------------- moving

    def advance(self) -> None:
        """The page's forward button: leave the current step (guards in the flow)."""
        if self._busy:
            return
        self.current_page.flush()
        # Leaving step 5 hashes the password and the answer (argon2id, slow on purpose).
        self.run_flow(self._owner.advance, work=self._owner.advance_work())

    def go_back(self) -> None:
        if self._busy:
            return
        self.current_page.flush()
        self.run_flow(self._owner.back)

    def log_in(self) -> None:
        """Step 13, "Lanjutkan Login Pendaftaran": the password is verified off this thread."""
        if self._busy:
            return
        self.run_flow(self._owner.log_in_and_advance, work=self._owner.login_work())

    def run_flow(self, action: Callable[[], object], *, work: SecretWork | None = None) -> None:
        """Run a change of the flow (a method of the owner) on the GUI thread; FlowError → the
        page's problem list, UserError → a message.

        ``work`` is the argon2id hashing the change needs (password, login): the owner does it
        on a worker thread first, the pages disabled meanwhile, then makes the change here.
        """
        if self._busy:
            return
        if not work:
            try:
                action()
            except FlowError as exc:
                self._refused(exc)
                return
            except UserError as exc:
                show_error(self, exc)
                self._show_current()
                return
            self._moved()
            return
        self._set_busy(True)
        self._owner.run(
            action,
            work,
            on_success=lambda _result: self._moved(),
            on_failure=self._background_failed,
            on_crash=lambda exc: show_bug(self, exc),
            on_finished=self._background_finished,
        )

    def _background_failed(self, exc: UserError) -> None:
        self._set_busy(False)
        if isinstance(exc, FlowError):
            self._refused(exc)
        else:
            show_error(self, exc)
            self._show_current()

    def _background_finished(self) -> None:
        if self._busy:
            self._set_busy(False)
            self._show_current()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.stack.setEnabled(not busy)
        if busy:
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            self.statusBar().showMessage("Memproses, mohon tunggu…")
        else:
            QApplication.restoreOverrideCursor()
            self.statusBar().clearMessage()

    def _refused(self, exc: FlowError) -> None:
        self._show_current()
        page = self.current_page
        page.after_failure()
        page.show_problems(exc.problems)
        self.rail.update_from(self._flow)

    def _moved(self) -> None:
        if self._busy:
            self._set_busy(False)
        self._dirty = False
        self._take_lock()
        self._show_current(entered=True)

    def _show_current(self, *, entered: bool = False) -> None:
        flow = self._flow
        page = self.pages[flow.page]
        if entered or self.stack.currentWidget() is not page:
            self._apply_locks()
            page.enter()
            self.stack.setCurrentWidget(page)
            page.scroll_area.verticalScrollBar().setValue(0)
            page.focus_first()
        page.update_buttons()
        self.rail.update_from(flow)
        step = flow.step
        total = len(flow.policy.steps)
        self.counter.setText(f"Langkah {step.number} dari {total}")
        phase = flow.policy.phases.get(step.phase, step.phase)
        self.phase.setText(f"{step.phase}. {phase} · {step.title}")
        self._update_title()
        if flow.current_step in DIALOGS and self._dialog is None:
            QTimer.singleShot(0, self, self._open_dialog)

    def _apply_locks(self) -> None:
        """Fields and documents the status fixes are read-only on every page, not just this."""
        flow = self._flow
        for page in self.pages.values():
            for key, editor in page.editors.items():
                editor.set_locked(flow.lock_reason(key))
            for kind, picker in page.pickers.items():
                picker.set_locked(flow.lock_reason(kind))

    def _update_title(self) -> None:
        flow = self._flow
        nik_field = flow.policy.fields["nik"]
        name = flow.value("nama").strip()
        nik = flow.value("nik").strip()
        who = name or (display_value(nik_field, nik) if nik else "Pendaftaran baru")
        self.setWindowTitle(f"{APP_TITLE} — {who}")
        parts = [flow.state.status.label]
        if nik:
            parts.append(f"NIK {display_value(nik_field, nik)}")
        if flow.state.account_number:
            parts.append(f"Akun {flow.state.account_number}")
        self.record.setText(" · ".join(parts))

    # ----------------------------------------------------------------- dialogs 11 and 23

    def _open_dialog(self) -> None:
        flow = self._flow
        if self._closed or self._dialog is not None or flow.current_step not in DIALOGS:
            return
        dialog = ConfirmStepDialog(flow.step, self)
        self._dialog = dialog
        dialog.answered.connect(self._answered)
        dialog.open()

    @property
    def confirm_dialog(self) -> ConfirmStepDialog | None:
        """The open dialog of step 11 or 23, if any."""
        return self._dialog

    def _answered(self, yes: bool) -> None:
        dialog = self._dialog
        self._dialog = None
        if dialog is not None:
            dialog.deleteLater()
        flow, owner = self._flow, self._owner

        def answer() -> None:
            try:
                owner.confirm(yes)
            except UserError:
                # Refused: back to the page under the dialog, where the problems are shown.
                if flow.current_step in DIALOGS:
                    owner.confirm(False)
                raise

        self.run_flow(answer)

    # ----------------------------------------------------------------- printing

    def print_registration_info(self) -> None:
        """Step 12, "Cetak Informasi Pendaftaran"."""
        registration_id = self._flow.state.registration_id
        if registration_id is None:
            return
        ctx, clerk, actor = self.ctx, self.user.full_name, self.user.actor

        def make() -> bytes:
            from nonasn_desktop.printing.printouts import registration_info_pdf

            return registration_info_pdf(ctx, registration_id, actor=actor, printed_by=clerk)

        number = self._flow.state.account_number or str(registration_id)
        self._print(make, "Informasi Pendaftaran", f"informasi-pendaftaran-{number}.pdf")

    def print_account_card(self, layout: str = "a4") -> None:
        """Step 24, "Cetak Kartu Informasi Akun" (``layout``: "a4" or "id1")."""
        registration_id = self._flow.state.registration_id
        if registration_id is None:
            return
        ctx, clerk, actor = self.ctx, self.user.full_name, self.user.actor

        def make() -> bytes:
            from nonasn_desktop.printing.printouts import account_card_pdf

            return account_card_pdf(
                ctx,
                registration_id,
                actor=actor,
                layout=cast(CardLayout, layout),
                printed_by=clerk,
            )

        number = self._flow.state.account_number or str(registration_id)
        self._print(make, "Kartu Informasi Akun", f"kartu-informasi-akun-{number}.pdf")

    def _print(self, make: Callable[[], bytes], title: str, suggested: str) -> None:
        if self._printing:
            return
        self._printing = True
        self.show_status(f"Menyiapkan {title}…")

        def done(pdf: bytes) -> None:
            # The work is over once its result is here (the preview may stay open a while).
            self._printing = False
            self.statusBar().clearMessage()
            self.last_printout = pdf
            self.printout_ready.emit(title, pdf)
            from nonasn_desktop.gui import print_preview

            dialog = print_preview.PrintPreviewDialog(
                pdf, title=title, suggested_name=suggested, parent=self
            )
            dialog.exec()
            dialog.deleteLater()

        def finished() -> None:
            self._printing = False

        self._print_task = run_in_background(
            lambda _task: make(),
            on_success=done,
            on_failure=lambda exc: show_error(self, exc),
            on_crash=lambda exc: show_bug(self, exc),
            on_finished=finished,
        )

    # ----------------------------------------------------------------- closing

    def _work_running(self) -> bool:
        if self._busy or self._printing:
            return True
        return any(p.busy for page in self.pages.values() for p in page.pickers.values())

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self._closed:
            event.accept()
            return
        if self._work_running():
            self.show_status("Tunggu sampai proses yang sedang berjalan selesai, lalu tutup.")
            event.ignore()
            return
        if not self._flow.state.finished:
            self.current_page.flush()
            if self._dirty:
                self._save()
        self._closed = True
        self._lock_timer.stop()
        if self._locked_id is not None:
            try:
                release_edit_lock(self.ctx, self._locked_id, clerk_id=self.user.id)
            except UserError as exc:
                show_error(self, exc)
        event.accept()
        self.closed.emit(self._flow.state.registration_id or 0)
        super().closeEvent(event)

    # ----------------------------------------------------------------- opening

    @classmethod
    def open(
        cls,
        ctx: AppContext,
        user: UserInfo,
        registration_id: int | None = None,
        parent: QWidget | None = None,
    ) -> WizardWindow | None:
        """Open and show a wizard, or show why it cannot be opened and return None."""
        try:
            window = cls(ctx, user, registration_id, parent)
        except UserError as exc:
            show_error(parent, exc)
            return None
        window.show()
        return window


__all__ = ["WizardWindow"]
