"""Demo data: synthetic registrations made through the application's own services.

Each person is put on the roster and then walked through the registration flow exactly as a
clerk would (the same guards, the same store, the same document checks), up to the status
asked for. Two shortcuts keep large runs fast, and neither skips a rule:

- documents come from a small pool of sample files, each checked once; every record gets its
  own document rows pointing at the shared content (the store is content-addressed anyway);
- every demo account has the same password (``DEMO_PASSWORD``), hashed and verified once;
- the captcha is turned off, as an admin may do for a busy desk (recorded as skipped).

Records are committed in batches; an interrupted run keeps every finished batch.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from dataclasses import dataclass

from nonasn_desktop.accounts.authz import Actor
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.core.progress import (
    Cancelled,
    OperationCancelledError,
    Progress,
    ProgressStep,
)
from nonasn_desktop.crypto.passwords import hash_secret, verify_secret
from nonasn_desktop.demo.documents import make_sample_document
from nonasn_desktop.demo.people import DemoPerson, PersonFactory
from nonasn_desktop.errors import ConflictError, UserError
from nonasn_desktop.flow.machine import RegistrationFlow
from nonasn_desktop.flow.state import DocumentRef
from nonasn_desktop.office.identity import get_office
from nonasn_desktop.registration import documents
from nonasn_desktop.registration.store import SqlFlowStore
from nonasn_desktop.roster import entries as roster
from nonasn_desktop.rules.documents import DocumentCheck, check_document
from nonasn_desktop.rules.formatting import parse_date, parse_money
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.verval.decisions import decide

DEMO_PASSWORD = "DemoNonASN2022"  # noqa: S105 - published on purpose: demo accounts only
DEMO_ANSWER = "demo"
BATCH_SIZE = 200
POOL_SIZE = 12
SUPPORTED = (
    RecordStatus.DRAF,
    RecordStatus.AKUN_DIBUAT,
    RecordStatus.PENDAFTARAN_SELESAI,
    RecordStatus.DISETUJUI,
    RecordStatus.PERLU_PERBAIKAN,
    RecordStatus.DITOLAK,
)
PHASE_DEMO = "Membuat data contoh"


class DemoCancelledError(OperationCancelledError):
    """The clerk stopped the demo data; what was made so far stays (each group is committed)."""


@dataclass(frozen=True)
class DemoResult:
    created: int
    status: RecordStatus


@dataclass(frozen=True)
class _Sample:
    data: bytes
    name: str
    check: DocumentCheck


@functools.cache
def _sample(kind: str, seed: int) -> tuple[bytes, str]:
    # Deterministic, so one process (a test run, a GUI session) draws each sample once.
    return make_sample_document(kind, seed=seed)


class _DocumentPool:
    """A few sample files per kind, each generated and checked once."""

    def __init__(self, ctx: AppContext, rng: random.Random) -> None:
        self._ctx = ctx
        self._rng = rng
        self._pool: dict[str, list[_Sample]] = {}

    def pick(self, kind: str) -> _Sample:
        if kind not in self._pool:
            samples = []
            for seed in range(POOL_SIZE):
                data, name = _sample(kind, seed)
                samples.append(
                    _Sample(data, name, check_document(kind, data, policy=self._ctx.policy))
                )
            self._pool[kind] = samples
        return self._rng.choice(self._pool[kind])


def _home_regency(ctx: AppContext) -> str | None:
    office = get_office(ctx)
    if office is not None and office.code.isdigit() and len(office.code) >= 4:
        return office.code[:4]
    return None


class _Walker:
    """Walks one person through the flow up to ``target``."""

    def __init__(
        self, ctx: AppContext, store: SqlFlowStore, pool: _DocumentPool, actor: Actor
    ) -> None:
        self._ctx = ctx
        self._actor = actor
        self._store = store
        self._pool = pool
        self._session = store.session
        self._hasher = functools.cache(hash_secret)
        self._verifier = functools.cache(verify_secret)

    def _attach(self, flow: RegistrationFlow, kind: str, variant: str | None = None) -> None:
        sample = self._pool.pick(kind)
        registration_id = flow.state.registration_id or flow.save()
        upload = documents.offer_bytes(
            self._ctx,
            registration_id,
            kind,
            sample.data,
            sample.name,
            actor=self._actor,
            variant=variant,
            session=self._session,
            check=sample.check,
        )
        assert upload.ref is not None, f"sample {kind} failed its own rule"
        flow.attach_document(
            DocumentRef(
                kind=upload.ref.kind,
                document_id=upload.ref.document_id,
                sha256=upload.ref.sha256,
                original_name=upload.ref.original_name,
                passed=True,
                variant=variant,
            )
        )

    def _type(self, flow: RegistrationFlow, person: DemoPerson, keys: tuple[str, ...]) -> None:
        for key in keys:
            if key in person.values:
                flow.set_value(key, person.values[key])

    def _captcha(self, flow: RegistrationFlow) -> None:
        challenge = flow.captcha_challenge()
        if challenge is not None:
            flow.set_value("captcha", challenge.text)
        flow.advance()

    def walk(self, person: DemoPerson, stop_after: int) -> RegistrationFlow:
        """Work the pages in order while the current page is at most ``stop_after``."""
        # Captcha off, as an admin may set it for a busy desk: the record says it was skipped.
        flow = RegistrationFlow(
            self._ctx.policy,
            self._store,
            captcha_enabled=False,
            # The desk's date from the injected clock, as the wizard's flow has it.
            today=lambda: self._ctx.now().astimezone().date(),
            hasher=self._hasher,
            verifier=self._verifier,
        )
        pages = self._pages(flow, person)
        while flow.current_step <= stop_after and flow.current_step in pages:
            before = flow.current_step
            pages[before]()
            if flow.current_step == before:
                # A demo person must pass every guard; being stuck is a bug in this module.
                raise RuntimeError(f"demo flow stuck at step {before}: {flow.problems()}")
        flow.save()
        return flow

    def _pages(self, flow: RegistrationFlow, person: DemoPerson) -> dict[int, Callable[[], object]]:
        """What a clerk does on each page the flow stops at, by step number."""
        policy = self._ctx.policy

        def typed(step: int) -> None:
            self._type(flow, person, policy.step(step).fields)

        def identity() -> None:
            typed(2)
            flow.advance()

        def roster_data() -> None:
            typed(3)
            flow.advance()

        def password() -> None:
            for key, value in (
                ("kata_sandi", DEMO_PASSWORD),
                ("kata_sandi_ulang", DEMO_PASSWORD),
                ("pertanyaan_pengaman", "ibu_kandung"),
                ("jawaban_pengaman", DEMO_ANSWER),
            ):
                flow.set_value(key, value)
            flow.advance()

        def ktp_and_photo() -> None:
            self._attach(flow, "ktp")
            self._attach(flow, "pas_foto")
            flow.advance()

        def create_account() -> None:
            flow.advance()  # "Proses Pembuatan Akun"
            flow.confirm(True)  # "Iya"

        def login() -> None:
            flow.login(person.nik, DEMO_PASSWORD)
            flow.advance()

        def biodata() -> None:
            typed(15)
            for kind in ("ijazah", "kk", "swafoto"):
                self._attach(flow, kind)
            flow.advance()

        def work_history() -> None:
            flow.set_work_history(person.work_history)
            typed(17)
            self._attach(flow, "sk_jabatan", person.values["bentuk_sk"])
            self._attach(flow, "bukti_gaji")
            flow.advance()

        def finish() -> None:
            flow.set_declaration(True)
            flow.advance()  # "Akhiri Proses Pendaftaran"
            flow.confirm(True)  # "Iya"

        return {
            1: flow.advance,
            2: identity,
            3: roster_data,
            5: password,
            6: ktp_and_photo,
            7: lambda: self._captcha(flow),
            9: create_account,
            12: flow.advance,
            13: login,
            15: biodata,
            16: lambda: self._captcha(flow),
            17: work_history,
            19: flow.advance,  # "Periksa Kembali"
            21: finish,
        }


def _roster_entry(person: DemoPerson) -> roster.RosterInput:
    values = person.values
    first = person.work_history[0]
    current = person.work_history[-1]
    return roster.RosterInput(
        nik=values["nik"],
        nama=values["nama"],
        tempat_lahir=values["tempat_lahir"],
        tanggal_lahir=parse_date(values["tanggal_lahir"], "tanggal_lahir"),
        jenis_kelamin=values["jenis_kelamin"],
        pendidikan_jenjang=values["pendidikan_jenjang"],
        nama_sekolah=values["nama_sekolah"],
        jurusan=values["jurusan"] or None,
        nomor_ijazah=values["nomor_ijazah"],
        tanggal_ijazah=parse_date(values["tanggal_ijazah"], "tanggal_ijazah"),
        nomor_sk=first["nomor_sk"],
        tanggal_sk=parse_date(first["tanggal_sk"], "tanggal_sk"),
        tmt=parse_date(first["tmt"], "tmt"),
        jabatan=current["jabatan"],
        unit_kerja=current["unit_kerja"],
        pejabat_penandatangan=current["pejabat_penandatangan"],
        sumber_gaji=current["sumber_gaji"],
        gaji_bulanan=parse_money(current["gaji_bulanan"], "gaji_bulanan"),
        source="demo-data",
    )


# Where each status leaves the flow: the last page worked is drawn from this range.
_STOP = {
    RecordStatus.DRAF: (1, 7),
    RecordStatus.AKUN_DIBUAT: (12, 19),
}
_REASONS = {
    RecordStatus.DITOLAK: "Data ganda: yang bersangkutan sudah terdaftar di instansi lain.",
    RecordStatus.PERLU_PERBAIKAN: "Scan ijazah kurang jelas; mohon unggah ulang.",
    RecordStatus.DISETUJUI: "Disetujui setelah pemeriksaan SK dan bukti gaji asli.",
}


def generate(
    ctx: AppContext,
    count: int,
    status: RecordStatus = RecordStatus.PENDAFTARAN_SELESAI,
    *,
    actor: Actor,
    seed: int | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> DemoResult:
    """Create ``count`` registrations that end in ``status``; returns how many were made.

    ``actor`` does everything a clerk would: puts each person on the roster, registers them
    and, for a verval status, decides; so it must be a clerk allowed all of that (an admin).

    Records are made and committed in groups of ``BATCH_SIZE``; ``cancelled()`` is asked
    between groups (DemoCancelledError then says how many were made and kept).
    """
    if count < 1:
        raise UserError("Jumlah data contoh harus paling sedikit 1.")
    if status not in SUPPORTED:
        raise UserError(
            f"Status {status.label} tidak dapat dibuat sebagai data contoh.",
            hint="Status Diekspor hanya diberikan oleh ekspor batch yang sebenarnya.",
        )
    if get_office(ctx) is None:
        raise ConflictError(
            "Kantor belum disiapkan; data contoh memerlukan kode kantor untuk nomor akun.",
            hint="Jalankan dulu: nonasn init --office-code KODE --office-name NAMA",
        )
    # Not for secrets: a seeded generator makes a run reproducible.
    rng = random.Random(seed)  # noqa: S311
    factory = PersonFactory(rng, home=_home_regency(ctx))
    pool = _DocumentPool(ctx, rng)
    created = 0
    while created < count:
        if cancelled is not None and cancelled():
            raise DemoCancelledError(
                f"Pembuatan data contoh dihentikan; {created} data yang sudah dibuat tetap "
                "tersimpan."
            )
        with ctx.db.session() as session:
            store = SqlFlowStore(ctx, actor=actor, session=session)
            walker = _Walker(ctx, store, pool, actor)
            for _ in range(min(BATCH_SIZE, count - created)):
                person = factory.make()
                while roster.lookup(ctx, person.nik, session=session) is not None:
                    person = factory.make()
                roster.add_entry(ctx, _roster_entry(person), actor=actor, session=session)
                low, high = _STOP.get(status, (24, 24))
                flow = walker.walk(person, rng.randint(low, high))
                registration_id = flow.state.registration_id
                assert registration_id is not None
                if status in _REASONS:
                    decide(
                        ctx,
                        registration_id,
                        status,
                        actor=actor,
                        reason=_REASONS[status],
                        fields=("dokumen_ijazah",)
                        if status is RecordStatus.PERLU_PERBAIKAN
                        else (),
                        session=session,
                    )
                created += 1
        if progress is not None:
            progress(ProgressStep(PHASE_DEMO, created, count))
    return DemoResult(created, status)
