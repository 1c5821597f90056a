"""Pre-filling from the Admin Instansi roster: what the roster holds is not typed twice.

The Admin Instansi registered each person with their education, their SK and its pay. When the
flow enters a page that asks for such a field (step 3: the THK-II number; step 15: education
and ijazah; step 17: the SK, as the first work-history entry), the empty fields take the
roster's value, as raw text the clerk could have typed. Everything stays editable: the roster
may be out of date, and the honorer's documents are what counts.

Each page is pre-filled once (``RegistrationState.prefilled_steps``) and never after it was
passed: a value the clerk cleared or changed is never put back, and a record sent back by the
verifier keeps what was corrected.

The identity fields (name, birth place and date, sex) are not pre-filled: step 2 asks for them
from the KTP *before* the roster is looked up, and step 3 compares the two; filling one from
the other would make that check compare the roster with itself.

:func:`roster_mark` tells the GUI, for one field, whether the value shown came from the roster
("dari data Admin Instansi") or differs from it (shown the way step 3 shows a difference).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from nonasn_desktop.errors import FieldError
from nonasn_desktop.flow.state import RegistrationState, RosterSummary
from nonasn_desktop.policy import FieldDef, Policy
from nonasn_desktop.rules.formatting import format_date, format_money, parse_date, parse_money

FROM_ROSTER = "dari data Admin Instansi"
# The roster's fields that pre-fill a page (identity is compared at step 3, never pre-filled).
PREFILL_FIELDS = (
    "nomor_thk2",
    "pendidikan_jenjang",
    "nama_sekolah",
    "jurusan",
    "nomor_ijazah",
    "tanggal_ijazah",
    "unit_kerja",
    "jabatan",
    "nomor_sk",
    "tanggal_sk",
    "tmt",
    "tanggal_selesai",
    "pejabat_penandatangan",
    "sumber_gaji",
    "gaji_bulanan",
)


def roster_values(roster: RosterSummary | None, policy: Policy) -> dict[str, str]:
    """Field key → the roster's value as raw text a clerk could have typed.

    Only fields the roster fills and the policy knows; a choice the policy does not offer (a
    roster written under another policy) is left out rather than shown wrong.
    """
    if roster is None:
        return {}
    values: dict[str, str] = {}
    for key in PREFILL_FIELDS:
        field = policy.fields.get(key)
        if field is None:
            continue
        value = getattr(roster, key)
        if value is None or value == "":
            continue
        if isinstance(value, dt.date):
            raw = format_date(value)
        elif isinstance(value, int):
            raw = format_money(value)
        else:
            raw = " ".join(str(value).split())
        if field.type == "choice" and raw not in {choice.key for choice in field.choices}:
            continue
        if raw:
            values[key] = raw
    return values


def prefill(state: RegistrationState, step: int, policy: Policy) -> list[str]:
    """Fill the empty fields of page ``step`` from the roster; returns the keys filled.

    Runs once per page (recorded in ``state.prefilled_steps``), never on a page already passed,
    and only when a roster entry is known. The work-history group (step 17) gets one entry, the
    roster's SK, when it has none yet.
    """
    roster = state.roster
    if roster is None or step in state.prefilled_steps or step in state.completed_steps:
        return []
    page = policy.step(step)
    values = roster_values(roster, policy)
    if not values.keys() & {*page.fields, *page.group_fields}:
        return []
    filled: list[str] = []
    for key in page.fields:
        if key in values and not state.values.get(key, "").strip():
            state.values[key] = values[key]
            filled.append(key)
    if page.group_fields and not state.work_history:
        entry = {key: values[key] for key in page.group_fields if key in values}
        if entry:
            state.work_history = [entry]
            filled += list(entry)
    state.prefilled_steps.add(step)
    return filled


@dataclass(frozen=True)
class RosterMark:
    """How one field's value stands against the roster."""

    key: str
    # The roster's value as a clerk reads it (choice label, dd-mm-yyyy, Rp 1.500.000).
    roster_text: str
    same: bool

    @property
    def text(self) -> str:
        """The note under the field, in Indonesian."""
        if self.same:
            return FROM_ROSTER
        return f"Berbeda dengan data Admin Instansi ('{self.roster_text}')"

    def difference(self, label: str) -> str | None:
        """The sentence for a list of differences (as step 3 lists them), or None when same."""
        if self.same:
            return None
        return (
            f"{label} berbeda dengan data Admin Instansi ('{self.roster_text}'). Periksa dengan "
            "dokumen yang bersangkutan."
        )


def _normal(field: FieldDef, raw: str) -> object:
    """A value to compare: parsed dates and money, choice keys, text without case or spacing."""
    text = " ".join(raw.split())
    try:
        if field.type == "date":
            return parse_date(text, field.key)
        if field.type == "money":
            return parse_money(text, field.key)
    except FieldError:
        pass
    if field.type == "choice":
        for choice in field.choices:
            if text in (choice.key, choice.label):
                return choice.key
    return text.casefold()


def _shown(field: FieldDef, raw: str) -> str:
    if field.type == "choice":
        return next((c.label for c in field.choices if c.key == raw), raw)
    return raw


def roster_mark(
    policy: Policy, roster: RosterSummary | None, key: str, raw: str
) -> RosterMark | None:
    """Whether ``raw`` (the field's text now) is the roster's value; None when the roster has
    nothing for ``key``. An emptied field differs: the clerk sees what the roster said."""
    expected = roster_values(roster, policy).get(key)
    if expected is None:
        return None
    field = policy.fields[key]
    same = bool(raw.strip()) and _normal(field, raw) == _normal(field, expected)
    return RosterMark(key, _shown(field, expected), same)


def roster_entry_index(
    policy: Policy, roster: RosterSummary | None, entries: Sequence[Mapping[str, str]]
) -> int | None:
    """Which work-history entry stands for the roster's SK, or None when there is none.

    The entry with the roster's SK number; failing that, the present one (the latest TMT that
    reads as a date, the last on a tie), as eligibility takes it; failing that, the last.
    """
    if not entries or not any(k in roster_values(roster, policy) for k in _group(policy)):
        return None
    assert roster is not None
    number = " ".join(roster.nomor_sk.split()).casefold()
    if number:
        for index, entry in enumerate(entries):
            if " ".join(entry.get("nomor_sk", "").split()).casefold() == number:
                return index
    dated: list[tuple[dt.date, int]] = []
    for index, entry in enumerate(entries):
        try:
            dated.append((parse_date(entry.get("tmt", ""), "tmt"), index))
        except FieldError:
            continue
    if dated:
        return max(dated)[1]
    return len(entries) - 1


def _group(policy: Policy) -> tuple[str, ...]:
    return tuple(key for step in policy.steps for key in step.group_fields)
