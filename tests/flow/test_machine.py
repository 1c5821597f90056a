"""The registration flow driven directly, with the real policy of forms/ and an in-memory store."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest

from nonasn_desktop.crypto.passwords import verify_secret
from nonasn_desktop.errors import ConflictError, FieldError, FlowError, PolicyFileError
from nonasn_desktop.flow.machine import FORWARD, NOT_REGISTERED, RegistrationFlow
from nonasn_desktop.flow.state import DocumentRef
from nonasn_desktop.policy import Policy
from nonasn_desktop.rules.status import RecordStatus

PASSWORD = "Rahasia2022"
ANSWER = "Sri Wahyuni"

# A woman born 17-08-1985 in Kota Jakarta Pusat (day 57 = 17 + 40).
SITI = {
    "nik": "3171015708850003",
    "nomor_kk": "3171012001090012",
    "nama": "Siti Rahmawati",
    "tempat_lahir": "Jakarta",
    "tanggal_lahir": "17-08-1985",
    "jenis_kelamin": "P",
    "nomor_hp": "0812-3456-7890",
}
# A man born 12-03-1990 in Kota Bandung.
ASEP = {
    "nik": "3273 0112 0390 0001",
    "nomor_kk": "3273012502150007",
    "nama": "Asep Saepudin",
    "tempat_lahir": "Bandung",
    "tanggal_lahir": "12-03-1990",
    "jenis_kelamin": "L",
    "nomor_hp": "+62 813 2000 4455",
}
BIODATA = {
    "agama": "islam",
    "status_perkawinan": "kawin",
    "alamat": "Jl. Tanah Abang II No. 5, RT 003/RW 004, Petojo Selatan, Gambir, Jakarta Pusat",
    "pendidikan_jenjang": "s1",
    "nama_sekolah": "Universitas Negeri Jakarta",
    "jurusan": "Pendidikan Guru Sekolah Dasar",
    "nomor_ijazah": "UNJ/S1/2008/012345",
    "tanggal_ijazah": "30-08-2008",
}
SITI_HISTORY = [
    {
        "unit_kerja": "SD Negeri Gambir 01",
        "jabatan": "Guru Honorer",
        "nomor_sk": "800/123/SDN-GBR01/2015",
        "tanggal_sk": "02-01-2015",
        "tmt": "05-01-2015",
        "tanggal_selesai": "31-12-2018",
        # An old SK signed below the unit head ...
        "pejabat_penandatangan": "di_bawah_unit_kerja",
        "sumber_gaji": "lainnya",
        "melalui_pengadaan": "tidak",
        "gaji_bulanan": "Rp 750.000",
    },
    {
        "unit_kerja": "SD Negeri Gambir 01",
        "jabatan": "Guru Kelas",
        "nomor_sk": "800/045/SDN-GBR01/2019",
        "tanggal_sk": "28-12-2018",
        "tmt": "02-01-2019",
        # ... the current one by the head of school, paid from the regional budget.
        "pejabat_penandatangan": "pimpinan_unit_kerja",
        "sumber_gaji": "apbd",
        "melalui_pengadaan": "tidak",
        "gaji_bulanan": "Rp 1.500.000",
    },
]
# Started in June 2021 and paid by the school committee: TMS on E2 and E4.
ASEP_HISTORY = [
    {
        "unit_kerja": "Puskesmas Sukasari",
        "jabatan": "Tenaga Administrasi",
        "nomor_sk": "445/77/PKM-SKS/2021",
        "tanggal_sk": "28-05-2021",
        "tmt": "01-06-2021",
        "pejabat_penandatangan": "pimpinan_unit_kerja",
        "sumber_gaji": "lainnya",
        "melalui_pengadaan": "tidak",
        "gaji_bulanan": "Rp 1.200.000",
    }
]
WORK = {"masih_aktif": "ya", "bentuk_sk": "asli"}

MakeFlow = Callable[..., RegistrationFlow]


def doc(kind: str, number: int, *, passed: bool = True) -> DocumentRef:
    return DocumentRef(kind, number, f"{number:064x}", f"{kind}.jpg", passed)


def fill(flow: RegistrationFlow, values: dict[str, str]) -> None:
    for key, raw in values.items():
        assert flow.set_value(key, raw) is None, (key, flow.errors())


def type_captcha(flow: RegistrationFlow) -> None:
    challenge = flow.captcha_challenge()
    if challenge is not None:
        flow.set_value("captcha", challenge.text.lower())


def do_page(flow: RegistrationFlow, person: dict[str, str], history: list[dict[str, str]]) -> None:
    """What the clerk does on the current page before pressing its main button."""
    step = flow.current_step
    if step == 2:
        fill(flow, person)
    elif step == 3:
        fill(flow, {"email": "siti.rahma@example.id"} if person is SITI else {})
    elif step == 5:
        fill(
            flow,
            {
                "kata_sandi": PASSWORD,
                "kata_sandi_ulang": PASSWORD,
                "pertanyaan_pengaman": "ibu_kandung",
                "jawaban_pengaman": ANSWER,
            },
        )
    elif step == 6:
        flow.attach_document(doc("ktp", 1))
        flow.attach_document(doc("pas_foto", 2))
    elif step in (7, 16):
        type_captcha(flow)
    elif step == 13:
        assert flow.login(person["nik"], PASSWORD)
    elif step == 15:
        fill(flow, BIODATA)
        for number, kind in enumerate(("ijazah", "kk", "swafoto"), start=3):
            flow.attach_document(doc(kind, number))
    elif step == 17:
        assert flow.set_work_history(history) == [{} for _ in history]
        fill(flow, WORK)
        flow.attach_document(doc("sk_jabatan", 6))
        flow.attach_document(doc("bukti_gaji", 7))
    elif step == 21:
        flow.set_declaration(True)


def walk(
    flow: RegistrationFlow,
    until: int,
    person: dict[str, str] = SITI,
    history: list[dict[str, str]] = SITI_HISTORY,
) -> list[int]:
    """Press on until ``until`` is the current step; returns the steps rested on."""
    seen = [flow.current_step]
    while flow.current_step != until:
        assert len(seen) < 40, seen
        if flow.current_step in (11, 23):
            flow.confirm(True)
        else:
            do_page(flow, person, history)
            flow.advance()
        seen.append(flow.current_step)
    return seen


def problems_of(call: Callable[[], Any]) -> list[str]:
    with pytest.raises(FlowError) as info:
        call()
    return info.value.problems


# ------------------------------------------------------------------ happy path


def test_happy_path_through_all_24_steps(flow: RegistrationFlow, store: Any) -> None:
    assert (flow.current_step, flow.page, flow.status) == (1, 1, RecordStatus.DRAF)

    seen = walk(flow, 11)
    assert seen == [1, 2, 3, 5, 6, 7, 9, 11]
    assert flow.page == 9  # the dialog opens over page 9
    assert flow.status is RecordStatus.DRAF
    assert flow.state.roster is not None
    assert flow.state.roster.unit_kerja == "SD Negeri Gambir 01"
    assert flow.roster_warnings() == []

    assert flow.confirm(True) == 12
    assert flow.status is RecordStatus.AKUN_DIBUAT
    account = flow.state.account_number
    assert account == "NA-2022-000001"
    for key in ("nik", "nama", "tempat_lahir", "tanggal_lahir", "pas_foto"):
        assert flow.is_locked(key), key
    assert not flow.is_locked("nomor_hp")
    registration_id = flow.state.registration_id
    assert registration_id is not None
    assert store.stored(registration_id)["status"] == "akun_dibuat"

    seen = walk(flow, 23)
    assert seen == [12, 13, 15, 16, 17, 19, 21, 23]
    assert flow.status is RecordStatus.AKUN_DIBUAT
    assert flow.state.reviewed
    assert flow.state.eligibility is not None
    assert flow.state.eligibility.eligible

    assert flow.confirm(True) == 24
    assert flow.status is RecordStatus.PENDAFTARAN_SELESAI
    assert flow.state.completed_steps == set(range(1, 24)) - {10}
    assert flow.state.captcha_skipped == set()
    stored = store.stored(registration_id)
    assert stored["status"] == "pendaftaran_selesai"
    assert stored["current_step"] == 24
    assert stored["account_number"] == account
    assert stored["eligibility"]["outcome"] == "MS"
    assert stored["documents"]["sk_jabatan"]["variant"] == "asli"
    assert [note for _, note in store.audit] == ["akun dibuat", "pendaftaran selesai"]
    # Everything is read-only now.
    assert flow.is_locked("alamat")
    with pytest.raises(FieldError, match="sudah diakhiri"):
        flow.set_value("alamat", "Jl. Lain")
    assert "sudah diakhiri" in problems_of(flow.advance)[0]


def test_button_steps_are_recorded_when_passed(flow: RegistrationFlow) -> None:
    walk(flow, 3)
    flow.advance()
    assert flow.current_step == 5
    assert {3, 4} <= flow.state.completed_steps


def test_every_step_change_is_saved(flow: RegistrationFlow, store: Any) -> None:
    walk(flow, 6)
    saves = store.saves
    do_page(flow, SITI, SITI_HISTORY)
    flow.advance()
    assert store.saves == saves + 1
    stored = store.stored(flow.state.registration_id)
    assert stored["current_step"] == 7
    assert set(stored["documents"]) == {"ktp", "pas_foto"}


# ------------------------------------------------------------------ step 2 and 3


def test_step_2_lists_every_problem_at_once(flow: RegistrationFlow) -> None:
    flow.advance()
    fill(flow, {"nama": "Siti Rahmawati"})
    assert flow.set_value("nik", "31710157O8850003") is not None
    assert flow.set_value("tanggal_lahir", "31-02-1985") is not None
    assert flow.value("nik") == "31710157O8850003"  # kept as typed, nothing lost
    problems = problems_of(flow.advance)
    assert len(problems) >= 6
    assert any("NIK" in p and "angka" in p for p in problems)
    assert any("Nomor Kartu Keluarga" in p or "Nomor KK" in p for p in problems)
    assert any("Nomor HP" in p or "Handphone" in p for p in problems)
    assert flow.current_step == 2
    assert set(flow.errors()) >= {"nik", "tanggal_lahir", "nomor_kk", "jenis_kelamin"}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"tanggal_lahir": "18-08-1985"}, "tanggal lahir 17-08-1985"),
        ({"jenis_kelamin": "L"}, "jenis kelamin perempuan"),
    ],
)
def test_step_2_refuses_a_nik_that_disagrees_with_typed_data(
    flow: RegistrationFlow, change: dict[str, str], expected: str
) -> None:
    flow.advance()
    fill(flow, {**SITI, **change})
    assert flow.nik_info() is not None
    assert flow.nik_info().regency_name == "KOTA ADM. JAKARTA PUSAT"  # type: ignore[union-attr]
    warnings = flow.nik_warnings()
    assert len(warnings) == 1
    assert expected in warnings[0]
    assert problems_of(flow.advance) == warnings
    assert flow.current_step == 2


def test_step_2_refuses_a_nik_registered_before(make_flow: MakeFlow, store: Any) -> None:
    first = make_flow()
    walk(first, 12)
    second = make_flow()
    walk(second, 2)
    fill(second, SITI)
    problems = problems_of(second.advance)
    assert len(problems) == 1
    assert "NA-2022-000001" in problems[0]
    assert "Akun Dibuat" in problems[0]


def test_step_2_refuses_a_nik_held_by_another_draft(make_flow: MakeFlow) -> None:
    first = make_flow()
    walk(first, 3)
    second = make_flow()
    walk(second, 2)
    fill(second, SITI)
    problems = problems_of(second.advance)
    assert f"draf pendaftaran nomor {first.state.registration_id}" in problems[0]


def test_no_roster_match_blocks_step_3_with_the_portal_text(
    flow: RegistrationFlow, store: Any
) -> None:
    store.roster.clear()
    walk(flow, 3)
    assert flow.state.roster is None
    problems = problems_of(flow.advance)
    assert problems == [NOT_REGISTERED]
    assert problems[0].startswith("Anda Belum Didaftarkan oleh Admin Instansi. ")
    assert "melapor" in problems[0]
    assert flow.current_step == 3


def test_roster_added_later_is_found_when_step_2_is_passed_again(
    flow: RegistrationFlow, store: Any
) -> None:
    siti = store.roster.pop("3171015708850003")
    walk(flow, 3)
    store.roster[siti.nik] = siti
    flow.back()
    assert flow.current_step == 2
    flow.advance()
    assert flow.state.roster == siti
    assert flow.can_advance()


def test_roster_name_difference_only_warns(flow: RegistrationFlow, store: Any) -> None:
    nik = "3171015708850003"
    store.roster[nik] = dataclasses.replace(
        store.roster[nik], nama="Siti Rachmawati", tempat_lahir="Surabaya"
    )
    walk(flow, 3)
    warnings = flow.roster_warnings()
    assert len(warnings) == 2
    assert "Siti Rachmawati" in warnings[0]
    assert "Surabaya" in warnings[1]
    assert flow.problems() == []
    assert flow.advance() == 5


def test_roster_name_in_capitals_is_not_a_difference(flow: RegistrationFlow) -> None:
    # The roster has "SITI RAHMAWATI"; the clerk typed "Siti Rahmawati".
    walk(flow, 3)
    assert flow.roster_warnings() == []


def test_roster_birth_date_or_sex_difference_blocks(flow: RegistrationFlow, store: Any) -> None:
    nik = "3171015708850003"
    store.roster[nik] = dataclasses.replace(
        store.roster[nik], tanggal_lahir=dt.date(1985, 7, 17), jenis_kelamin="L"
    )
    walk(flow, 3)
    problems = problems_of(flow.advance)
    assert len(problems) == 2
    assert "Tanggal lahir berbeda dengan data Admin Instansi (17-07-1985)" in problems[0]
    assert "Jenis kelamin berbeda" in problems[1]
    assert "Laki-laki" in problems[1]
    assert problems == flow.roster_warnings()


# ------------------------------------------------------------------ step 5: password


def test_password_mismatch_is_refused(flow: RegistrationFlow) -> None:
    walk(flow, 5)
    flow.set_value("kata_sandi", PASSWORD)
    message = flow.set_value("kata_sandi_ulang", "Rahasia2023")
    assert message == "Kata sandi dan ulangan kata sandi tidak sama."
    flow.set_value("pertanyaan_pengaman", "ibu_kandung")
    flow.set_value("jawaban_pengaman", ANSWER)
    problems = problems_of(flow.advance)
    assert problems == ["Ulangi Kata Sandi: Kata sandi dan ulangan kata sandi tidak sama."]
    assert flow.state.password_hash is None


def test_weak_password_and_missing_question_and_answer_are_listed_together(
    flow: RegistrationFlow,
) -> None:
    walk(flow, 5)
    flow.set_value("kata_sandi", "rahasia")
    flow.set_value("kata_sandi_ulang", "rahasia")
    problems = problems_of(flow.advance)
    assert len(problems) == 3
    assert "paling sedikit 8 karakter" in problems[0]
    assert "Pertanyaan Pengaman wajib diisi" in problems[1]
    assert "Jawaban Pengaman wajib diisi" in problems[2]


def test_leaving_step_5_hashes_and_forgets_the_plain_secrets(flow: RegistrationFlow) -> None:
    walk(flow, 6)
    state = flow.state
    assert state.password_hash is not None
    assert state.security_answer_hash is not None
    assert verify_secret(state.password_hash, PASSWORD)
    assert verify_secret(state.security_answer_hash, "sri wahyuni")
    for key in ("kata_sandi", "kata_sandi_ulang", "jawaban_pengaman"):
        assert flow.value(key) == ""
    assert flow.value("pertanyaan_pengaman") == "ibu_kandung"


def test_plain_secrets_never_reach_a_draft(flow: RegistrationFlow, store: Any) -> None:
    walk(flow, 5)
    do_page(flow, SITI, SITI_HISTORY)
    flow.save()  # the GUI commits the page before pressing Lanjutkan
    walk(flow, 15)
    flow.set_value("login_kata_sandi", PASSWORD)
    flow.save()
    texts = [json.dumps(flow.state.to_json()), *store.drafts.values()]
    for text in texts:
        assert PASSWORD not in text
        assert ANSWER not in text
        assert ANSWER.casefold() not in text
    assert "$argon2id$" in texts[0]


def test_coming_back_to_step_5_keeps_the_hash_unless_retyped(flow: RegistrationFlow) -> None:
    walk(flow, 6)
    old_hash = flow.state.password_hash
    flow.back()
    assert flow.current_step == 5
    assert flow.errors() == {}
    assert flow.problems() == []
    # Starting to retype means retyping in full.
    flow.set_value("kata_sandi", "GantiSandi99")
    problems = flow.problems()
    assert any("Ulangi Kata Sandi wajib diisi" in p for p in problems)
    assert any("dikosongkan" in p for p in problems)
    flow.set_value("kata_sandi_ulang", "GantiSandi99")
    flow.advance()
    assert flow.state.password_hash != old_hash
    assert verify_secret(flow.state.password_hash or "", "GantiSandi99")


def test_changing_the_question_requires_the_answer_again(flow: RegistrationFlow) -> None:
    walk(flow, 6)
    flow.back()
    flow.set_value("pertanyaan_pengaman", "sekolah_dasar")
    assert flow.state.security_answer_hash is None
    problems = flow.problems()
    assert "Pertanyaan pengaman diganti: ketik ulang jawaban pengaman." in problems
    flow.set_value("jawaban_pengaman", "SDN Petojo 03")
    flow.advance()
    assert verify_secret(flow.state.security_answer_hash or "", "sdn petojo 03")


# ------------------------------------------------------------------ documents


def test_missing_and_failed_documents_block_step_6(flow: RegistrationFlow) -> None:
    walk(flow, 6)
    problems = problems_of(flow.advance)
    assert problems == [
        "Scan KTP berwarna / Surat Keterangan Kependudukan: belum diunggah.",
        "Pas foto berwarna, latar belakang biru: belum diunggah.",
    ]
    flow.attach_document(doc("ktp", 1))
    flow.attach_document(doc("pas_foto", 2, passed=False))
    problems = problems_of(flow.advance)
    assert len(problems) == 1
    assert "Pas foto" in problems[0]
    assert "belum memenuhi syarat" in problems[0]
    flow.attach_document(doc("pas_foto", 3))
    assert flow.advance() == 7


def test_step_15_needs_its_fields_and_three_documents(flow: RegistrationFlow) -> None:
    walk(flow, 15)
    problems = problems_of(flow.advance)
    assert sum("wajib diisi" in p for p in problems) == 7  # jurusan is optional
    assert sum("belum diunggah" in p for p in problems) == 3
    assert any(p.startswith("Ijazah terakhir") for p in problems)


# ------------------------------------------------------------------ captcha


def test_wrong_captcha_is_refused_and_replaced(flow: RegistrationFlow) -> None:
    walk(flow, 7)
    first = flow.captcha_challenge()
    assert first is not None
    assert first.png.startswith(b"\x89PNG")
    flow.set_value("captcha", "XXXXX" if first.text != "XXXXX" else "YYYYY")
    problems = problems_of(flow.advance)
    assert problems == [
        "Kode captcha tidak sesuai dengan gambar. Ketik kode pada gambar yang baru."
    ]
    second = flow.captcha_challenge()
    assert second is not None
    assert second is not first
    assert flow.value("captcha") == ""
    assert flow.current_step == 7
    # The old text no longer opens the way.
    flow.set_value("captcha", first.text)
    if first.text != second.text:
        problems_of(flow.advance)
    type_captcha(flow)
    assert flow.advance() == 9
    assert {7, 8} <= flow.state.completed_steps


def test_empty_captcha_is_asked_for_without_a_new_picture(flow: RegistrationFlow) -> None:
    walk(flow, 7)
    first = flow.captcha_challenge()
    assert "Kode Captcha" in problems_of(flow.advance)[0]
    assert flow.captcha_challenge() is first
    assert flow.refresh_captcha() is not first


def test_captcha_turned_off_is_recorded_as_skipped(make_flow: MakeFlow) -> None:
    flow = make_flow(captcha_enabled=False)
    seen = walk(flow, 24)
    assert 7 not in seen
    assert 16 not in seen
    assert flow.state.captcha_skipped == {7, 16}
    assert {7, 8, 16} <= flow.state.completed_steps
    assert flow.captcha_challenge() is None


def test_captcha_only_on_captcha_pages(flow: RegistrationFlow) -> None:
    assert flow.captcha_challenge() is None
    walk(flow, 16)
    assert flow.captcha_challenge() is not None


# ------------------------------------------------------------------ step 9, 10, 11


def test_back_to_fix_at_9_changes_a_field_and_continues(flow: RegistrationFlow, store: Any) -> None:
    walk(flow, 9)
    old_hash = flow.state.password_hash
    assert flow.back_to_fix() == 2
    assert 10 in flow.state.completed_steps
    assert flow.value("nama") == "Siti Rahmawati"  # every value kept
    assert flow.set_value("nomor_hp", "0857-1122-3344") is None
    seen = [flow.current_step]
    while flow.current_step != 9:
        type_captcha(flow)
        flow.advance()
        seen.append(flow.current_step)
    assert seen == [2, 3, 5, 6, 7, 9]
    assert flow.state.password_hash == old_hash  # not retyped
    flow.advance()
    flow.confirm(True)
    stored = store.stored(flow.state.registration_id)
    assert stored["values"]["nomor_hp"] == "0857-1122-3344"
    assert stored["status"] == "akun_dibuat"


def test_back_on_page_9_is_step_10(flow: RegistrationFlow) -> None:
    walk(flow, 9)
    assert flow.back() == 6
    assert 10 in flow.state.completed_steps


def test_back_to_fix_only_from_page_9(flow: RegistrationFlow) -> None:
    walk(flow, 6)
    problems_of(flow.back_to_fix)
    walk(flow, 9)
    with pytest.raises(ValueError, match="not a page to fix"):
        flow.back_to_fix(7)


def test_tidak_on_dialog_11_returns_to_9(flow: RegistrationFlow, store: Any) -> None:
    walk(flow, 11)
    assert flow.confirm(False) == 9
    assert flow.status is RecordStatus.DRAF
    assert store.stored(flow.state.registration_id)["current_step"] == 9
    walk(flow, 11)
    assert "'Iya' atau 'Tidak'" in problems_of(flow.advance)[0]


def test_failed_account_creation_leaves_the_draft_unchanged(
    flow: RegistrationFlow, store: Any
) -> None:
    walk(flow, 11)
    store.fail_create = ConflictError("NIK ini baru saja dibuatkan akun oleh petugas lain.")
    with pytest.raises(ConflictError):
        flow.confirm(True)
    assert flow.current_step == 11
    assert flow.status is RecordStatus.DRAF
    assert flow.state.account_number is None
    assert 11 not in flow.state.completed_steps
    assert not flow.is_locked("nama")


def test_identity_is_locked_once_the_account_exists(flow: RegistrationFlow) -> None:
    walk(flow, 12)
    for key in ("nama", "tempat_lahir", "tanggal_lahir", "nik", "jenis_kelamin"):
        with pytest.raises(FieldError) as info:
            flow.set_value(key, "x")
        assert info.value.field == key
        assert "tidak dapat diubah lagi karena akun sudah dibuat" in info.value.message
    assert flow.lock_reason("nama") == (
        "Nama Lengkap tidak dapat diubah lagi karena akun sudah dibuat."
    )
    with pytest.raises(FieldError, match="Pas foto"):
        flow.attach_document(doc("pas_foto", 9))
    with pytest.raises(FieldError, match="Lupa Kata Sandi"):
        flow.set_value("kata_sandi", "BaruSekali1")
    assert flow.value("nama") == "Siti Rahmawati"
    assert flow.set_value("nomor_hp", "0813-9999-0000") is None


def test_no_way_back_across_the_account_or_the_login(flow: RegistrationFlow) -> None:
    walk(flow, 12)
    assert not flow.can_go_back()
    assert "Akun sudah dibuat" in problems_of(flow.back)[0]
    flow.advance()
    assert flow.back() == 12  # to print again
    walk(flow, 15)
    assert "Login pendaftaran sudah dilakukan" in problems_of(flow.back)[0]
    walk(flow, 17)
    assert flow.back() == 15  # the captcha page is not a way back
    walk(flow, 21)
    assert flow.back() == 19


# ------------------------------------------------------------------ login


def test_login_failures_say_why(flow: RegistrationFlow) -> None:
    walk(flow, 13)
    assert "Masuk dulu" in problems_of(flow.advance)[0]
    assert not flow.login(ASEP["nik"], PASSWORD)
    assert flow.errors() == {"login_nik": "NIK tidak sesuai dengan akun yang sedang dibuka."}
    assert not flow.login("3171 0157 0885", PASSWORD)
    assert "16 digit" in flow.errors()["login_nik"]
    assert not flow.login("3171.0157.0885.0003", "rahasia2022")
    assert flow.problems() == ["Kata sandi salah. Bila lupa, gunakan 'Lupa Kata Sandi'."]
    assert flow.current_step == 13
    assert flow.login("3171.0157.0885.0003", PASSWORD)
    assert flow.logged_in
    assert flow.advance() == 15
    assert {13, 14} <= flow.state.completed_steps


def test_forgotten_password_is_reset_with_the_security_answer(
    flow: RegistrationFlow, store: Any
) -> None:
    walk(flow, 13)
    problems = problems_of(lambda: flow.reset_password("Sri Wahyu", "SandiBaru77", "SandiBaru7"))
    assert problems[0] == "Jawaban pengaman salah."
    assert any("tidak sama" in p for p in problems)
    problems = problems_of(lambda: flow.reset_password(ANSWER, "3171015708850003", ""))
    assert any("tidak memuat NIK" in p for p in problems)

    flow.reset_password("  sri   WAHYUNI ", "SandiBaru77", "SandiBaru77")
    assert store.audit[-1] == (
        flow.state.registration_id,
        "Kata sandi akun diganti melalui pertanyaan pengaman.",
    )
    assert not flow.login(SITI["nik"], PASSWORD)
    assert flow.login(SITI["nik"], "SandiBaru77")


# ------------------------------------------------------------------ step 17: work history


def test_work_history_guard(flow: RegistrationFlow) -> None:
    walk(flow, 17)
    # The roster's SK pre-filled a first entry (flow/prefill.py); the clerk removed it.
    assert flow.state.work_history[0]["unit_kerja"] == "SD Negeri Gambir 01"
    flow.set_work_history([])
    problems = problems_of(flow.advance)
    assert problems[0] == "Isi paling sedikit satu riwayat pekerjaan (satu baris per SK)."
    assert any("Masih aktif" in p for p in problems)
    assert any(p.startswith("SK Jabatan") and "belum diunggah" in p for p in problems)
    assert any(p.startswith("Bukti pembayaran gaji") for p in problems)

    wrong = {**SITI_HISTORY[0], "tanggal_selesai": "31-12-2014", "gaji_bulanan": "banyak"}
    errors = flow.set_work_history([wrong, SITI_HISTORY[1]])
    assert set(errors[0]) == {"tanggal_selesai", "gaji_bulanan"}
    assert errors[1] == {}
    problems = problems_of(flow.advance)
    assert any(
        p.startswith("Riwayat pekerjaan 1, ") and "tidak boleh sebelum" in p for p in problems
    )
    with pytest.raises(KeyError):
        flow.set_work_history([{"hobi": "catur"}])
    with pytest.raises(ValueError, match="set_work_history"):
        flow.set_value("tmt", "01-01-2020")


def test_sk_variant_is_recorded_from_bentuk_sk(flow: RegistrationFlow) -> None:
    walk(flow, 17)
    flow.attach_document(doc("sk_jabatan", 6))
    flow.set_value("bentuk_sk", "surat_keterangan")
    assert flow.state.documents["sk_jabatan"].variant == "surat_keterangan"
    flow.attach_document(doc("sk_jabatan", 8))
    assert flow.state.documents["sk_jabatan"].variant == "surat_keterangan"


def test_live_eligibility_follows_typing(flow: RegistrationFlow) -> None:
    walk(flow, 17)
    result = flow.eligibility()
    assert not result.eligible
    assert set(result.failed_codes) == {"E1", "E2", "E3", "E4"}  # E5 from the birth date
    flow.set_work_history(SITI_HISTORY)
    flow.set_value("masih_aktif", "ya")
    result = flow.eligibility()
    assert result.eligible
    # E4 counts from the first SK (2015); E2/E3 follow the current one.
    e4 = next(c for c in result.criteria if c.code == "E4")
    assert "05-01-2015" in e4.reason
    flow.set_work_history([SITI_HISTORY[1], SITI_HISTORY[0]])  # order of typing is irrelevant
    assert flow.eligibility().eligible
    flow.set_work_history([SITI_HISTORY[0]])
    assert set(flow.eligibility().failed_codes) == {"E2", "E3"}


def test_tms_record_still_completes_and_is_flagged(make_flow: MakeFlow, store: Any) -> None:
    flow = make_flow()
    walk(flow, 24, person=ASEP, history=ASEP_HISTORY)
    assert flow.status is RecordStatus.PENDAFTARAN_SELESAI
    assert flow.state.is_tms
    eligibility = flow.state.eligibility
    assert eligibility is not None
    assert eligibility.failed_codes == ("E2", "E4")
    stored = store.stored(flow.state.registration_id)
    assert stored["eligibility"]["outcome"] == "TMS"
    assert stored["values"]["nama"] == "Asep Saepudin"
    assert stored["work_history"][0]["sumber_gaji"] == "lainnya"


# ------------------------------------------------------------------ review, declaration, end


def test_no_declaration_no_step_22(flow: RegistrationFlow) -> None:
    walk(flow, 21)
    flow.set_declaration(False)
    problems = problems_of(flow.advance)
    assert problems == [
        "Centang pernyataan bahwa data yang diisikan benar dan dapat dipertanggungjawabkan."
    ]
    assert flow.current_step == 21
    assert 22 not in flow.state.completed_steps
    flow.set_declaration(True)
    assert flow.advance() == 23
    assert 22 in flow.state.completed_steps
    assert flow.confirm(False) == 21
    assert flow.status is RecordStatus.AKUN_DIBUAT


def test_a_change_after_review_asks_for_review_and_declaration_again(
    flow: RegistrationFlow,
) -> None:
    walk(flow, 21)
    flow.set_declaration(True)
    flow.back()
    flow.back()
    assert flow.current_step == 17
    flow.set_value("bentuk_sk", "fotokopi_legalisir")
    assert not flow.state.reviewed
    assert not flow.state.declaration
    flow.advance()
    flow.advance()
    assert flow.state.reviewed
    assert flow.current_step == 21
    assert not flow.can_advance()


# ------------------------------------------------------------------ resume


def test_resume_mid_way_lands_on_the_same_step(
    make_flow: MakeFlow, store: Any, policy: Policy
) -> None:
    flow = make_flow()
    walk(flow, 17)
    flow.set_work_history(SITI_HISTORY)
    flow.save()
    registration_id = flow.state.registration_id
    assert registration_id is not None

    again = RegistrationFlow.resume(
        policy, store, registration_id, today=lambda: dt.date(2022, 9, 16)
    )
    assert again.current_step == 17
    assert again.status is RecordStatus.AKUN_DIBUAT
    assert again.state.work_history == flow.state.work_history
    assert again.value("nama") == "Siti Rahmawati"
    assert again.is_locked("nama")
    fill(again, WORK)
    again.attach_document(doc("sk_jabatan", 6))
    again.attach_document(doc("bukti_gaji", 7))
    assert again.advance() == 19


def test_resume_of_a_draft_on_page_5_asks_for_the_password_again(
    make_flow: MakeFlow, store: Any, policy: Policy
) -> None:
    flow = make_flow()
    walk(flow, 5)
    do_page(flow, SITI, SITI_HISTORY)
    flow.save()
    again = RegistrationFlow.resume(policy, store, flow.state.registration_id or 0)
    assert again.current_step == 5
    assert again.value("kata_sandi") == ""
    assert any("Kata Sandi wajib diisi" in p for p in again.problems())


def test_a_state_saved_on_dialog_11_resumes_on_page_9(
    make_flow: MakeFlow, store: Any, policy: Policy
) -> None:
    flow = make_flow()
    walk(flow, 11)
    registration_id = flow.state.registration_id
    assert store.stored(registration_id)["current_step"] == 11
    again = RegistrationFlow.resume(policy, store, registration_id)
    assert again.current_step == 9
    assert again.page == 9
    assert again.status is RecordStatus.DRAF
    assert again.advance() == 11


def test_a_state_saved_on_dialog_23_resumes_on_page_21(
    make_flow: MakeFlow, store: Any, policy: Policy
) -> None:
    flow = make_flow()
    walk(flow, 23)
    again = RegistrationFlow.resume(policy, store, flow.state.registration_id or 0)
    assert again.current_step == 21
    assert again.state.declaration
    assert again.advance() == 23
    assert again.confirm(True) == 24


def test_a_finished_record_cannot_be_resumed_for_editing(
    make_flow: MakeFlow, store: Any, policy: Policy
) -> None:
    flow = make_flow()
    walk(flow, 24)
    with pytest.raises(FlowError) as info:
        RegistrationFlow.resume(policy, store, flow.state.registration_id or 0)
    assert "Pendaftaran Selesai" in info.value.problems[0]


def test_a_record_sent_back_for_correction_resumes_at_15(
    make_flow: MakeFlow, store: Any, policy: Policy
) -> None:
    flow = make_flow()
    walk(flow, 24)
    registration_id = flow.state.registration_id or 0
    store.set_status(registration_id, RecordStatus.PERLU_PERBAIKAN)
    again = RegistrationFlow.resume(policy, store, registration_id)
    assert again.current_step == 15
    assert again.status is RecordStatus.PERLU_PERBAIKAN
    assert not again.state.declaration
    assert not again.state.reviewed
    assert store.stored(registration_id)["current_step"] == 15
    with pytest.raises(FieldError, match="akun sudah dibuat"):
        again.set_value("tanggal_lahir", "18-08-1985")
    assert again.set_value("alamat", "Jl. Kramat Raya No. 10, Senen, Jakarta Pusat") is None
    seen = walk(again, 24)
    assert seen == [15, 16, 17, 19, 21, 23, 24]
    assert again.status is RecordStatus.PENDAFTARAN_SELESAI


# ------------------------------------------------------------------ API edges


def test_set_value_keeps_invalid_text_and_returns_the_message(flow: RegistrationFlow) -> None:
    message = flow.set_value("tanggal_lahir", "17/13/1985")
    assert message is not None
    assert flow.value("tanggal_lahir") == "17/13/1985"
    assert flow.state.values["tanggal_lahir"] == "17/13/1985"
    assert flow.set_value("tanggal_lahir", "") is not None
    assert "tanggal_lahir" not in flow.state.values
    with pytest.raises(KeyError):
        flow.set_value("hobi", "catur")
    with pytest.raises(ValueError, match="set_declaration"):
        flow.set_value("pernyataan", "ya")


def test_dialogs_want_an_answer_and_the_first_page_has_no_back(flow: RegistrationFlow) -> None:
    assert not flow.can_go_back()
    assert problems_of(flow.back) == ["Ini halaman pertama."]
    assert "konfirmasi" in problems_of(lambda: flow.confirm(True))[0]
    walk(flow, 11)
    assert "'Iya' atau 'Tidak'" in problems_of(flow.advance)[0]
    assert flow.back() == 9  # "Tidak"


def test_forward_table_matches_the_policy(policy: Policy) -> None:
    for page, (buttons, target) in FORWARD.items():
        assert policy.step(page).kind == "page"
        assert all(policy.step(b).on_page == page for b in buttons)
        assert policy.step(target).kind in ("page", "dialog")


def test_a_policy_that_moved_the_steps_is_refused(policy: Policy, store: Any) -> None:
    steps = list(policy.steps)
    steps[3] = dataclasses.replace(steps[3], kind="page", on_page=None)
    moved = dataclasses.replace(policy, steps=tuple(steps))
    with pytest.raises(PolicyFileError, match="langkah 4 harus tombol pada halaman 3"):
        RegistrationFlow(moved, store)
