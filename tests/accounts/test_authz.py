"""Who may do what, proved through the services: a table of role × operation.

Every operation that reads many people's data, moves a record's status, changes a finished
record, or manages users, keys, backups, settings or the roster is called as an operator, a
verifier, an admin, and a deactivated clerk of each role (signed in before being deactivated).
Each row asserts either that the operation ran, or that it was refused with AuthError and
nothing changed (the audit trail, the records, clerks, settings, roster and batches, and no
file written). One office folder is made per module; an operation that changes data runs on a
copy of it.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from helpers.accounts import ADMIN_PASSWORD, ADMIN_USERNAME, add_clerk, sign_in
from nonasn_desktop.accounts import users
from nonasn_desktop.accounts.authz import Actor, require
from nonasn_desktop.accounts.recovery import new_recovery_key
from nonasn_desktop.backup import archive as backup
from nonasn_desktop.backup import automatic as backup_auto
from nonasn_desktop.backup import restore as backup_restore
from nonasn_desktop.batch.export import export_batch
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.demo import generate as demo
from nonasn_desktop.devices import registry
from nonasn_desktop.errors import AuthError, UserError
from nonasn_desktop.flow.state import RegistrationState
from nonasn_desktop.office import identity as office
from nonasn_desktop.office import keys, settings
from nonasn_desktop.printing import printouts
from nonasn_desktop.registration import documents, records
from nonasn_desktop.registration.store import SqlFlowStore
from nonasn_desktop.reports.recap import write_recap
from nonasn_desktop.roster import entries as roster
from nonasn_desktop.roster.importing import import_roster
from nonasn_desktop.roster.template import write_template
from nonasn_desktop.rules.permissions import Permission
from nonasn_desktop.rules.roles import Role
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.startup import open_app
from nonasn_desktop.storage.models import (
    AuditLog,
    Batch,
    Clerk,
    Registration,
    RosterEntry,
    Setting,
)
from nonasn_desktop.transfer.merge import import_transfer
from nonasn_desktop.transfer.returns import write_return
from nonasn_desktop.verval.conflicts import (
    conflict_marks,
    conflict_pair,
    open_conflicts,
    settle_nik_conflict,
)
from nonasn_desktop.verval.decisions import decide
from nonasn_desktop.verval.review import load_review, review_queue

PASSPHRASE = "frasa sandi kantor 2022"
OPERATOR, VERIFIER, ADMIN = Role.OPERATOR, Role.VERIFIKATOR, Role.ADMIN
CLERKS = ("operator", "verifikator", "admin", "off-operator", "off-verifikator", "off-admin")


@dataclass(frozen=True)
class Office:
    """The module's office folder: its clerks signed in and the records the rows act on."""

    folder: Path
    actors: dict[str, Actor]
    draft: int  # Akun Dibuat: still the operator's to edit
    finished: int  # Pendaftaran Selesai: waiting for verval
    approved: int  # Disetujui
    document: int  # a document of ``finished``
    archive: Path  # a backup of the folder, to restore


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Office:
    root = tmp_path_factory.mktemp("kantor")
    folder = root / "data"
    with open_app(folder, create=True) as ctx:
        office.initialise(
            ctx,
            office_code="3273",
            office_name="BKD Kota Bandung",
            admin=(ADMIN_USERNAME, ADMIN_PASSWORD),
        )
        keys.create_office_key(ctx, PASSPHRASE)
        admin = sign_in(ctx).actor
        demo.generate(ctx, 1, RecordStatus.AKUN_DIBUAT, actor=admin, seed=1)
        demo.generate(ctx, 1, RecordStatus.PENDAFTARAN_SELESAI, actor=admin, seed=2)
        demo.generate(ctx, 1, RecordStatus.DISETUJUI, actor=admin, seed=3)
        actors = {ADMIN_USERNAME: admin}
        for name in CLERKS[:2] + CLERKS[3:]:
            add_clerk(ctx, name, name.removeprefix("off-"))
            actors[name] = sign_in(ctx, name).actor
        # Deactivated after signing in: their Actor was real, the next action is refused.
        with ctx.db.session() as session:
            for clerk in session.scalars(select(Clerk).where(Clerk.username.like("off-%"))):
                clerk.active = False
        with ctx.db.session() as session:
            ids = {
                RecordStatus(status): number
                for number, status in session.execute(select(Registration.id, Registration.status))
            }
        finished = ids[RecordStatus.PENDAFTARAN_SELESAI]
        document = documents.documents_of(ctx, finished, actor=admin)[0].id
        archive = backup.create_backup(ctx, root / "cadangan.zip", actor=admin).path
        # A field laptop enrolled from the office (L01), for the device rows.
        registry.enrol_device(
            ctx,
            name="Laptop Kec. Coblong",
            out=root / "L01.nonasn",
            office_passphrase=PASSPHRASE,
            enrolment_passphrase="kopi pagi di coblong",
            actor=admin,
        )
    return Office(
        folder,
        actors,
        draft=ids[RecordStatus.AKUN_DIBUAT],
        finished=finished,
        approved=ids[RecordStatus.DISETUJUI],
        document=document,
        archive=archive,
    )


@pytest.fixture(scope="module")
def shared(made: Office) -> Iterator[AppContext]:
    """The module's folder, open for operations that only read."""
    with open_app(made.folder) as ctx:
        yield ctx


# -- the operations ---------------------------------------------------------------------------

Run = Callable[[AppContext, Actor, Office, Path], object]


def _save_changed_name(record: Callable[[Office], int]) -> Run:
    def run(ctx: AppContext, actor: Actor, made: Office, _out: Path) -> object:
        store = SqlFlowStore(ctx, actor=actor)
        state = store.load(record(made))
        state.values["nama"] = "NAMA LAIN SEKALI"
        return store.save_draft(state)

    return run


def _new_registration(ctx: AppContext, actor: Actor, made: Office, _out: Path) -> object:
    return SqlFlowStore(ctx, actor=actor).save_draft(RegistrationState())


def _save_as_approved(ctx: AppContext, actor: Actor, made: Office, _out: Path) -> object:
    store = SqlFlowStore(ctx, actor=actor)
    state = store.load(made.draft)
    state.status = RecordStatus.DISETUJUI
    return store.save_draft(state)


def _upload(ctx: AppContext, actor: Actor, made: Office, _out: Path) -> object:
    data = documents.document_bytes(ctx, made.document, actor=made.actors[ADMIN_USERNAME])
    return documents.offer_bytes(ctx, made.draft, "ktp", data, "ktp.jpg", actor=actor)


def _new_recovery_key(ctx: AppContext, actor: Actor, made: Office, _out: Path) -> object:
    # The module's folder is plain: an admin is let through the role check to that refusal.
    return new_recovery_key(ctx, actor=actor, password=ADMIN_PASSWORD)


def _past_the_check(run: Run, refusal: str) -> Run:
    """``run``, for an operation whose allowed call still ends in a UserError of its own
    (``refusal``: nothing to send back, not a transfer file, not a NIK pair): that error comes
    after the role check, so it shows the clerk was let through."""

    def checked(ctx: AppContext, actor: Actor, made: Office, out: Path) -> object:
        try:
            return run(ctx, actor, made, out)
        except AuthError:
            raise
        except UserError as error:
            if refusal not in error.message:
                raise
            return error

    return checked


@dataclass(frozen=True)
class Operation:
    name: str
    allowed: frozenset[Role]
    run: Run
    changes: bool  # runs on a copy of the folder


def op(name: str, allowed: set[Role], run: Run, *, changes: bool = False) -> Operation:
    return Operation(name, frozenset(allowed), run, changes)


ALL = {OPERATOR, VERIFIER, ADMIN}
OPERATIONS = [
    # Reading many people's data.
    op(
        "daftar pendataan",
        ALL,
        lambda ctx, a, m, o: (
            records.search(ctx, records.RecordQuery(), 0, 50, actor=a),
            records.count(ctx, records.RecordQuery(), actor=a),
            records.counts_by_status(ctx, records.RecordQuery(), actor=a),
            records.unit_names(ctx, actor=a),
        ),
    ),
    op(
        "dokumen",
        ALL,
        lambda ctx, a, m, o: (
            documents.documents_of(ctx, m.finished, actor=a),
            documents.document_bytes(ctx, m.document, actor=a),
        ),
    ),
    op("antrean verval", {VERIFIER, ADMIN}, lambda ctx, a, m, o: review_queue(ctx, actor=a)),
    op(
        "tinjau verval",
        {VERIFIER, ADMIN},
        lambda ctx, a, m, o: load_review(ctx, m.finished, actor=a),
    ),
    op(
        "cetak kartu",
        {OPERATOR, ADMIN},
        lambda ctx, a, m, o: printouts.account_card_pdf(ctx, m.finished, actor=a),
    ),
    op(
        "cetak banyak kartu",
        {OPERATOR, ADMIN},
        lambda ctx, a, m, o: printouts.write_printouts(
            ctx, o / "kartu.pdf", actor=a, kind="kartu", all_records=True
        ),
    ),
    op(
        "cek NIK di daftar Admin Instansi",
        {OPERATOR, ADMIN},
        lambda ctx, a, m, o: roster.find_entry(ctx, "3273015708850003", actor=a),
    ),
    op("daftar pengguna", {ADMIN}, lambda ctx, a, m, o: users.list_users(ctx, actor=a)),
    op(
        "rekap",
        {ADMIN},
        lambda ctx, a, m, o: write_recap(ctx, o / "rekap.xlsx", actor=a),
        changes=True,
    ),
    op(
        "ekspor batch",
        {ADMIN},
        lambda ctx, a, m, o: export_batch(ctx, o / "batch", passphrase=PASSPHRASE, actor=a),
        changes=True,
    ),
    op(
        "buat cadangan",
        {ADMIN},
        lambda ctx, a, m, o: backup.create_backup(ctx, o / "cadangan.zip", actor=a),
        changes=True,
    ),
    # Changing a record and its status.
    op("pendaftaran baru", {OPERATOR, ADMIN}, _new_registration, changes=True),
    op(
        "ubah pendaftaran",
        {OPERATOR, ADMIN},
        _save_changed_name(lambda m: m.draft),
        changes=True,
    ),
    op("unggah dokumen", {OPERATOR, ADMIN}, _upload, changes=True),
    op(
        "putuskan verval",
        {VERIFIER, ADMIN},
        lambda ctx, a, m, o: decide(
            ctx, m.finished, RecordStatus.DITOLAK, actor=a, reason="Data ganda di kantor lain."
        ),
        changes=True,
    ),
    # Nobody: a finished record is changed only after verval sends it back, and a save never
    # sets a status.
    op(
        "ubah nama data Disetujui",
        set(),
        _save_changed_name(lambda m: m.approved),
        changes=True,
    ),
    op("simpan langsung Disetujui", set(), _save_as_approved, changes=True),
    # Managing the office.
    op(
        "tambah pengguna",
        {ADMIN},
        lambda ctx, a, m, o: users.create_user(
            ctx, username="baru", full_name="Baru", role=OPERATOR, password="sandi12345", actor=a
        ),
        changes=True,
    ),
    op(
        "nonaktifkan pengguna",
        {ADMIN},
        lambda ctx, a, m, o: users.set_active(ctx, "operator", False, actor=a),
        changes=True,
    ),
    op(
        "atur ulang kata sandi",
        {ADMIN},
        lambda ctx, a, m, o: users.change_password(
            ctx, username="verifikator", new_password="baru12345", actor=a
        ),
        changes=True,
    ),
    op(
        "pengaturan",
        {ADMIN},
        lambda ctx, a, m, o: settings.set_setting(ctx, settings.EDIT_LOCK_MINUTES, 45, actor=a),
        changes=True,
    ),
    op(
        "cadangan otomatis",
        {ADMIN},
        lambda ctx, a, m, o: backup_auto.set_automatic_backup(ctx, o, 3, actor=a),
        changes=True,
    ),
    op(
        "ekspor kunci publik",
        {ADMIN},
        lambda ctx, a, m, o: keys.export_public_key(ctx, o / "kantor.pub", actor=a),
    ),
    op("kunci pemulihan baru", {ADMIN}, _past_the_check(_new_recovery_key, "tidak terenkripsi")),
    op(
        "impor daftar Admin Instansi",
        {ADMIN},
        lambda ctx, a, m, o: import_roster(
            ctx, write_template(o.parent / "templat.xlsx", ctx.policy), actor=a
        ),
        changes=True,
    ),
    op(
        "tambah ke daftar Admin Instansi",
        {ADMIN},
        lambda ctx, a, m, o: roster.add_entry(
            ctx, roster.RosterInput(nik="3273015708850003", nama="Siti"), actor=a
        ),
        changes=True,
    ),
    op(
        "pulihkan cadangan",
        {ADMIN},
        lambda ctx, a, m, o: backup_restore.restore_in_place(ctx, m.archive, actor=a),
        changes=True,
    ),
    op(
        "data contoh",
        {ADMIN},
        lambda ctx, a, m, o: demo.generate(ctx, 1, RecordStatus.AKUN_DIBUAT, actor=a, seed=9),
        changes=True,
    ),
    # NIK conflicts (a NIK registered at the office and on a laptop): verval's.
    op(
        "NIK ganda",
        {VERIFIER, ADMIN},
        lambda ctx, a, m, o: (
            open_conflicts(ctx, actor=a),
            conflict_pair(ctx, m.finished, actor=a),
        ),
    ),
    op(
        "tanda NIK ganda di antrean",
        {VERIFIER, ADMIN},
        lambda ctx, a, m, o: conflict_marks(ctx, [m.finished], actor=a),
    ),
    op(
        "selesaikan NIK ganda",
        {VERIFIER, ADMIN},
        _past_the_check(
            lambda ctx, a, m, o: settle_nik_conflict(
                ctx, m.finished, actor=a, reason="Data kantor lebih lengkap."
            ),
            "tidak ditandai NIK ganda",
        ),
        changes=True,
    ),
    # Field laptops, at the office.
    op(
        "daftar perangkat",
        {ADMIN},
        lambda ctx, a, m, o: registry.list_devices(ctx, actor=a),
    ),
    op(
        "daftarkan perangkat",
        {ADMIN},
        lambda ctx, a, m, o: registry.enrol_device(
            ctx,
            name="Laptop Kec. Sukajadi",
            out=o / "L02.nonasn",
            office_passphrase=PASSPHRASE,
            enrolment_passphrase="teh sore di sukajadi",
            actor=a,
        ),
        changes=True,
    ),
    op(
        "perbarui daftar perangkat",
        {ADMIN},
        lambda ctx, a, m, o: registry.write_refresh(
            ctx, "L01", out=o / "pembaruan.nonasn", office_passphrase=PASSPHRASE, actor=a
        ),
        changes=True,
    ),
    op(
        "cabut perangkat",
        {ADMIN},
        lambda ctx, a, m, o: registry.revoke_device(ctx, "L01", actor=a),
        changes=True,
    ),
    op(
        "impor berkas transfer",
        {ADMIN},
        _past_the_check(
            lambda ctx, a, m, o: import_transfer(ctx, m.archive, passphrase=PASSPHRASE, actor=a),
            "transfer",
        ),
        changes=True,
    ),
    op(
        "kembalikan data ke perangkat",
        {ADMIN},
        _past_the_check(
            lambda ctx, a, m, o: write_return(
                ctx, "L01", out=o / "kembali.nonasn", office_passphrase=PASSPHRASE, actor=a
            ),
            "Perlu Perbaikan",
        ),
        changes=True,
    ),
]


# -- what "nothing changed" means -------------------------------------------------------------


def _state(ctx: AppContext) -> tuple[object, ...]:
    with ctx.db.session() as session:
        return (
            session.scalar(select(func.count()).select_from(AuditLog)),
            tuple(
                session.execute(
                    select(Registration.id, Registration.status, Registration.nama).order_by(
                        Registration.id
                    )
                )
            ),
            tuple(
                session.execute(
                    select(Clerk.username, Clerk.role, Clerk.active, Clerk.password_hash)
                )
            ),
            tuple(session.execute(select(Setting.key, Setting.value).order_by(Setting.key))),
            session.scalar(select(func.count()).select_from(RosterEntry)),
            session.scalar(select(func.count()).select_from(Batch)),
        )


@pytest.fixture
def changing(made: Office, tmp_path: Path) -> Iterator[AppContext]:
    target = tmp_path / "salinan"
    shutil.copytree(made.folder, target)
    with open_app(target) as ctx:
        yield ctx


@pytest.mark.parametrize("clerk", CLERKS)
@pytest.mark.parametrize("operation", OPERATIONS, ids=[o.name for o in OPERATIONS])
def test_role_by_operation(
    operation: Operation,
    clerk: str,
    made: Office,
    shared: AppContext,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    ctx: AppContext = request.getfixturevalue("changing") if operation.changes else shared
    actor = made.actors[clerk]
    role = Role(clerk.removeprefix("off-"))
    out = tmp_path / "keluar"
    out.mkdir()
    allowed = role in operation.allowed and not clerk.startswith("off-")
    if allowed:
        operation.run(ctx, actor, made, out)
        return
    before = _state(ctx)
    with pytest.raises(AuthError) as refused:
        operation.run(ctx, actor, made, out)
    if clerk.startswith("off-"):
        assert "dinonaktifkan" in refused.value.message
    assert _state(ctx) == before
    assert list(out.iterdir()) == []


# -- the cases of the issue, by name ----------------------------------------------------------


def test_operator_cannot_back_up_restore_or_approve(
    made: Office, changing: AppContext, tmp_path: Path
) -> None:
    operator = made.actors["operator"]
    before = _state(changing)
    with pytest.raises(AuthError, match="hanya untuk pengguna dengan peran Admin"):
        backup.create_backup(changing, tmp_path / "semua.zip", actor=operator)
    with pytest.raises(AuthError, match="hanya untuk pengguna dengan peran Admin"):
        backup_restore.restore_in_place(changing, made.archive, actor=operator)
    with pytest.raises(AuthError, match="tidak dapat diubah menjadi Disetujui"):
        _save_as_approved(changing, operator, made, tmp_path)
    assert _state(changing) == before
    assert not (tmp_path / "semua.zip").exists()


def test_verifier_cannot_rename_an_approved_record(made: Office, changing: AppContext) -> None:
    with pytest.raises(AuthError, match="Operator atau Admin"):
        _save_changed_name(lambda m: m.approved)(changing, made.actors["verifikator"], made, Path())
    # Nor can anyone else: the record's registration has ended.
    with pytest.raises(AuthError, match="Disetujui tidak dapat diubah lagi"):
        _save_changed_name(lambda m: m.approved)(changing, made.actors["admin"], made, Path())


def test_deactivated_operator_cannot_save(made: Office, changing: AppContext) -> None:
    with pytest.raises(AuthError, match="dinonaktifkan"):
        _new_registration(changing, made.actors["off-operator"], made, Path())
    with pytest.raises(AuthError, match="dinonaktifkan"):
        _save_changed_name(lambda m: m.draft)(changing, made.actors["off-operator"], made, Path())


def test_an_actor_comes_only_from_signing_in(shared: AppContext) -> None:
    with pytest.raises(TypeError, match="authenticate"):
        Actor(1, ADMIN_USERNAME)
    # A username where an Actor belongs is a bug of the caller, never trusted.
    with shared.db.session() as session, pytest.raises(TypeError):
        require(session, shared, ADMIN_USERNAME, Permission.BACKUP_CREATE)  # type: ignore[arg-type]


def test_a_demoted_clerk_is_refused_at_the_next_action(made: Office, changing: AppContext) -> None:
    """The role is read again at every action, not taken from the sign-in."""
    with changing.db.session() as session:
        clerk = session.scalars(select(Clerk).where(Clerk.username == "verifikator")).one()
        clerk.role = Role.OPERATOR
    with pytest.raises(AuthError, match="Verifikator atau Admin"):
        review_queue(changing, actor=made.actors["verifikator"])


def test_on_a_field_laptop_only_its_operators_carry_transfers(tmp_path: Path) -> None:
    """The laptop's side of a transfer (export, taking a return in): its operators and admins;
    a verifier enrolled along, or an operator deactivated by a refresh, is refused."""
    from helpers.fieldwork import (
        ENROLMENT_PASSPHRASE,
        OPERATOR_PASSWORD,
        make_office,
        office_admin,
    )
    from helpers.fieldwork import (
        OPERATOR as FIELD_OPERATOR,
    )
    from nonasn_desktop.devices import field
    from nonasn_desktop.transfer.export import NothingToTransferError, export_transfer
    from nonasn_desktop.transfer.returns import apply_return

    with make_office(tmp_path / "kantor") as office_ctx:
        add_clerk(office_ctx, "vera", "verifikator")
        enrolled = registry.enrol_device(
            office_ctx,
            name="Laptop Kec. Selebar",
            out=tmp_path / "L01.nonasn",
            office_passphrase="frasa sandi kantor 2022",
            enrolment_passphrase=ENROLMENT_PASSPHRASE,
            clerks=[FIELD_OPERATOR, "vera"],
            actor=office_admin(office_ctx),
        )
    with open_app(tmp_path / "laptop", create=True) as laptop:
        field.set_up_field_device(laptop, enrolled.file, ENROLMENT_PASSPHRASE)
    with open_app(tmp_path / "laptop") as laptop:
        operator = sign_in(laptop, FIELD_OPERATOR, OPERATOR_PASSWORD).actor
        verifier = sign_in(laptop, "vera").actor
        # The operator is let through: what stops her is that nothing changed yet.
        with pytest.raises(NothingToTransferError):
            export_transfer(
                laptop, tmp_path / "usb", passphrase=ENROLMENT_PASSPHRASE, actor=operator
            )
        with pytest.raises(UserError, match="tidak ada"):
            apply_return(laptop, tmp_path / "hilang.nonasn", ENROLMENT_PASSPHRASE, actor=operator)
        with pytest.raises(AuthError, match="Operator atau Admin"):
            export_transfer(
                laptop, tmp_path / "usb", passphrase=ENROLMENT_PASSPHRASE, actor=verifier
            )
        with pytest.raises(AuthError, match="Operator atau Admin"):
            apply_return(laptop, tmp_path / "hilang.nonasn", ENROLMENT_PASSPHRASE, actor=verifier)
        with laptop.db.session() as session:
            session.scalars(
                select(Clerk).where(Clerk.username == FIELD_OPERATOR)
            ).one().active = False
        with pytest.raises(AuthError, match="dinonaktifkan"):
            export_transfer(
                laptop, tmp_path / "usb", passphrase=ENROLMENT_PASSPHRASE, actor=operator
            )
        assert not (tmp_path / "usb").exists()
