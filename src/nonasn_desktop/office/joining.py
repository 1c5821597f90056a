"""A new desk joining an office database that is already set up (the GUI's first start).

``nonasn init --database-url URL`` on a new PC finds the office in the database, says so and
changes nothing there (cli/init_cmd.py). The desktop application must do the same when it is
started on a desk pointed at such a database (``NONASN_DATABASE_URL``, or a ``meja.json``
copied from another desk) rather than offer to set up a new office: :func:`joining_offer` tells
that case apart, and :func:`join_office`, once an admin of the office has signed in, writes
only the desk's own data folder (``meja.json``: the office database and the desk's name), so
the desk opens that database from then on without any variable. No office, admin or signing
key is made; the office database receives only the sign-in's own audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from nonasn_desktop.accounts import users
from nonasn_desktop.core.context import AppContext, Desk
from nonasn_desktop.errors import AuthError, FieldError
from nonasn_desktop.office.identity import OfficeInfo, get_office
from nonasn_desktop.office.keys import get_key_info
from nonasn_desktop.rules.roles import Role
from nonasn_desktop.storage.database import sqlite_url
from nonasn_desktop.storage.deskconfig import (
    DESK_NAME_MAX,
    KIND_FIELD_DEVICE,
    read_desk_config,
    write_desk_config,
)


@dataclass(frozen=True)
class JoinOffer:
    """What the join screen shows: the office found and this desk."""

    office: OfficeInfo
    # The office database, without user or password (e.g. "nonasn@server-bkd").
    location: str
    desk_code: str
    desk_name: str
    # The office's one signing key, shared by every desk (None: not made yet).
    key_id: str | None


def _normalised(url: URL | str) -> URL | None:
    try:
        parsed = make_url(url) if isinstance(url, str) else url
    except (ArgumentError, ValueError):
        return None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _in_use(ctx: AppContext) -> URL:
    url = _normalised(ctx.db.engine.url)
    assert url is not None  # the engine's own URL
    return url


def remember_office_database(ctx: AppContext) -> None:
    """A desk that has just set an office up on a shared database (given by NONASN_DATABASE_URL,
    say) keeps that database in its meja.json, as ``nonasn init`` does: its next start opens
    the same office, instead of offering to join it as a stranger."""
    in_use = _in_use(ctx)
    if in_use == _normalised(sqlite_url(ctx.data_dir.database_path)):
        return
    config = read_desk_config(ctx.data_dir.path)
    if config.database_url and _normalised(config.database_url) == in_use:
        return
    url = in_use.render_as_string(hide_password=False)
    write_desk_config(ctx.data_dir.path, replace(config, database_url=url))


def joining_offer(ctx: AppContext) -> JoinOffer | None:
    """The office to join, when this desk works on an office database that is not its own
    file, holds an office with an admin, and is not yet the database the desk remembers.

    None otherwise: a folder with its own SQLite database, an empty office database (the first
    desk sets the office up), a desk that has joined already, a field laptop.
    """
    in_use = _in_use(ctx)
    if in_use == _normalised(sqlite_url(ctx.data_dir.database_path)):
        return None
    config = read_desk_config(ctx.data_dir.path)
    if config.kind == KIND_FIELD_DEVICE:
        return None
    if config.database_url and _normalised(config.database_url) == in_use:
        return None
    office = get_office(ctx)
    # Without an active admin nobody could confirm the join: the first start then makes the
    # office's admin, as it always has.
    if office is None or not users.has_active_admin(ctx):
        return None
    key = get_key_info(ctx)
    return JoinOffer(
        office=office,
        location=ctx.db.location,
        desk_code=ctx.desk.code,
        desk_name=ctx.desk.name,
        key_id=key.key_id if key is not None else None,
    )


def join_office(ctx: AppContext, *, desk_name: str, username: str, password: str) -> users.UserInfo:
    """An admin of the office confirms; this desk remembers the office database and its name.

    Raises FieldError for a missing desk name, AuthError for a wrong sign-in or a clerk who is
    not an admin. Returns the admin.
    """
    name = " ".join(desk_name.split())
    if not name:
        raise FieldError("nama_meja", "Nama meja wajib diisi.", hint='Contoh: "Meja 2".')
    if len(name) > DESK_NAME_MAX:
        raise FieldError("nama_meja", f"Nama meja paling panjang {DESK_NAME_MAX} karakter.")
    admin = users.authenticate(ctx, username, password)
    if admin.role is not Role.ADMIN:
        raise AuthError(
            f"{admin.full_name} bukan admin kantor; meja baru hanya dapat digabungkan oleh admin.",
            hint="Minta admin kantor masuk di meja ini untuk menggabungkannya.",
        )
    config = read_desk_config(ctx.data_dir.path)
    url = _in_use(ctx).render_as_string(hide_password=False)
    write_desk_config(ctx.data_dir.path, replace(config, database_url=url, name=name))
    # This session already names the desk in locks and the audit log with the new name.
    ctx.desk = Desk(code=ctx.desk.code, name=name)
    return admin
