"""The slow part of the flow's secrets (argon2id), done apart from the flow itself.

Leaving step 5 hashes the password and the security answer, logging in at step 13 verifies
the password, and "Lupa Kata Sandi" verifies the answer and hashes the new password. argon2id
is slow on purpose, so a desktop runs it off its GUI thread; the flow, though, must only ever be
touched by one thread. So the work is split:

1. :func:`advance_work`, :func:`login_work` and :func:`reset_password_work` read, from the
   flow, which secrets the operation will hash or verify: a :class:`SecretWork`, plain strings;
2. :meth:`SecretWork.run` does the argon2id work anywhere (a worker thread) without the flow;
3. the results go into :class:`PreparedSecrets`, the flow's ``hasher`` and ``verifier``, and
   the operation itself then runs where the flow lives and finds its answers ready.

A secret the flow asks for that was not prepared is hashed or verified on the spot, so a
caller that prepares nothing gets the same result, only slower.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from nonasn_desktop.crypto import passwords
from nonasn_desktop.crypto.passwords import normalise_answer
from nonasn_desktop.flow.machine import RegistrationFlow
from nonasn_desktop.flow.steps import ANSWER_FIELD, LOGIN_STEP, PASSWORD_STEP


@dataclass(frozen=True)
class SecretResults:
    """Hashes per secret (in the order asked), and verdicts per (hash, secret)."""

    hashes: dict[str, list[str]] = field(default_factory=dict)
    verdicts: dict[tuple[str, str], bool] = field(default_factory=dict)


@dataclass(frozen=True)
class SecretWork:
    """argon2id work an operation of the flow will need: secrets to hash, (hash, secret) pairs
    to verify. Plain data: running it needs no flow."""

    to_hash: tuple[str, ...] = ()
    to_verify: tuple[tuple[str, str], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.to_hash or self.to_verify)

    def run(self) -> SecretResults:
        results = SecretResults()
        for secret in self.to_hash:
            results.hashes.setdefault(secret, []).append(passwords.hash_secret(secret))
        for hashed, secret in self.to_verify:
            results.verdicts[(hashed, secret)] = passwords.verify_secret(hashed, secret)
        return results


class PreparedSecrets:
    """The flow's hasher and verifier, answering from prepared results when it has them."""

    def __init__(
        self,
        hasher: Callable[[str], str] = passwords.hash_secret,
        verifier: Callable[[str, str], bool] = passwords.verify_secret,
    ) -> None:
        self._hasher = hasher
        self._verifier = verifier
        self._hashes: dict[str, list[str]] = {}
        self._verdicts: dict[tuple[str, str], bool] = {}

    def fill(self, results: SecretResults) -> None:
        for secret, hashes in results.hashes.items():
            self._hashes.setdefault(secret, []).extend(hashes)
        self._verdicts.update(results.verdicts)

    def clear(self) -> None:
        """Forget what was prepared (the plain secrets are its keys)."""
        self._hashes.clear()
        self._verdicts.clear()

    def hash(self, secret: str) -> str:
        prepared = self._hashes.get(secret)
        if prepared:
            return prepared.pop(0)
        return self._hasher(secret)

    def verify(self, hashed: str, secret: str) -> bool:
        verdict = self._verdicts.pop((hashed, secret), None)
        if verdict is not None:
            return verdict
        return self._verifier(hashed, secret)


def advance_work(flow: RegistrationFlow) -> SecretWork:
    """What ``flow.advance()`` from its current step will hash (only leaving step 5 does)."""
    if flow.current_step != PASSWORD_STEP or flow.state.finished or flow.problems():
        return SecretWork()
    to_hash = []
    password = flow.value("kata_sandi")
    if password:
        to_hash.append(password)
    answer = flow.value(ANSWER_FIELD)
    if answer:
        to_hash.append(normalise_answer(answer))
    return SecretWork(to_hash=tuple(to_hash))


def login_work(flow: RegistrationFlow, password: str) -> SecretWork:
    """What ``flow.login(nik, password)`` will verify."""
    hashed = flow.state.password_hash
    if flow.page != LOGIN_STEP or hashed is None:
        return SecretWork()
    return SecretWork(to_verify=((hashed, password),))


def reset_password_work(flow: RegistrationFlow, answer: str, new_password: str) -> SecretWork:
    """What ``flow.reset_password(answer, new_password, ...)`` will verify and hash."""
    hashed = flow.state.security_answer_hash
    if hashed is None or flow.state.finished:
        return SecretWork()
    return SecretWork(
        to_hash=(new_password,) if new_password else (),
        to_verify=((hashed, normalise_answer(answer)),),
    )
