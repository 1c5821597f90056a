"""Errors of the cryptographic layer, with messages a user can act on (Bahasa Indonesia)."""

from __future__ import annotations

from nonasn_desktop.errors import UserError


class CryptoError(UserError):
    """A key, signature or encrypted file is unusable."""


class WrongPassphraseError(CryptoError):
    """The passphrase does not open the office key."""


class KeyFileError(CryptoError):
    """A key file is missing, damaged or not in a known format."""


class SignatureError(CryptoError):
    """A signature is missing, damaged, from an unknown key, or does not match the file."""


class DecryptionError(CryptoError):
    """An age file cannot be decrypted: no matching identity, damaged or truncated."""
