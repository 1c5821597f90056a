"""An in-memory FlowStore and fixtures for driving the registration flow directly."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from nonasn_desktop.errors import NotFoundError, UserError
from nonasn_desktop.flow.ports import ExistingRegistration
from nonasn_desktop.flow.state import RegistrationState, RosterSummary
from nonasn_desktop.policy import Policy, default_policy
from nonasn_desktop.rules.status import RecordStatus

if TYPE_CHECKING:
    from nonasn_desktop.flow.machine import RegistrationFlow

TODAY = dt.date(2022, 9, 15)


def seeded(seed: int) -> random.Random:
    """A reproducible random source: the same captcha every run."""
    return random.Random(seed)  # noqa: S311 - not for secrets, for repeatable tests


def _digits(raw: str) -> str:
    return "".join(ch for ch in raw if ch.isdigit())


class FakeStore:
    """Keeps drafts as JSON text, as a real store would, so every save proves serialisability."""

    def __init__(self) -> None:
        self.roster: dict[str, RosterSummary] = {}
        self.drafts: dict[int, str] = {}
        self.audit: list[tuple[int, str]] = []
        self.saves = 0
        self.fail_create: UserError | None = None
        self._next_id = 1
        self._next_account = 1

    # FlowStore
    def find_roster(self, nik: str) -> RosterSummary | None:
        return self.roster.get(nik)

    def find_registration_by_nik(self, nik: str) -> ExistingRegistration | None:
        for registration_id, text in self.drafts.items():
            data = json.loads(text)
            if _digits(data["values"].get("nik", "")) == nik:
                return ExistingRegistration(
                    registration_id, RecordStatus(data["status"]), data["account_number"]
                )
        return None

    def save_draft(self, state: RegistrationState, *, note: str | None = None) -> int:
        registration_id = self._id(state)
        self._keep(registration_id, state.to_json())
        self.saves += 1
        if note is not None:
            self.audit.append((registration_id, note))
        return registration_id

    def create_account(self, state: RegistrationState) -> str:
        if self.fail_create is not None:
            raise self.fail_create
        registration_id = self._id(state)
        number = f"NA-2022-{self._next_account:06d}"
        self._next_account += 1
        data = state.to_json()
        data.update(registration_id=registration_id, status="akun_dibuat", account_number=number)
        self._keep(registration_id, data)
        self.audit.append((registration_id, "akun dibuat"))
        return number

    def complete_registration(self, state: RegistrationState) -> None:
        registration_id = self._id(state)
        data = state.to_json()
        data.update(status="pendaftaran_selesai")
        self._keep(registration_id, data)
        self.audit.append((registration_id, "pendaftaran selesai"))

    def load(self, registration_id: int) -> RegistrationState:
        if registration_id not in self.drafts:
            raise NotFoundError(f"Pendaftaran nomor {registration_id} tidak ditemukan.")
        return RegistrationState.from_json(json.loads(self.drafts[registration_id]))

    # helpers for tests
    def stored(self, registration_id: int) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.drafts[registration_id])
        return data

    def set_status(self, registration_id: int, status: RecordStatus) -> None:
        data = self.stored(registration_id)
        data["status"] = status.value
        self.drafts[registration_id] = json.dumps(data)

    def _id(self, state: RegistrationState) -> int:
        if state.registration_id is not None:
            return state.registration_id
        registration_id = self._next_id
        self._next_id += 1
        return registration_id

    def _keep(self, registration_id: int, data: dict[str, Any]) -> None:
        data["registration_id"] = registration_id
        self.drafts[registration_id] = json.dumps(data)


SITI = RosterSummary(
    nik="3171015708850003",
    nama="SITI RAHMAWATI",
    tempat_lahir="Jakarta",
    tanggal_lahir=dt.date(1985, 8, 17),
    jenis_kelamin="P",
    unit_kerja="SD Negeri Gambir 01",
    jabatan="Guru Kelas",
    instansi="Pemerintah Provinsi DKI Jakarta",
)
ASEP = RosterSummary(
    nik="3273011203900001",
    nama="Asep Saepudin",
    tempat_lahir="Bandung",
    tanggal_lahir=dt.date(1990, 3, 12),
    jenis_kelamin="L",
    unit_kerja="Puskesmas Sukasari",
    jabatan="Tenaga Administrasi",
    instansi="Pemerintah Kota Bandung",
)


@pytest.fixture
def policy() -> Policy:
    return default_policy()


@pytest.fixture
def store() -> FakeStore:
    fake = FakeStore()
    fake.roster[SITI.nik] = SITI
    fake.roster[ASEP.nik] = ASEP
    return fake


@pytest.fixture
def make_flow(policy: Policy, store: FakeStore) -> Callable[..., RegistrationFlow]:
    # Imported here so that the state and captcha tests run even when the flow cannot import.
    from nonasn_desktop.flow.machine import RegistrationFlow

    def make(**kw: Any) -> RegistrationFlow:
        kw.setdefault("today", lambda: TODAY)
        kw.setdefault("captcha_rng", seeded(2022))
        return RegistrationFlow(policy, store, **kw)

    return make


@pytest.fixture
def flow(make_flow: Callable[..., RegistrationFlow]) -> RegistrationFlow:
    return make_flow()
