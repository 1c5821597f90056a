"""Eligibility criteria E1–E5 of the 2022 pendataan (DOMAIN.md section 2).

Every criterion is judged on the policy's reference date and always yields a reason in
Indonesian, met or failed, so a clerk can read the result to the honorer. A missing input
fails its criterion with a reason that says what to fill in: a record is never silently MS.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from nonasn_desktop.policy.model import EligibilityPolicy

AgencyLevel = Literal["pusat", "daerah"]

# Which budget pays an agency's staff directly: APBN for central agencies, APBD for regional.
_BUDGET_OF_LEVEL = {"pusat": "apbn", "daerah": "apbd"}


@dataclass(frozen=True)
class EligibilityInput:
    birth_date: dt.date | None
    first_tmt: dt.date | None
    active: bool | None
    funding: str | None
    procurement: bool | None
    appointer: str | None
    # When known, APBN must go with a central agency and APBD with a regional one.
    agency_level: AgencyLevel | None = None


@dataclass(frozen=True)
class CriterionResult:
    code: str
    title: str
    met: bool
    reason: str


@dataclass(frozen=True)
class EligibilityResult:
    criteria: tuple[CriterionResult, ...]

    @property
    def eligible(self) -> bool:
        return all(c.met for c in self.criteria)

    @property
    def failed_codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.criteria if not c.met)

    @property
    def outcome(self) -> Literal["MS", "TMS"]:
        return "MS" if self.eligible else "TMS"

    @property
    def summary(self) -> str:
        """ "MS" or "TMS (E4, E5)" as clerks write it."""
        if self.eligible:
            return "MS"
        return f"TMS ({', '.join(self.failed_codes)})"

    def to_json(self) -> dict[str, object]:
        return {
            "outcome": self.outcome,
            "criteria": [
                {"code": c.code, "title": c.title, "met": c.met, "reason": c.reason}
                for c in self.criteria
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> EligibilityResult:
        items = data["criteria"]
        assert isinstance(items, list)
        return cls(
            tuple(
                CriterionResult(str(i["code"]), str(i["title"]), bool(i["met"]), str(i["reason"]))
                for i in items
            )
        )


def _fmt(day: dt.date) -> str:
    return day.strftime("%d-%m-%Y")


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` earlier; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def completed_years(born: dt.date, on: dt.date) -> int:
    """Age in completed years. A 29 February birthday falls on 1 March in common years."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _months_between(start: dt.date, end: dt.date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return months


def _e1(data: EligibilityInput) -> tuple[bool, str]:
    if data.active is None:
        return False, "Status masih aktif bekerja belum diisi."
    if data.active:
        return True, "Masih aktif bekerja di instansi pendaftar."
    return False, "Tidak lagi aktif bekerja di instansi pendaftar."


def _e2(data: EligibilityInput, policy: EligibilityPolicy) -> tuple[bool, str]:
    labels = {c.key: c.label for c in policy.funding_sources}
    if data.funding is None:
        return False, "Sumber gaji/honorarium belum diisi."
    if data.funding not in labels:
        return False, f"Sumber gaji '{data.funding}' tidak dikenal."
    if data.procurement is None:
        return False, "Belum diisi apakah honorarium dibayar melalui pengadaan barang/jasa."
    label = labels[data.funding]
    if data.procurement:
        return False, (
            f"Honorarium ({label}) dibayar melalui pengadaan barang/jasa (perorangan atau "
            "pihak ketiga/outsourcing), bukan pembayaran langsung."
        )
    if data.funding not in policy.direct_sources:
        return False, f"Honorarium bersumber dari {label}, bukan APBN/APBD."
    expected = _BUDGET_OF_LEVEL.get(data.agency_level or "")
    if expected and data.funding != expected:
        level = "pusat" if data.agency_level == "pusat" else "daerah"
        return False, (
            f"Honorarium dari {label}, padahal instansi {level} membayar langsung dari "
            f"{expected.upper()}."
        )
    return True, f"Honorarium dibayar langsung dari {label}."


def _e3(data: EligibilityInput, policy: EligibilityPolicy) -> tuple[bool, str]:
    if data.appointer is None:
        return False, "Jabatan penandatangan SK belum diisi."
    labels = {c.key: c.label for c in policy.appointers}
    if data.appointer not in labels:
        return False, f"Jabatan penandatangan SK '{data.appointer}' tidak dikenal."
    label = labels[data.appointer]
    lowest = labels[policy.lowest_appointer]
    if policy.appointer_rank(data.appointer) <= policy.appointer_rank(policy.lowest_appointer):
        return True, f"Diangkat oleh {label}."
    return False, f"Diangkat oleh {label}; paling rendah harus {lowest}."


def _e4(data: EligibilityInput, policy: EligibilityPolicy) -> tuple[bool, str]:
    reference = policy.reference_date
    if data.first_tmt is None:
        return False, "TMT SK pertama belum diisi."
    latest = years_before(reference, policy.min_service_years)
    if data.first_tmt > reference:
        return False, (
            f"TMT {_fmt(data.first_tmt)} sesudah {_fmt(reference)}: belum bekerja pada tanggal "
            "acuan."
        )
    months = _months_between(data.first_tmt, reference)
    span = f"{months // 12} tahun {months % 12} bulan"
    if data.first_tmt <= latest:
        return True, f"TMT {_fmt(data.first_tmt)}: masa kerja {span} pada {_fmt(reference)}."
    return False, (
        f"TMT {_fmt(data.first_tmt)}: masa kerja {span} pada {_fmt(reference)}, kurang dari "
        f"{policy.min_service_years} tahun (TMT paling lambat {_fmt(latest)})."
    )


def _e5(data: EligibilityInput, policy: EligibilityPolicy) -> tuple[bool, str]:
    reference = policy.reference_date
    if data.birth_date is None:
        return False, "Tanggal lahir belum diisi."
    if data.birth_date > reference:
        return False, f"Tanggal lahir {_fmt(data.birth_date)} sesudah {_fmt(reference)}."
    age = completed_years(data.birth_date, reference)
    if age < policy.min_age:
        return False, (
            f"Usia {age} tahun pada {_fmt(reference)}; paling rendah {policy.min_age} tahun."
        )
    if age > policy.max_age:
        return False, (
            f"Usia {age} tahun pada {_fmt(reference)}; paling tinggi {policy.max_age} tahun."
        )
    return True, f"Usia {age} tahun pada {_fmt(reference)}."


def evaluate(data: EligibilityInput, policy: EligibilityPolicy) -> EligibilityResult:
    """Judge all five criteria; never stops at the first failure."""
    outcomes = {
        "E1": _e1(data),
        "E2": _e2(data, policy),
        "E3": _e3(data, policy),
        "E4": _e4(data, policy),
        "E5": _e5(data, policy),
    }
    return EligibilityResult(
        tuple(
            CriterionResult(code, policy.criteria[code].title, met, reason)
            for code, (met, reason) in outcomes.items()
        )
    )
