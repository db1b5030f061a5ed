"""Issuers' Ed25519 signing keys: generation and encryption at rest.

Private keys are stored encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from
``cryptography``) under a key derived by HKDF-SHA256 from ``CREDENTIALS_KEY`` (see conf.py);
several values make a ``MultiFernet`` so the master secret itself can be rotated.
"""

from __future__ import annotations

import base64
import logging
import warnings
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from parcours.credentials import conf

logger = logging.getLogger(__name__)

_HKDF_SALT = b"parcours.credentials.signing-keys"
_HKDF_INFO = b"fernet key for issuer private keys"
DEV_WARNING = (
    "CREDENTIALS_KEY is not set: issuers' private keys are encrypted with a development key "
    "derived from SECRET_KEY. NEVER use this in production: set CREDENTIALS_KEY."
)


class KeyDecryptionError(ImproperlyConfigured):
    """A stored private key cannot be decrypted with the configured CREDENTIALS_KEY."""


def _derive(secret: str) -> Fernet:
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT, info=_HKDF_INFO).derive(
        secret.encode("utf-8")
    )
    return Fernet(base64.urlsafe_b64encode(raw))


@lru_cache(maxsize=8)
def _multi(secrets: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([_derive(secret) for secret in secrets])


def _secrets() -> tuple[str, ...]:
    keys = conf.credentials_keys()
    if keys:
        return tuple(keys)
    if not conf.development_mode():
        raise ImproperlyConfigured(
            "CREDENTIALS_KEY must be set to sign credentials (it encrypts the issuers' keys)."
        )
    _warn_development_key()
    return ("development:" + str(settings.SECRET_KEY),)


@lru_cache(maxsize=1)
def _warn_development_key() -> None:
    logger.warning(DEV_WARNING)
    warnings.warn(DEV_WARNING, RuntimeWarning, stacklevel=3)


def generate_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def encrypt_private_key(key: Ed25519PrivateKey) -> str:
    raw = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return _multi(_secrets()).encrypt(raw).decode("ascii")


def decrypt_private_key(token: str) -> Ed25519PrivateKey:
    try:
        raw = _multi(_secrets()).decrypt(token.encode("ascii"))
    except InvalidToken as error:
        raise KeyDecryptionError(
            "A signing key cannot be decrypted: CREDENTIALS_KEY differs from the one it was "
            "encrypted with."
        ) from error
    return Ed25519PrivateKey.from_private_bytes(raw)


def reencrypt(token: str) -> str:
    """The same private key encrypted under the first (current) CREDENTIALS_KEY value."""
    return _multi(_secrets()).rotate(token.encode("ascii")).decode("ascii")
