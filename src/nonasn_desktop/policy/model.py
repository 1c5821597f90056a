"""Typed, immutable view of the policy files in forms/."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

FieldType = Literal[
    "text",
    "nik",
    "kk",
    "name",
    "phone",
    "email",
    "date",
    "choice",
    "password",
    "bool",
    "money",
    "captcha",
    "textarea",
]
FIELD_TYPES: tuple[str, ...] = FieldType.__args__  # type: ignore[attr-defined]

DocumentFormat = Literal["jpeg", "pdf"]
StepKind = Literal["page", "button", "dialog"]


@dataclass(frozen=True)
class Choice:
    key: str
    label: str


@dataclass(frozen=True)
class Criterion:
    code: str
    title: str


@dataclass(frozen=True)
class EligibilityPolicy:
    reference_date: dt.date
    criteria: dict[str, Criterion]
    direct_sources: frozenset[str]
    lowest_appointer: str
    min_service_years: int
    min_age: int
    max_age: int
    funding_sources: tuple[Choice, ...]
    # Highest level first.
    appointers: tuple[Choice, ...]

    def appointer_rank(self, key: str) -> int:
        """0 for the highest level; larger is lower. Raises KeyError for an unknown key."""
        for rank, choice in enumerate(self.appointers):
            if choice.key == key:
                return rank
        raise KeyError(key)


@dataclass(frozen=True)
class ColourCheck:
    pixel_chroma: int
    min_coloured_fraction: float
    # Pixels this close to a sharp light/dark edge are not counted (false colour fringes).
    edge_contrast: int


@dataclass(frozen=True)
class BlueBackgroundCheck:
    band: float
    min_fraction: float
    hue_min: float
    hue_max: float
    min_saturation: float
    min_value: float


@dataclass(frozen=True)
class CompliantCopyPolicy:
    qualities: tuple[int, ...]
    scale_step: float
    min_long_edge: int


@dataclass(frozen=True)
class DocumentRule:
    kind: str
    label: str
    hint: str
    formats: tuple[DocumentFormat, ...]
    min_bytes: int
    max_bytes: int
    colour: bool
    blue_background: bool
    portrait: bool
    required_at_step: int
    variants: tuple[Choice, ...] = ()


@dataclass(frozen=True)
class DocumentPolicy:
    max_pixels: int
    max_file_bytes: int
    # JPEG decoding work: a progressive JPEG is decoded once per scan over the whole picture.
    max_jpeg_scans: int
    max_jpeg_segments: int
    colour: ColourCheck
    blue_background: BlueBackgroundCheck
    compliant_copy: CompliantCopyPolicy
    rules: dict[str, DocumentRule]


@dataclass(frozen=True)
class FieldDef:
    key: str
    label: str
    type: FieldType
    required: bool
    help: str = ""
    max_length: int | None = None
    validators: tuple[str, ...] = ()
    choices: tuple[Choice, ...] = ()


@dataclass(frozen=True)
class PasswordPolicy:
    min_length: int
    require_letter: bool
    require_digit: bool


@dataclass(frozen=True)
class InputLimits:
    """Sanity bounds on typed values (forms/input_limits.toml)."""

    max_rupiah: int
    min_year: int
    max_year: int


@dataclass(frozen=True)
class BackupLimits:
    """Bounds on a backup archive that is verified or restored (forms/backup_limits.toml)."""

    max_members: int
    max_manifest_bytes: int
    max_database_bytes: int
    max_document_bytes: int
    max_total_bytes: int


@dataclass(frozen=True)
class RosterFileLimits:
    """Bounds on a roster spreadsheet a clerk hands the program (forms/roster_file.toml).

    Checked where the file is read, before the spreadsheet reader sees it, so that no file can
    exhaust the machine or abort the application.
    """

    max_file_bytes: int
    max_unpacked_bytes: int
    max_other_bytes: int
    max_members: int
    max_sheet_rows: int
    max_sheet_columns: int
    max_cells: int
    max_shared_strings: int
    max_merged_ranges: int
    max_csv_line_chars: int
    max_csv_cell_chars: int
    max_seconds: int


@dataclass(frozen=True)
class TransferLimits:
    """Bounds on transfer, enrolment and refresh files (forms/transfer.toml)."""

    max_records: int
    max_audit_entries: int
    max_documents: int
    max_document_bytes: int
    max_line_bytes: int
    max_text_length: int
    max_work_history: int
    max_record_documents: int
    max_manifest_bytes: int
    max_enrolment_bytes: int
    max_clerks: int
    max_roster_entries: int


@dataclass(frozen=True)
class Step:
    number: int
    phase: str
    kind: StepKind
    title: str
    description: str = ""
    on_page: int | None = None
    buttons: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    group: str | None = None
    group_fields: tuple[str, ...] = ()
    # The portal's own numbering of account creation ("Langkah 1 pembuatan akun"), if any.
    portal_step: str | None = None

    @property
    def heading(self) -> str:
        """The title a page shows: with the portal's own step, qualified, where it has one."""
        return f"{self.title} ({self.portal_step})" if self.portal_step else self.title

    @property
    def page(self) -> int:
        """The step whose screen shows this step (itself for pages)."""
        return self.on_page if self.on_page is not None else self.number


@dataclass(frozen=True)
class PermissionRule:
    """One permission of forms/permissions.toml: the roles allowed, the action in Indonesian."""

    roles: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class Policy:
    eligibility: EligibilityPolicy
    documents: DocumentPolicy
    fields: dict[str, FieldDef]
    password: PasswordPolicy
    steps: tuple[Step, ...]
    input_limits: InputLimits
    backup_limits: BackupLimits
    roster_file: RosterFileLimits
    phases: dict[str, str] = field(default_factory=dict)
    # forms/transfer.toml; None only in a Policy built by hand without it.
    transfer: TransferLimits | None = None
    # permission key -> who holds it; checked against the code by rules/permissions.py.
    permissions: dict[str, PermissionRule] = field(default_factory=dict)

    def step(self, number: int) -> Step:
        return self.steps[number - 1]

    def document(self, kind: str) -> DocumentRule:
        return self.documents.rules[kind]
