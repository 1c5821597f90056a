"""Memory-hard hashing of every secret the application keeps.

Clerk passwords, the honorer's portal password and the security answer are stored only as
argon2id hashes (argon2-cffi's defaults follow RFC 9106's second recommended profile). Plain
secrets never reach the database, a draft or a log.
"""

from __future__ import annotations

import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from nonasn_desktop.crypto.kdf import verify_with_recent

_hasher = PasswordHasher()


def _normalise(secret: str) -> str:
    # NFKC so that the same password typed on two keyboards (composed vs decomposed accents)
    # hashes the same.
    return unicodedata.normalize("NFKC", secret)


def normalise_answer(answer: str) -> str:
    """Security answers are compared case- and space-insensitively, as people retype them."""
    return " ".join(_normalise(answer).casefold().split())


def hash_secret(secret: str) -> str:
    return _hasher.hash(_normalise(secret))


def verify_secret(stored_hash: str, secret: str) -> bool:
    """True when ``secret`` matches; False for a wrong secret or a damaged hash.

    Right after a key slot made from this hash opened with ``secret`` (signing in to an
    encrypted folder), the answer comes from that argon2id run (crypto.kdf.verify_with_recent).
    """
    recent = verify_with_recent(stored_hash, secret)
    if recent is not None:
        return recent
    try:
        return _hasher.verify(stored_hash, _normalise(secret))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
