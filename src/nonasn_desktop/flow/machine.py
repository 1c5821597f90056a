"""The 24 steps of the 2022 portal as a state machine, without Qt and without a database.

:class:`RegistrationFlow` is what a clerk's screens sit on: the GUI shows the page of
:attr:`RegistrationFlow.page`, passes every typed value to :meth:`RegistrationFlow.set_value`,
and calls :meth:`~RegistrationFlow.advance`, :meth:`~RegistrationFlow.back` and
:meth:`~RegistrationFlow.confirm` for the page's buttons. Persistence goes through the
:class:`~nonasn_desktop.flow.ports.FlowStore` port only.

What the steps are (titles, fields, documents, which step is a page, a button or a dialog) comes
from the policy (``forms/steps.toml``). What it takes to leave a step, the *guard*, is code,
keyed by step number:

====  ==========================================================================================
step  guard (every problem is listed, not only the first)
====  ==========================================================================================
1     none
2     the step's fields valid; the NIK agrees with the typed birth date and sex; no other
      registration holds this NIK. Leaving 2 enters 3, which looks the NIK up in the roster.
3     the Admin Instansi registered this NIK ("Anda Belum Didaftarkan oleh Admin Instansi");
      typed birth date and sex equal the roster's (a different name or birth place only warns);
      the step's fields valid. ``advance()`` passes button step 4 and lands on 5.
5     password fields valid and equal, question chosen, answer given. Leaving 5 hashes the
      password and the answer and forgets the plain text; afterwards the fields may stay empty
      (the hashes stand) or be retyped in full (new hashes).
6     the step's documents (ktp, pas_foto) attached and passed
7/16  the captcha typed matches the picture; a wrong one draws a new picture. With the captcha
      turned off the page is skipped and recorded in ``captcha_skipped``. ``advance()`` on 7
      passes button step 8 and lands on 9.
9     everything of 2, 3, 5 and 6 again; ``advance()`` opens dialog 11. ``back()`` /
      :meth:`RegistrationFlow.back_to_fix` is step 10, "Kembali".
11    dialog: ``confirm(True)`` creates the account (status akun_dibuat; identity locked) → 12
12    none → 13
13    a successful :meth:`RegistrationFlow.login`; ``advance()`` passes button step 14 → 15
15    the step's fields valid; the step's documents (ijazah, kk, swafoto) attached and passed
17    at least one work-history entry, each valid; masih_aktif and bentuk_sk valid; sk_jabatan
      and bukti_gaji attached and passed. Leaving 17 evaluates eligibility (a TMS result does
      not block). ``advance()`` passes button step 18 and lands on 19.
19    none; ``advance()`` is step 20, "Periksa Kembali" (marks the data reviewed) → 21
21    everything of 15 and 17 again, reviewed, declaration ticked; ``advance()`` is step 22 and
      opens dialog 23
23    dialog: ``confirm(True)`` ends the registration (status pendaftaran_selesai) → 24
====  ==========================================================================================

Status follows the steps: 1–11 in draf, 12–23 in akun_dibuat (perlu_perbaikan while a record
sent back by the verifier is corrected), 24 in pendaftaran_selesai.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
from collections.abc import Callable, Iterable, Mapping

from nonasn_desktop.crypto.passwords import hash_secret, normalise_answer, verify_secret
from nonasn_desktop.errors import FieldError, FlowError, PolicyFileError, UserError
from nonasn_desktop.flow.captcha import CaptchaChallenge, new_challenge
from nonasn_desktop.flow.ports import FlowStore
from nonasn_desktop.flow.prefill import prefill
from nonasn_desktop.flow.state import (
    FINISHED_STATUSES,
    TRANSIENT_FIELDS,
    DocumentRef,
    RegistrationState,
)
from nonasn_desktop.policy import FieldDef, Policy, Step
from nonasn_desktop.rules.eligibility import EligibilityInput, EligibilityResult, evaluate
from nonasn_desktop.rules.identity import NikInfo, nik_disagreements, parse_nik
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.rules.validators import validate_field, validate_fields

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


def _fmt_date(day: dt.date) -> str:
    return day.strftime("%d-%m-%Y")


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


class RegistrationFlow:
    """One registration, walked through the 24 steps. See the module docstring for the guards."""

    def __init__(
        self,
        policy: Policy,
        store: FlowStore,
        *,
        captcha_enabled: bool = True,
        today: Callable[[], dt.date] | None = None,
        state: RegistrationState | None = None,
        captcha_rng: random.Random | None = None,
        hasher: Callable[[str], str] = hash_secret,
        verifier: Callable[[str, str], bool] = verify_secret,
    ) -> None:
        self._policy = policy
        # Injectable so that bulk demo data hashes and verifies its one known password once
        # instead of twice per record (argon2id is slow on purpose).
        self._hash = hasher
        self._verify = verifier
        self._store = store
        self._captcha_enabled = captcha_enabled
        self._today = today if today is not None else dt.date.today
        self._rng = captcha_rng
        self._state = state if state is not None else RegistrationState()
        # Typed secrets and other memory-only values (see state.TRANSIENT_FIELDS).
        self._secrets: dict[str, str] = {}
        self._challenge: CaptchaChallenge | None = None
        self._logged_in = False
        # (field key, message) of the last failed login.
        self._login_error: tuple[str, str] | None = None
        self._check_policy()
        self._captcha_pages = frozenset(
            s.number for s in policy.steps if s.kind == "page" and CAPTCHA_FIELD in s.fields
        )
        work = policy.step(WORK_HISTORY_STEP)
        self._group_fields = work.group_fields
        self._settle()

    @classmethod
    def resume(
        cls,
        policy: Policy,
        store: FlowStore,
        registration_id: int,
        *,
        captcha_enabled: bool = True,
        today: Callable[[], dt.date] | None = None,
        captcha_rng: random.Random | None = None,
    ) -> RegistrationFlow:
        """Continue a saved registration where it was left.

        A state saved on a dialog (11, 23) comes back on the dialog's page. A record sent back
        by the verifier (perlu_perbaikan) opens at step 15 for correction, identity still
        locked, and must be reviewed and declared again. A finished record cannot be edited:
        FlowError.
        """
        state = store.load(registration_id)
        if state.status in FINISHED_STATUSES:
            raise FlowError(
                state.current_step,
                [
                    f"Pendaftaran ini sudah diakhiri (status {state.status.label}) dan tidak "
                    "dapat diubah lagi kecuali dikembalikan oleh verifikator untuk diperbaiki."
                ],
            )
        moved = False
        if state.status is RecordStatus.PERLU_PERBAIKAN and not (
            FIRST_REGISTRATION_STEP <= state.current_step < DONE_STEP
        ):
            state.current_step = FIRST_REGISTRATION_STEP
            state.reviewed = False
            state.declaration = False
            moved = True
        flow = cls(
            policy,
            store,
            captcha_enabled=captcha_enabled,
            today=today,
            state=state,
            captcha_rng=captcha_rng,
        )
        if moved:
            flow.save()
        return flow

    # ----------------------------------------------------------------- reading

    @property
    def policy(self) -> Policy:
        return self._policy

    @property
    def state(self) -> RegistrationState:
        return self._state

    @property
    def current_step(self) -> int:
        """The step the flow rests on: a page, or a dialog (11, 23) open over its page."""
        return self._state.current_step

    @property
    def step(self) -> Step:
        return self._policy.step(self._state.current_step)

    @property
    def page(self) -> int:
        """The page to show (for a dialog, the page under it)."""
        return self.step.page

    @property
    def status(self) -> RecordStatus:
        return self._state.status

    @property
    def captcha_enabled(self) -> bool:
        return self._captcha_enabled

    def value(self, key: str) -> str:
        """The raw text of a field as typed ("" when empty); secrets only while in memory."""
        if key in TRANSIENT_FIELDS:
            return self._secrets.get(key, "")
        return self._state.values.get(key, "")

    def errors(self) -> dict[str, str]:
        """Field key → message for the fields of the current page that are not valid.

        Includes empty required fields: the GUI decides which ones the clerk has touched.
        Password fields left empty once the password is hashed are not errors (the hash
        stands); login fields report the last failed :meth:`login`. Work-history entries are
        in :meth:`work_history_errors`.
        """
        page = self._policy.step(self.page)
        result: dict[str, str] = {}
        for key in page.fields:
            if key == DECLARATION_FIELD:
                continue
            if key in ("login_nik", "login_kata_sandi"):
                continue
            if self._keeps_hash(key):
                continue
            message = self._message(key)
            if message is not None:
                result[key] = message
        if page.number == LOGIN_STEP and self._login_error is not None:
            key, message = self._login_error
            result[key] = message
        return result

    def work_history_errors(self) -> list[dict[str, str]]:
        """Per work-history entry, field key → message."""
        return [self._entry_errors(entry) for entry in self._state.work_history]

    def problems(self) -> list[str]:
        """What keeps the current step from being left, in Indonesian; empty when it can be."""
        return self._guard(self.current_step)

    def can_advance(self) -> bool:
        step = self.current_step
        return step in FORWARD and not self._state.finished and not self.problems()

    def can_go_back(self) -> bool:
        return self._back_target()[0] is not None

    def is_locked(self, key: str) -> bool:
        """Whether a field key or a document kind can no longer be changed by the clerk."""
        return self.lock_reason(key) is not None

    def lock_reason(self, key: str) -> str | None:
        state = self._state
        if state.finished:
            return READ_ONLY
        if not state.has_account:
            return None
        if key in state.locked_fields:
            label = self._label(key)
            return f"{label} tidak dapat diubah lagi karena akun sudah dibuat."
        if key in SECURITY_FIELDS:
            return SECURITY_LOCKED
        return None

    def eligibility(self) -> EligibilityResult:
        """Eligibility from whatever is filled in so far (invalid or empty inputs fail).

        Birth date from tanggal_lahir, active from masih_aktif, first TMT = the earliest valid
        TMT among the work-history entries. Funding, procurement and appointer come from the
        *current* entry, the one with the latest valid TMT (the last such entry on a tie):
        E2 and E3 ask how the person is paid and was appointed now, while a person who started
        under an older SK signed by a lower official but is now appointed properly meets E3.
        """
        return evaluate(self._eligibility_input(), self._policy.eligibility)

    def nik_info(self) -> NikInfo | None:
        """What the typed NIK says (region, birth date, sex), or None while it is not valid."""
        nik = self._clean("nik")
        if not isinstance(nik, str):
            return None
        try:
            return parse_nik(nik, today=self._today())
        except UserError:
            return None

    def nik_warnings(self) -> list[str]:
        """Where the NIK disagrees with the typed birth date and sex (live, as typed)."""
        info = self.nik_info()
        if info is None:
            return []
        birth = self._clean("tanggal_lahir")
        sex = self._clean("jenis_kelamin")
        return nik_disagreements(
            info,
            birth if isinstance(birth, dt.date) else None,
            sex if isinstance(sex, str) else None,
        )

    def roster_warnings(self) -> list[str]:
        """Every difference between the roster entry and the typed data (step 3 shows them).

        A different birth date or sex also blocks step 3; name and birth place only warn.
        """
        return [message for _, message in self._roster_differences()]

    def captcha_challenge(self) -> CaptchaChallenge | None:
        """The captcha to show on the current page, or None (no captcha here, or turned off)."""
        if not self._captcha_enabled or self.page not in self._captcha_pages:
            return None
        if self._challenge is None:
            self._challenge = new_challenge(self._rng)
        return self._challenge

    # ----------------------------------------------------------------- writing

    def set_value(self, key: str, raw: str) -> str | None:
        """Keep ``raw`` for ``key`` (even when invalid) and return its error message or None.

        Secrets (password, answer, login password, captcha) are kept in memory only. A locked
        field raises FieldError with the reason. Does not save: call :meth:`save` when the GUI
        commits the page.
        """
        self._field(key)
        if key in self._group_fields:
            raise ValueError(f"{key} belongs to a work-history entry; use set_work_history()")
        if key == DECLARATION_FIELD:
            raise ValueError("the declaration is a checkbox; use set_declaration()")
        reason = self.lock_reason(key)
        if reason is not None:
            raise FieldError(key, reason)
        if key in TRANSIENT_FIELDS:
            self._put(self._secrets, key, raw)
            if key.startswith("login_"):
                self._login_error = None
        else:
            changed = self._put(self._state.values, key, raw)
            if changed:
                self._after_change(key)
        return self._message(key)

    def set_work_history(self, entries: list[dict[str, str]]) -> list[dict[str, str]]:
        """Replace the work history (step 17); returns each entry's errors (key → message)."""
        reason = self.lock_reason("riwayat_pekerjaan")
        if reason is not None:
            raise FieldError("riwayat_pekerjaan", reason)
        cleaned: list[dict[str, str]] = []
        for entry in entries:
            unknown = set(entry) - set(self._group_fields)
            if unknown:
                raise KeyError(f"not work-history fields: {sorted(unknown)}")
            cleaned.append({k: v for k, v in entry.items() if v != ""})
        if cleaned != self._state.work_history:
            self._state.work_history = cleaned
            self._invalidate_review()
        return self.work_history_errors()

    def attach_document(self, ref: DocumentRef) -> None:
        """Record a checked document (replacing any earlier one of the same kind)."""
        rule = self._policy.documents.rules.get(ref.kind)
        if rule is None:
            raise KeyError(f"unknown document kind {ref.kind!r}")
        reason = self.lock_reason(ref.kind)
        if reason is not None:
            raise FieldError(ref.kind, reason)
        self._state.documents[ref.kind] = ref
        self._sync_sk_variant()
        self._invalidate_review()

    def detach_document(self, kind: str) -> None:
        reason = self.lock_reason(kind)
        if reason is not None:
            raise FieldError(kind, reason)
        if self._state.documents.pop(kind, None) is not None:
            self._invalidate_review()

    def set_declaration(self, ticked: bool) -> None:
        """Step 21: the declaration box."""
        if self._state.finished:
            raise FieldError(DECLARATION_FIELD, READ_ONLY)
        self._state.declaration = ticked

    def save(self) -> int:
        """Persist the state (store.save_draft); returns the registration id."""
        return self._save()

    # ----------------------------------------------------------------- moving

    def advance(self) -> int:
        """Leave the current page forward; returns the step now current. FlowError on problems."""
        step = self.current_step
        self._refuse_when_finished()
        if step in DIALOGS:
            raise FlowError(step, ["Jawab dulu pertanyaan konfirmasi: 'Iya' atau 'Tidak'."])
        if step not in FORWARD:
            raise FlowError(step, ["Tidak ada langkah sesudah halaman ini."])
        problems = self._guard(step)
        if problems:
            if step in self._captcha_pages and self._secrets.get(CAPTCHA_FIELD):
                self.refresh_captcha()
            raise FlowError(step, problems)
        self._leave(step)
        self._move_forward(step)
        self._save()
        return self.current_step

    def confirm(self, yes: bool) -> int:
        """Answer the open dialog: 11 (create the account) or 23 (end the registration)."""
        step = self.current_step
        self._refuse_when_finished()
        if step not in DIALOGS:
            raise FlowError(step, ["Tidak ada konfirmasi yang menunggu jawaban."])
        after_yes, after_no = DIALOGS[step]
        if not yes:
            self._enter(after_no)
            self._save()
            return self.current_step
        problems = self._guard(step)
        if problems:
            raise FlowError(step, problems)
        before = copy.deepcopy(self._state)
        try:
            self._state.completed_steps.add(step)
            self._state.current_step = after_yes
            if step == ACCOUNT_DIALOG:
                number = self._store.create_account(self._state)
                self._state.status = RecordStatus.AKUN_DIBUAT
                self._state.account_number = number
            else:
                self._state.eligibility = self.eligibility()
                self._store.complete_registration(self._state)
                self._state.status = RecordStatus.PENDAFTARAN_SELESAI
        except BaseException:
            self._state = before
            raise
        self._enter(after_yes)
        return self.current_step

    def back(self) -> int:
        """Go to the previous page of the same phase (values are kept); FlowError when not.

        On a dialog this is "Tidak". On page 9 it is step 10, "Kembali" (see back_to_fix).
        Captcha pages are skipped: a captcha is only typed going forward.
        """
        step = self.current_step
        if step in DIALOGS and not self._state.finished:
            return self.confirm(False)
        target, reason = self._back_target()
        if target is None:
            raise FlowError(step, [reason])
        if step == ACCOUNT_REVIEW_STEP:
            return self.back_to_fix(target)
        self._enter(target)
        self._save()
        return self.current_step

    def back_to_fix(self, page: int = 2) -> int:
        """Step 10: from page 9 back to an earlier page of phase A, keeping every value.

        The clerk then advances through the pages again; every guard runs again. A password
        already hashed need not be retyped.
        """
        if page not in FIX_PAGES:
            raise ValueError(f"page {page} is not a page to fix data on: {FIX_PAGES}")
        step = self.current_step
        if step != ACCOUNT_REVIEW_STEP or self._state.has_account:
            raise FlowError(
                step, ["Kembali untuk memperbaiki data hanya dapat dari halaman Cek Ulang Data."]
            )
        self._state.completed_steps.add(FIX_BUTTON_STEP)
        self._enter(page)
        self._save()
        return self.current_step

    def refresh_captcha(self) -> CaptchaChallenge | None:
        """Draw a new captcha for the current page (and forget what was typed)."""
        self._challenge = None
        self._secrets.pop(CAPTCHA_FIELD, None)
        return self.captcha_challenge()

    # ----------------------------------------------------------------- account

    def login(self, nik: str, password: str) -> bool:
        """Step 13: the honorer logs in with the NIK and the password of step 5.

        Returns False on failure; the reason is then in :meth:`errors` and :meth:`problems`.
        """
        if not self._state.has_account or self._state.password_hash is None:
            raise FlowError(self.current_step, ["Akun belum dibuat."])
        self._logged_in = False
        try:
            typed = validate_field(
                self._field("login_nik"), nik, {}, self._policy, today=self._today()
            )
        except FieldError as error:
            self._login_error = ("login_nik", error.message)
            return False
        if typed != self._clean("nik"):
            self._login_error = ("login_nik", "NIK tidak sesuai dengan akun yang sedang dibuka.")
            return False
        if not self._verify(self._state.password_hash, password):
            self._login_error = (
                "login_kata_sandi",
                "Kata sandi salah. Bila lupa, gunakan 'Lupa Kata Sandi'.",
            )
            return False
        self._logged_in = True
        self._login_error = None
        self._secrets.pop("login_nik", None)
        self._secrets.pop("login_kata_sandi", None)
        return True

    @property
    def logged_in(self) -> bool:
        return self._logged_in

    def reset_password(self, answer: str, new_password: str, new_password_again: str) -> None:
        """Forgotten password: the security answer allows a new password (policy strength).

        FlowError listing every problem (wrong answer, weak or unequal password). The change is
        saved at once with a note for the audit trail; the honorer then logs in again.
        """
        state = self._state
        step = self.current_step
        self._refuse_when_finished()
        if not state.has_account or state.security_answer_hash is None:
            raise FlowError(step, ["Akun belum dibuat."])
        problems: list[str] = []
        if not self._verify(state.security_answer_hash, normalise_answer(answer)):
            problems.append("Jawaban pengaman salah.")
        values = {
            **state.values,
            "kata_sandi": new_password,
            "kata_sandi_ulang": new_password_again,
        }
        for key in PASSWORD_FIELDS:
            message = self._message(key, values[key], values)
            if message is not None:
                problems.append(self._with_label(key, message))
        if problems:
            raise FlowError(step, problems)
        state.password_hash = self._hash(new_password)
        self._logged_in = False
        self._login_error = None
        self._save(note="Kata sandi akun diganti melalui pertanyaan pengaman.")

    # ----------------------------------------------------------------- internals: guards

    def _guard(self, step: int) -> list[str]:
        if step == 2:
            return self._identity_problems()
        if step == ROSTER_STEP:
            return self._roster_problems()
        if step == PASSWORD_STEP:
            return self._password_problems()
        if step in self._captcha_pages:
            return self._captcha_problems()
        if step in (ACCOUNT_REVIEW_STEP, ACCOUNT_DIALOG):
            return _unique(p for s in ACCOUNT_GUARDS for p in self._guard(s))
        if step == LOGIN_STEP:
            if self._logged_in:
                return []
            if self._login_error is not None:
                return [self._login_error[1]]
            return ["Masuk dulu dengan NIK dan kata sandi akun yang dibuat pada langkah 5."]
        if step == WORK_HISTORY_STEP:
            return self._work_history_problems()
        if step in (DECLARATION_STEP, FINISH_DIALOG):
            problems = [p for s in REGISTRATION_GUARDS for p in self._guard(s)]
            if not self._state.reviewed:
                problems.append("Periksa kembali resume data sebelum mengakhiri pendaftaran.")
            if not self._state.declaration:
                problems.append(
                    "Centang pernyataan bahwa data yang diisikan benar dan dapat "
                    "dipertanggungjawabkan."
                )
            return _unique(problems)
        step_def = self._policy.step(step)
        if step_def.kind != "page":
            return []
        # Pages whose guard is just "fields valid, documents passed" (6, 15, and any page
        # added to the policy later).
        return self._field_problems(step_def.fields) + self._document_problems(step)

    def _identity_problems(self) -> list[str]:
        problems = self._field_problems(self._policy.step(2).fields)
        problems += self.nik_warnings()
        nik = self._clean("nik")
        if isinstance(nik, str):
            existing = self._store.find_registration_by_nik(nik)
            if existing is not None and existing.registration_id != self._state.registration_id:
                if existing.account_number:
                    problems.append(
                        f"NIK ini sudah terdaftar dengan nomor akun {existing.account_number} "
                        f"(status {existing.status.label}). Satu NIK hanya boleh didaftarkan "
                        "satu kali; buka pendaftaran yang sudah ada."
                    )
                else:
                    problems.append(
                        f"NIK ini sudah ada dalam draf pendaftaran nomor "
                        f"{existing.registration_id} (status {existing.status.label}). Lanjutkan "
                        "draf tersebut; satu NIK hanya boleh didaftarkan satu kali."
                    )
        return problems

    def _roster_problems(self) -> list[str]:
        if self._state.roster is None:
            problems = [NOT_REGISTERED]
        else:
            problems = [message for blocking, message in self._roster_differences() if blocking]
        return problems + self._field_problems(self._policy.step(ROSTER_STEP).fields)

    def _roster_differences(self) -> list[tuple[bool, str]]:
        """(blocks step 3?, message) for each difference between roster and typed data."""
        roster = self._state.roster
        if roster is None:
            return []
        differences: list[tuple[bool, str]] = []
        nama = self.value("nama")
        if roster.nama and nama and not _same_text(roster.nama, nama):
            differences.append(
                (
                    False,
                    f"Nama berbeda dengan data Admin Instansi ('{roster.nama}'). Periksa ejaan "
                    "sesuai KTP.",
                )
            )
        tempat = self.value("tempat_lahir")
        if roster.tempat_lahir and tempat and not _same_text(roster.tempat_lahir, tempat):
            differences.append(
                (
                    False,
                    f"Tempat lahir berbeda dengan data Admin Instansi ('{roster.tempat_lahir}'). "
                    "Periksa sesuai KTP.",
                )
            )
        birth = self._clean("tanggal_lahir")
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
        sex = self._clean("jenis_kelamin")
        if roster.jenis_kelamin and isinstance(sex, str) and sex != roster.jenis_kelamin:
            differences.append(
                (
                    True,
                    "Jenis kelamin berbeda dengan data Admin Instansi "
                    f"({self._choice_label('jenis_kelamin', roster.jenis_kelamin)}). Data harus "
                    "sama: perbaiki isian atau minta Admin Instansi memperbaiki datanya.",
                )
            )
        return differences

    def _keeps_hash(self, key: str) -> bool:
        """A secret of step 5 left empty while its hash from an earlier pass stands."""
        if key in PASSWORD_FIELDS:
            typed = any(self._secrets.get(k) for k in PASSWORD_FIELDS)
            return self._state.password_hash is not None and not typed
        if key == ANSWER_FIELD:
            return self._state.security_answer_hash is not None and not self._secrets.get(key)
        return False

    def _password_problems(self) -> list[str]:
        keys = [k for k in self._policy.step(PASSWORD_STEP).fields if not self._keeps_hash(k)]
        problems = self._field_problems(keys)
        if self._state.password_hash is not None and any(
            self._message(k) is not None for k in PASSWORD_FIELDS if k in keys
        ):
            problems.append(
                "Kata sandi yang sudah dibuat tetap berlaku bila kedua isian kata sandi "
                "dikosongkan; untuk menggantinya, ketik kata sandi baru dua kali."
            )
        redo = PASSWORD_STEP in self._state.completed_steps
        if (
            redo
            and self._state.security_answer_hash is None
            and not self._secrets.get(ANSWER_FIELD)
        ):
            problems.append("Pertanyaan pengaman diganti: ketik ulang jawaban pengaman.")
        return problems

    def _captcha_problems(self) -> list[str]:
        if not self._captcha_enabled:
            return []
        typed = self._secrets.get(CAPTCHA_FIELD, "")
        if not typed.strip():
            return [f"{self._label(CAPTCHA_FIELD)}: ketik kode yang tampak pada gambar."]
        challenge = self.captcha_challenge()
        if challenge is None or not challenge.matches(typed):
            return ["Kode captcha tidak sesuai dengan gambar. Ketik kode pada gambar yang baru."]
        return []

    def _work_history_problems(self) -> list[str]:
        problems: list[str] = []
        entries = self._state.work_history
        if not entries:
            problems.append("Isi paling sedikit satu riwayat pekerjaan (satu baris per SK).")
        for number, errors in enumerate(self.work_history_errors(), start=1):
            for key, message in errors.items():
                problems.append(self._with_label(key, message, f"Riwayat pekerjaan {number}, "))
        step = self._policy.step(WORK_HISTORY_STEP)
        problems += self._field_problems(step.fields)
        problems += self._document_problems(WORK_HISTORY_STEP)
        return problems

    def _field_problems(self, keys: Iterable[str]) -> list[str]:
        problems = []
        for key in keys:
            message = self._message(key)
            if message is not None:
                problems.append(self._with_label(key, message))
        return problems

    def _with_label(self, key: str, message: str, prefix: str = "") -> str:
        """The message, led by the field's label unless it names the field already."""
        label = self._label(key)
        if label.casefold() in message.casefold():
            return f"{prefix}{message}"
        return f"{prefix}{label}: {message}"

    def _document_problems(self, step: int) -> list[str]:
        problems = []
        for kind in self._policy.step(step).documents:
            rule = self._policy.document(kind)
            if rule.required_at_step != step:
                continue
            ref = self._state.documents.get(kind)
            if ref is None:
                problems.append(f"{rule.label}: belum diunggah.")
            elif not ref.passed:
                problems.append(
                    f"{rule.label}: berkas belum memenuhi syarat; perbaiki atau unggah ulang."
                )
        return problems

    # ----------------------------------------------------------------- internals: moving

    def _leave(self, step: int) -> None:
        """What leaving ``step`` forward does besides moving (its guard has passed)."""
        state = self._state
        if step == PASSWORD_STEP:
            password = self._secrets.get("kata_sandi")
            if password:
                state.password_hash = self._hash(password)
            answer = self._secrets.get(ANSWER_FIELD)
            if answer:
                state.security_answer_hash = self._hash(normalise_answer(answer))
            for key in (*PASSWORD_FIELDS, ANSWER_FIELD):
                self._secrets.pop(key, None)
        elif step in self._captcha_pages:
            if not self._captcha_enabled:
                state.captcha_skipped.add(step)
            else:
                state.captcha_skipped.discard(step)
            self._secrets.pop(CAPTCHA_FIELD, None)
            self._challenge = None
        elif step == WORK_HISTORY_STEP:
            self._sync_sk_variant()
            state.eligibility = self.eligibility()
        elif step == RESUME_STEP:
            state.reviewed = True

    def _move_forward(self, step: int) -> None:
        buttons, target = FORWARD[step]
        self._state.completed_steps.add(step)
        self._state.completed_steps.update(buttons)
        if target in self._captcha_pages and not self._captcha_enabled:
            # The page has nothing to ask: pass it, recording that the captcha was skipped.
            self._leave(target)
            self._move_forward(target)
            return
        self._enter(target)

    def _enter(self, step: int) -> None:
        state = self._state
        state.current_step = step
        if step == ROSTER_STEP:
            nik = self._clean("nik")
            state.roster = self._store.find_roster(nik) if isinstance(nik, str) else None
        # What the roster already holds is not typed twice (flow/prefill.py).
        if prefill(state, step, self._policy):
            self._invalidate_review()
        if step in self._captcha_pages:
            self._challenge = None
            self._secrets.pop(CAPTCHA_FIELD, None)
        elif step == LOGIN_STEP:
            self._logged_in = False
            self._login_error = None

    def _back_target(self) -> tuple[int | None, str]:
        """(page to go back to, or None with the reason)."""
        state = self._state
        step = self.current_step
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
            for s in self._policy.steps
            if s.kind == "page" and s.number < step and s.number not in self._captcha_pages
        ]
        return (pages[-1], "") if pages else (None, "Ini halaman pertama.")

    def _settle(self) -> None:
        """Put a loaded state on a page it can be shown on (dialogs and buttons → their page)."""
        state = self._state
        if not 1 <= state.current_step <= len(self._policy.steps):
            state.current_step = 1
        if state.finished:
            state.current_step = DONE_STEP
            return
        if state.has_account and state.current_step < ACCOUNT_CREATED_STEP:
            state.current_step = ACCOUNT_CREATED_STEP
        if not state.has_account and state.current_step > ACCOUNT_REVIEW_STEP:
            state.current_step = ACCOUNT_REVIEW_STEP
        state.current_step = self._policy.step(state.current_step).page

    def _refuse_when_finished(self) -> None:
        if self._state.finished:
            raise FlowError(self.current_step, [READ_ONLY])

    def _save(self, note: str | None = None) -> int:
        registration_id = self._store.save_draft(self._state, note=note)
        self._state.registration_id = registration_id
        return registration_id

    # ----------------------------------------------------------------- internals: values

    def _field(self, key: str) -> FieldDef:
        try:
            return self._policy.fields[key]
        except KeyError:
            raise KeyError(f"unknown field {key!r}") from None

    def _label(self, key: str) -> str:
        if key in self._policy.fields:
            return self._policy.fields[key].label
        if key in self._policy.documents.rules:
            return self._policy.document(key).label
        if key == "riwayat_pekerjaan":
            return "Riwayat pekerjaan"
        return key

    def _choice_label(self, key: str, choice: str) -> str:
        for option in self._field(key).choices:
            if option.key == choice:
                return option.label
        return choice

    def _all_values(self) -> dict[str, str]:
        return {**self._state.values, **self._secrets}

    def _message(
        self, key: str, raw: str | None = None, values: Mapping[str, str] | None = None
    ) -> str | None:
        """The error message of one field's value, or None when it is valid."""
        if values is None:
            values = self._all_values()
        if raw is None:
            raw = values.get(key, "")
        try:
            validate_field(self._field(key), raw, values, self._policy, today=self._today())
        except FieldError as error:
            return error.message
        return None

    def _clean(self, key: str) -> object:
        """The normalised value of a field, or None when empty or invalid."""
        values = self._all_values()
        try:
            return validate_field(
                self._field(key), values.get(key, ""), values, self._policy, today=self._today()
            )
        except FieldError:
            return None

    def _entry_errors(self, entry: Mapping[str, str]) -> dict[str, str]:
        _, errors = validate_fields(self._group_fields, entry, self._policy, today=self._today())
        return errors

    def _entry_value(self, entry: Mapping[str, str], key: str) -> object:
        try:
            return validate_field(
                self._field(key), entry.get(key, ""), entry, self._policy, today=self._today()
            )
        except FieldError:
            return None

    def _eligibility_input(self) -> EligibilityInput:
        birth = self._clean("tanggal_lahir")
        active = self._clean("masih_aktif")
        dated: list[tuple[dt.date, int, Mapping[str, str]]] = []
        for index, entry in enumerate(self._state.work_history):
            tmt = self._entry_value(entry, "tmt")
            if isinstance(tmt, dt.date):
                dated.append((tmt, index, entry))
        first_tmt = min(d[0] for d in dated) if dated else None
        current: Mapping[str, str] | None
        if dated:
            current = max(dated, key=lambda d: (d[0], d[1]))[2]
        elif self._state.work_history:
            current = self._state.work_history[-1]
        else:
            current = None
        funding = procurement = appointer = None
        if current is not None:
            funding = self._entry_value(current, "sumber_gaji")
            procurement = self._entry_value(current, "melalui_pengadaan")
            appointer = self._entry_value(current, "pejabat_penandatangan")
        return EligibilityInput(
            birth_date=birth if isinstance(birth, dt.date) else None,
            first_tmt=first_tmt,
            active=active if isinstance(active, bool) else None,
            funding=funding if isinstance(funding, str) else None,
            procurement=procurement if isinstance(procurement, bool) else None,
            appointer=appointer if isinstance(appointer, str) else None,
        )

    @staticmethod
    def _put(target: dict[str, str], key: str, raw: str) -> bool:
        """Store raw text (an empty text removes the key); True when something changed."""
        old = target.get(key, "")
        if raw == "":
            target.pop(key, None)
        else:
            target[key] = raw
        return old != raw

    def _after_change(self, key: str) -> None:
        state = self._state
        if key == QUESTION_FIELD:
            # The answer hashed earlier answered another question.
            state.security_answer_hash = None
        if key == "bentuk_sk":
            self._sync_sk_variant()
        self._invalidate_review()

    def _invalidate_review(self) -> None:
        """Data changed after step 20: it must be checked and declared again."""
        self._state.reviewed = False
        self._state.declaration = False

    def _sync_sk_variant(self) -> None:
        """The SK document records which form was handed in: the bentuk_sk field decides."""
        documents = self._state.documents
        ref = documents.get("sk_jabatan")
        if ref is None:
            return
        variant = self._clean("bentuk_sk")
        if isinstance(variant, str) and ref.variant != variant:
            documents["sk_jabatan"] = DocumentRef(
                ref.kind, ref.document_id, ref.sha256, ref.original_name, ref.passed, variant
            )
        elif variant is None and ref.variant and "bentuk_sk" not in self._state.values:
            self._state.values["bentuk_sk"] = ref.variant

    def _check_policy(self) -> None:
        """The guards above assume the portal's 24 steps; refuse a policy that moved them."""
        problems = []
        steps = self._policy.steps
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
