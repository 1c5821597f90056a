"""What the registration flow needs from persistence, and nothing more.

The flow (:mod:`nonasn_desktop.flow.machine`) knows no database: the services layer hands it an
object that satisfies :class:`FlowStore`, and the tests hand it an in-memory fake. Every method
may raise a :class:`~nonasn_desktop.errors.UserError` (``StorageError``, ``ConflictError``,
``NotFoundError``) with a message for the clerk; the flow lets it through unchanged and leaves its
own state as it was before the call.
"""

from __future__ import annotations

from typing import NamedTuple, Protocol

from nonasn_desktop.flow.state import RegistrationState, RosterSummary
from nonasn_desktop.rules.status import RecordStatus


class ExistingRegistration(NamedTuple):
    """A registration already kept for a NIK."""

    registration_id: int
    status: RecordStatus
    account_number: str | None


class FlowStore(Protocol):
    def find_roster(self, nik: str) -> RosterSummary | None:
        """The Admin Instansi's roster entry for this 16-digit NIK, or None when not registered."""
        ...

    def find_registration_by_nik(self, nik: str) -> ExistingRegistration | None:
        """The registration kept for this 16-digit NIK (any status, drafts included), or None.

        The flow refuses a second registration of the same NIK; the record being edited is
        recognised by its id and is not a duplicate of itself.
        """
        ...

    def save_draft(self, state: RegistrationState, *, note: str | None = None) -> int:
        """Persist the whole state (``state.to_json()``) and return the registration id.

        A state without ``registration_id`` creates the record; otherwise the record with that
        id is replaced. The status stored is ``state.status``: the flow never changes a status
        through this method (see :meth:`create_account` and :meth:`complete_registration`).
        ``note`` is a short Indonesian description for the audit trail of something more than
        an ordinary edit (for example a password reset); None for ordinary saves. Called on
        every step change and whenever the GUI commits a field.
        """
        ...

    def create_account(self, state: RegistrationState) -> str:
        """Step 11: create the account of a draft; return its new account number.

        Persists ``state`` as given (its ``current_step`` is already the step after the account,
        12) with status ``akun_dibuat`` and the new account number, and writes the audit entry,
        in one transaction. The store does not modify ``state``: the flow sets ``status`` and
        ``account_number`` itself once this returns. Raises ``ConflictError`` when another
        record of the same NIK got an account in the meantime.
        """
        ...

    def complete_registration(self, state: RegistrationState) -> None:
        """Step 23: end the registration (``akun_dibuat`` or ``perlu_perbaikan`` → done).

        Persists ``state`` as given (``current_step`` already 24, eligibility evaluated) with
        status ``pendaftaran_selesai`` and writes the audit entry, in one transaction. The
        store does not modify ``state``; the flow sets ``status`` once this returns.
        """
        ...

    def load(self, registration_id: int) -> RegistrationState:
        """The state last saved for this id; ``NotFoundError`` when there is none."""
        ...
