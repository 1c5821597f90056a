"""Cryptography of the batch files: office signing keys, minisign signatures, age encryption.

Everything is built on the ``cryptography`` package (Ed25519, X25519, ChaCha20-Poly1305,
HKDF) and the standard library (BLAKE2b, SHA-256), following published formats so that the
stock tools interoperate:

- :mod:`.minisign`: public keys and detached signatures in minisign's format; the stock
  ``minisign -V`` verifies what we sign.
- :mod:`.age`: age v1 encryption to X25519 recipients, streamed in both directions; the stock
  ``age -d`` decrypts what we encrypt and we decrypt what it encrypts.
- :mod:`.keyfile`: the office's secret key at rest, sealed with a passphrase (argon2id +
  ChaCha20-Poly1305).

No module here touches the database or Qt.
"""
