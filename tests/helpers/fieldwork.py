"""An office with a field laptop enrolled from it, for the devices and transfer tests.

Import as ``from helpers.fieldwork import ...``. Both sides are real data folders (SQLite) made
through the application's own services; the laptop is opened again after its set-up, as the
next command on it would, so it runs under its device code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from helpers.accounts import ADMIN_PASSWORD, FakeClock, add_clerk, signed_in
from nonasn_desktop.accounts.authz import Actor
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.devices import field, registry
from nonasn_desktop.devices.registry import EnrolResult
from nonasn_desktop.office import identity as office
from nonasn_desktop.office import keys
from nonasn_desktop.rules.roles import Role
from nonasn_desktop.startup import open_app

OFFICE_CODE = "1771BKD"
OFFICE_PASSPHRASE = "frasa sandi kantor 2022"
ENROLMENT_PASSPHRASE = "kopi pagi di selebar"
OPERATOR = "siti"
OPERATOR_PASSWORD = "SitiLapangan2026"


def make_office(
    folder: Path, clock: FakeClock | None = None, *, database_url: str | None = None
) -> AppContext:
    """An office data folder: the office, an admin, an operator and the office key
    (``database_url``: an office database on PostgreSQL)."""
    ctx = open_app(folder, create=True, clock=clock, database_url=database_url)
    office.initialise(
        ctx,
        office_code=OFFICE_CODE,
        office_name="BKD Kota Bengkulu",
        instansi_name="Pemerintah Kota Bengkulu",
        admin=("admin", ADMIN_PASSWORD),
    )
    add_clerk(ctx, OPERATOR, Role.OPERATOR, password=OPERATOR_PASSWORD, full_name="Siti Aminah")
    keys.create_office_key(ctx, OFFICE_PASSPHRASE)
    office_admin(ctx)
    return ctx


def office_admin(ctx: AppContext) -> Actor:
    """The office's admin, signed in (once per context)."""
    return signed_in(ctx, "admin", ADMIN_PASSWORD)


def field_operator(laptop: AppContext) -> Actor:
    """The laptop's operator (enrolled with it), signed in (once per context)."""
    return signed_in(laptop, OPERATOR, OPERATOR_PASSWORD)


@dataclass
class Enrolled:
    result: EnrolResult
    laptop: AppContext
    folder: Path


def enrol_laptop(
    office_ctx: AppContext,
    folder: Path,
    *,
    name: str = "Laptop Kec. Selebar",
    clock: FakeClock | None = None,
) -> Enrolled:
    """Enrol a device at the office and set a new laptop data folder up from its file."""
    result = registry.enrol_device(
        office_ctx,
        name=name,
        out=folder / "usb" / f"{name}.nonasn",
        office_passphrase=OFFICE_PASSPHRASE,
        enrolment_passphrase=ENROLMENT_PASSPHRASE,
        actor=office_admin(office_ctx),
    )
    data = folder / "laptop"
    with open_app(data, create=True, clock=clock) as laptop:
        field.set_up_field_device(laptop, result.file, ENROLMENT_PASSPHRASE)
    return Enrolled(result, open_app(data, clock=clock), data)


def snapshot(ctx: AppContext) -> tuple[dict[str, int], list[str]]:
    """Row counts of every table and the files of the documents folder: what must not change
    when a transfer file is refused."""
    from sqlalchemy import func, select

    from nonasn_desktop.storage.models import metadata

    with ctx.db.session() as session:
        counts = {
            name: int(session.scalar(select(func.count()).select_from(table)) or 0)
            for name, table in metadata.tables.items()
        }
    folder = ctx.data_dir.documents_dir
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    return counts, files
