"""Exceptions a user can cause, kept apart from bugs.

Everything derived from :class:`UserError` carries a message in Bahasa Indonesia that is safe
to show as it is (in a dialog, on stderr). Any other exception is a bug: the GUI and the command
line catch it at the top, log it and show a generic apology, never a traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """A problem caused by input, files or the environment; the message explains what to do."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} {self.hint}"


class FieldError(UserError):
    """A value typed into one field breaks a rule."""

    def __init__(self, field: str, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.field = field


class PolicyFileError(UserError):
    """A file in forms/ cannot be read or does not describe valid policy."""

    def __init__(self, file: str, line: int | None, problem: str) -> None:
        where = f"{file}, baris {line}" if line else file
        super().__init__(
            f"Berkas kebijakan {where} rusak: {problem}",
            hint=(
                "Perbaiki berkas itu atau pasang ulang aplikasi; data yang tersimpan tidak berubah."
            ),
        )
        self.file = file
        self.line = line
        self.problem = problem


class DocumentError(UserError):
    """A document file cannot be checked at all (missing, unreadable)."""


class DataDirError(UserError):
    """The data folder is missing, read-only, full or otherwise unusable."""


class StorageError(UserError):
    """The database refused an operation for a reason the user can act on."""


class NotFoundError(UserError):
    """A record the user asked for does not exist."""


class ConflictError(UserError):
    """The operation clashes with existing data (a duplicate NIK, a record being edited)."""


class FlowError(UserError):
    """A registration step cannot be left or entered: its guard names what is missing."""

    def __init__(self, step: int, problems: list[str]) -> None:
        message = f"Langkah {step} belum dapat dilanjutkan: " + "; ".join(problems)
        super().__init__(message)
        self.step = step
        self.problems = problems


class AuthError(UserError):
    """Sign-in failed, was throttled, or the signed-in user lacks the role for an action."""


class FolderLockedError(UserError):
    """The data folder is encrypted and was opened without its key (nobody signed in yet)."""

    def __init__(self, message: str | None = None, *, hint: str | None = None) -> None:
        super().__init__(
            message or "Folder data terkunci: masuk dengan nama pengguna dan kata sandi.",
            hint=hint
            or "Di baris perintah: isi NONASN_USER dan NONASN_PASSWORD (atau ketik saat diminta).",
        )
