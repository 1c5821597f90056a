"""Eligibility E1–E5 as a panel: each criterion met (✓) or failed (✗) with its reason."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from nonasn_desktop.gui.wizard.look import em, set_role
from nonasn_desktop.policy import Policy
from nonasn_desktop.rules.eligibility import EligibilityResult
from nonasn_desktop.rules.formatting import format_date

MET, FAILED = "✓", "✗"


class EligibilityPanel(QFrame):
    """Shows an :class:`EligibilityResult`; updated by the page whenever an input changes."""

    def __init__(self, policy: Policy, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("eligibility_panel")
        set_role(self, "card")
        self._result: EligibilityResult | None = None
        reference = format_date(policy.eligibility.reference_date)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(em(self, 1), em(self, 0.8), em(self, 1), em(self, 0.8))
        layout.setSpacing(em(self, 0.5))
        title = QLabel("Pemeriksaan Kelayakan", self)
        set_role(title, "card_title")
        layout.addWidget(title)
        subtitle = QLabel(f"Lima kriteria pendataan, dihitung per {reference}.", self)
        subtitle.setWordWrap(True)
        set_role(subtitle, "help")
        layout.addWidget(subtitle)

        self.outcome = QLabel(self)
        self.outcome.setObjectName("eligibility_outcome")
        self.outcome.setWordWrap(True)
        self.outcome.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.outcome)

        grid = QGridLayout()
        grid.setHorizontalSpacing(em(self, 0.6))
        grid.setVerticalSpacing(em(self, 0.5))
        grid.setColumnStretch(1, 1)
        self._marks: dict[str, QLabel] = {}
        self._reasons: dict[str, QLabel] = {}
        for row, (code, criterion) in enumerate(policy.eligibility.criteria.items()):
            mark = QLabel("–", self)
            mark.setObjectName(f"kriteria_{code}_tanda")
            mark.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
            mark.setMinimumWidth(em(self, 1.6))
            set_role(mark, "mark_none")
            text = QLabel(f"<b>{code}</b> · {criterion.title}", self)
            text.setWordWrap(True)
            reason = QLabel(self)
            reason.setObjectName(f"kriteria_{code}_alasan")
            reason.setWordWrap(True)
            reason.setTextFormat(Qt.TextFormat.PlainText)
            set_role(reason, "help")
            column = QVBoxLayout()
            column.setSpacing(1)
            column.addWidget(text)
            column.addWidget(reason)
            grid.addWidget(mark, row, 0)
            grid.addLayout(column, row, 1)
            self._marks[code] = mark
            self._reasons[code] = reason
        layout.addLayout(grid)
        note = QLabel(
            "Data yang tidak memenuhi syarat (TMS) tetap disimpan dan ditandai; verifikator "
            "memutuskan dengan alasan tertulis.",
            self,
        )
        note.setWordWrap(True)
        set_role(note, "help")
        layout.addWidget(note)
        layout.addStretch(1)
        self.show_result(None)

    def show_result(self, result: EligibilityResult | None) -> None:
        self._result = result
        if result is None:
            self.outcome.setText("Belum dapat dihitung")
            set_role(self.outcome, "outcome_none")
            for code in self._marks:
                self._marks[code].setText("–")
                set_role(self._marks[code], "mark_none")
                self._reasons[code].setText("")
            return
        for criterion in result.criteria:
            mark = self._marks.get(criterion.code)
            if mark is None:
                continue
            mark.setText(MET if criterion.met else FAILED)
            mark.setAccessibleName("terpenuhi" if criterion.met else "tidak terpenuhi")
            set_role(mark, "mark_ok" if criterion.met else "mark_fail")
            self._reasons[criterion.code].setText(criterion.reason)
        if result.eligible:
            self.outcome.setText("MS — Memenuhi Syarat")
            set_role(self.outcome, "outcome_ms")
        else:
            failed = ", ".join(result.failed_codes)
            self.outcome.setText(f"TMS — Tidak Memenuhi Syarat ({failed})")
            set_role(self.outcome, "outcome_tms")

    @property
    def result(self) -> EligibilityResult | None:
        return self._result

    def marks(self) -> dict[str, str]:
        """Criterion code → the mark shown (✓, ✗ or –)."""
        return {code: label.text() for code, label in self._marks.items()}

    def reason(self, code: str) -> str:
        return self._reasons[code].text()
