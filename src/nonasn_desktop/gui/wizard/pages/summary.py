"""Read-only summaries of what was typed: the review of step 9 and the resume of step 19."""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFormLayout, QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from nonasn_desktop.flow.machine import RegistrationFlow
from nonasn_desktop.gui.wizard.dialogs import ImageBox
from nonasn_desktop.gui.wizard.look import em, set_role, size_label
from nonasn_desktop.gui.wizard.pages.parts import card
from nonasn_desktop.gui.wizard.values import display_value
from nonasn_desktop.rules.formatting import format_date


def value_label(text: str, parent: QWidget, name: str | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name:
        label.setObjectName(name)
    set_role(label, "value")
    return label


def field_rows(flow: RegistrationFlow, keys: Sequence[str]) -> list[tuple[str, str, str]]:
    """(key, label, shown value) for each field."""
    policy = flow.policy
    return [
        (k, policy.fields[k].label, display_value(policy.fields[k], flow.value(k))) for k in keys
    ]


def summary_card(
    parent: QWidget, title: str, rows: Sequence[tuple[str, str, str]]
) -> tuple[QFrame, QVBoxLayout]:
    """A titled card of label: value rows; each value label is named ``ringkasan_<key>``."""
    frame, layout = card(parent, title)
    form = QFormLayout()
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
    form.setHorizontalSpacing(em(frame, 1.2))
    form.setVerticalSpacing(em(frame, 0.35))
    for key, label, value in rows:
        name = QLabel(label, frame)
        name.setWordWrap(True)
        size_label(name)
        set_role(name, "summary_label")
        form.addRow(name, value_label(value, frame, f"ringkasan_{key}"))
    layout.addLayout(form)
    return frame, layout


def documents_card(
    parent: QWidget,
    flow: RegistrationFlow,
    kinds: Sequence[str],
    findings: dict[int, tuple[tuple[bool, str], ...]],
    title: str = "Dokumen",
    previews: dict[str, QImage | None] | None = None,
) -> QFrame:
    """Each document: ✓/✗, label, file name and check result (every finding in the tooltip).

    With ``previews`` (kind → picture) a thumbnail stands beside each document.
    """
    frame, layout = card(parent, title)
    grid = QGridLayout()
    grid.setHorizontalSpacing(em(frame, 1))
    grid.setVerticalSpacing(em(frame, 0.7))
    grid.setColumnStretch(2, 1)
    for row, kind in enumerate(kinds):
        rule = flow.policy.document(kind)
        ref = flow.state.documents.get(kind)
        passed = ref is not None and ref.passed
        mark = QLabel("✓" if passed else "✗", frame)
        set_role(mark, "mark_ok" if passed else "mark_fail")
        mark.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        name = QLabel(rule.label, frame)
        name.setWordWrap(True)
        size_label(name)
        set_role(name, "summary_label")
        checks = findings.get(ref.document_id, ()) if ref is not None else ()
        if ref is None:
            text = "Belum diunggah."
        else:
            failed = [message for ok, message in checks if not ok]
            lines = [f"<b>{html.escape(ref.original_name)}</b>"]
            if ref.variant:
                variant = next((c.label for c in rule.variants if c.key == ref.variant), "")
                lines.append(f"Bentuk: {html.escape(variant or ref.variant)}")
            if passed:
                count = f" · {len(checks)} pemeriksaan lulus" if checks else ""
                lines.append(f"Memenuhi syarat{count}")
            lines += ["✗ " + html.escape(message) for message in failed]
            text = "<br>".join(lines)
        detail = QLabel(text, frame)
        detail.setObjectName(f"ringkasan_dokumen_{kind}")
        detail.setWordWrap(True)
        detail.setTextFormat(Qt.TextFormat.RichText)
        if checks:
            detail.setToolTip("\n".join(("✓ " if ok else "✗ ") + m for ok, m in checks))
        grid.addWidget(mark, row, 0)
        grid.addWidget(name, row, 1, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(detail, row, 2, Qt.AlignmentFlag.AlignTop)
        if previews is not None:
            box = ImageBox(9, 7, frame)
            box.setObjectName(f"ringkasan_pratinjau_{kind}")
            box.set_image(previews.get(kind), "Belum diunggah" if ref is None else "—")
            grid.addWidget(box, row, 3)
    layout.addLayout(grid)
    return frame


def work_history_card(parent: QWidget, flow: RegistrationFlow, group: Sequence[str]) -> QFrame:
    frame, layout = card(parent, "Riwayat Pekerjaan")
    policy = flow.policy
    entries = flow.state.work_history
    if not entries:
        layout.addWidget(value_label("Belum diisi.", frame))
    for number, entry in enumerate(entries, start=1):
        heading = QLabel(f"SK {number}", frame)
        set_role(heading, "subheading")
        layout.addWidget(heading)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setHorizontalSpacing(em(frame, 1.2))
        form.setVerticalSpacing(em(frame, 0.3))
        for key in group:
            field = policy.fields[key]
            name = QLabel(field.label, frame)
            name.setWordWrap(True)
            size_label(name)
            set_role(name, "summary_label")
            form.addRow(
                name,
                value_label(
                    display_value(field, entry.get(key, "")), frame, f"ringkasan_{key}_{number}"
                ),
            )
        layout.addLayout(form)
    return frame


def account_rows(flow: RegistrationFlow) -> list[tuple[str, str, str]]:
    state = flow.state
    return [
        ("nomor_akun", "Nomor akun", state.account_number or "—"),
        ("status", "Status", state.status.label),
    ]


def roster_rows(flow: RegistrationFlow) -> list[tuple[str, str, str]]:
    roster = flow.state.roster
    if roster is None:
        return [("instansi", "Data Admin Instansi", "Tidak ditemukan")]
    return [
        ("instansi", "Instansi", roster.instansi or "—"),
        ("unit_kerja_roster", "Unit kerja (data Admin Instansi)", roster.unit_kerja or "—"),
        ("jabatan_roster", "Jabatan (data Admin Instansi)", roster.jabatan or "—"),
    ]


def birth_text(flow: RegistrationFlow) -> str:
    policy = flow.policy
    place = flow.value("tempat_lahir").strip() or "—"
    date = display_value(policy.fields["tanggal_lahir"], flow.value("tanggal_lahir"))
    return f"{place}, {date}"


def reference_note(flow: RegistrationFlow) -> str:
    return format_date(flow.policy.eligibility.reference_date)
