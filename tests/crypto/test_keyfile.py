"""The sealed office key file: opens with the passphrase only, and never holds the key in plain."""

from __future__ import annotations

import base64
import json
import unicodedata

import pytest

from nonasn_desktop.crypto import keyfile
from nonasn_desktop.crypto.errors import KeyFileError, WrongPassphraseError
from nonasn_desktop.crypto.kdf import KdfParams
from nonasn_desktop.crypto.minisign import SecretKey

# Small parameters keep the tests fast; the defaults are tested once below.
FAST = KdfParams(time_cost=1, memory_cost_kib=1024, parallelism=1)
PASSPHRASE = "kopi pagi di BKD 2022"


def sealed(key: SecretKey, passphrase: str = PASSPHRASE) -> bytes:
    return keyfile.seal(
        key,
        passphrase,
        office_code="3273",
        office_name="BKD Kota Bandung",
        created_at="2026-01-05T08:00:00Z",
        params=FAST,
    )


def test_round_trip_and_public_part() -> None:
    key = SecretKey.generate()
    data = sealed(key)
    opened = keyfile.unseal(data, PASSPHRASE)
    assert opened.seed() == key.seed()
    assert opened.key_id == key.key_id
    info = keyfile.read_info(data)
    assert info.public_key == key.public_key().key
    assert info.office_code == "3273"
    assert info.key_id_hex == key.public_key().key_id_hex


def test_default_parameters_are_memory_hard() -> None:
    key = SecretKey.generate()
    data = keyfile.seal(
        key, PASSPHRASE, office_code="3273", office_name="X", created_at="2026-01-05T08:00:00Z"
    )
    kdf = json.loads(data)["kdf"]
    assert kdf["name"] == "argon2id"
    # OWASP's minimum for argon2id with one pass is 46 MiB; we use three passes.
    assert kdf["memory_cost_kib"] >= 46 * 1024
    assert kdf["time_cost"] >= 3
    assert keyfile.unseal(data, PASSPHRASE).seed() == key.seed()


def test_wrong_passphrase() -> None:
    data = sealed(SecretKey.generate())
    with pytest.raises(WrongPassphraseError, match="Frasa sandi kunci kantor salah"):
        keyfile.unseal(data, PASSPHRASE + "!")


def test_the_seed_is_never_in_plain() -> None:
    key = SecretKey.generate()
    data = sealed(key)
    seed = key.seed()
    assert seed not in data
    assert base64.b64encode(seed) not in data
    assert seed.hex().encode() not in data


def test_composed_and_decomposed_accents_open_alike() -> None:
    composed = "kopi pagi di café BKD"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    data = sealed(SecretKey.generate(), composed)
    keyfile.unseal(data, decomposed)


@pytest.mark.parametrize("member", ["office_code", "public_key", "kdf"])
def test_changing_any_public_member_makes_the_file_unopenable(member: str) -> None:
    document = json.loads(sealed(SecretKey.generate()))
    if member == "office_code":
        document["office_code"] = "3171"
    elif member == "public_key":
        document["public_key"] = base64.b64encode(SecretKey.generate().public_key().key).decode()
    else:
        document["kdf"]["time_cost"] = 2
    with pytest.raises(WrongPassphraseError):
        keyfile.unseal(json.dumps(document).encode(), PASSPHRASE)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not json",
        b"[]",
        b'{"format": "something-else"}',
        b'{"format": "nonasn-office-key", "version": 1}',
    ],
)
def test_damaged_files(data: bytes) -> None:
    with pytest.raises(KeyFileError, match="rusak"):
        keyfile.unseal(data, PASSPHRASE)


def test_unknown_version() -> None:
    document = json.loads(sealed(SecretKey.generate()))
    document["version"] = 9
    with pytest.raises(KeyFileError, match="versi aplikasi yang lebih baru"):
        keyfile.read_info(json.dumps(document).encode())


def test_absurd_kdf_parameters_are_refused_before_running() -> None:
    document = json.loads(sealed(SecretKey.generate()))
    document["kdf"]["memory_cost_kib"] = 64 * 1024 * 1024
    with pytest.raises(KeyFileError, match="rusak"):
        keyfile.unseal(json.dumps(document).encode(), PASSPHRASE)


def _b64(size: int) -> str:
    return base64.b64encode(b"\x01" * size).decode()


@pytest.mark.parametrize("salt_size", [0, 4, 7, 8, 15, 65])
def test_a_salt_of_the_wrong_length_is_damage_not_a_crash(salt_size: int) -> None:
    # argon2 itself refuses salts under 8 bytes (an internal error, exit 70, before).
    document = json.loads(sealed(SecretKey.generate()))
    document["kdf"]["salt"] = _b64(salt_size)
    data = json.dumps(document).encode()
    with pytest.raises(KeyFileError, match="rusak"):
        keyfile.unseal(data, PASSPHRASE)
    with pytest.raises(KeyFileError, match="rusak"):
        keyfile.read_info(data)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("algorithm",), "RSA"),
        (("key_id",), "abc"),
        (("key_id",), "zz" * 8),
        (("key_id",), 12345),
        (("public_key",), _b64(31)),
        (("public_key",), "***"),
        (("office_code",), 3273),
        (("office_name",), None),
        (("office_name",), "x" * 5000),
        (("created_at",), ["2026"]),
        (("kdf",), "argon2id"),
        (("kdf", "name"), "scrypt"),
        (("kdf", "salt"), 16),
        (("kdf", "salt"), "not base64!"),
        (("kdf", "time_cost"), "3"),
        (("kdf", "time_cost"), 1.5),
        (("kdf", "time_cost"), True),
        (("kdf", "time_cost"), 0),
        (("kdf", "memory_cost_kib"), 4),
        (("kdf", "memory_cost_kib"), None),
        (("kdf", "parallelism"), 0),
        (("kdf", "parallelism"), 1000),
        (("cipher",), []),
        (("cipher", "name"), "aes"),
        (("cipher", "nonce"), _b64(8)),
        (("ciphertext",), _b64(32)),
        (("ciphertext",), _b64(64)),
        (("ciphertext",), None),
    ],
)
def test_every_member_is_checked_for_its_shape(path: tuple[str, ...], value: object) -> None:
    document = json.loads(sealed(SecretKey.generate()))
    target = document
    for name in path[:-1]:
        target = target[name]
    target[path[-1]] = value
    with pytest.raises(KeyFileError, match="rusak"):
        keyfile.unseal(json.dumps(document).encode(), PASSPHRASE)


@pytest.mark.parametrize("member", ["key_id", "public_key", "kdf", "cipher", "ciphertext"])
def test_a_missing_member_is_damage(member: str) -> None:
    document = json.loads(sealed(SecretKey.generate()))
    del document[member]
    with pytest.raises(KeyFileError, match="rusak"):
        keyfile.unseal(json.dumps(document).encode(), PASSPHRASE)
