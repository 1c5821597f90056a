"""Phase B, "Pendaftaran": pages 13, 15, 16, 17, 19, 21 and 24."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nonasn_desktop.errors import UserError
from nonasn_desktop.flow.prefill import RosterMark, roster_entry_index, roster_mark
from nonasn_desktop.gui.messages import confirm, show_error
from nonasn_desktop.gui.wizard.dialogs import ForgotPasswordDialog
from nonasn_desktop.gui.wizard.eligibility_panel import EligibilityPanel
from nonasn_desktop.gui.wizard.fields import FieldEditor
from nonasn_desktop.gui.wizard.inputs import BoolInput
from nonasn_desktop.gui.wizard.look import Mnemonics, Notice, em, set_role, size_label
from nonasn_desktop.gui.wizard.pages.account import document_findings
from nonasn_desktop.gui.wizard.pages.base import WizardPage
from nonasn_desktop.gui.wizard.pages.parts import card, clear_layout, form_layout, show_mark
from nonasn_desktop.gui.wizard.pages.summary import (
    account_rows,
    documents_card,
    field_rows,
    summary_card,
    work_history_card,
)
from nonasn_desktop.gui.wizard.values import display_value

CARD_LAYOUTS = (("a4", "Lembar A4"), ("id1", "Kartu ukuran KTP (ID-1)"))


class LoginPage(WizardPage):
    """Steps 13–14: the honorer logs in with NIK and password; "Lupa Kata Sandi"."""

    def build(self) -> None:
        frame, layout = card(self.body, "Akun yang dibuka")
        self.account = QLabel(frame)
        self.account.setObjectName("login_akun")
        self.account.setWordWrap(True)
        layout.addWidget(self.account)
        self.body_layout.addWidget(frame)
        super().build()
        self.dialog: ForgotPasswordDialog | None = None

    def enter(self) -> None:
        super().enter()
        flow = self.host.flow
        nik = display_value(flow.policy.fields["nik"], flow.value("nik"))
        self.account.setText(
            f"Nomor akun {flow.state.account_number or '—'} · {flow.value('nama')} · NIK {nik}"
        )

    def handlers(self) -> dict[str, Callable[[], None]]:
        handlers = super().handlers()
        handlers["Lupa Kata Sandi"] = self.forgot_password
        return handlers

    def forward(self) -> None:
        self.host.log_in()

    def forgot_password(self) -> None:
        dialog = ForgotPasswordDialog(self.host.owner, self)
        self.dialog = dialog
        dialog.accepted.connect(self._password_reset)
        dialog.finished.connect(lambda _result: self._dialog_closed(dialog))
        dialog.open()

    def _dialog_closed(self, dialog: ForgotPasswordDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def _password_reset(self) -> None:
        editor = self.editors["login_kata_sandi"]
        editor.set_raw("")
        self.host.edit_field("login_kata_sandi", "")
        self.host.show_status("Kata sandi baru disimpan. Silakan login dengan kata sandi baru.")
        editor.input.setFocus(Qt.FocusReason.OtherFocusReason)


class WorkEntryCard(QFrame):
    """One work-history entry (one SK): the group fields of step 17 and "Hapus"."""

    def __init__(self, page: WorkHistoryPage, number: int, parent: QWidget) -> None:
        super().__init__(parent)
        self.page = page
        self.setObjectName(f"riwayat_{number}")
        set_role(self, "card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(em(self, 1.2), em(self, 0.8), em(self, 1.2), em(self, 1))
        layout.setSpacing(em(self, 0.6))
        top = QHBoxLayout()
        self.title = QLabel(self)
        set_role(self.title, "card_title")
        top.addWidget(self.title, 1)
        self.remove_button = QPushButton("Hapus", self)
        self.remove_button.setObjectName("button_hapus_riwayat")
        self.remove_button.setAutoDefault(True)
        self.remove_button.clicked.connect(lambda: page.remove_entry(self))
        top.addWidget(self.remove_button)
        layout.addLayout(top)
        form = form_layout(self)
        mnemonics = Mnemonics()
        policy = page.host.flow.policy
        self.editors: dict[str, FieldEditor] = {}
        for key in page.step.group_fields:
            editor = FieldEditor(policy.fields[key], self, mnemonics=mnemonics)
            editor.edited.connect(lambda _raw: page.entries_changed(save=False))
            editor.committed.connect(lambda _raw: page.entries_changed(save=True))
            size_label(editor.label)
            form.addRow(editor.label, editor)
            self.editors[key] = editor
        layout.addLayout(form)
        self.set_number(number)

    def set_number(self, number: int) -> None:
        self.number = number
        self.setObjectName(f"riwayat_{number}")
        self.title.setText(f"Riwayat pekerjaan {number}")
        self.remove_button.setAccessibleName(f"Hapus riwayat pekerjaan {number}")
        self.remove_button.setToolTip(f"Hapus riwayat pekerjaan {number} beserta isiannya.")

    def values(self) -> dict[str, str]:
        return {key: editor.raw() for key, editor in self.editors.items()}

    def set_values(self, entry: dict[str, str]) -> None:
        for key, editor in self.editors.items():
            editor.set_raw(entry.get(key, ""))

    def is_empty(self) -> bool:
        return not any(raw.strip() for raw in self.values().values())

    def set_errors(self, errors: dict[str, str]) -> None:
        for key, editor in self.editors.items():
            if editor.touched or editor.error_text:
                editor.set_error(errors.get(key))

    def set_locked(self, reason: str | None) -> None:
        for editor in self.editors.values():
            editor.set_locked(reason)
        self.remove_button.setVisible(reason is None)

    def focus_chain(self) -> list[QWidget]:
        chain: list[QWidget] = []
        for editor in self.editors.values():
            widget = editor.input
            chain += [widget.yes, widget.no] if isinstance(widget, BoolInput) else [widget]
        return [*chain, self.remove_button]


class WorkHistoryPage(WizardPage):
    """Steps 17–18: work history (one entry per SK), status, SK and salary proof; E1–E5."""

    def build(self) -> None:
        self.cards: list[WorkEntryCard] = []
        self.entries_box = QWidget(self.body)
        self.entries_box.setObjectName("riwayat_pekerjaan")
        self.entries_layout = QVBoxLayout(self.entries_box)
        self.entries_layout.setContentsMargins(0, 0, 0, 0)
        self.entries_layout.setSpacing(em(self, 1))
        self.body_layout.addWidget(self.entries_box)
        row = QHBoxLayout()
        self.add_button = QPushButton("Tambah riwayat pekerjaan", self.body)
        self.add_button.setObjectName("button_tambah_riwayat")
        self.add_button.setAutoDefault(True)
        self.add_button.clicked.connect(self.add_entry)
        row.addWidget(self.add_button)
        hint = QLabel("Satu riwayat untuk setiap SK, dari yang paling lama.", self.body)
        set_role(hint, "help")
        row.addWidget(hint)
        row.addStretch(1)
        self.body_layout.addLayout(row)
        self.add_fields(self.step.fields, title="Status dan bentuk SK")
        self.add_pickers(self.step.documents)

    def side_widget(self) -> QWidget | None:
        self.eligibility = EligibilityPanel(self.host.flow.policy, self)
        return self.eligibility

    # ----------------------------------------------------------------- entries

    def enter(self) -> None:
        super().enter()
        flow = self.host.flow
        for entry_card in self.cards:
            entry_card.deleteLater()
        self.cards = []
        entries = flow.state.work_history or [{}]
        for entry in entries:
            entry_card = self._new_card()
            entry_card.set_values(entry)
        reason = flow.lock_reason("riwayat_pekerjaan")
        for entry_card in self.cards:
            entry_card.set_locked(reason)
        self.add_button.setVisible(reason is None)
        self._renumber()
        self._fix_tab_order()
        self._update_eligibility()
        self.refresh_roster_marks()

    def extra_roster_marks(self) -> list[tuple[str, RosterMark]]:
        """The entry that stands for the roster's SK is marked field by field."""
        flow = self.host.flow
        cards = getattr(self, "cards", [])
        filled = [c for c in cards if not c.is_empty()]
        index = roster_entry_index(flow.policy, flow.state.roster, [c.values() for c in filled])
        marked = filled[index] if index is not None else None
        marks: list[tuple[str, RosterMark]] = []
        for entry_card in cards:
            for key, editor in entry_card.editors.items():
                mark = None
                if entry_card is marked:
                    mark = roster_mark(flow.policy, flow.state.roster, key, editor.raw())
                show_mark(editor, mark)
                if mark is not None:
                    label = f"Riwayat pekerjaan {entry_card.number}, {editor.field.label}"
                    marks.append((label, mark))
        return marks

    def _new_card(self) -> WorkEntryCard:
        entry_card = WorkEntryCard(self, len(self.cards) + 1, self.entries_box)
        self.entries_layout.addWidget(entry_card)
        self.cards.append(entry_card)
        return entry_card

    def _renumber(self) -> None:
        for number, entry_card in enumerate(self.cards, start=1):
            entry_card.set_number(number)
            entry_card.remove_button.setEnabled(len(self.cards) > 1 or not entry_card.is_empty())

    def add_entry(self) -> WorkEntryCard:
        entry_card = self._new_card()
        self._renumber()
        self._fix_tab_order()
        first = next(iter(entry_card.editors.values()))
        first.input.setFocus(Qt.FocusReason.OtherFocusReason)
        self.scroll_area.ensureWidgetVisible(entry_card)
        return entry_card

    def remove_entry(self, entry_card: WorkEntryCard) -> None:
        if not entry_card.is_empty() and not confirm(
            self,
            "Hapus riwayat pekerjaan",
            f"Hapus riwayat pekerjaan {entry_card.number} beserta isiannya?",
        ):
            return
        self.cards.remove(entry_card)
        entry_card.deleteLater()
        if not self.cards:
            self._new_card()
        self._renumber()
        self._fix_tab_order()
        self.entries_changed(save=True)

    def entries(self) -> list[dict[str, str]]:
        return [c.values() for c in self.cards if not c.is_empty()]

    def entries_changed(self, *, save: bool) -> None:
        if self.host.busy:
            return
        filled = [c for c in self.cards if not c.is_empty()]
        try:
            self.host.set_work_history([c.values() for c in filled], save=save)
        except UserError as exc:
            show_error(self, exc)
            return
        errors = self.host.flow.work_history_errors()
        for entry_card, entry_errors in zip(filled, errors, strict=False):
            entry_card.set_errors(entry_errors)
        for entry_card in self.cards:
            if entry_card.is_empty():
                entry_card.set_errors({})
        self._renumber()
        self._update_eligibility()
        self.refresh_roster_marks()

    def show_problems(self, problems: Sequence[str]) -> None:
        for entry_card in self.cards:
            for editor in entry_card.editors.values():
                editor.touched = True
        super().show_problems(problems)
        filled = [c for c in self.cards if not c.is_empty()]
        for entry_card, entry_errors in zip(
            filled, self.host.flow.work_history_errors(), strict=False
        ):
            entry_card.set_errors(entry_errors)

    def flush(self) -> None:
        super().flush()
        if not self.host.flow.is_locked("riwayat_pekerjaan"):
            self.entries_changed(save=True)

    def value_changed(self, key: str) -> None:
        if key == "bentuk_sk":
            for picker in self.pickers.values():
                picker.show_variant()
        self._update_eligibility()

    # The page host's callback names the kind; every document changes eligibility alike.
    def document_attached(self, kind: str) -> None:  # noqa: ARG002
        self._update_eligibility()

    def _update_eligibility(self) -> None:
        self.eligibility.show_result(self.host.flow.eligibility())

    def focus_chain(self) -> list[QWidget]:
        chain: list[QWidget] = []
        for entry_card in getattr(self, "cards", []):
            chain += entry_card.focus_chain()
        chain.append(self.add_button)
        return chain + super().focus_chain()


class ResumePage(WizardPage):
    """Steps 19–20: everything typed and uploaded, with eligibility; "Periksa Kembali"."""

    def build(self) -> None:
        self.content = QWidget(self.body)
        self.content_layout = QVBoxLayout(self.content)
        self.content_layout.setContentsMargins(0, 0, 0, 0)
        self.content_layout.setSpacing(em(self, 1))
        self.body_layout.addWidget(self.content)

    def side_widget(self) -> QWidget | None:
        self.eligibility = EligibilityPanel(self.host.flow.policy, self)
        return self.eligibility

    def enter(self) -> None:
        super().enter()
        clear_layout(self.content_layout)
        flow = self.host.flow
        policy = flow.policy
        parent = self.content
        identity_keys = [*policy.step(2).fields, *policy.step(3).fields]
        identity, _ = summary_card(
            parent, "Identitas dan akun", account_rows(flow) + field_rows(flow, identity_keys)
        )
        self.content_layout.addWidget(identity)
        education, _ = summary_card(
            parent, "Biodata dan pendidikan", field_rows(flow, policy.step(15).fields)
        )
        self.content_layout.addWidget(education)
        work = policy.step(17)
        self.content_layout.addWidget(work_history_card(parent, flow, work.group_fields))
        status, _ = summary_card(parent, "Status dan bentuk SK", field_rows(flow, work.fields))
        self.content_layout.addWidget(status)
        kinds = [kind for step in policy.steps for kind in step.documents]
        self.content_layout.addWidget(
            documents_card(parent, flow, kinds, document_findings(self), "Dokumen yang diunggah")
        )
        self.eligibility.show_result(flow.eligibility())


class DeclarationPage(WizardPage):
    """Steps 21–23: the declaration box, "Akhiri Proses Pendaftaran", then "Iya"/"Tidak"."""

    def build(self) -> None:
        frame, layout = card(self.body, "Pernyataan")
        field = self.host.flow.policy.fields["pernyataan"]
        self.declaration = QCheckBox(field.label, frame)
        self.declaration.setObjectName("pernyataan")
        self.declaration.setAccessibleName(field.label)
        self.declaration.toggled.connect(self._toggled)
        layout.addWidget(self.declaration)
        self.eligibility_note = Notice("info", frame, rich=True)
        self.eligibility_note.setObjectName("ringkasan_kelayakan")
        layout.addWidget(self.eligibility_note)
        note = QLabel(
            "Setelah pendaftaran diakhiri, data dikirim untuk verifikasi dan tidak dapat diubah "
            "lagi kecuali dikembalikan oleh verifikator.",
            frame,
        )
        note.setWordWrap(True)
        set_role(note, "help")
        layout.addWidget(note)
        self.body_layout.addWidget(frame)

    def extra_focus_chain(self) -> Sequence[QWidget]:
        return (self.declaration,)

    def enter(self) -> None:
        super().enter()
        flow = self.host.flow
        self.declaration.blockSignals(True)
        self.declaration.setChecked(flow.state.declaration)
        self.declaration.blockSignals(False)
        self.declaration.setEnabled(not flow.state.finished)
        result = flow.eligibility()
        if result.eligible:
            text = "Hasil pemeriksaan kelayakan: <b>MS</b> (memenuhi syarat)."
            self.eligibility_note.set_role("info")
        else:
            text = (
                f"Hasil pemeriksaan kelayakan: <b>{result.summary}</b>. Data tetap disimpan dan "
                "ditandai TMS; verifikator memutuskan dengan alasan tertulis."
            )
            self.eligibility_note.set_role("warning")
        self.eligibility_note.setText(text)

    def _toggled(self, ticked: bool) -> None:
        self.host.set_declaration(ticked)

    def focus_first(self) -> None:
        self.declaration.setFocus(Qt.FocusReason.OtherFocusReason)


class DonePage(WizardPage):
    """Step 24: registration ended; "Cetak Kartu Informasi Akun" (A4 or ID-1), "Selesai"."""

    def build(self) -> None:
        frame, layout = card(self.body)
        heading = QLabel("✓ Pendaftaran selesai", frame)
        set_role(heading, "success_title")
        layout.addWidget(heading)
        self.summary = QLabel(frame)
        self.summary.setObjectName("ringkasan_selesai")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)
        row = QHBoxLayout()
        label = QLabel("&Bentuk kartu:", frame)
        self.layout_choice = QComboBox(frame)
        self.layout_choice.setObjectName("layout_kartu")
        self.layout_choice.setAccessibleName("Bentuk kartu informasi akun")
        for key, text in CARD_LAYOUTS:
            self.layout_choice.addItem(text, key)
        label.setBuddy(self.layout_choice)
        row.addWidget(label)
        row.addWidget(self.layout_choice)
        row.addStretch(1)
        layout.addLayout(row)
        note = QLabel(
            "Serahkan kartu informasi akun kepada yang bersangkutan. Data kini menunggu "
            "verifikasi dan validasi oleh instansi.",
            frame,
        )
        note.setWordWrap(True)
        set_role(note, "help")
        layout.addWidget(note)
        self.body_layout.addWidget(frame)

    def extra_focus_chain(self) -> Sequence[QWidget]:
        return (self.layout_choice,)

    def _add_buttons(self, row: QHBoxLayout) -> None:
        super()._add_buttons(row)
        # Printing the card is what step 24 is for: it is the main action (and Enter).
        printing = self.buttons["Cetak Kartu Informasi Akun"]
        set_role(self.buttons["Selesai"], "")
        set_role(printing, "primary")
        self.forward_button = printing

    def handlers(self) -> dict[str, Callable[[], None]]:
        handlers = super().handlers()
        handlers["Cetak Kartu Informasi Akun"] = lambda: self.host.print_account_card(
            str(self.layout_choice.currentData())
        )
        return handlers

    def enter(self) -> None:
        super().enter()
        flow = self.host.flow
        nik = display_value(flow.policy.fields["nik"], flow.value("nik"))
        result = flow.state.eligibility or flow.eligibility()
        self.summary.setText(
            f"<p style='font-size:13pt'><b>{html.escape(flow.value('nama'))}</b></p>"
            f"NIK {nik}<br>Nomor akun <b>{flow.state.account_number or '—'}</b><br>"
            f"Status: {flow.state.status.label}<br>Kelayakan: {result.summary}"
        )
