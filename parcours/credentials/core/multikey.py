"""Multikey / multibase encoding of Ed25519 keys (W3C Controlled Identifiers, "Multikey").

* ``publicKeyMultibase`` = ``"z"`` + base58btc(``0xed 0x01`` + 32-byte public key)
* ``secretKeyMultibase`` = ``"z"`` + base58btc(``0x80 0x26`` + 32-byte seed)

The two-byte prefixes are the unsigned-varint multicodec codes ``ed25519-pub`` (0xed)
and ``ed25519-priv`` (0x1300).
"""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

BASE58BTC_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {char: index for index, char in enumerate(BASE58BTC_ALPHABET)}

MULTIBASE_BASE58BTC = "z"
ED25519_PUB_PREFIX = b"\xed\x01"
ED25519_PRIV_PREFIX = b"\x80\x26"
ED25519_KEY_LENGTH = 32


class MultikeyError(ValueError):
    """A multibase / Multikey value is malformed or of the wrong key type."""


def b58encode(data: bytes) -> str:
    """Bitcoin base58 encoding (leading zero bytes become leading ``1``)."""
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    chars: list[str] = []
    while number:
        number, remainder = divmod(number, 58)
        chars.append(BASE58BTC_ALPHABET[remainder])
    return "1" * zeros + "".join(reversed(chars))


def b58decode(text: str) -> bytes:
    """Inverse of :func:`b58encode`; raises :class:`MultikeyError` on a foreign character."""
    number = 0
    for char in text:
        try:
            number = number * 58 + _B58_INDEX[char]
        except KeyError:
            raise MultikeyError(f"invalid base58btc character {char!r}") from None
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def multibase_encode(data: bytes) -> str:
    """Multibase base58btc: ``"z"`` + base58btc(data)."""
    return MULTIBASE_BASE58BTC + b58encode(data)


def multibase_decode(value: str) -> bytes:
    """Decode a base58btc multibase string (must start with ``"z"``)."""
    if not isinstance(value, str) or not value.startswith(MULTIBASE_BASE58BTC):
        raise MultikeyError("only base58btc multibase values ('z' prefix) are supported")
    return b58decode(value[1:])


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _raw_private(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )


def encode_public_key(key: Ed25519PublicKey) -> str:
    """Ed25519 public key → ``publicKeyMultibase`` (``z6Mk…``)."""
    return multibase_encode(ED25519_PUB_PREFIX + _raw_public(key))


def decode_public_key(value: str) -> Ed25519PublicKey:
    """``publicKeyMultibase`` → Ed25519 public key. Any other key type is refused."""
    raw = multibase_decode(value)
    if len(raw) != len(ED25519_PUB_PREFIX) + ED25519_KEY_LENGTH or not raw.startswith(
        ED25519_PUB_PREFIX
    ):
        raise MultikeyError("not an Ed25519 publicKeyMultibase (expected 0xed01 + 32 bytes)")
    return Ed25519PublicKey.from_public_bytes(raw[len(ED25519_PUB_PREFIX) :])


def encode_secret_key(key: Ed25519PrivateKey) -> str:
    """Ed25519 private key → ``secretKeyMultibase`` (``z3u2…``)."""
    return multibase_encode(ED25519_PRIV_PREFIX + _raw_private(key))


def decode_secret_key(value: str) -> Ed25519PrivateKey:
    """``secretKeyMultibase`` → Ed25519 private key. Any other key type is refused."""
    raw = multibase_decode(value)
    if len(raw) != len(ED25519_PRIV_PREFIX) + ED25519_KEY_LENGTH or not raw.startswith(
        ED25519_PRIV_PREFIX
    ):
        raise MultikeyError("not an Ed25519 secretKeyMultibase (expected 0x8026 + 32 bytes)")
    return Ed25519PrivateKey.from_private_bytes(raw[len(ED25519_PRIV_PREFIX) :])


def did_key_for(key: Ed25519PublicKey) -> str:
    """The ``did:key`` identifier of an Ed25519 public key."""
    return "did:key:" + encode_public_key(key)


def did_key_verification_method(key: Ed25519PublicKey) -> str:
    """The ``did:key`` verification method URL (``did:key:z6Mk…#z6Mk…``)."""
    multikey = encode_public_key(key)
    return f"did:key:{multikey}#{multikey}"
