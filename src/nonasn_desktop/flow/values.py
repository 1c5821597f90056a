"""The typed values of one registration as the rules read them: validated, normalised, labelled.

:class:`TypedValues` is a read-only view over the raw text of the fields (the state's values and
the secrets held in memory) on one day. It answers "is this field valid, and if not, why?"
(:meth:`~TypedValues.message`), "what does it mean?" (:meth:`~TypedValues.clean`) and "what is
it called?" (:meth:`~TypedValues.label`). It changes nothing: the guards (:mod:`.guards`) and
the machine (:mod:`.machine`) build one whenever they need to read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from nonasn_desktop.errors import FieldError
from nonasn_desktop.policy import FieldDef, Policy
from nonasn_desktop.rules.eligibility import EligibilityInput
from nonasn_desktop.rules.validators import validate_field, validate_fields


def field_def(policy: Policy, key: str) -> FieldDef:
    """The policy's definition of a field; KeyError naming the key when there is none."""
    try:
        return policy.fields[key]
    except KeyError:
        raise KeyError(f"unknown field {key!r}") from None


def label(policy: Policy, key: str) -> str:
    """What the clerk sees a field, a document kind or the work history called."""
    if key in policy.fields:
        return policy.fields[key].label
    if key in policy.documents.rules:
        return policy.document(key).label
    if key == "riwayat_pekerjaan":
        return "Riwayat pekerjaan"
    return key


def with_label(policy: Policy, key: str, message: str, prefix: str = "") -> str:
    """The message, led by the field's label unless it names the field already."""
    name = label(policy, key)
    if name.casefold() in message.casefold():
        return f"{prefix}{message}"
    return f"{prefix}{name}: {message}"


@dataclass(frozen=True)
class TypedValues:
    """Raw field text (``values``: the state's values and the in-memory secrets) on ``today``."""

    policy: Policy
    values: Mapping[str, str]
    today: dt.date

    def raw(self, key: str) -> str:
        return self.values.get(key, "")

    def label(self, key: str) -> str:
        return label(self.policy, key)

    def with_label(self, key: str, message: str, prefix: str = "") -> str:
        return with_label(self.policy, key, message, prefix)

    def choice_label(self, key: str, choice: str) -> str:
        for option in field_def(self.policy, key).choices:
            if option.key == choice:
                return option.label
        return choice

    def message(
        self, key: str, raw: str | None = None, values: Mapping[str, str] | None = None
    ) -> str | None:
        """The error message of one field's value, or None when it is valid."""
        if values is None:
            values = self.values
        if raw is None:
            raw = values.get(key, "")
        try:
            validate_field(field_def(self.policy, key), raw, values, self.policy, today=self.today)
        except FieldError as error:
            return error.message
        return None

    def clean(self, key: str) -> object:
        """The normalised value of a field, or None when empty or invalid."""
        return self.entry_value(self.values, key)

    def problems(self, keys: Iterable[str]) -> list[str]:
        """ "Label: message" for each of ``keys`` that is not valid."""
        problems = []
        for key in keys:
            message = self.message(key)
            if message is not None:
                problems.append(self.with_label(key, message))
        return problems

    def entry_errors(self, group_fields: Sequence[str], entry: Mapping[str, str]) -> dict[str, str]:
        """Field key → message for one work-history entry."""
        _, errors = validate_fields(group_fields, entry, self.policy, today=self.today)
        return errors

    def entry_value(self, entry: Mapping[str, str], key: str) -> object:
        """The normalised value of ``key`` in ``entry`` (a work-history entry), or None."""
        try:
            return validate_field(
                field_def(self.policy, key),
                entry.get(key, ""),
                entry,
                self.policy,
                today=self.today,
            )
        except FieldError:
            return None

    def eligibility_input(self, work_history: Sequence[Mapping[str, str]]) -> EligibilityInput:
        """What eligibility is evaluated from (see RegistrationFlow.eligibility)."""
        birth = self.clean("tanggal_lahir")
        active = self.clean("masih_aktif")
        dated: list[tuple[dt.date, int, Mapping[str, str]]] = []
        for index, entry in enumerate(work_history):
            tmt = self.entry_value(entry, "tmt")
            if isinstance(tmt, dt.date):
                dated.append((tmt, index, entry))
        first_tmt = min(d[0] for d in dated) if dated else None
        current: Mapping[str, str] | None
        if dated:
            current = max(dated, key=lambda d: (d[0], d[1]))[2]
        elif work_history:
            current = work_history[-1]
        else:
            current = None
        funding = procurement = appointer = None
        if current is not None:
            funding = self.entry_value(current, "sumber_gaji")
            procurement = self.entry_value(current, "melalui_pengadaan")
            appointer = self.entry_value(current, "pejabat_penandatangan")
        return EligibilityInput(
            birth_date=birth if isinstance(birth, dt.date) else None,
            first_tmt=first_tmt,
            active=active if isinstance(active, bool) else None,
            funding=funding if isinstance(funding, str) else None,
            procurement=procurement if isinstance(procurement, bool) else None,
            appointer=appointer if isinstance(appointer, str) else None,
        )
