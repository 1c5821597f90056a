"""Bech32 (BIP 173) as age uses it: no length limit, all-lower or all-upper case.

Only the encoding of age recipients (``age1…``) and identities (``AGE-SECRET-KEY-1…``) needs
this; it follows the reference implementation of BIP 173.
"""

from __future__ import annotations

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


class Bech32Error(ValueError):
    """Not a valid Bech32 string (bad characters, mixed case, wrong checksum)."""


def _polymod(values: list[int]) -> int:
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value
        for i, generator in enumerate(_GENERATOR):
            if (top >> i) & 1:
                checksum ^= generator
    return checksum


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _convert_bits(data: bytes | list[int], from_bits: int, to_bits: int, *, pad: bool) -> list[int]:
    accumulator = 0
    bits = 0
    result: list[int] = []
    max_value = (1 << to_bits) - 1
    for value in data:
        if value < 0 or value >> from_bits:
            raise Bech32Error("value out of range")
        accumulator = (accumulator << from_bits) | value
        bits += from_bits
        while bits >= to_bits:
            bits -= to_bits
            result.append((accumulator >> bits) & max_value)
    if pad:
        if bits:
            result.append((accumulator << (to_bits - bits)) & max_value)
    elif bits >= from_bits or ((accumulator << (to_bits - bits)) & max_value):
        raise Bech32Error("non-zero padding")
    return result


def encode(hrp: str, data: bytes) -> str:
    """Lower-case Bech32 of ``data`` under the human-readable part ``hrp``."""
    hrp = hrp.lower()
    values = _convert_bits(data, 8, 5, pad=True)
    polymod = _polymod([*_hrp_expand(hrp), *values, 0, 0, 0, 0, 0, 0]) ^ 1
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(CHARSET[v] for v in values + checksum)


def decode(text: str) -> tuple[str, bytes]:
    """(human-readable part in lower case, data) of a Bech32 string."""
    if text.lower() != text and text.upper() != text:
        raise Bech32Error("mixed case")
    if any(ord(c) < 33 or ord(c) > 126 for c in text):
        raise Bech32Error("invalid character")
    lowered = text.lower()
    separator = lowered.rfind("1")
    if separator < 1 or separator + 7 > len(lowered):
        raise Bech32Error("missing separator or checksum")
    hrp = lowered[:separator]
    try:
        values = [CHARSET.index(c) for c in lowered[separator + 1 :]]
    except ValueError:
        raise Bech32Error("invalid data character") from None
    if _polymod([*_hrp_expand(hrp), *values]) != 1:
        raise Bech32Error("wrong checksum")
    return hrp, bytes(_convert_bits(values[:-6], 5, 8, pad=False))
