"""What it takes to leave each step of the 24: the *guards*, as pure functions.

A guard looks at a :class:`GuardView` (the state, the typed values, what the captcha and the
login say, and the store's answer to "is this NIK registered already?") and returns every
problem in Indonesian, not only the first; an empty list lets the step be left. Guards change
nothing. The table of what each step asks is in the docstring of :mod:`.machine`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from nonasn_desktop.errors import FieldError, UserError
from nonasn_desktop.flow.captcha import CaptchaChallenge
from nonasn_desktop.flow.ports import ExistingRegistration
from nonasn_desktop.flow.state import RegistrationState
from nonasn_desktop.flow.steps import (
    ACCOUNT_DIALOG,
    ACCOUNT_GUARDS,
    ACCOUNT_REVIEW_STEP,
    ANSWER_FIELD,
    CAPTCHA_FIELD,
    DECLARATION_FIELD,
    DECLARATION_STEP,
    FINISH_DIALOG,
    IDENTITY_STEP,
    LOGIN_FIELDS,
    LOGIN_STEP,
    NOT_REGISTERED,
    PASSWORD_FIELDS,
    PASSWORD_STEP,
    READ_ONLY,
    REGISTRATION_GUARDS,
    ROSTER_STEP,
    SECURITY_FIELDS,
    SECURITY_LOCKED,
    WORK_HISTORY_STEP,
)
from nonasn_desktop.flow.values import TypedValues, field_def, label
from nonasn_desktop.policy import Policy
from nonasn_desktop.rules.identity import NikInfo, nik_disagreements, parse_nik
from nonasn_desktop.rules.validators import validate_field

LOGIN_FIRST = "Masuk dulu dengan NIK dan kata sandi akun yang dibuat pada langkah 5."


@dataclass(frozen=True)
class GuardView:
    """Everything a guard may look at, read-only."""

    state: RegistrationState
    typed: TypedValues
    # Typed secrets and other memory-only values (see state.TRANSIENT_FIELDS).
    secrets: Mapping[str, str]
    captcha_enabled: bool
    captcha_pages: frozenset[int]
    # The captcha of the current page (drawn on first ask), or None.
    challenge: Callable[[], CaptchaChallenge | None]
    logged_in: bool
    # (field key, message) of the last failed login.
    login_error: tuple[str, str] | None
    find_registration_by_nik: Callable[[str], ExistingRegistration | None]

    @property
    def policy(self) -> Policy:
        return self.typed.policy


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def _fmt_date(day: dt.date) -> str:
    return day.strftime("%d-%m-%Y")


def problems(view: GuardView, step: int) -> list[str]:
    """What keeps ``step`` from being left; empty when it can be."""
    if step == IDENTITY_STEP:
        return identity_problems(view)
    if step == ROSTER_STEP:
        return roster_problems(view)
    if step == PASSWORD_STEP:
        return password_problems(view)
    if step in view.captcha_pages:
        return captcha_problems(view)
    if step in (ACCOUNT_REVIEW_STEP, ACCOUNT_DIALOG):
        return _unique(p for s in ACCOUNT_GUARDS for p in problems(view, s))
    if step == LOGIN_STEP:
        return login_problems(view)
    if step == WORK_HISTORY_STEP:
        return work_history_problems(view)
    if step in (DECLARATION_STEP, FINISH_DIALOG):
        return finish_problems(view)
    step_def = view.policy.step(step)
    if step_def.kind != "page":
        return []
    # Pages whose guard is just "fields valid, documents passed" (6, 15, and any page
    # added to the policy later).
    return view.typed.problems(step_def.fields) + document_problems(view, step)


# ----------------------------------------------------------------- phase A: the account


def nik_info(typed: TypedValues) -> NikInfo | None:
    """What the typed NIK says (region, birth date, sex), or None while it is not valid."""
    nik = typed.clean("nik")
    if not isinstance(nik, str):
        return None
    try:
        return parse_nik(nik, today=typed.today)
    except UserError:
        return None


def nik_warnings(typed: TypedValues) -> list[str]:
    """Where the NIK disagrees with the typed birth date and sex."""
    info = nik_info(typed)
    if info is None:
        return []
    birth = typed.clean("tanggal_lahir")
    sex = typed.clean("jenis_kelamin")
    return nik_disagreements(
        info,
        birth if isinstance(birth, dt.date) else None,
        sex if isinstance(sex, str) else None,
    )


def identity_problems(view: GuardView) -> list[str]:
    """Step 2: fields valid, the NIK agrees with birth date and sex, the NIK not taken."""
    typed = view.typed
    found = typed.problems(view.policy.step(IDENTITY_STEP).fields)
    found += nik_warnings(typed)
    nik = typed.clean("nik")
    if isinstance(nik, str):
        existing = view.find_registration_by_nik(nik)
        if existing is not None and existing.registration_id != view.state.registration_id:
            if existing.account_number:
                found.append(
                    f"NIK ini sudah terdaftar dengan nomor akun {existing.account_number} "
                    f"(status {existing.status.label}). Satu NIK hanya boleh didaftarkan "
                    "satu kali; buka pendaftaran yang sudah ada."
                )
            else:
                found.append(
                    f"NIK ini sudah ada dalam draf pendaftaran nomor "
                    f"{existing.registration_id} (status {existing.status.label}). Lanjutkan "
                    "draf tersebut; satu NIK hanya boleh didaftarkan satu kali."
                )
    return found


def roster_problems(view: GuardView) -> list[str]:
    """Step 3: registered by the Admin Instansi, birth date and sex as the roster's."""
    if view.state.roster is None:
        found = [NOT_REGISTERED]
    else:
        found = [message for blocking, message in roster_differences(view) if blocking]
    return found + view.typed.problems(view.policy.step(ROSTER_STEP).fields)


def roster_differences(view: GuardView) -> list[tuple[bool, str]]:
    """(blocks step 3?, message) for each difference between roster and typed data."""
    roster = view.state.roster
    if roster is None:
        return []
    typed = view.typed
    differences: list[tuple[bool, str]] = []
    nama = typed.raw("nama")
    if roster.nama and nama and not _same_text(roster.nama, nama):
        differences.append(
            (
                False,
                f"Nama berbeda dengan data Admin Instansi ('{roster.nama}'). Periksa ejaan "
                "sesuai KTP.",
            )
        )
    tempat = typed.raw("tempat_lahir")
    if roster.tempat_lahir and tempat and not _same_text(roster.tempat_lahir, tempat):
        differences.append(
            (
                False,
                f"Tempat lahir berbeda dengan data Admin Instansi ('{roster.tempat_lahir}'). "
                "Periksa sesuai KTP.",
            )
        )
    birth = typed.clean("tanggal_lahir")
    if (
        roster.tanggal_lahir is not None
        and isinstance(birth, dt.date)
        and birth != roster.tanggal_lahir
    ):
        differences.append(
            (
                True,
                "Tanggal lahir berbeda dengan data Admin Instansi "
                f"({_fmt_date(roster.tanggal_lahir)}). Data harus sama: perbaiki isian atau "
                "minta Admin Instansi memperbaiki datanya.",
            )
        )
    sex = typed.clean("jenis_kelamin")
    if roster.jenis_kelamin and isinstance(sex, str) and sex != roster.jenis_kelamin:
        differences.append(
            (
                True,
                "Jenis kelamin berbeda dengan data Admin Instansi "
                f"({typed.choice_label('jenis_kelamin', roster.jenis_kelamin)}). Data harus "
                "sama: perbaiki isian atau minta Admin Instansi memperbaiki datanya.",
            )
        )
    return differences


def keeps_hash(state: RegistrationState, secrets: Mapping[str, str], key: str) -> bool:
    """A secret of step 5 left empty while its hash from an earlier pass stands."""
    if key in PASSWORD_FIELDS:
        typed = any(secrets.get(k) for k in PASSWORD_FIELDS)
        return state.password_hash is not None and not typed
    if key == ANSWER_FIELD:
        return state.security_answer_hash is not None and not secrets.get(key)
    return False


def password_problems(view: GuardView) -> list[str]:
    """Step 5: password valid and repeated, question chosen, answer given."""
    state, secrets, typed = view.state, view.secrets, view.typed
    keys = [k for k in view.policy.step(PASSWORD_STEP).fields if not keeps_hash(state, secrets, k)]
    found = typed.problems(keys)
    if state.password_hash is not None and any(
        typed.message(k) is not None for k in PASSWORD_FIELDS if k in keys
    ):
        found.append(
            "Kata sandi yang sudah dibuat tetap berlaku bila kedua isian kata sandi "
            "dikosongkan; untuk menggantinya, ketik kata sandi baru dua kali."
        )
    redo = PASSWORD_STEP in state.completed_steps
    if redo and state.security_answer_hash is None and not secrets.get(ANSWER_FIELD):
        found.append("Pertanyaan pengaman diganti: ketik ulang jawaban pengaman.")
    return found


def captcha_problems(view: GuardView) -> list[str]:
    """Steps 7 and 16: the code typed is the picture's (nothing asked while turned off)."""
    if not view.captcha_enabled:
        return []
    typed = view.secrets.get(CAPTCHA_FIELD, "")
    if not typed.strip():
        return [f"{view.typed.label(CAPTCHA_FIELD)}: ketik kode yang tampak pada gambar."]
    challenge = view.challenge()
    if challenge is None or not challenge.matches(typed):
        return ["Kode captcha tidak sesuai dengan gambar. Ketik kode pada gambar yang baru."]
    return []


def document_problems(view: GuardView, step: int) -> list[str]:
    """The documents ``step`` requires: each attached and passed."""
    policy = view.policy
    found = []
    for kind in policy.step(step).documents:
        rule = policy.document(kind)
        if rule.required_at_step != step:
            continue
        ref = view.state.documents.get(kind)
        if ref is None:
            found.append(f"{rule.label}: belum diunggah.")
        elif not ref.passed:
            found.append(f"{rule.label}: berkas belum memenuhi syarat; perbaiki atau unggah ulang.")
    return found


# ----------------------------------------------------------------- phase B: the registration


def login_problems(view: GuardView) -> list[str]:
    """Step 13: a successful login."""
    if view.logged_in:
        return []
    if view.login_error is not None:
        return [view.login_error[1]]
    return [LOGIN_FIRST]


def work_history_errors(view: GuardView) -> list[dict[str, str]]:
    """Per work-history entry, field key → message."""
    group = view.policy.step(WORK_HISTORY_STEP).group_fields
    return [view.typed.entry_errors(group, entry) for entry in view.state.work_history]


def work_history_problems(view: GuardView) -> list[str]:
    """Step 17: at least one valid entry, the step's fields valid, its documents passed."""
    typed = view.typed
    found: list[str] = []
    if not view.state.work_history:
        found.append("Isi paling sedikit satu riwayat pekerjaan (satu baris per SK).")
    for number, errors in enumerate(work_history_errors(view), start=1):
        for key, message in errors.items():
            found.append(typed.with_label(key, message, f"Riwayat pekerjaan {number}, "))
    found += typed.problems(view.policy.step(WORK_HISTORY_STEP).fields)
    found += document_problems(view, WORK_HISTORY_STEP)
    return found


def finish_problems(view: GuardView) -> list[str]:
    """Steps 21 and 23: 15 and 17 again, the resume reviewed, the declaration ticked."""
    found = [p for s in REGISTRATION_GUARDS for p in problems(view, s)]
    if not view.state.reviewed:
        found.append("Periksa kembali resume data sebelum mengakhiri pendaftaran.")
    if not view.state.declaration:
        found.append(
            "Centang pernyataan bahwa data yang diisikan benar dan dapat dipertanggungjawabkan."
        )
    return _unique(found)


# ----------------------------------------------------------------- fields and locks


def field_errors(view: GuardView, page_number: int) -> dict[str, str]:
    """Field key → message for the fields of a page that are not valid (see flow.errors)."""
    page = view.policy.step(page_number)
    result: dict[str, str] = {}
    for key in page.fields:
        if key == DECLARATION_FIELD or key in LOGIN_FIELDS:
            continue
        if keeps_hash(view.state, view.secrets, key):
            continue
        message = view.typed.message(key)
        if message is not None:
            result[key] = message
    if page.number == LOGIN_STEP and view.login_error is not None:
        key, message = view.login_error
        result[key] = message
    return result


def lock_reason(policy: Policy, state: RegistrationState, key: str) -> str | None:
    """Why a field key or a document kind can no longer be changed by the clerk, or None."""
    if state.finished:
        return READ_ONLY
    if not state.has_account:
        return None
    if key in state.locked_fields:
        return f"{label(policy, key)} tidak dapat diubah lagi karena akun sudah dibuat."
    if key in SECURITY_FIELDS:
        return SECURITY_LOCKED
    return None


# ----------------------------------------------------------------- the account's secrets


def login_nik_error(typed: TypedValues, nik: str) -> tuple[str, str] | None:
    """Step 13: (field, message) when the NIK typed to log in is not the record's, else None."""
    try:
        login = validate_field(
            field_def(typed.policy, "login_nik"), nik, {}, typed.policy, today=typed.today
        )
    except FieldError as error:
        return ("login_nik", error.message)
    if login != typed.clean("nik"):
        return ("login_nik", "NIK tidak sesuai dengan akun yang sedang dibuka.")
    return None


def new_password_problems(
    typed: TypedValues, state: RegistrationState, new_password: str, again: str
) -> list[str]:
    """The new password of "Lupa Kata Sandi": the policy's strength, typed twice alike.

    Checked beside the record's saved values only (not the secrets typed on other pages).
    """
    values = {**state.values, "kata_sandi": new_password, "kata_sandi_ulang": again}
    found = []
    for key in PASSWORD_FIELDS:
        message = typed.message(key, values[key], values)
        if message is not None:
            found.append(typed.with_label(key, message))
    return found
