"""Pre-filling from the Admin Instansi roster (flow/prefill.py): nothing typed twice.

The walk below counts, page by page, the fields a clerk must still fill for a person the roster
describes completely (typing or choosing; the declaration tick is not a field). With the roster
as the store handed it over before pre-filling (identity, unit kerja and jabatan only) the
count is the "before" figure; with every roster field it is the "after" figure.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from nonasn_desktop.flow.machine import RegistrationFlow
from nonasn_desktop.flow.prefill import (
    FROM_ROSTER,
    PREFILL_FIELDS,
    prefill,
    roster_entry_index,
    roster_mark,
    roster_values,
)
from nonasn_desktop.flow.state import (
    IDENTITY_FIELDS,
    DocumentRef,
    RegistrationState,
    RosterSummary,
)
from nonasn_desktop.policy import Policy

PASSWORD = "Rahasia2022"
# What the finished record of Dewi holds, field by field (as a clerk would type it).
DEWI = {
    "nik": "3273015505920002",
    "nomor_kk": "3273012502150007",
    "nama": "Dewi Lestari",
    "tempat_lahir": "Bandung",
    "tanggal_lahir": "15-05-1992",
    "jenis_kelamin": "P",
    "nomor_hp": "0813-2000-4455",
    "email": "dewi@contoh.id",
    "kata_sandi": PASSWORD,
    "kata_sandi_ulang": PASSWORD,
    "pertanyaan_pengaman": "ibu_kandung",
    "jawaban_pengaman": "Sari",
    "login_nik": "3273015505920002",
    "login_kata_sandi": PASSWORD,
    "agama": "islam",
    "status_perkawinan": "kawin",
    "alamat": "Jl. Dago No. 5, Bandung",
    "pendidikan_jenjang": "d3",
    "nama_sekolah": "Politeknik Kesehatan Bandung",
    "jurusan": "Keperawatan",
    "nomor_ijazah": "PK-2013/0042",
    "tanggal_ijazah": "30-08-2013",
    "masih_aktif": "ya",
    "bentuk_sk": "asli",
}
DEWI_SK = {
    "unit_kerja": "Puskesmas Dago",
    "jabatan": "Perawat",
    "nomor_sk": "800/77/PKM/2014",
    "tanggal_sk": "20-12-2013",
    "tmt": "02-01-2014",
    "pejabat_penandatangan": "pimpinan_opd",
    "sumber_gaji": "apbd",
    "melalui_pengadaan": "tidak",
    "gaji_bulanan": "Rp 2.100.000",
}
# The roster entry of Dewi, complete, as the store hands it over now.
DEWI_ROSTER = RosterSummary(
    nik=DEWI["nik"],
    nama="DEWI LESTARI",
    tempat_lahir="Bandung",
    tanggal_lahir=dt.date(1992, 5, 15),
    jenis_kelamin="P",
    unit_kerja="Puskesmas Dago",
    jabatan="Perawat",
    instansi="Pemerintah Kota Bandung",
    pendidikan_jenjang="d3",
    nama_sekolah="Politeknik Kesehatan Bandung",
    jurusan="Keperawatan",
    nomor_ijazah="PK-2013/0042",
    tanggal_ijazah=dt.date(2013, 8, 30),
    nomor_sk="800/77/PKM/2014",
    tanggal_sk=dt.date(2013, 12, 20),
    tmt=dt.date(2014, 1, 2),
    pejabat_penandatangan="pimpinan_opd",
    sumber_gaji="apbd",
    gaji_bulanan=2_100_000,
)
# What pre-filling had to go on before: the identity only (unit kerja and jabatan were shown at
# step 3 but filled nothing).
DEWI_ROSTER_BEFORE = RosterSummary(
    nik=DEWI_ROSTER.nik,
    nama=DEWI_ROSTER.nama,
    tempat_lahir=DEWI_ROSTER.tempat_lahir,
    tanggal_lahir=DEWI_ROSTER.tanggal_lahir,
    jenis_kelamin=DEWI_ROSTER.jenis_kelamin,
    instansi=DEWI_ROSTER.instansi,
)


def _doc(kind: str, number: int) -> DocumentRef:
    return DocumentRef(kind, number, f"{number:064x}", f"{kind}.jpg", True)


def _cheap_flow(make_flow: Callable[..., RegistrationFlow]) -> RegistrationFlow:
    # argon2id is slow on purpose; what is hashed does not matter here.
    return make_flow(hasher=lambda s: "h:" + s, verifier=lambda h, s: h == "h:" + s)


def typed_fields(flow: RegistrationFlow, person: dict[str, str], sk: dict[str, str]) -> int:
    """Walk the 24 steps like a clerk; return how many fields had to be filled by hand.

    On each page a field counts when what the page shows on arrival is not what the record
    must hold; the work history counts the fields of its one entry the same way.
    """
    typed = 0
    for _ in range(40):
        step = flow.current_step
        if step == 24:
            return typed
        if step in (11, 23):
            flow.confirm(True)
            continue
        page = flow.policy.step(step)
        for key in page.fields:
            if key == "pernyataan" or (key not in person and key != "captcha"):
                continue
            if key == "captcha":
                challenge = flow.captcha_challenge()
                if challenge is not None:
                    typed += 1
                    flow.set_value("captcha", challenge.text)
                continue
            if flow.value(key) != person[key]:
                typed += 1
                if key.startswith("login_"):
                    continue
                flow.set_value(key, person[key])
        if step == 13:
            assert flow.login(person["login_nik"], person["login_kata_sandi"])
        if page.group_fields:
            shown = flow.state.work_history[0] if flow.state.work_history else {}
            typed += sum(1 for key, raw in sk.items() if shown.get(key) != raw)
            flow.set_work_history([dict(sk)])
        for number, kind in enumerate(page.documents, start=1):
            flow.attach_document(_doc(kind, step * 10 + number))
        if step == 21:
            flow.set_declaration(True)
        flow.advance()
    raise AssertionError("the walk did not end")


def test_a_roster_person_types_fewer_fields(
    make_flow: Callable[..., RegistrationFlow], store: Any
) -> None:
    store.roster[DEWI["nik"]] = DEWI_ROSTER_BEFORE
    before = typed_fields(_cheap_flow(make_flow), DEWI, DEWI_SK)
    store.drafts.clear()
    store.roster[DEWI["nik"]] = DEWI_ROSTER
    flow = _cheap_flow(make_flow)
    after = typed_fields(flow, DEWI, DEWI_SK)
    # Before: 7 identity + email + 4 password + captcha + 2 login + 8 biodata + captcha +
    # 9 of the SK + 2 status fields. The roster fills 5 of education and 8 of the SK: left are
    # agama, status perkawinan, alamat and "melalui pengadaan", which the roster cannot know.
    assert (before, after) == (35, 22)
    # The record is the same either way.
    assert flow.state.work_history == [DEWI_SK]
    assert flow.state.values["nama_sekolah"] == "Politeknik Kesehatan Bandung"


def test_pages_15_and_17_arrive_filled_and_stay_editable(
    make_flow: Callable[..., RegistrationFlow], store: Any, policy: Policy
) -> None:
    store.roster[DEWI["nik"]] = DEWI_ROSTER
    flow = _cheap_flow(make_flow)
    state = flow.state
    state.roster = DEWI_ROSTER
    state.values.update({"pendidikan_jenjang": ""})
    assert prefill(state, 15, policy) == [
        "pendidikan_jenjang",
        "nama_sekolah",
        "jurusan",
        "nomor_ijazah",
        "tanggal_ijazah",
    ]
    assert state.values["tanggal_ijazah"] == "30-08-2013"
    assert prefill(state, 17, policy) == [
        "unit_kerja",
        "jabatan",
        "nomor_sk",
        "tanggal_sk",
        "tmt",
        "pejabat_penandatangan",
        "sumber_gaji",
        "gaji_bulanan",
    ]
    assert state.work_history[0]["gaji_bulanan"] == "Rp 2.100.000"
    # Once per page: what the clerk cleared is not put back when the page is entered again.
    state.values.pop("jurusan")
    assert prefill(state, 15, policy) == []
    assert "jurusan" not in state.values
    # The round trip through a draft keeps the record of it.
    again = RegistrationState.from_json(state.to_json())
    assert again.prefilled_steps == {15, 17}
    assert again.roster == DEWI_ROSTER


def test_what_the_clerk_typed_is_never_overwritten(policy: Policy) -> None:
    state = RegistrationState(roster=DEWI_ROSTER, values={"nama_sekolah": "Akper Bandung"})
    state.work_history = [{"unit_kerja": "RSUD Kota Bandung"}]
    assert "nama_sekolah" not in prefill(state, 15, policy)
    assert state.values["nama_sekolah"] == "Akper Bandung"
    assert prefill(state, 17, policy) == []
    assert state.work_history == [{"unit_kerja": "RSUD Kota Bandung"}]


def test_a_page_already_passed_is_not_filled(policy: Policy) -> None:
    # A record sent back by the verifier, or a draft from before pre-filling existed.
    state = RegistrationState(roster=DEWI_ROSTER, completed_steps={15})
    assert prefill(state, 15, policy) == []
    assert state.values == {}


def test_without_a_roster_nothing_is_filled(policy: Policy) -> None:
    state = RegistrationState()
    assert prefill(state, 15, policy) == []
    assert state.prefilled_steps == set()


def test_identity_is_compared_never_prefilled(policy: Policy) -> None:
    assert not set(PREFILL_FIELDS) & set(IDENTITY_FIELDS)
    assert not set(roster_values(DEWI_ROSTER, policy)) & set(IDENTITY_FIELDS)


def test_a_choice_the_policy_does_not_offer_is_left_out(policy: Policy) -> None:
    odd = dataclasses.replace(DEWI_ROSTER, sumber_gaji="dana_bos", pendidikan_jenjang="paket_c")
    values = roster_values(odd, policy)
    assert "sumber_gaji" not in values
    assert "pendidikan_jenjang" not in values
    assert values["pejabat_penandatangan"] == "pimpinan_opd"


@pytest.mark.parametrize(
    ("key", "raw", "same"),
    [
        ("nama_sekolah", "politeknik  kesehatan BANDUNG", True),
        ("nama_sekolah", "Akper Bandung", False),
        ("nama_sekolah", "", False),
        ("tanggal_ijazah", "30-08-2013", True),
        ("tanggal_ijazah", "31-08-2013", False),
        ("gaji_bulanan", "2100000", True),
        ("gaji_bulanan", "Rp 2.000.000", False),
        ("pendidikan_jenjang", "d3", True),
        ("pendidikan_jenjang", "s1", False),
    ],
)
def test_roster_mark(policy: Policy, key: str, raw: str, same: bool) -> None:
    mark = roster_mark(policy, DEWI_ROSTER, key, raw)
    assert mark is not None
    assert mark.same is same
    if same:
        assert mark.text == FROM_ROSTER
    else:
        assert mark.text.startswith("Berbeda dengan data Admin Instansi")


def test_roster_mark_names_choices_and_keeps_quiet_without_data(policy: Policy) -> None:
    mark = roster_mark(policy, DEWI_ROSTER, "pendidikan_jenjang", "s1")
    assert mark is not None
    assert mark.text == "Berbeda dengan data Admin Instansi ('D-III')"
    assert roster_mark(policy, DEWI_ROSTER, "tanggal_selesai", "01-01-2020") is None
    assert roster_mark(policy, None, "nama_sekolah", "x") is None


def test_roster_entry_is_the_one_with_its_sk_number(policy: Policy) -> None:
    older = {"nomor_sk": "800/1/PKM/2010", "tmt": "01-01-2010"}
    newer = {"nomor_sk": "800/99/PKM/2020", "tmt": "01-01-2020"}
    roster_sk = {"nomor_sk": "800/77/pkm/2014", "tmt": "02-01-2014"}
    assert roster_entry_index(policy, DEWI_ROSTER, [older, roster_sk, newer]) == 1
    # Without its number: the present entry (latest TMT), as eligibility reads it.
    assert roster_entry_index(policy, DEWI_ROSTER, [newer, older]) == 0
    assert roster_entry_index(policy, DEWI_ROSTER, []) is None
    partial = RosterSummary(nik=DEWI["nik"], nama="DEWI", jabatan="Perawat")
    assert roster_entry_index(policy, partial, [older]) == 0
    bare = RosterSummary(nik=DEWI["nik"], nama="DEWI")
    assert roster_entry_index(policy, bare, [older]) is None
