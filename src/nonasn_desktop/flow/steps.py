"""The shape of the 24 steps the flow relies on: which page leads where, the dialogs, the step
numbers with a job of their own, and the texts the flow refuses with.

What the steps *are* (titles, fields, documents, kinds) is policy (``forms/steps.toml``); this
module is the code's side of that contract. :func:`check_policy` refuses a policy that moved a
step the guards (:mod:`.guards`) and the machine (:mod:`.machine`) are keyed on. The helpers
below are pure functions of the policy and the state: where "Kembali" leads, and which page a
loaded state is shown on.
"""

from __future__ import annotations

from nonasn_desktop.errors import PolicyFileError
from nonasn_desktop.flow.state import RegistrationState
from nonasn_desktop.policy import Policy
from nonasn_desktop.rules.status import RecordStatus

# Forward moves from each page: (button steps passed on the way, the step landed on).
# Step 10 ("Kembali" on page 9) is not on the way forward: it is back()/back_to_fix().
FORWARD: dict[int, tuple[tuple[int, ...], int]] = {
    1: ((), 2),
    2: ((), 3),
    3: ((4,), 5),
    5: ((), 6),
    6: ((), 7),
    7: ((8,), 9),
    9: ((), 11),
    12: ((), 13),
    13: ((14,), 15),
    15: ((), 16),
    16: ((), 17),
    17: ((18,), 19),
    19: ((20,), 21),
    21: ((22,), 23),
}
# Dialogs: (step after "Iya", step after "Tidak").
DIALOGS: dict[int, tuple[int, int]] = {11: (12, 9), 23: (24, 21)}

IDENTITY_STEP = 2
ROSTER_STEP = 3
PASSWORD_STEP = 5
ACCOUNT_REVIEW_STEP = 9
FIX_BUTTON_STEP = 10
ACCOUNT_DIALOG = 11
ACCOUNT_CREATED_STEP = 12
LOGIN_STEP = 13
FIRST_REGISTRATION_STEP = 15
WORK_HISTORY_STEP = 17
RESUME_STEP = 19
DECLARATION_STEP = 21
FINISH_DIALOG = 23
DONE_STEP = 24
# Pages of phase A that "Kembali" on page 9 may return to (they hold data).
FIX_PAGES = (2, 3, 5, 6)
# Page 9 re-checks these guards before the account is made; page 21 these before finishing.
ACCOUNT_GUARDS = (2, 3, 5, 6)
REGISTRATION_GUARDS = (15, 17)

NOT_REGISTERED = (
    "Anda Belum Didaftarkan oleh Admin Instansi. Silakan melapor kepada Admin Instansi "
    "(bagian kepegawaian) tempat Anda bekerja agar didaftarkan terlebih dahulu."
)
READ_ONLY = (
    "Pendaftaran sudah diakhiri; data tidak dapat diubah kecuali dikembalikan oleh "
    "verifikator untuk diperbaiki."
)
SECURITY_LOCKED = (
    "Akun sudah dibuat: kata sandi hanya dapat diganti melalui 'Lupa Kata Sandi', "
    "pertanyaan dan jawaban pengaman tidak dapat diubah."
)

PASSWORD_FIELDS = ("kata_sandi", "kata_sandi_ulang")
ANSWER_FIELD = "jawaban_pengaman"
QUESTION_FIELD = "pertanyaan_pengaman"
SECURITY_FIELDS = frozenset({*PASSWORD_FIELDS, ANSWER_FIELD, QUESTION_FIELD})
CAPTCHA_FIELD = "captcha"
DECLARATION_FIELD = "pernyataan"
LOGIN_FIELDS = ("login_nik", "login_kata_sandi")


def captcha_pages(policy: Policy) -> frozenset[int]:
    """The pages that ask for a captcha (7 and 16 in the portal)."""
    return frozenset(
        s.number for s in policy.steps if s.kind == "page" and CAPTCHA_FIELD in s.fields
    )


def check_policy(policy: Policy) -> None:
    """The guards assume the portal's 24 steps; refuse a policy that moved them."""
    problems = []
    steps = policy.steps
    for page, (buttons, target) in FORWARD.items():
        if steps[page - 1].kind != "page":
            problems.append(f"langkah {page} harus berjenis page")
        for button in buttons:
            if steps[button - 1].kind != "button" or steps[button - 1].on_page != page:
                problems.append(f"langkah {button} harus tombol pada halaman {page}")
        if steps[target - 1].kind == "button":
            problems.append(f"langkah {target} tidak boleh berjenis button")
    for dialog in DIALOGS:
        if steps[dialog - 1].kind != "dialog":
            problems.append(f"langkah {dialog} harus berjenis dialog")
    if not steps[WORK_HISTORY_STEP - 1].group_fields:
        problems.append(f"langkah {WORK_HISTORY_STEP} harus memuat group_fields")
    if problems:
        raise PolicyFileError("steps.toml", None, "; ".join(problems))


def back_target(
    policy: Policy, state: RegistrationState, captchas: frozenset[int]
) -> tuple[int | None, str]:
    """(page "Kembali" goes back to, or None with the reason) from the state's current step."""
    step = state.current_step
    if state.finished:
        return None, READ_ONLY
    if step in DIALOGS:
        return DIALOGS[step][1], ""
    if step == 1:
        return None, "Ini halaman pertama."
    if state.has_account and step == ACCOUNT_CREATED_STEP:
        return None, "Akun sudah dibuat; data pembuatan akun tidak dapat diubah lagi."
    if state.has_account and step == FIRST_REGISTRATION_STEP:
        return None, "Login pendaftaran sudah dilakukan; lanjutkan dari halaman ini."
    pages = [
        s.number
        for s in policy.steps
        if s.kind == "page" and s.number < step and s.number not in captchas
    ]
    return (pages[-1], "") if pages else (None, "Ini halaman pertama.")


def settle(policy: Policy, state: RegistrationState) -> None:
    """Put a loaded state on a page it can be shown on (dialogs and buttons → their page)."""
    if not 1 <= state.current_step <= len(policy.steps):
        state.current_step = 1
    if state.finished:
        state.current_step = DONE_STEP
        return
    if state.has_account and state.current_step < ACCOUNT_CREATED_STEP:
        state.current_step = ACCOUNT_CREATED_STEP
    if not state.has_account and state.current_step > ACCOUNT_REVIEW_STEP:
        state.current_step = ACCOUNT_REVIEW_STEP
    state.current_step = policy.step(state.current_step).page


def reopen_for_correction(state: RegistrationState) -> bool:
    """A record sent back by the verifier opens at step 15, to be reviewed and declared again.

    True when the state was moved (it must then be saved).
    """
    if state.status is not RecordStatus.PERLU_PERBAIKAN:
        return False
    if FIRST_REGISTRATION_STEP <= state.current_step < DONE_STEP:
        return False
    state.current_step = FIRST_REGISTRATION_STEP
    state.reviewed = False
    state.declaration = False
    return True
