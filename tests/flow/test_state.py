from __future__ import annotations

import datetime as dt
import json

import pytest

from nonasn_desktop.errors import StorageError
from nonasn_desktop.flow.state import (
    STATE_VERSION,
    DocumentRef,
    RegistrationState,
    RosterSummary,
)
from nonasn_desktop.rules.eligibility import CriterionResult, EligibilityResult
from nonasn_desktop.rules.status import RecordStatus

ROSTER = RosterSummary(
    nik="3273011203900001",
    nama="Asep Saepudin",
    tempat_lahir="Bandung",
    tanggal_lahir=dt.date(1990, 3, 12),
    jenis_kelamin="L",
    unit_kerja="Puskesmas Sukasari",
    jabatan="Tenaga Administrasi",
    instansi="Pemerintah Kota Bandung",
    nomor_thk2="",
)
SK = DocumentRef(
    kind="sk_jabatan",
    document_id=41,
    sha256="9f" * 32,
    original_name="SK Pengangkatan 2019.pdf",
    passed=True,
    variant="fotokopi_legalisir",
)
TMS = EligibilityResult(
    (
        CriterionResult("E1", "Masih aktif", True, "Masih aktif bekerja di instansi pendaftar."),
        CriterionResult("E4", "Masa kerja", False, "TMT 01-06-2021: masa kerja 0 tahun 6 bulan."),
    )
)


def full_state() -> RegistrationState:
    return RegistrationState(
        registration_id=12,
        status=RecordStatus.AKUN_DIBUAT,
        current_step=17,
        values={"nik": "3273 0112 0390 0001", "nama": "Asep Saepudin", "masih_aktif": "ya"},
        work_history=[{"unit_kerja": "Puskesmas Sukasari", "tmt": "01-06-2021"}],
        documents={"sk_jabatan": SK},
        roster=ROSTER,
        account_number="NA-2022-000012",
        password_hash="$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
        security_answer_hash="$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$YW5zd2Vy",
        captcha_skipped={7, 16},
        completed_steps={1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16},
        reviewed=True,
        declaration=False,
        eligibility=TMS,
    )


def test_round_trip_through_json_text_keeps_everything() -> None:
    state = full_state()
    text = json.dumps(state.to_json())
    back = RegistrationState.from_json(json.loads(text))
    assert back == state
    assert back.roster is not None
    assert back.roster.tanggal_lahir == dt.date(1990, 3, 12)
    assert back.documents["sk_jabatan"].variant == "fotokopi_legalisir"
    assert back.eligibility is not None
    assert back.eligibility.failed_codes == ("E4",)


def test_json_is_versioned_and_sorted_for_stable_diffs() -> None:
    data = full_state().to_json()
    assert data["v"] == STATE_VERSION == 1
    assert data["status"] == "akun_dibuat"
    assert data["captcha_skipped"] == [7, 16]
    assert data["completed_steps"] == sorted(data["completed_steps"])


def test_a_draft_without_version_or_newer_keys_loads_with_defaults() -> None:
    old = {"status": "draf", "current_step": 3, "values": {"nik": "3171015708850003"}}
    state = RegistrationState.from_json(old)
    assert state.current_step == 3
    assert state.values == {"nik": "3171015708850003"}
    assert state.documents == {}
    assert state.roster is None
    assert state.captcha_skipped == set()
    assert state.eligibility is None
    assert state.status is RecordStatus.DRAF


def test_a_draft_from_a_newer_version_is_refused_with_a_message() -> None:
    data = full_state().to_json()
    data["v"] = STATE_VERSION + 1
    with pytest.raises(StorageError, match="versi aplikasi yang lebih baru"):
        RegistrationState.from_json(data)


@pytest.mark.parametrize("version", [0, "1", None])
def test_a_damaged_version_is_refused(version: object) -> None:
    data = full_state().to_json()
    data["v"] = version
    with pytest.raises(StorageError, match="rusak"):
        RegistrationState.from_json(data)


def test_secrets_never_reach_the_json_even_when_put_into_values_by_mistake() -> None:
    state = full_state()
    state.values.update(
        kata_sandi="Rahasia2022",
        kata_sandi_ulang="Rahasia2022",
        jawaban_pengaman="Sri Wahyuni",
        login_kata_sandi="Rahasia2022",
        login_nik="3273011203900001",
        captcha="K7M4P",
    )
    text = json.dumps(state.to_json())
    for secret in ("Rahasia2022", "Sri Wahyuni", "K7M4P"):
        assert secret not in text
    loaded = RegistrationState.from_json({**state.to_json(), "values": dict(state.values)})
    assert "kata_sandi" not in loaded.values


def test_document_and_roster_round_trip_alone() -> None:
    assert DocumentRef.from_json(SK.to_json()) == SK
    assert RosterSummary.from_json(ROSTER.to_json()) == ROSTER
    bare = RosterSummary(nik="3171015708850003", nama="Siti")
    assert RosterSummary.from_json(bare.to_json()) == bare


@pytest.mark.parametrize(
    ("status", "locked", "finished"),
    [
        (RecordStatus.DRAF, set(), False),
        (
            RecordStatus.AKUN_DIBUAT,
            {"nik", "nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin", "pas_foto"},
            False,
        ),
        (
            RecordStatus.PERLU_PERBAIKAN,
            {"nik", "nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin", "pas_foto"},
            False,
        ),
        (
            RecordStatus.PENDAFTARAN_SELESAI,
            {"nik", "nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin", "pas_foto"},
            True,
        ),
        (RecordStatus.DIEKSPOR, {"nik", "nama", "tanggal_lahir", "pas_foto"}, True),
    ],
)
def test_locks_follow_the_status(status: RecordStatus, locked: set[str], finished: bool) -> None:
    state = RegistrationState(status=status)
    assert locked <= state.locked_fields
    if not locked:
        assert state.locked_fields == frozenset()
    assert state.finished is finished
    assert state.has_account is (status is not RecordStatus.DRAF)


def test_tms_flag_needs_an_evaluated_failing_result() -> None:
    state = RegistrationState()
    assert not state.is_tms
    state.eligibility = TMS
    assert state.is_tms
    state.eligibility = EligibilityResult((TMS.criteria[0],))
    assert not state.is_tms
