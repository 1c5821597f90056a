"""Registrations in the database: the flow's store, editing locks, and the record list.

:class:`SqlFlowStore` is the real :class:`~nonasn_desktop.flow.ports.FlowStore`: it keeps the
flow's whole state as the draft (JSON, exactly as typed) and, beside it, every value that is
valid in typed columns, so lists, filters, reports and exports read columns, never drafts.
Every save writes what changed to the audit log.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, and_, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from nonasn_desktop.accounts.authz import Actor, require
from nonasn_desktop.core import audit
from nonasn_desktop.core.context import AppContext, Desk
from nonasn_desktop.errors import AuthError, ConflictError, FieldError, NotFoundError
from nonasn_desktop.flow.ports import ExistingRegistration
from nonasn_desktop.flow.state import FINISHED_STATUSES, RegistrationState, RosterSummary
from nonasn_desktop.office.fielddevice import read_field_device
from nonasn_desktop.office.identity import get_office
from nonasn_desktop.office.settings import EDIT_LOCK_MINUTES, get_setting
from nonasn_desktop.policy import Policy
from nonasn_desktop.roster import entries as roster
from nonasn_desktop.rules.identity import parse_nik
from nonasn_desktop.rules.permissions import Permission
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.rules.validators import validate_field
from nonasn_desktop.storage import jsontext
from nonasn_desktop.storage.models import Clerk, Office, Registration, Setting, WorkHistory

ENTITY = "registration"
# Field keys kept in columns of the same name (see storage.models.Registration).
COLUMN_FIELDS = (
    "nomor_kk",
    "nama",
    "tempat_lahir",
    "tanggal_lahir",
    "jenis_kelamin",
    "nomor_hp",
    "email",
    "nomor_thk2",
    "pertanyaan_pengaman",
    "agama",
    "status_perkawinan",
    "alamat",
    "pendidikan_jenjang",
    "nama_sekolah",
    "jurusan",
    "nomor_ijazah",
    "tanggal_ijazah",
    "masih_aktif",
    "bentuk_sk",
)
WORK_FIELDS = (
    "unit_kerja",
    "jabatan",
    "nomor_sk",
    "tanggal_sk",
    "tmt",
    "tanggal_selesai",
    "pejabat_penandatangan",
    "sumber_gaji",
    "melalui_pengadaan",
    "gaji_bulanan",
)
ACCOUNT_SEQUENCE_KEY = "account_sequence"
# Indonesia's three time zones by their offset from UTC in hours (for "sejak 10.42 WIB").
_ZONES = {7: "WIB", 8: "WITA", 9: "WIT"}


def _clean(
    policy: Policy, key: str, raw: str | None, values: Mapping[str, str], today: dt.date
) -> Any:
    """The typed value of a field, or None while what was typed is empty or not valid."""
    if raw is None or not raw.strip():
        return None
    try:
        return validate_field(policy.fields[key], raw, values, policy, today=today)
    except FieldError:
        return None


def _nik_of(raw: str | None, today: dt.date) -> str | None:
    if not raw:
        return None
    try:
        return parse_nik(raw, today=today).nik
    except FieldError:
        return None


def _current_entry(entries: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The entry with the latest TMT: the person's present position."""
    dated = [e for e in entries if isinstance(e.get("tmt"), dt.date)]
    if dated:
        return max(dated, key=lambda e: e["tmt"])
    return entries[-1] if entries else None


class SqlFlowStore:
    """The flow's store over the application database.

    ``actor`` is the signed-in clerk; every operation checks that they may edit registrations
    (forms/permissions.toml) and writes their username to the audit log. The store, not the
    flow, guards a record's status: a save cannot set a status (only creating the account,
    ending the registration and verval's decisions move it), and a record whose registration
    has ended can no longer be changed here (verval sends it back with "Perlu Perbaikan").
    ``session``: when given, every operation runs in that session and nothing is committed
    here — the caller commits (bulk generation of demo data uses this; the GUI does not).
    """

    def __init__(
        self,
        ctx: AppContext,
        *,
        actor: Actor,
        session: Session | None = None,
    ) -> None:
        self._ctx = ctx
        self._actor = actor
        self._clerk_id = actor.clerk_id
        self._shared = session

    @property
    def session(self) -> Session | None:
        """The caller's session this store works in, if any."""
        return self._shared

    @contextlib.contextmanager
    def _session(self) -> Iterator[Session]:
        """A session in which the actor has been checked."""
        if self._shared is not None:
            require(self._shared, self._ctx, self._actor, Permission.REGISTRATION_EDIT)
            yield self._shared
            self._shared.flush()
        else:
            with self._ctx.db.session() as session:
                require(session, self._ctx, self._actor, Permission.REGISTRATION_EDIT)
                yield session

    # -- FlowStore ------------------------------------------------------------------------

    def find_roster(self, nik: str) -> RosterSummary | None:
        with self._session() as session:
            match = roster.lookup(self._ctx, nik, session=session)
            if match is None:
                return None
            office = get_office(self._ctx, session=session)
        return RosterSummary(
            nik=match.nik,
            nama=match.nama,
            tempat_lahir=match.tempat_lahir or "",
            tanggal_lahir=match.tanggal_lahir,
            jenis_kelamin=match.jenis_kelamin or "",
            unit_kerja=match.unit_kerja or "",
            jabatan=match.jabatan or "",
            instansi=(office.instansi_name or office.name) if office else "",
            nomor_thk2=match.nomor_thk2 or "",
            # The rest pre-fills steps 15 and 17 (flow/prefill.py): nothing typed twice.
            pendidikan_jenjang=match.pendidikan_jenjang or "",
            nama_sekolah=match.nama_sekolah or "",
            jurusan=match.jurusan or "",
            nomor_ijazah=match.nomor_ijazah or "",
            tanggal_ijazah=match.tanggal_ijazah,
            nomor_sk=match.nomor_sk or "",
            tanggal_sk=match.tanggal_sk,
            tmt=match.tmt,
            tanggal_selesai=match.tanggal_selesai,
            pejabat_penandatangan=match.pejabat_penandatangan or "",
            sumber_gaji=match.sumber_gaji or "",
            gaji_bulanan=match.gaji_bulanan,
        )

    def find_registration_by_nik(self, nik: str) -> ExistingRegistration | None:
        with self._session() as session:
            row = session.execute(
                select(Registration.id, Registration.status, Registration.account_number).where(
                    Registration.nik == nik
                )
            ).first()
        if row is None:
            return None
        return ExistingRegistration(row.id, RecordStatus(row.status), row.account_number)

    def save_draft(self, state: RegistrationState, *, note: str | None = None) -> int:
        with self._session() as session:
            row = self._row_for(session, state)
            changes = self._apply(session, row, state)
            if RecordStatus(row.status) in FINISHED_STATUSES and set(changes) - {"langkah"}:
                # Moving between the pages of a finished record (to print its card) is not a
                # change; anything else is, and the record is no longer the clerk's to change.
                raise _finished_error(RecordStatus(row.status))
            if changes or note or state.registration_id is None:
                audit.record(
                    session,
                    actor=self._actor.username,
                    action="registration.save" if state.registration_id else "registration.create",
                    entity=ENTITY,
                    entity_id=row.id,
                    changes=changes,
                    reason=note,
                    at=self._ctx.now(),
                )
            return row.id

    def create_account(self, state: RegistrationState) -> str:
        with self._session() as session:
            row = self._row_for(session, state)
            if row.account_number is not None:
                raise ConflictError(
                    f"Akun untuk pendaftaran ini sudah dibuat (nomor akun {row.account_number})."
                )
            if RecordStatus(row.status) is not RecordStatus.DRAF:
                raise _finished_error(RecordStatus(row.status))
            self._apply(session, row, state)
            now = self._ctx.now()
            number = self._next_account_number(session, now)
            row.account_number = number
            row.status = RecordStatus.AKUN_DIBUAT
            row.account_created_at = now
            audit.record(
                session,
                actor=self._actor.username,
                action="registration.account_created",
                entity=ENTITY,
                entity_id=row.id,
                changes={
                    "status": (RecordStatus.DRAF.value, RecordStatus.AKUN_DIBUAT.value),
                    "account_number": (None, number),
                },
                at=now,
            )
            return number

    def complete_registration(self, state: RegistrationState) -> None:
        with self._session() as session:
            row = self._row_for(session, state)
            previous = RecordStatus(row.status)
            if previous not in (RecordStatus.AKUN_DIBUAT, RecordStatus.PERLU_PERBAIKAN):
                raise ConflictError(
                    f"Pendaftaran berstatus {previous.label} tidak dapat diakhiri lagi."
                )
            self._apply(session, row, state)
            now = self._ctx.now()
            row.status = RecordStatus.PENDAFTARAN_SELESAI
            row.completed_at = now
            row.declaration_at = now
            audit.record(
                session,
                actor=self._actor.username,
                action="registration.completed",
                entity=ENTITY,
                entity_id=row.id,
                changes={"status": (previous.value, RecordStatus.PENDAFTARAN_SELESAI.value)},
                at=now,
            )

    def load(self, registration_id: int) -> RegistrationState:
        with self._session() as session:
            row = session.get(Registration, registration_id)
            if row is None:
                raise NotFoundError(f"Pendaftaran nomor {registration_id} tidak ditemukan.")
            state = RegistrationState.from_json(jsontext.loads(row.draft) or {})
        # The columns are authoritative for what others may have changed since the draft was
        # written (the verifier sending a record back, for one).
        state.registration_id = row.id
        state.status = RecordStatus(row.status)
        state.account_number = row.account_number
        return state

    # -- internals --------------------------------------------------------------------------

    def _row_for(self, session: Session, state: RegistrationState) -> Registration:
        """The record's row; AuthError when the state claims a status the record does not have.

        A save carries the status the flow believes the record has. It must be the record's
        own (a new record is a draft): a status is never set by saving, so that no caller can
        save a record straight to "Disetujui".
        """
        if state.registration_id is None:
            if state.status is not RecordStatus.DRAF:
                raise _status_error(state.status)
            now = self._ctx.now()
            row = Registration(
                status=state.status,
                current_step=state.current_step,
                draft="{}",
                created_at=now,
                updated_at=now,
                created_by=self._clerk_id,
                origin_device=self._ctx.desk.code,
            )
            session.add(row)
            session.flush()
            return row
        found = session.get(Registration, state.registration_id)
        if found is None:
            raise NotFoundError(f"Pendaftaran nomor {state.registration_id} tidak ditemukan.")
        if RecordStatus(found.status) is not state.status:
            raise _status_error(state.status)
        return found

    def _apply(
        self, session: Session, row: Registration, state: RegistrationState
    ) -> dict[str, tuple[object, object]]:
        """Write the state into the row; return what changed, field by field."""
        policy = self._ctx.policy
        # The desk's date, as the flow (gui/wizard/window.py) validated the values with.
        today = self._ctx.now().astimezone().date()
        old_draft = jsontext.loads(row.draft) or {}
        old_values: dict[str, str] = old_draft.get("values", {})
        values = state.values
        changes: dict[str, tuple[object, object]] = {
            key: (old_values.get(key), values.get(key))
            for key in sorted(set(old_values) | set(values))
            if old_values.get(key) != values.get(key)
        }
        if row.current_step != state.current_step:
            changes["langkah"] = (row.current_step, state.current_step)
        old_docs = old_draft.get("documents", {})
        for kind, ref in state.documents.items():
            old_sha = old_docs.get(kind, {}).get("sha256")
            if old_sha != ref.sha256:
                changes[f"dokumen_{kind}"] = (old_sha, ref.sha256)
        if old_draft.get("work_history", []) != state.work_history:
            changes["riwayat_pekerjaan"] = (
                len(old_draft.get("work_history", [])),
                len(state.work_history),
            )

        nik = _nik_of(values.get("nik"), today)
        if nik is not None and nik != row.nik:
            clash = session.scalar(
                select(Registration.id).where(Registration.nik == nik, Registration.id != row.id)
            )
            # A NIK held by another record stays in the draft only; the flow's guard at step 2
            # tells the clerk. The unique column must never make a save fail.
            if clash is not None:
                nik = None
        row.nik = nik
        for key in COLUMN_FIELDS:
            setattr(row, key, _clean(policy, key, values.get(key), values, today))
        row.nama_search = row.nama.casefold() if row.nama else None
        row.status = state.status
        row.current_step = state.current_step
        row.password_hash = state.password_hash
        row.jawaban_pengaman_hash = state.security_answer_hash
        if state.eligibility is not None:
            row.eligible = state.eligibility.eligible
            row.failed_criteria = ",".join(state.eligibility.failed_codes) or None
            row.eligibility_detail = jsontext.dumps(state.eligibility.to_json())
        else:
            row.eligible = row.failed_criteria = row.eligibility_detail = None
        if state.roster is not None and row.roster_entry_id is None:
            match = roster.lookup(self._ctx, state.roster.nik, session=session)
            row.roster_entry_id = match.id if match else None

        entries = [
            {key: _clean(policy, key, raw.get(key), raw, today) for key in WORK_FIELDS}
            for raw in state.work_history
        ]
        if "riwayat_pekerjaan" in changes:
            session.execute(delete(WorkHistory).where(WorkHistory.registration_id == row.id))
            session.add_all(
                WorkHistory(registration_id=row.id, seq=seq, **entry)
                for seq, entry in enumerate(entries, start=1)
            )
        current = _current_entry(entries)
        unit = current.get("unit_kerja") if current else None
        row.unit_kerja = unit or (state.roster.unit_kerja if state.roster else None) or None

        row.draft = jsontext.dumps(state.to_json() | {"registration_id": row.id})
        row.updated_at = self._ctx.now()
        row.updated_by = self._clerk_id
        return changes

    def _next_account_number(self, session: Session, now: dt.datetime) -> str:
        """<office code>-<year>-<6-digit sequence>: unique across offices and years; on a
        field laptop <office code>-<device code>-<year>-<sequence> (e.g. 1771BKD-L01-2026-
        000001), so no number made on a device can ever equal one made at the office or on
        another device, and the number never has to change when the record reaches the office.

        The sequence lives in a setting row updated in the same transaction as the account.
        Desks of one office database take that row with ``SELECT … FOR UPDATE``: a second desk
        creating an account at the same moment waits for the first to commit, then reads its
        number, so no two desks ever get the same one (SQLite serialises writers anyway). The
        row is made with "insert unless it exists" so that the very first accounts of two
        desks cannot collide either.
        """
        office = session.get(Office, 1)
        if office is None:
            raise ConflictError(
                "Kantor belum disiapkan; akun tidak dapat dibuat.",
                hint="Admin menyiapkan kantor lebih dulu (nonasn init).",
            )
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        session.execute(
            insert(Setting)
            .values(key=ACCOUNT_SEQUENCE_KEY, value=jsontext.dumps(0))
            .on_conflict_do_nothing(index_elements=["key"])
        )
        setting = session.scalars(
            select(Setting)
            .where(Setting.key == ACCOUNT_SEQUENCE_KEY)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one()
        sequence = int(jsontext.loads(setting.value)) + 1
        setting.value = jsontext.dumps(sequence)
        device = read_field_device(session)
        if device is not None:
            return f"{office.code}-{device.code}-{now.year}-{sequence:06d}"
        return f"{office.code}-{now.year}-{sequence:06d}"


def _status_error(claimed: RecordStatus) -> AuthError:
    return AuthError(
        f"Status pendaftaran tidak dapat diubah menjadi {claimed.label} dengan menyimpan.",
        hint="Status berubah hanya melalui langkah pendaftaran (Buat Akun, Akhiri Proses "
        "Pendaftaran) dan keputusan verval. Buka kembali data itu dari daftar pendataan.",
    )


def _finished_error(status: RecordStatus) -> AuthError:
    return AuthError(
        f"Pendaftaran berstatus {status.label} tidak dapat diubah lagi.",
        hint="Data yang sudah diakhiri hanya dapat diubah setelah verifikator "
        "mengembalikannya untuk diperbaiki (Perlu Perbaikan).",
    )


# -- editing locks ---------------------------------------------------------------------------


def _lock_now(ctx: AppContext, session: Session) -> dt.datetime:
    """The time a lock is stamped and judged by.

    On an office database server, the server's clock: every desk then measures a lock's age
    with the same clock, whatever its own says (a desk whose clock is 40 minutes fast must not
    take over a lock taken a minute ago). On SQLite there is one computer: the application's.
    """
    if session.get_bind().dialect.name == "postgresql":
        server = session.scalar(select(func.now()))
        if isinstance(server, dt.datetime) and server.tzinfo is not None:
            return server.astimezone(dt.UTC)
    return ctx.now()


def _clock_text(value: dt.datetime) -> str:
    """ "10.42 WIB": the desk's local time with Indonesia's zone names."""
    shown = value.astimezone()
    offset = shown.utcoffset() or dt.timedelta(0)
    hours = int(offset.total_seconds() // 3600)
    zone = _ZONES.get(hours) if offset.total_seconds() % 3600 == 0 else None
    return f"{shown:%H.%M} {zone or shown.strftime('%Z') or 'UTC'}"


def acquire_edit_lock(ctx: AppContext, registration_id: int, *, clerk_id: int) -> None:
    """Mark the record as being edited by ``clerk_id`` at this desk; ConflictError if someone
    else (or the same clerk at another desk) is editing it.

    A lock not refreshed for the EDIT_LOCK_MINUTES setting (an office setting, so the same at
    every desk) is taken over: its holder's application is gone (a crash, a power cut, a desk
    switched off). An open editor refreshes its lock by calling this again (the wizard does so
    on a timer, well inside that time).
    """
    desk: Desk = ctx.desk
    minutes = get_setting(ctx, EDIT_LOCK_MINUTES)
    with ctx.db.session() as session:
        now = _lock_now(ctx, session)
        stale = now - dt.timedelta(minutes=minutes)
        mine = and_(
            Registration.locked_by == clerk_id,
            or_(Registration.locked_device.is_(None), Registration.locked_device == desk.code),
        )
        result = session.execute(
            update(Registration)
            .where(
                Registration.id == registration_id,
                or_(Registration.locked_by.is_(None), mine, Registration.locked_at < stale),
            )
            .values(
                locked_by=clerk_id,
                locked_at=now,
                locked_device=desk.code,
                locked_device_name=desk.name,
            )
        )
        if cast("CursorResult[Any]", result).rowcount:
            return
        row = session.get(Registration, registration_id)
        if row is None:
            raise NotFoundError(f"Pendaftaran nomor {registration_id} tidak ditemukan.")
        raise _held_error(session, row, minutes)


def _held_error(session: Session, row: Registration, minutes: int) -> ConflictError:
    holder = session.get(Clerk, row.locked_by) if row.locked_by else None
    who = holder.full_name if holder else "petugas lain"
    where = f" ({row.locked_device_name})" if row.locked_device_name else ""
    since = f" sejak {_clock_text(row.locked_at)}" if row.locked_at else ""
    return ConflictError(
        f"Pendaftaran ini sedang dibuka oleh {who}{where}{since}.",
        hint="Tunggu sampai ditutup, atau minta petugas itu menutupnya. Bila meja itu mati "
        f"atau macet, kunci lepas sendiri {minutes} menit setelah terakhir diperbarui.",
    )


def release_edit_lock(ctx: AppContext, registration_id: int, *, clerk_id: int) -> None:
    with ctx.db.session() as session:
        session.execute(
            update(Registration)
            .where(
                Registration.id == registration_id,
                Registration.locked_by == clerk_id,
                or_(
                    Registration.locked_device.is_(None),
                    Registration.locked_device == ctx.desk.code,
                ),
            )
            .values(locked_by=None, locked_at=None, locked_device=None, locked_device_name=None)
        )


# -- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordRow:
    """One line of the record list."""

    id: int
    nik: str | None
    nama: str | None
    status: RecordStatus
    current_step: int
    unit_kerja: str | None
    eligible: bool | None
    failed_criteria: str | None
    account_number: str | None
    updated_at: dt.datetime
    # Flagged "NIK ganda" by a transfer import (verval.conflicts); the second holder of the NIK
    # keeps it in ``conflict_nik`` (``nik`` is then None).
    nik_conflict: bool = False
    conflict_nik: str | None = None

    @classmethod
    def of(cls, row: Any) -> RecordRow:
        """The line of a Registration, or of a result row selecting the same columns."""
        return cls(
            id=row.id,
            nik=row.nik,
            nama=row.nama,
            status=RecordStatus(row.status),
            current_step=row.current_step,
            unit_kerja=row.unit_kerja,
            eligible=row.eligible,
            failed_criteria=row.failed_criteria,
            account_number=row.account_number,
            updated_at=row.updated_at,
            nik_conflict=bool(row.nik_conflict),
            conflict_nik=row.conflict_nik,
        )


def count_by_status(ctx: AppContext) -> dict[RecordStatus, int]:
    with ctx.db.session() as session:
        rows = session.execute(
            select(Registration.status, func.count()).group_by(Registration.status)
        ).all()
    counts = dict.fromkeys(RecordStatus, 0)
    for status, number in rows:
        counts[RecordStatus(status)] = number
    return counts


def get_record(ctx: AppContext, registration_id: int) -> RecordRow:
    with ctx.db.session() as session:
        row = session.get(Registration, registration_id)
        if row is None:
            raise NotFoundError(f"Pendaftaran nomor {registration_id} tidak ditemukan.")
        return RecordRow.of(row)
