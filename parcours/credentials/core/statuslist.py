"""W3C Bitstring Status List v1.0: the bitstring, its ``encodedList`` form and index scrambling.

* The bitstring is at least 16 KiB (131,072 entries), one bit per credential
  (``statusSize`` 1); index 0 is the left-most (most significant) bit of the first byte.
* ``encodedList`` = ``"u"`` (multibase base64url) + base64url without padding of the
  GZIP-compressed bitstring.
* Which index a credential gets is the app's business: ``credentials.actions`` draws them at
  random (the "herd privacy" the specification recommends: the list tells nothing of the
  order of issue).
"""

from __future__ import annotations

import base64
import binascii
import gzip
import zlib
from collections.abc import Iterable

MIN_ENTRIES = 131_072  # 16 KiB of bits: the specification's minimum
MULTIBASE_BASE64URL = "u"
# A decompressed list bigger than this is refused (a gzip bomb would otherwise be inflated).
MAX_DECODED_BYTES = 16 * 1024 * 1024


class StatusListError(ValueError):
    """An ``encodedList`` that cannot be decoded, or an index outside the list."""


def new_bitstring(entries: int = MIN_ENTRIES) -> bytearray:
    if entries < MIN_ENTRIES or entries % 8:
        raise ValueError(f"a status list has at least {MIN_ENTRIES} entries, a multiple of 8")
    return bytearray(entries // 8)


def set_bit(bits: bytearray, index: int, value: bool = True) -> None:
    if not 0 <= index < len(bits) * 8:
        raise StatusListError(f"index {index} is outside the list")
    mask = 0x80 >> (index % 8)
    if value:
        bits[index // 8] |= mask
    else:
        bits[index // 8] &= ~mask & 0xFF


def get_bit(bits: bytes | bytearray, index: int) -> bool:
    if not 0 <= index < len(bits) * 8:
        raise StatusListError(f"index {index} is outside the list")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def bitstring_with(indexes: Iterable[int], entries: int = MIN_ENTRIES) -> bytearray:
    """A bitstring with exactly the given indexes set."""
    bits = new_bitstring(entries)
    for index in indexes:
        set_bit(bits, index)
    return bits


def encode(bits: bytes | bytearray) -> str:
    """``encodedList``: multibase base64url (no padding) of the GZIP-compressed bitstring."""
    compressed = gzip.compress(bytes(bits), compresslevel=9, mtime=0)
    return MULTIBASE_BASE64URL + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")


def decode(encoded: str) -> bytes:
    """Inverse of :func:`encode`. Also accepts the value without its multibase prefix (as
    written by implementations of earlier drafts)."""
    if not isinstance(encoded, str) or not encoded:
        raise StatusListError("encodedList is not a string")
    body = encoded[1:] if encoded.startswith(MULTIBASE_BASE64URL) else encoded
    try:
        compressed = base64.b64decode(body + "=" * (-len(body) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError) as error:
        raise StatusListError(f"encodedList is not base64url: {error}") from error
    try:
        inflater = zlib.decompressobj(wbits=31)  # gzip container
        bits = inflater.decompress(compressed, MAX_DECODED_BYTES)
        if inflater.unconsumed_tail:
            raise StatusListError("encodedList is too large")
    except zlib.error as error:
        raise StatusListError(f"encodedList is not GZIP data: {error}") from error
    return bits


def is_power_of_two(value: int) -> bool:
    return value > 0 and value & (value - 1) == 0
