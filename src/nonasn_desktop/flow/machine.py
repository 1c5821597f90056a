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

The machine is the coordinator: the guards themselves are pure functions in :mod:`.guards`,
reading the typed values through :mod:`.values`; the step numbers, the forward moves and the
policy check are in :mod:`.steps`.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
from collections.abc import Callable

from nonasn_desktop.crypto.passwords import hash_secret, normalise_answer, verify_secret
from nonasn_desktop.errors import FieldError, FlowError
from nonasn_desktop.flow import edits, guards, steps
from nonasn_desktop.flow.captcha import CaptchaChallenge, new_challenge
from nonasn_desktop.flow.ports import FlowStore
from nonasn_desktop.flow.prefill import prefill
from nonasn_desktop.flow.state import (
    FINISHED_STATUSES,
    TRANSIENT_FIELDS,
    DocumentRef,
    RegistrationState,
)
from nonasn_desktop.flow.steps import (
    ACCOUNT_DIALOG,
    ACCOUNT_REVIEW_STEP,
    ANSWER_FIELD,
    CAPTCHA_FIELD,
    DECLARATION_FIELD,
    DIALOGS,
    FIX_BUTTON_STEP,
    FIX_PAGES,
    FORWARD,
    LOGIN_STEP,
    NOT_REGISTERED,
    PASSWORD_FIELDS,
    PASSWORD_STEP,
    QUESTION_FIELD,
    READ_ONLY,
    RESUME_STEP,
    ROSTER_STEP,
    WORK_HISTORY_STEP,
)
from nonasn_desktop.flow.values import TypedValues, field_def
from nonasn_desktop.policy import Policy, Step
from nonasn_desktop.rules.eligibility import EligibilityResult, evaluate
from nonasn_desktop.rules.identity import NikInfo
from nonasn_desktop.rules.status import RecordStatus

# The step table and the refusal texts live in .steps; these names are imported from here.
__all__ = ["DIALOGS", "FORWARD", "NOT_REGISTERED", "RegistrationFlow"]


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
        # The caller's clock (the wizard and demo data pass the office's ctx.now()); the
        # system date only for a caller without one.
        self._today = today if today is not None else dt.date.today
        self._rng = captcha_rng
        self._state = state if state is not None else RegistrationState()
        # Typed secrets and other memory-only values (see state.TRANSIENT_FIELDS).
        self._secrets: dict[str, str] = {}
        self._challenge: CaptchaChallenge | None = None
        self._logged_in = False
        # (field key, message) of the last failed login.
        self._login_error: tuple[str, str] | None = None
        steps.check_policy(policy)
        self._captcha_pages = steps.captcha_pages(policy)
        self._group_fields = policy.step(WORK_HISTORY_STEP).group_fields
        steps.settle(policy, self._state)

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
        hasher: Callable[[str], str] = hash_secret,
        verifier: Callable[[str, str], bool] = verify_secret,
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
        moved = steps.reopen_for_correction(state)
        flow = cls(
            policy,
            store,
            captcha_enabled=captcha_enabled,
            today=today,
            state=state,
            captcha_rng=captcha_rng,
            hasher=hasher,
            verifier=verifier,
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
        return guards.field_errors(self._view(), self.page)

    def work_history_errors(self) -> list[dict[str, str]]:
        """Per work-history entry, field key → message."""
        return guards.work_history_errors(self._view())

    def problems(self) -> list[str]:
        """What keeps the current step from being left, in Indonesian; empty when it can be."""
        return guards.problems(self._view(), self.current_step)

    def can_advance(self) -> bool:
        step = self.current_step
        return step in FORWARD and not self._state.finished and not self.problems()

    def can_go_back(self) -> bool:
        return steps.back_target(self._policy, self._state, self._captcha_pages)[0] is not None

    def is_locked(self, key: str) -> bool:
        """Whether a field key or a document kind can no longer be changed by the clerk."""
        return self.lock_reason(key) is not None

    def lock_reason(self, key: str) -> str | None:
        """Why a field key or a document kind can no longer be changed, or None."""
        return guards.lock_reason(self._policy, self._state, key)

    def eligibility(self) -> EligibilityResult:
        """Eligibility from whatever is filled in so far (invalid or empty inputs fail).

        Birth date from tanggal_lahir, active from masih_aktif, first TMT = the earliest valid
        TMT among the work-history entries. Funding, procurement and appointer come from the
        *current* entry, the one with the latest valid TMT (the last such entry on a tie):
        E2 and E3 ask how the person is paid and was appointed now, while a person who started
        under an older SK signed by a lower official but is now appointed properly meets E3.
        """
        facts = self._typed().eligibility_input(self._state.work_history)
        return evaluate(facts, self._policy.eligibility)

    def nik_info(self) -> NikInfo | None:
        """What the typed NIK says (region, birth date, sex), or None while it is not valid."""
        return guards.nik_info(self._typed())

    def nik_warnings(self) -> list[str]:
        """Where the NIK disagrees with the typed birth date and sex (live, as typed)."""
        return guards.nik_warnings(self._typed())

    def roster_warnings(self) -> list[str]:
        """Every difference between the roster entry and the typed data (step 3 shows them).

        A different birth date or sex also blocks step 3; name and birth place only warn.
        """
        return [message for _, message in guards.roster_differences(self._view())]

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
        field_def(self._policy, key)
        if key in self._group_fields:
            raise ValueError(f"{key} belongs to a work-history entry; use set_work_history()")
        if key == DECLARATION_FIELD:
            raise ValueError("the declaration is a checkbox; use set_declaration()")
        reason = self.lock_reason(key)
        if reason is not None:
            raise FieldError(key, reason)
        if key in TRANSIENT_FIELDS:
            edits.put(self._secrets, key, raw)
            if key.startswith("login_"):
                self._login_error = None
        else:
            changed = edits.put(self._state.values, key, raw)
            if changed:
                self._after_change(key)
        return self._typed().message(key)

    def set_work_history(self, entries: list[dict[str, str]]) -> list[dict[str, str]]:
        """Replace the work history (step 17); returns each entry's errors (key → message)."""
        reason = self.lock_reason("riwayat_pekerjaan")
        if reason is not None:
            raise FieldError("riwayat_pekerjaan", reason)
        cleaned = edits.clean_work_history(entries, self._group_fields)
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
        problems = guards.problems(self._view(), step)
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
        problems = guards.problems(self._view(), step)
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
        target, reason = steps.back_target(self._policy, self._state, self._captcha_pages)
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
        self._login_error = guards.login_nik_error(self._typed(), nik)
        if self._login_error is not None:
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
        problems += guards.new_password_problems(
            self._typed(), state, new_password, new_password_again
        )
        if problems:
            raise FlowError(step, problems)
        state.password_hash = self._hash(new_password)
        self._logged_in = False
        self._login_error = None
        self._save(note="Kata sandi akun diganti melalui pertanyaan pengaman.")

    # ----------------------------------------------------------------- internals: reading

    def _typed(self) -> TypedValues:
        """The typed values (secrets included) as the rules read them today."""
        return TypedValues(self._policy, {**self._state.values, **self._secrets}, self._today())

    def _view(self) -> guards.GuardView:
        return guards.GuardView(
            state=self._state,
            typed=self._typed(),
            secrets=self._secrets,
            captcha_enabled=self._captcha_enabled,
            captcha_pages=self._captcha_pages,
            challenge=self.captcha_challenge,
            logged_in=self._logged_in,
            login_error=self._login_error,
            find_registration_by_nik=self._store.find_registration_by_nik,
        )

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
            nik = self._typed().clean("nik")
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

    def _refuse_when_finished(self) -> None:
        if self._state.finished:
            raise FlowError(self.current_step, [READ_ONLY])

    def _save(self, note: str | None = None) -> int:
        registration_id = self._store.save_draft(self._state, note=note)
        self._state.registration_id = registration_id
        return registration_id

    # ----------------------------------------------------------------- internals: changing

    def _after_change(self, key: str) -> None:
        if key == QUESTION_FIELD:
            # The answer hashed earlier answered another question.
            self._state.security_answer_hash = None
        if key == "bentuk_sk":
            self._sync_sk_variant()
        self._invalidate_review()

    def _invalidate_review(self) -> None:
        edits.invalidate_review(self._state)

    def _sync_sk_variant(self) -> None:
        edits.sync_sk_variant(self._state, self._typed())
