"""The one writer of a wizard's registration flow, living on the GUI thread.

Pages, document pickers and dialogs read the flow (``host.flow``) but change it only through
the :class:`FlowOwner` (``host.owner``). Every change runs on the GUI thread; a change asked
from any other thread is a bug and raises RuntimeError. What is slow about a change, the
argon2id hashing of passwords and answers, runs on a worker thread as plain
:class:`~nonasn_desktop.flow.secrets.SecretWork` that never sees the flow; the result comes back
through the task's signal and the owner then applies the change here (:meth:`FlowOwner.run`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread

from nonasn_desktop.errors import UserError
from nonasn_desktop.flow.captcha import CaptchaChallenge
from nonasn_desktop.flow.machine import RegistrationFlow
from nonasn_desktop.flow.secrets import (
    PreparedSecrets,
    SecretResults,
    SecretWork,
    advance_work,
    login_work,
    reset_password_work,
)
from nonasn_desktop.flow.state import DocumentRef
from nonasn_desktop.gui.workers import Task, run_in_background

log = logging.getLogger(__name__)


class FlowOwner(QObject):
    """Holds the flow; every change to it goes through here, on the GUI thread."""

    def __init__(
        self, flow: RegistrationFlow, secrets: PreparedSecrets, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._flow = flow
        self._secrets = secrets
        self._task: Task | None = None

    @property
    def flow(self) -> RegistrationFlow:
        """The flow, to read."""
        return self._flow

    def _here(self) -> RegistrationFlow:
        if QThread.currentThread() is not self.thread():
            raise RuntimeError("the registration flow is changed only on the GUI thread")
        return self._flow

    # ----------------------------------------------------------------- changes

    def set_value(self, key: str, raw: str) -> str | None:
        return self._here().set_value(key, raw)

    def set_work_history(self, entries: list[dict[str, str]]) -> list[dict[str, str]]:
        return self._here().set_work_history(entries)

    def set_declaration(self, ticked: bool) -> None:
        self._here().set_declaration(ticked)

    def attach_document(self, ref: DocumentRef) -> None:
        self._here().attach_document(ref)

    def save(self) -> int:
        return self._here().save()

    def refresh_captcha(self) -> CaptchaChallenge | None:
        return self._here().refresh_captcha()

    def advance(self) -> int:
        return self._here().advance()

    def back(self) -> int:
        return self._here().back()

    def back_to_fix(self) -> int:
        return self._here().back_to_fix()

    def confirm(self, yes: bool) -> int:
        return self._here().confirm(yes)

    def log_in_and_advance(self) -> int:
        """Step 13 with the typed NIK and password; a failed login leaves its reason for the
        guard, which advance() then reports."""
        flow = self._here()
        flow.login(flow.value("login_nik"), flow.value("login_kata_sandi"))
        return flow.advance()

    def reset_password(self, answer: str, new_password: str, again: str) -> None:
        self._here().reset_password(answer, new_password, again)

    # ----------------------------------------------------------------- what is slow

    def advance_work(self) -> SecretWork:
        return advance_work(self._flow)

    def login_work(self) -> SecretWork:
        return login_work(self._flow, self._flow.value("login_kata_sandi"))

    def reset_password_work(self, answer: str, new_password: str) -> SecretWork:
        return reset_password_work(self._flow, answer, new_password)

    def run(
        self,
        action: Callable[[], Any],
        work: SecretWork,
        *,
        on_success: Callable[[Any], None],
        on_failure: Callable[[UserError], None],
        on_crash: Callable[[BaseException], None],
        on_finished: Callable[[], None],
    ) -> None:
        """Do ``work`` on a worker thread, then ``action()`` (a change through this owner) here.

        The callbacks run on the GUI thread: ``on_success(result)``, ``on_failure(error)`` for
        a UserError (a refused step is a FlowError), ``on_crash(exc)`` for a bug, then
        ``on_finished()``. Without work the action runs at once, with the same callbacks.
        """
        self._here()

        def apply(results: SecretResults | None) -> None:
            try:
                if results is not None:
                    self._secrets.fill(results)
                result = action()
            except UserError as exc:
                on_failure(exc)
            except Exception as exc:  # a bug: logged here, shown as an apology by the caller
                log.exception("flow operation failed")
                on_crash(exc)
            else:
                on_success(result)
            finally:
                self._secrets.clear()
                on_finished()

        if not work:
            apply(None)
            return

        def crashed(exc: BaseException) -> None:
            on_crash(exc)
            on_finished()

        self._task = run_in_background(lambda _task: work.run(), on_success=apply, on_crash=crashed)
