"""What every wizard page shares: header, problem list, scrolling body, the portal's buttons.

A page is a thin view. It builds its inputs from the policy (``step.fields``, ``step.documents``),
passes what is typed to the window (the *host*), which hands it to the flow through the flow's
one writer (``host.owner``, on the GUI thread), and shows what the flow says: field errors, the
problems of a refused step, locks. Buttons carry the portal's words from ``forms/steps.toml``:
the step's own and those of the button steps shown on it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from nonasn_desktop.accounts.users import UserInfo
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.flow.machine import RegistrationFlow
from nonasn_desktop.flow.prefill import FROM_ROSTER, PREFILL_FIELDS, RosterMark, roster_mark
from nonasn_desktop.flow.secrets import SecretWork
from nonasn_desktop.gui.wizard.documents import DocumentPicker
from nonasn_desktop.gui.wizard.fields import FieldEditor
from nonasn_desktop.gui.wizard.inputs import BoolInput
from nonasn_desktop.gui.wizard.look import Mnemonics, Notice, button_name, em, set_role, size_label
from nonasn_desktop.gui.wizard.owner import FlowOwner
from nonasn_desktop.gui.wizard.pages.parts import ProblemsPanel, card, form_layout, show_mark
from nonasn_desktop.policy import Policy, Step

BACK = "Kembali"
# What the portal's short button words do, for the tooltip (and a screen reader's description).
BUTTON_TIPS = {
    "Buat Akun": "Mulai pendataan baru: pembuatan akun tenaga non-ASN.",
    BACK: "Kembali ke halaman sebelumnya; semua isian tetap tersimpan.",
    "Cek Data": "Periksa identitas dan cari NIK pada data Admin Instansi.",
    "Lanjutkan": "Periksa isian halaman ini, lalu lanjut ke langkah berikutnya.",
    "Selanjutnya": "Periksa isian halaman ini, lalu lanjut ke langkah berikutnya.",
    "Lupa Kata Sandi": "Buat kata sandi baru dengan menjawab pertanyaan pengaman.",
    "Periksa Kembali": "Tandai resume sudah diperiksa bersama yang bersangkutan.",
    "Selesai": "Tutup jendela pendaftaran ini.",
}
ROSTER_NOTE = (
    f"Isian bertanda \u201c{FROM_ROSTER}\u201d sudah diisi dari data yang didaftarkan Admin "
    "Instansi. Periksa bersama yang bersangkutan dan ubah bila berbeda dengan dokumennya."
)


class PageHost(Protocol):
    """What the pages ask of the wizard window."""

    ctx: AppContext
    user: UserInfo

    @property
    def flow(self) -> RegistrationFlow: ...

    @property
    def owner(self) -> FlowOwner: ...

    @property
    def busy(self) -> bool: ...

    def edit_field(self, key: str, raw: str) -> None: ...

    def commit_field(self, key: str, raw: str) -> None: ...

    def set_work_history(self, entries: list[dict[str, str]], *, save: bool) -> None: ...

    def set_declaration(self, ticked: bool) -> None: ...

    def advance(self) -> None: ...

    def go_back(self) -> None: ...

    def log_in(self) -> None: ...

    def run_flow(self, action: Callable[[], object], *, work: SecretWork | None = None) -> None: ...

    def ensure_registration_id(self) -> int: ...

    def document_changed(self, kind: str) -> None: ...

    def print_registration_info(self) -> None: ...

    def print_account_card(self, layout: str) -> None: ...

    def show_status(self, text: str) -> None: ...

    def close(self) -> bool: ...


class WizardPage(QWidget):
    """One page of the wizard (a ``kind = "page"`` step) with the buttons of its steps."""

    def __init__(self, host: PageHost, step: Step, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.step = step
        self.setObjectName(f"halaman_{step.number}")
        self.mnemonics = Mnemonics()
        self.editors: dict[str, FieldEditor] = {}
        self.pickers: dict[str, DocumentPicker] = {}
        self.buttons: dict[str, QPushButton] = {}
        self.forward_button: QPushButton | None = None

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self._build_header())
        middle = QHBoxLayout()
        middle.setContentsMargins(0, 0, 0, 0)
        middle.setSpacing(0)
        middle.addWidget(self._build_body(), 1)
        self._side: QWidget | None = self.side_widget()
        self._side_scroll: QScrollArea | None = None
        self._narrow = False
        if self._side is not None:
            middle.addWidget(self._build_side(self._side))
        outer.addLayout(middle, 1)
        outer.addWidget(self._build_button_bar())
        self._fix_tab_order()

    def _build_header(self) -> QWidget:
        """The step's heading, its description and the problem list."""
        step = self.step
        top = QWidget(self)
        top.setObjectName("page_header")
        header = QVBoxLayout(top)
        header.setContentsMargins(em(self, 1.6), em(self, 1), em(self, 1.6), em(self, 0.6))
        header.setSpacing(em(self, 0.3))
        self.title = QLabel(step.heading, top)
        self.title.setObjectName("page_title")
        self.title.setWordWrap(True)
        header.addWidget(self.title)
        self.description = QLabel(step.description, top)
        self.description.setObjectName("page_description")
        self.description.setWordWrap(True)
        self.description.setVisible(bool(step.description))
        header.addWidget(self.description)
        self.problems = ProblemsPanel(top)
        header.addSpacing(em(self, 0.2))
        header.addWidget(self.problems)
        return top

    def _build_body(self) -> QScrollArea:
        """The scrolling body, filled by the page's :meth:`build`."""
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setObjectName("page_scroll")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.body = QWidget(self.scroll_area)
        self.body.setObjectName("page_body")
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.setContentsMargins(
            em(self, 1.6), em(self, 0.4), em(self, 1.6), em(self, 1)
        )
        self.body_layout.setSpacing(em(self, 1))
        self.body.setMaximumWidth(em(self, 86))
        self.scroll_area.setWidget(self.body)
        self.build()
        self.body_layout.addStretch(1)
        self.roster_notice: Notice | None = None
        if self.shows_roster_notice():
            # Which fields came from the roster and where they differ, as step 3 lists it.
            self.roster_notice = Notice("info", self.body)
            self.roster_notice.setObjectName("catatan_admin_instansi")
            self.roster_notice.hide()
            self.body_layout.insertWidget(0, self.roster_notice)
        return self.scroll_area

    def _build_side(self, side: QWidget) -> QScrollArea:
        """The side panel (the eligibility check), scrolling on its own beside the body."""
        holder = QWidget(self)
        holder.setObjectName("page_side")
        side_layout = QVBoxLayout(holder)
        side_layout.setContentsMargins(0, em(self, 0.4), em(self, 1.6), em(self, 1))
        side_layout.addWidget(side)
        side_layout.addStretch(1)
        side_scroll = QScrollArea(self)
        side_scroll.setObjectName("page_side_scroll")
        side_scroll.setWidgetResizable(True)
        side_scroll.setFrameShape(QFrame.Shape.NoFrame)
        side_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        side_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        side_scroll.setWidget(holder)
        side_scroll.setFixedWidth(em(self, 24))
        self._side_layout = side_layout
        self._side_scroll = side_scroll
        return side_scroll

    def _build_button_bar(self) -> QFrame:
        """The portal's buttons of the step, at the foot of the page."""
        bar = QFrame(self)
        bar.setObjectName("page_buttons")
        row = QHBoxLayout(bar)
        row.setContentsMargins(em(self, 1.6), em(self, 0.7), em(self, 1.6), em(self, 0.7))
        row.setSpacing(em(self, 0.6))
        self._add_buttons(row)
        return bar

    def set_narrow(self, narrow: bool) -> None:
        """On a narrow window (150 % scaling) the side panel (the eligibility check) moves
        under the form, which then keeps the width it needs; back beside it when wide."""
        if narrow == self._narrow:
            return
        if self._side is None or self._side_scroll is None:
            self._narrow = narrow
            self.narrow_changed(narrow)
            return
        self._narrow = narrow
        if narrow:
            # Before the stretch that ends the body.
            self.body_layout.insertWidget(self.body_layout.count() - 1, self._side)
        else:
            self._side_layout.insertWidget(0, self._side)
        self._side_scroll.setVisible(not narrow)
        self.narrow_changed(narrow)

    def narrow_changed(self, narrow: bool) -> None:
        """A page whose own content sits side by side stacks it here when ``narrow``."""

    @property
    def narrow(self) -> bool:
        return self._narrow

    # ----------------------------------------------------------------- to override

    def build(self) -> None:
        """Fill ``self.body_layout``; the default is the step's fields, then its documents."""
        if self.step.fields:
            self.add_fields(self.step.fields)
        if self.step.documents:
            self.add_pickers(self.step.documents)

    def side_widget(self) -> QWidget | None:
        return None

    def handlers(self) -> dict[str, Callable[[], None]]:
        """Word → action for buttons that do not go forward."""
        return {
            BACK: self.host.go_back,
            "Cetak Informasi Pendaftaran": self.host.print_registration_info,
            "Selesai": self.close_window,
        }

    def close_window(self) -> None:
        self.host.close()

    def forward(self) -> None:
        self.host.advance()

    def enter(self) -> None:
        """The page becomes current: show the flow's values, locks and documents."""
        flow = self.host.flow
        for key, editor in self.editors.items():
            editor.set_raw(flow.value(key))
            editor.touched = False
            editor.set_error(None)
            editor.set_locked(flow.lock_reason(key))
        for kind, picker in self.pickers.items():
            picker.set_locked(flow.lock_reason(kind))
            picker.show_attached()
        self.problems.clear()
        self.update_buttons()
        self.refresh_roster_marks()

    def refresh_feedback(self) -> None:
        """Field errors from the flow for the fields the clerk has touched."""
        flow = self.host.flow
        errors = flow.errors() if flow.page == self.step.number else {}
        for key, editor in self.editors.items():
            if editor.locked:
                continue
            if editor.touched or editor.error_text:
                editor.set_error(errors.get(key))

    def value_changed(self, key: str) -> None:
        """A field of this page changed (live); pages with derived displays override."""

    # ----------------------------------------------------------------- the roster's values

    def shows_roster_notice(self) -> bool:
        """Whether the page lists what came from the roster (it asks for roster fields)."""
        keys = {*self.editors, *self.step.group_fields}
        return bool(keys & set(PREFILL_FIELDS))

    def refresh_roster_marks(self) -> None:
        """Mark each field against the roster: "dari data Admin Instansi" or the difference."""
        flow = self.host.flow
        marks: list[tuple[str, RosterMark]] = []
        for key, editor in self.editors.items():
            mark = roster_mark(flow.policy, flow.state.roster, key, editor.raw())
            show_mark(editor, mark)
            if mark is not None:
                marks.append((editor.field.label, mark))
        marks += self.extra_roster_marks()
        notice = self.roster_notice
        if notice is None:
            return
        differences = [d for label, mark in marks if (d := mark.difference(label)) is not None]
        notice.set_role("warning" if differences else "info")
        notice.setText("\n".join([ROSTER_NOTE, *(f"• {d}" for d in differences)]))
        notice.setVisible(bool(marks))

    def extra_roster_marks(self) -> list[tuple[str, RosterMark]]:
        """(label, mark) of roster fields outside ``self.editors`` (the work history)."""
        return []

    def show_problems(self, problems: Sequence[str]) -> None:
        self.problems.show_problems(self.adjust_problems(problems))
        for editor in self.editors.values():
            editor.touched = True
        self.refresh_feedback()
        self.scroll_area.verticalScrollBar().setValue(0)
        first = next((e for e in self.editors.values() if e.error_text), None)
        if first is not None:
            first.input.setFocus(Qt.FocusReason.OtherFocusReason)

    def document_attached(self, kind: str) -> None:
        """A document of this page was attached (pages with derived displays override)."""

    # ----------------------------------------------------------------- the problem list

    def adjust_problems(self, problems: Sequence[str]) -> list[str]:
        """The flow's problems as this page states them.

        A document the flow has not got says "belum diunggah"; when the picker shows a file
        that was just refused, the picker's own account replaces it (the file *was* chosen).
        """
        adjusted = list(problems)
        for picker in self.pickers.values():
            refused = picker.refused_problem()
            if refused is None:
                continue
            prefix = f"{picker.rule.label}:"
            adjusted = [refused if p.startswith(prefix) else p for p in adjusted]
        return adjusted

    def current_problems(self) -> list[str]:
        """What keeps the page from being left now (the refreshed problem list)."""
        return self.adjust_problems(self.host.flow.problems())

    def refresh_problems(self) -> None:
        """A problem list on show follows every change: it never describes an earlier state.

        Called after every typed character, choice, file check, fix and undo. A list that is
        not on show stays hidden until the next refused press.
        """
        if not self.problems.texts() or self.host.flow.page != self.step.number:
            return
        self.problems.show_problems(self.current_problems())

    def after_failure(self) -> None:
        """The flow refused to leave the page (the captcha page draws a new picture)."""

    def flush(self) -> None:
        """Hand every field whose text differs from the flow's to the flow (before a move)."""
        flow = self.host.flow
        for key, editor in self.editors.items():
            if editor.locked:
                continue
            raw = editor.raw()
            if raw != flow.value(key):
                self.host.commit_field(key, raw)

    def focus_first(self) -> None:
        for editor in self.editors.values():
            if not editor.locked and editor.input.isEnabled():
                editor.input.setFocus(Qt.FocusReason.OtherFocusReason)
                return
        if self.forward_button is not None and self.forward_button.isEnabled():
            self.forward_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def update_buttons(self) -> None:
        back = self.buttons.get(BACK)
        if back is not None:
            flow = self.host.flow
            enabled = flow.can_go_back() and flow.page == self.step.number
            back.setEnabled(enabled)

    # ----------------------------------------------------------------- building blocks

    def add_fields(
        self,
        keys: Sequence[str],
        layout: QVBoxLayout | None = None,
        title: str | None = None,
        *,
        into: tuple[QFrame, QVBoxLayout] | None = None,
    ) -> QFormLayout:
        """A form of the fields ``keys``: in a new card (with ``title``) or ``into`` one."""
        frame, inner = into if into is not None else card(self.body, title)
        form = form_layout(frame)
        policy: Policy = self.host.flow.policy
        for key in keys:
            editor = FieldEditor(policy.fields[key], frame, mnemonics=self.mnemonics)
            editor.edited.connect(lambda raw, k=key: self._edited(k, raw))
            editor.committed.connect(lambda raw, k=key: self._committed(k, raw))
            self.editors[key] = editor
            form.addRow(editor.label, editor)
            size_label(editor.label)
        inner.addLayout(form)
        if into is None:
            (layout or self.body_layout).addWidget(frame)
        return form

    def add_pickers(self, kinds: Sequence[str], layout: QVBoxLayout | None = None) -> None:
        grid = QGridLayout()
        grid.setHorizontalSpacing(em(self, 1))
        grid.setVerticalSpacing(em(self, 1))
        for index, kind in enumerate(kinds):
            picker = DocumentPicker(kind, self.host, self.body)
            # A refused file changes nothing in the flow but what the list must say.
            picker.check_finished.connect(lambda _ok: self.refresh_problems())
            self.pickers[kind] = picker
            grid.addWidget(picker, index // 2, index % 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        (layout or self.body_layout).addLayout(grid)

    def _edited(self, key: str, raw: str) -> None:
        if self.host.busy:
            return  # the flow is working on another thread; the page is disabled meanwhile
        self.host.edit_field(key, raw)
        self.after_edit(key)

    def _committed(self, key: str, raw: str) -> None:
        if self.host.busy:
            return
        self.host.commit_field(key, raw)
        self.after_edit(key)

    def after_edit(self, key: str) -> None:
        """What follows every change of a field: errors, roster marks, the page's displays."""
        self.refresh_feedback()
        if key in PREFILL_FIELDS:
            self.refresh_roster_marks()
        self.value_changed(key)
        self.refresh_problems()

    def page_words(self) -> list[str]:
        """The portal's words of this page: its own buttons, then its button steps'."""
        policy = self.host.flow.policy
        words = list(self.step.buttons)
        for other in policy.steps:
            if other.kind == "button" and other.on_page == self.step.number:
                words += [w for w in other.buttons if w not in words]
        return words

    def _add_buttons(self, row: QHBoxLayout) -> None:
        handlers = self.handlers()
        words = self.page_words()
        left = [w for w in words if w == BACK or w == "Lupa Kata Sandi"]
        right = [w for w in words if w not in left]
        forward = [w for w in right if w not in handlers]
        # Printing stands left of the main action; the forward word is last, on the right.
        for word in left:
            row.addWidget(self._button(word, handlers[word]))
        row.addStretch(1)
        for word in right:
            if word in handlers:
                row.addWidget(self._button(word, handlers[word]))
        for word in forward:
            button = self._button(word, self.forward)
            set_role(button, "primary")
            self.forward_button = button
            row.addWidget(button)
        if self.forward_button is None and right:
            # A page without a forward move (24): its last word is the main action.
            self.forward_button = self.buttons[right[-1]]
            set_role(self.forward_button, "primary")

    def _button(self, word: str, action: Callable[[], None]) -> QPushButton:
        button = QPushButton(word, self)
        button.setObjectName(button_name(word))
        button.setAccessibleName(word)
        tip = BUTTON_TIPS.get(word)
        if tip:
            button.setToolTip(tip)
            button.setAccessibleDescription(tip)
        button.setAutoDefault(True)
        button.clicked.connect(lambda _checked=False: action())
        self.buttons[word] = button
        return button

    def focus_chain(self) -> list[QWidget]:
        """The page's focusable widgets above the buttons, in the order of the layout."""
        chain: list[QWidget] = []
        for editor in self.editors.values():
            widget = editor.input
            chain += [widget.yes, widget.no] if isinstance(widget, BoolInput) else [widget]
        for picker in self.pickers.values():
            chain += [picker.choose_button, picker.fix_button]
        return chain + list(self.extra_focus_chain())

    def _fix_tab_order(self) -> None:
        """Tab follows the layout: fields top to bottom, then the buttons left to right."""
        chain = self.focus_chain() + list(self.buttons.values())
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def extra_focus_chain(self) -> Sequence[QWidget]:
        """Focusable widgets a page adds after its fields and pickers, in order."""
        return ()

    # ----------------------------------------------------------------- keyboard

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers() & ~(
            Qt.KeyboardModifier.KeypadModifier
        ):
            button = self.forward_button
            if button is not None and button.isEnabled() and button.isVisible():
                event.accept()
                button.click()
                return
        super().keyPressEvent(event)
