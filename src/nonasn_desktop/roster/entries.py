"""The Admin Instansi roster: the people an office has listed as its non-ASN staff.

Only a person on the roster may create an account (step 3); otherwise the portal's message
"Anda Belum Didaftarkan oleh Admin Instansi" applies.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nonasn_desktop.accounts.authz import Actor, authorise, require
from nonasn_desktop.core import audit
from nonasn_desktop.core.context import AppContext, use_session
from nonasn_desktop.errors import ConflictError, FieldError
from nonasn_desktop.rules.identity import nik_disagreements, parse_nik
from nonasn_desktop.rules.permissions import Permission
from nonasn_desktop.storage.models import RosterEntry

# Separators people type inside a NIK (spaces, dots, dashes of every kind); only for lookups.
_NIK_SEPARATORS = re.compile(r"[\s.\-\u2010-\u2015\u2212]")
_NIK = re.compile(r"\d{16}")


@dataclass(frozen=True)
class RosterInput:
    """One roster entry as typed or imported; everything but NIK and name may be missing."""

    nik: str
    nama: str
    nomor_thk2: str | None = None
    tempat_lahir: str | None = None
    tanggal_lahir: dt.date | None = None
    jenis_kelamin: str | None = None
    pendidikan_jenjang: str | None = None
    nama_sekolah: str | None = None
    jurusan: str | None = None
    nomor_ijazah: str | None = None
    tanggal_ijazah: dt.date | None = None
    nomor_sk: str | None = None
    tanggal_sk: dt.date | None = None
    tmt: dt.date | None = None
    tanggal_selesai: dt.date | None = None
    jabatan: str | None = None
    unit_kerja: str | None = None
    pejabat_penandatangan: str | None = None
    sumber_gaji: str | None = None
    # Whole rupiah.
    gaji_bulanan: int | None = None
    # Where the entry came from (e.g. an import's file name); None when typed by hand.
    source: str | None = None


@dataclass(frozen=True)
class RosterMatch:
    id: int
    nik: str
    nama: str
    nomor_thk2: str | None
    tempat_lahir: str | None
    tanggal_lahir: dt.date | None
    jenis_kelamin: str | None
    pendidikan_jenjang: str | None
    nama_sekolah: str | None
    jurusan: str | None
    nomor_ijazah: str | None
    tanggal_ijazah: dt.date | None
    nomor_sk: str | None
    tanggal_sk: dt.date | None
    tmt: dt.date | None
    tanggal_selesai: dt.date | None
    jabatan: str | None
    unit_kerja: str | None
    pejabat_penandatangan: str | None
    sumber_gaji: str | None
    gaji_bulanan: int | None
    source: str | None


_DATA_FIELDS = tuple(f.name for f in dataclasses.fields(RosterInput))


def normalise_nik(raw: str, *, today: dt.date) -> str:
    """The NIK as 16 digits after the full NIK check (region, birth date, serial).

    Raises FieldError("nik", ...) saying what is wrong.
    """
    return parse_nik(raw, today=today).nik


def _clean_text(value: str | None) -> str | None:
    if value is None:
        return None
    cleaned = " ".join(value.split())
    return cleaned or None


def _match(entry: RosterEntry) -> RosterMatch:
    return RosterMatch(id=entry.id, **{name: getattr(entry, name) for name in _DATA_FIELDS})


def _validated(entry: RosterInput, today: dt.date) -> dict[str, object]:
    values: dict[str, object] = {}
    for name in _DATA_FIELDS:
        value = getattr(entry, name)
        values[name] = _clean_text(value) if isinstance(value, str) else value
    info = parse_nik(entry.nik, today=today)
    values["nik"] = info.nik
    if not values["nama"]:
        raise FieldError("nama", "Nama pada daftar Admin Instansi wajib diisi.")
    sex: str | None = None
    if values["jenis_kelamin"] is not None:
        sex = str(values["jenis_kelamin"]).upper()
        if sex not in ("L", "P"):
            raise FieldError(
                "jenis_kelamin", "Jenis kelamin harus L (laki-laki) atau P (perempuan)."
            )
        values["jenis_kelamin"] = sex
    problems = nik_disagreements(info, entry.tanggal_lahir, sex)
    if problems:
        raise FieldError(
            "nik",
            " ".join(problems),
            hint="Periksa NIK, tanggal lahir dan jenis kelamin pada daftar dengan KTP.",
        )
    if entry.gaji_bulanan is not None and entry.gaji_bulanan < 0:
        raise FieldError("gaji_bulanan", "Honorarium per bulan tidak boleh negatif.")
    if entry.tmt and entry.tanggal_selesai and entry.tanggal_selesai < entry.tmt:
        raise FieldError(
            "tanggal_selesai",
            "Tanggal selesai tidak boleh sebelum TMT.",
            hint="Periksa kedua tanggal pada SK.",
        )
    return values


def add_entry(
    ctx: AppContext, entry: RosterInput, *, actor: Actor, session: Session | None = None
) -> RosterMatch:
    """Put one person on the roster (admins only). A NIK already listed raises ConflictError.

    ``session``: run inside the caller's transaction (bulk work) instead of an own one.
    """
    values = _validated(entry, ctx.now().date())
    with use_session(ctx, session) as active:
        require(active, ctx, actor, Permission.ROSTER_IMPORT)
        nik = str(values["nik"])
        if active.scalars(select(RosterEntry.id).where(RosterEntry.nik == nik)).first():
            raise ConflictError(
                f"NIK {nik} sudah ada di daftar Admin Instansi.",
                hint="Cari NIK itu di daftar; ubah datanya di sana bila perlu.",
            )
        now = ctx.now()
        row = RosterEntry(**values, created_at=now, updated_at=now)
        active.add(row)
        active.flush()
        audit.record(
            active,
            actor=actor.username,
            action="roster.add",
            entity="roster_entry",
            entity_id=row.id,
            changes={name: (None, value) for name, value in values.items() if value is not None},
            at=now,
        )
        return _match(row)


def find_entry(ctx: AppContext, nik: str, *, actor: Actor) -> RosterMatch | None:
    """:func:`lookup` for a clerk (``nonasn roster lookup``): one who may look NIKs up."""
    authorise(ctx, actor, Permission.ROSTER_LOOKUP)
    return lookup(ctx, nik)


def lookup(ctx: AppContext, nik: str, *, session: Session | None = None) -> RosterMatch | None:
    """The roster entry for ``nik`` (spaces and dots ignored), or None when not listed.

    No check of who asks: the registration flow's store (which checked its clerk) and demo
    data call this; a clerk's own look-up goes through :func:`find_entry`.
    ``session``: read inside the caller's transaction instead of a new one.
    """
    cleaned = _NIK_SEPARATORS.sub("", nik)
    if not _NIK.fullmatch(cleaned):
        return None
    with use_session(ctx, session) as active:
        row = active.scalars(select(RosterEntry).where(RosterEntry.nik == cleaned)).one_or_none()
        return None if row is None else _match(row)


def count(ctx: AppContext, *, session: Session | None = None) -> int:
    with use_session(ctx, session) as active:
        return active.scalar(select(func.count()).select_from(RosterEntry)) or 0
