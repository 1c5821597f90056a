"""Read and validate the policy files of forms/.

The files are found with importlib.resources (package ``nonasn_desktop.forms``), which works
the same from a source checkout, an installed wheel and a PyInstaller build. Every problem is
reported as a :class:`PolicyFileError` naming the file, the line when it can be found, and
what is wrong, so an administrator who edited a file can repair it.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.resources
import re
from collections.abc import Mapping
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, cast

from nonasn_desktop.errors import PolicyFileError
from nonasn_desktop.policy.model import (
    FIELD_TYPES,
    BackupLimits,
    BlueBackgroundCheck,
    Choice,
    ColourCheck,
    CompliantCopyPolicy,
    Criterion,
    DocumentFormat,
    DocumentPolicy,
    DocumentRule,
    EligibilityPolicy,
    FieldDef,
    FieldType,
    InputLimits,
    PasswordPolicy,
    PermissionRule,
    Policy,
    RosterFileLimits,
    Step,
    StepKind,
    TransferLimits,
)
from nonasn_desktop.policy.toml_source import (
    _check_unique,
    _Source,
    _Table,
)

FormsDir = Traversable | Path

CRITERIA = ("E1", "E2", "E3", "E4", "E5")
STEP_COUNT = 24
DOCUMENT_FORMATS: tuple[DocumentFormat, ...] = ("jpeg", "pdf")
STEP_KINDS: tuple[StepKind, ...] = ("page", "button", "dialog")
EXCEL_ROWS = 1_048_576
EXCEL_COLUMNS = 16_384


def forms_dir() -> Traversable:
    """The installed forms/ folder."""
    return importlib.resources.files("nonasn_desktop.forms")


def read_forms_text(name: str, directory: FormsDir | None = None) -> str:
    """The text of one file of forms/, or PolicyFileError when it is missing or not UTF-8."""
    base = directory if directory is not None else forms_dir()
    try:
        return (base / name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyFileError(name, None, "berkas tidak ditemukan") from None
    except UnicodeDecodeError as exc:
        raise PolicyFileError(name, None, f"bukan teks UTF-8 ({exc.reason})") from None
    except OSError as exc:
        raise PolicyFileError(name, None, f"tidak dapat dibaca ({exc.strerror})") from None


def _load(name: str, directory: FormsDir | None) -> _Source:
    return _Source(name, read_forms_text(name, directory))


def _eligibility(source: _Source) -> EligibilityPolicy:
    root = _Table(source, source.data, None)
    reference = root.get("reference_date", dt.date)
    if isinstance(reference, dt.datetime):
        root.fail("'reference_date' harus tanggal tanpa jam", "reference_date")
    criteria_table = root.get("criteria", dict)
    criteria: dict[str, Criterion] = {}
    for code in CRITERIA:
        if code not in criteria_table:
            source.fail(f"kriteria {code} tidak ada", None)
        table = _Table(source, criteria_table[code], f"[criteria.{code}]")
        criteria[code] = Criterion(code, table.text("title"))
    for extra in set(criteria_table) - set(CRITERIA):
        source.fail(f"kriteria tidak dikenal: {extra}", f"[criteria.{extra}]")

    funding = _choice_list(source, "funding_sources")
    appointers = _choice_list(source, "appointers")
    e2 = _Table(source, criteria_table["E2"], "[criteria.E2]")
    direct = e2.strings("direct_sources")
    for key in direct:
        if key not in {c.key for c in funding}:
            e2.fail(f"sumber '{key}' tidak ada di [[funding_sources]]", "direct_sources")
    e3 = _Table(source, criteria_table["E3"], "[criteria.E3]")
    lowest = e3.text("lowest_level")
    if lowest not in {c.key for c in appointers}:
        e3.fail(f"tingkat '{lowest}' tidak ada di [[appointers]]", "lowest_level")
    e4 = _Table(source, criteria_table["E4"], "[criteria.E4]")
    e5 = _Table(source, criteria_table["E5"], "[criteria.E5]")
    min_age = e5.integer("min_age", minimum=0)
    max_age = e5.integer("max_age", minimum=0)
    if max_age < min_age:
        e5.fail("'max_age' lebih kecil daripada 'min_age'", "max_age")
    return EligibilityPolicy(
        reference_date=reference,
        criteria=criteria,
        direct_sources=frozenset(direct),
        lowest_appointer=lowest,
        min_service_years=e4.integer("min_service_years", minimum=0),
        min_age=min_age,
        max_age=max_age,
        funding_sources=funding,
        appointers=appointers,
    )


def _choice_list(source: _Source, key: str) -> tuple[Choice, ...]:
    items = source.data.get(key)
    if not isinstance(items, list) or not items:
        source.fail(f"daftar [[{key}]] wajib ada dan tidak boleh kosong")
    result = []
    for nth, item in enumerate(cast(list[dict[str, Any]], items)):
        table = _Table(source, item, f"[[{key}]]", nth)
        result.append(Choice(table.text("key"), table.text("label")))
    _check_unique(
        [c.key for c in result], lambda dup: source.fail(f"kunci '{dup}' ganda di [[{key}]]")
    )
    return tuple(result)


def _documents(source: _Source) -> DocumentPolicy:
    root = _Table(source, source.data, None)
    limits = root.table("limits", "[limits]")
    checks = root.table("checks", "[checks]")
    colour = checks.table("colour", "[checks.colour]")
    blue = checks.table("blue_background", "[checks.blue_background]")
    copy = checks.table("compliant_copy", "[checks.compliant_copy]")
    qualities = copy.get("qualities", list)
    if not qualities or not all(
        isinstance(q, int) and not isinstance(q, bool) and 1 <= q <= 95 for q in qualities
    ):
        copy.fail("'qualities' harus daftar bilangan 1..95", "qualities")
    rules: dict[str, DocumentRule] = {}
    for kind, raw in root.get("documents", dict).items():
        header = f"[documents.{kind}]"
        if not isinstance(raw, dict):
            source.fail(f"{header} harus tabel", header)
        table = _Table(source, raw, header)
        formats = table.strings("formats")
        for fmt in formats:
            if fmt not in DOCUMENT_FORMATS:
                table.fail(f"format '{fmt}' tidak dikenal (pilih: jpeg, pdf)", "formats")
        min_bytes = table.integer("min_bytes", default=0, minimum=0)
        max_bytes = table.integer("max_bytes", minimum=1)
        if max_bytes <= min_bytes:
            table.fail("'max_bytes' harus lebih besar daripada 'min_bytes'", "max_bytes")
        step = table.integer("required_at_step", minimum=1)
        if step > STEP_COUNT:
            table.fail(f"'required_at_step' harus 1..{STEP_COUNT}", "required_at_step")
        rules[kind] = DocumentRule(
            kind=kind,
            label=table.text("label"),
            hint=table.get("hint", str, ""),
            formats=cast(tuple[DocumentFormat, ...], formats),
            min_bytes=min_bytes,
            max_bytes=max_bytes,
            colour=table.flag("colour"),
            blue_background=table.flag("blue_background"),
            portrait=table.flag("portrait"),
            required_at_step=step,
            variants=table.choices("variants") if "variants" in raw else (),
        )
    if not rules:
        source.fail("tidak ada satu pun [documents.*]")
    return DocumentPolicy(
        max_pixels=limits.integer("max_pixels", minimum=1),
        max_file_bytes=limits.integer("max_file_bytes", minimum=1),
        max_jpeg_scans=limits.integer("max_jpeg_scans", minimum=1),
        max_jpeg_segments=limits.integer("max_jpeg_segments", minimum=1),
        colour=ColourCheck(
            pixel_chroma=colour.integer("pixel_chroma", minimum=1),
            min_coloured_fraction=colour.number("min_coloured_fraction", 0.0, 1.0),
            edge_contrast=colour.integer("edge_contrast", minimum=1),
        ),
        blue_background=BlueBackgroundCheck(
            band=blue.number("band", 0.01, 0.5),
            min_fraction=blue.number("min_fraction", 0.0, 1.0),
            hue_min=blue.number("hue_min", 0, 360),
            hue_max=blue.number("hue_max", 0, 360),
            min_saturation=blue.number("min_saturation", 0.0, 1.0),
            min_value=blue.number("min_value", 0.0, 1.0),
        ),
        compliant_copy=CompliantCopyPolicy(
            qualities=tuple(qualities),
            scale_step=copy.number("scale_step", 0.3, 0.99),
            min_long_edge=copy.integer("min_long_edge", minimum=16),
        ),
        rules=rules,
    )


def _fields(
    source: _Source, eligibility: EligibilityPolicy, documents: DocumentPolicy
) -> tuple[dict[str, FieldDef], PasswordPolicy]:
    root = _Table(source, source.data, None)
    password = root.table("password", "[password]")
    derived = {
        "appointers": eligibility.appointers,
        "funding_sources": eligibility.funding_sources,
        "sk_variants": tuple(v for rule in documents.rules.values() for v in rule.variants),
    }
    fields: dict[str, FieldDef] = {}
    for key, raw in root.get("fields", dict).items():
        header = f"[fields.{key}]"
        if not isinstance(raw, dict):
            source.fail(f"{header} harus tabel", header)
        table = _Table(source, raw, header)
        type_ = table.text("type")
        if type_ not in FIELD_TYPES:
            table.fail(f"jenis '{type_}' tidak dikenal (pilih: {', '.join(FIELD_TYPES)})", "type")
        choices: tuple[Choice, ...] = ()
        if type_ == "choice":
            if "choices" in raw:
                choices = table.choices("choices")
            elif "choices_from" in raw:
                origin = table.text("choices_from")
                if origin not in derived:
                    table.fail(f"'choices_from' tidak dikenal: {origin}", "choices_from")
                choices = derived[origin]
            if not choices:
                table.fail("isian pilihan harus punya 'choices' atau 'choices_from'", "type")
        max_length = table.get("max_length", int, None)
        fields[key] = FieldDef(
            key=key,
            label=table.text("label"),
            type=cast(FieldType, type_),
            required=table.flag("required"),
            help=table.get("help", str, ""),
            max_length=max_length,
            validators=table.strings("validators", ()),
            choices=choices,
        )
    for field in fields.values():
        for validator in field.validators:
            _, _, other = validator.partition(":")
            if other and other not in fields:
                source.fail(
                    f"validator '{validator}' menunjuk isian yang tidak ada",
                    f"[fields.{field.key}]",
                    "validators",
                )
    return fields, PasswordPolicy(
        min_length=password.integer("min_length", minimum=4),
        require_letter=password.flag("require_letter"),
        require_digit=password.flag("require_digit"),
    )


def _steps(
    source: _Source, fields: Mapping[str, FieldDef], documents: DocumentPolicy
) -> tuple[tuple[Step, ...], dict[str, str]]:
    root = _Table(source, source.data, None)
    phases = {
        key: _Table(source, value, f"[phases.{key}]").text("title")
        for key, value in root.get("phases", dict).items()
    }
    raw_steps = root.get("steps", list)
    steps: list[Step] = []
    for nth, raw in enumerate(raw_steps):
        table = _Table(source, raw, "[[steps]]", nth)
        number = table.integer("number")
        if number != nth + 1:
            table.fail(f"langkah ke-{nth + 1} bernomor {number}; nomor harus urut 1..24", "number")
        phase = table.text("phase")
        if phase not in phases:
            table.fail(f"fase '{phase}' tidak ada di [phases]", "phase")
        kind = table.text("kind")
        if kind not in STEP_KINDS:
            table.fail(f"jenis langkah '{kind}' tidak dikenal (page, button, dialog)", "kind")
        on_page = table.get("on_page", int, None)
        if kind == "page" and on_page is not None:
            table.fail("langkah berjenis page tidak memakai 'on_page'", "on_page")
        if kind != "page":
            if on_page is None:
                table.fail(f"langkah berjenis {kind} harus punya 'on_page'", "kind")
            elif not 1 <= on_page < number or steps[on_page - 1].kind != "page":
                table.fail(f"'on_page' = {on_page} bukan langkah page sebelumnya", "on_page")
        step_fields = table.strings("fields", ())
        group_fields = table.strings("group_fields", ())
        for key in (*step_fields, *group_fields):
            if key not in fields:
                table.fail(f"isian '{key}' tidak ada di fields.toml", "fields")
        step_documents = table.strings("documents", ())
        for kind_key in step_documents:
            if kind_key not in documents.rules:
                table.fail(f"dokumen '{kind_key}' tidak ada di documents.toml", "documents")
        group = table.get("group", str, None)
        if bool(group) != bool(group_fields):
            table.fail("'group' dan 'group_fields' harus diisi bersama", "group")
        steps.append(
            Step(
                number=number,
                phase=phase,
                kind=cast(StepKind, kind),
                title=table.text("title"),
                description=table.get("description", str, ""),
                on_page=on_page,
                buttons=table.strings("buttons", ()),
                fields=step_fields,
                documents=step_documents,
                group=group,
                group_fields=group_fields,
                portal_step=table.get("portal_step", str, None),
            )
        )
    if len(steps) != STEP_COUNT:
        source.fail(f"harus ada tepat {STEP_COUNT} langkah, ditemukan {len(steps)}")
    return tuple(steps), phases


def _input_limits(source: _Source) -> InputLimits:
    root = _Table(source, source.data, None)
    money = root.table("money", "[money]")
    date = root.table("date", "[date]")
    max_rupiah = money.integer("max_rupiah", minimum=1)
    min_year = date.integer("min_year", minimum=1)
    max_year = date.integer("max_year", minimum=1)
    if min_year >= max_year:
        date.fail("'max_year' harus lebih besar dari 'min_year'", "max_year")
    return InputLimits(max_rupiah=max_rupiah, min_year=min_year, max_year=max_year)


def _backup_limits(source: _Source) -> BackupLimits:
    root = _Table(source, source.data, None)
    archive = root.table("archive", "[archive]")
    limits = BackupLimits(
        max_members=archive.integer("max_members", minimum=2),
        max_manifest_bytes=archive.integer("max_manifest_bytes", minimum=1024),
        max_database_bytes=archive.integer("max_database_bytes", minimum=1024 * 1024),
        max_document_bytes=archive.integer("max_document_bytes", minimum=1024 * 1024),
        max_total_bytes=archive.integer("max_total_bytes", minimum=1024 * 1024),
    )
    if limits.max_total_bytes < max(limits.max_database_bytes, limits.max_document_bytes):
        archive.fail(
            "'max_total_bytes' harus paling sedikit sebesar batas basis data dan batas dokumen",
            "max_total_bytes",
        )
    return limits


def _roster_file(source: _Source) -> RosterFileLimits:
    root = _Table(source, source.data, None)
    file = root.table("file", "[file]")
    archive = root.table("archive", "[archive]")
    sheet = root.table("sheet", "[sheet]")
    csv = root.table("csv", "[csv]")
    time = root.table("time", "[time]")
    limits = RosterFileLimits(
        max_file_bytes=file.integer("max_bytes", minimum=1024),
        max_unpacked_bytes=archive.integer("max_unpacked_bytes", minimum=1024),
        max_other_bytes=archive.integer("max_other_bytes", minimum=1024),
        max_members=archive.integer("max_members", minimum=8),
        max_sheet_rows=sheet.integer("max_rows", minimum=10),
        max_sheet_columns=sheet.integer("max_columns", minimum=10),
        max_cells=sheet.integer("max_cells", minimum=100),
        max_shared_strings=sheet.integer("max_shared_strings", minimum=100),
        max_merged_ranges=sheet.integer("max_merged_ranges", minimum=10),
        max_csv_line_chars=csv.integer("max_line_chars", minimum=80),
        max_csv_cell_chars=csv.integer("max_cell_chars", minimum=80),
        max_seconds=time.integer("max_seconds", minimum=1),
    )
    # Above Excel's own grid the reader would be asked for cells no spreadsheet can hold.
    if limits.max_sheet_rows > EXCEL_ROWS:
        sheet.fail(f"'max_rows' paling besar {EXCEL_ROWS}", "max_rows")
    if limits.max_sheet_columns > EXCEL_COLUMNS:
        sheet.fail(f"'max_columns' paling besar {EXCEL_COLUMNS}", "max_columns")
    if limits.max_csv_cell_chars > limits.max_csv_line_chars:
        csv.fail("'max_cell_chars' tidak boleh melebihi 'max_line_chars'", "max_cell_chars")
    return limits


def _transfer_limits(source: _Source) -> TransferLimits:
    root = _Table(source, source.data, None)
    transfer = root.table("transfer", "[transfer]")
    enrolment = root.table("enrolment", "[enrolment]")
    return TransferLimits(
        max_records=transfer.integer("max_records", minimum=1),
        max_audit_entries=transfer.integer("max_audit_entries", minimum=1),
        max_documents=transfer.integer("max_documents", minimum=1),
        max_document_bytes=transfer.integer("max_document_bytes", minimum=1),
        max_line_bytes=transfer.integer("max_line_bytes", minimum=1024),
        max_text_length=transfer.integer("max_text_length", minimum=1),
        max_work_history=transfer.integer("max_work_history", minimum=1),
        max_record_documents=transfer.integer("max_record_documents", minimum=1),
        max_manifest_bytes=transfer.integer("max_manifest_bytes", minimum=1024),
        max_enrolment_bytes=enrolment.integer("max_file_bytes", minimum=1024),
        max_clerks=enrolment.integer("max_clerks", minimum=1),
        max_roster_entries=enrolment.integer("max_roster_entries", minimum=1),
    )


_PERMISSION_KEY = re.compile(r"[a-z][a-z0-9_]*")
_ROLE_NAME = re.compile(r"[a-z]+")


def _permissions(source: _Source) -> dict[str, PermissionRule]:
    """The permission table. Whether its keys and roles are the code's is checked by
    rules/permissions.py (policy/ is below rules/ and cannot know the enums)."""
    result: dict[str, PermissionRule] = {}
    for key, value in source.data.items():
        if key == "schema":
            continue
        header = f"[{key}]"
        if not isinstance(value, dict):
            source.fail(f"'{key}' harus berupa tabel {header}", key=key)
        if not _PERMISSION_KEY.fullmatch(key):
            source.fail(f"nama izin '{key}' tidak sah (huruf kecil, angka, garis bawah)", header)
        table = _Table(source, value, header)
        extra = sorted(set(value) - {"roles", "description"})
        if extra:
            table.fail("kunci tidak dikenal: " + ", ".join(extra))
        roles = table.strings("roles")
        if not roles:
            table.fail("'roles' tidak boleh kosong: setiap izin dipegang paling sedikit satu peran")
        for role in roles:
            if not _ROLE_NAME.fullmatch(role):
                table.fail(f"nama peran '{role}' tidak sah", "roles")
        repeated = sorted({role for role in roles if roles.count(role) > 1})
        if repeated:
            table.fail(f"peran '{repeated[0]}' ganda", "roles")
        result[key] = PermissionRule(roles=roles, description=table.text("description"))
    return result


def load_policy(directory: FormsDir | None = None) -> Policy:
    """Read and validate every policy file. ``directory`` overrides the installed forms/."""
    eligibility = _eligibility(_load("eligibility.toml", directory))
    documents = _documents(_load("documents.toml", directory))
    fields, password = _fields(_load("fields.toml", directory), eligibility, documents)
    steps, phases = _steps(_load("steps.toml", directory), fields, documents)
    input_limits = _input_limits(_load("input_limits.toml", directory))
    backup_limits = _backup_limits(_load("backup_limits.toml", directory))
    roster_file = _roster_file(_load("roster_file.toml", directory))
    permissions = _permissions(_load("permissions.toml", directory))
    for rule in documents.rules.values():
        if rule.kind not in steps[rule.required_at_step - 1].documents:
            raise PolicyFileError(
                "documents.toml",
                None,
                f"dokumen '{rule.kind}' wajib pada langkah {rule.required_at_step}, "
                "tetapi langkah itu tidak memuatnya di steps.toml",
            )
    return Policy(
        eligibility=eligibility,
        documents=documents,
        fields=fields,
        password=password,
        steps=steps,
        input_limits=input_limits,
        backup_limits=backup_limits,
        roster_file=roster_file,
        phases=phases,
        transfer=_transfer_limits(_load("transfer.toml", directory)),
        permissions=permissions,
    )


@functools.cache
def default_policy() -> Policy:
    """The installed policy, read once per process."""
    return load_policy()
