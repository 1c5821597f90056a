"""The step rail: all 24 steps of the portal by phase, each done, current, to do or skipped."""

from __future__ import annotations

from PySide6.QtCore import Property, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from nonasn_desktop.flow.machine import RegistrationFlow
from nonasn_desktop.gui.wizard.look import em, set_role
from nonasn_desktop.policy import Policy

DONE, CURRENT, TODO, SKIPPED = "done", "current", "todo", "skipped"
SKIPPED_NOTE = "dilewati (captcha dinonaktifkan)"
DIRECT = Qt.FindChildOption.FindDirectChildrenOnly
_STATE_WORDS = {DONE: "selesai", CURRENT: "langkah saat ini", TODO: "belum", SKIPPED: SKIPPED_NOTE}


def captcha_pages(policy: Policy) -> frozenset[int]:
    return frozenset(s.number for s in policy.steps if s.kind == "page" and "captcha" in s.fields)


def step_state(flow: RegistrationFlow, number: int) -> str:
    """How the rail shows step ``number`` for the flow as it stands."""
    policy = flow.policy
    step = policy.step(number)
    state = flow.state
    captchas = captcha_pages(policy)
    if step.page in captchas and (step.page in state.captcha_skipped or not flow.captcha_enabled):
        return SKIPPED
    if number == flow.current_step or (step.kind == "page" and number == flow.page):
        return CURRENT
    if number in state.completed_steps:
        return DONE
    return TODO


class _Row(QFrame):
    def __init__(self, number: int, title: str, sub_step: bool, parent: QWidget) -> None:
        super().__init__(parent)
        self.number = number
        self.title = title
        self.setObjectName(f"rail_langkah_{number}")
        layout = self.row_layout = QHBoxLayout(self)
        layout.setContentsMargins(em(self, 0.6), em(self, 0.18), em(self, 0.5), em(self, 0.18))
        layout.setSpacing(em(self, 0.5))
        self.badge = QLabel(str(number), self)
        self.badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # Round, and wide enough for two digits in the bold face of the current step.
        bold = QFont(self.font())
        bold.setBold(True)
        digits = QFontMetrics(bold).horizontalAdvance("88") + em(self, 0.4)
        side = max(round(self.fontMetrics().height() * (1.1 if sub_step else 1.35)), digits)
        self.badge.setFixedSize(side, side)
        self.badge.setStyleSheet(f"border-radius: {side // 2}px;")
        if sub_step:
            layout.setContentsMargins(em(self, 1.4), 0, em(self, 0.5), 0)
        layout.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)
        texts = QVBoxLayout()
        texts.setSpacing(0)
        self.text = QLabel(title, self)
        self.text.setWordWrap(True)
        texts.addWidget(self.text)
        self.note = QLabel(SKIPPED_NOTE, self)
        self.note.setWordWrap(True)
        set_role(self.note, "rail_note")
        self.note.hide()
        texts.addWidget(self.note)
        layout.addLayout(texts, 1)
        self.sub_step = sub_step
        self.state = ""
        self._margins = layout.contentsMargins()

    def set_compact(self, compact: bool) -> None:
        """Numbers only (the title stays in the tooltip and the accessible name)."""
        self.text.setVisible(not compact)
        self.note.setVisible(not compact and self.state == SKIPPED)
        margins = self._margins
        if compact:
            self.row_layout.setContentsMargins(em(self, 0.3) if self.sub_step else 0, 0, 0, 0)
        else:
            self.row_layout.setContentsMargins(margins)

    def set_state(self, state: str) -> None:
        if state == self.state:
            return
        self.state = state
        kind = "sub" if self.sub_step else "page"
        set_role(self, f"rail_{kind}_{state}")
        set_role(self.badge, f"badge_{state}")
        set_role(self.text, f"rail_text_{state}")
        self.badge.setText("✓" if state == DONE else str(self.number))
        self.note.setVisible(state == SKIPPED and self.text.isVisibleTo(self))
        words = _STATE_WORDS[state]
        self.setAccessibleName(f"Langkah {self.number}: {self.title} — {words}")
        self.setToolTip(f"Langkah {self.number}: {self.title} ({words})")


class StepRail(QScrollArea):
    """Rail of the 24 steps; ``current_step`` is the step the flow rests on."""

    def __init__(self, policy: Policy, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("step_rail")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget(self)
        inner.setObjectName("step_rail_inner")
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(em(self, 0.6), em(self, 0.8), em(self, 0.6), em(self, 0.8))
        layout.setSpacing(1)
        self._rows: dict[int, _Row] = {}
        self._current = 0
        phase = None
        for step in policy.steps:
            if step.phase != phase:
                phase = step.phase
                title = policy.phases.get(phase, phase)
                header = QLabel(f"{phase}. {title}", inner)
                header.setObjectName(f"rail_fase_{phase}")
                set_role(header, "rail_phase")
                if step.number > 1:
                    layout.addSpacing(em(self, 0.6))
                layout.addWidget(header)
            row = _Row(step.number, step.title, step.kind != "page", inner)
            layout.addWidget(row)
            self._rows[step.number] = row
        layout.addStretch(1)
        self.setWidget(inner)
        self._headers = {
            header: header.text() for header in inner.findChildren(QLabel, options=DIRECT)
        }
        self._wide = self._width_for_one_line(layout)
        self._compact_width = self._width_for_numbers(layout)
        self._compact = False
        self.setFixedWidth(self._wide)

    @property
    def compact(self) -> bool:
        return self._compact

    def set_compact(self, compact: bool) -> None:
        """Numbers only, for a narrow window (150 % scaling): each row keeps its title in its
        tooltip and accessible name, each phase its letter ("A") with the title in the tooltip.
        """
        if compact == self._compact:
            return
        self._compact = compact
        for row in self._rows.values():
            row.set_compact(compact)
        for header, text in self._headers.items():
            header.setText(text.split(".", 1)[0] if compact else text)
            header.setToolTip(text if compact else "")
            header.setAccessibleName(text)
        self.setFixedWidth(self._compact_width if compact else self._wide)

    def _width_for_numbers(self, layout: QVBoxLayout) -> int:
        margins = layout.contentsMargins()
        widest = max(row.badge.width() + em(self, 0.3) for row in self._rows.values())
        scroll_bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        return widest + margins.left() + margins.right() + scroll_bar + 4

    def _width_for_one_line(self, layout: QVBoxLayout) -> int:
        """Wide enough that every title fits on one line even in bold (the current step), so
        that moving on never re-wraps a row and shifts the rail; with room for the scroll bar.
        """
        bold = QFont(self.font())
        bold.setBold(True)
        metrics = QFontMetrics(bold)
        margins = layout.contentsMargins()
        widest = 0
        for row in self._rows.values():
            row_margins = row.row_layout.contentsMargins()
            used = row_margins.left() + row_margins.right() + row.row_layout.spacing()
            widest = max(widest, used + row.badge.width() + metrics.horizontalAdvance(row.title))
        scroll_bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        return max(em(self, 22), widest + margins.left() + margins.right() + scroll_bar + 4)

    def update_from(self, flow: RegistrationFlow) -> None:
        for number, row in self._rows.items():
            row.set_state(step_state(flow, number))
        self._current = flow.current_step
        current = self._rows.get(self._current)
        if current is not None:
            self.ensureWidgetVisible(current, 0, em(self, 3))

    def _get_current_step(self) -> int:
        return self._current

    current_step = Property(int, _get_current_step)

    def state_of(self, number: int) -> str:
        return self._rows[number].state

    def row_text(self, number: int) -> str:
        row = self._rows[number]
        return f"{row.title} {row.note.text()}" if row.note.isVisible() else row.title

    def row(self, number: int) -> QFrame:
        return self._rows[number]
