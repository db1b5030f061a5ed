"""Secrets stored at rest, sealed: tokens, passwords and private keys of outside systems.

A value is encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``) under a key
derived by HKDF-SHA256 from the same master secret as the issuers' signing keys
(``CREDENTIALS_KEY``, comma-separated values for rotation, newest first) and from a *purpose*
string, so that a value sealed for one use ("moodle-token") cannot be passed off as another
("lrs-password"). Without ``CREDENTIALS_KEY``, development, demo and test runs derive the key
from ``SECRET_KEY``; elsewhere sealing refuses to run.

    token = seal("s3cret", purpose="moodle-token")
    unseal(token, purpose="moodle-token")  # "s3cret"

Store the sealed text in an ordinary ``TextField``; never show it back to anyone (forms show
"set / not set" and take a new value).
"""

from __future__ import annotations

import base64
import os
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_SALT = b"parcours.lib.sealed"


class UnsealError(ImproperlyConfigured):
    """A sealed value cannot be opened: wrong purpose, altered text or a rotated-away key."""


def _master_secrets() -> tuple[str, ...]:
    raw = getattr(settings, "CREDENTIALS_KEY", "") or os.environ.get("CREDENTIALS_KEY", "")
    keys = tuple(part.strip() for part in str(raw).split(",") if part.strip())
    if keys:
        return keys
    development = bool(
        settings.DEBUG
        or getattr(settings, "TESTING", False)
        or os.environ.get("PARCOURS_DEMO", "").lower() in {"1", "true", "yes"}
    )
    if not development:
        raise ImproperlyConfigured("CREDENTIALS_KEY must be set to store secrets at rest.")
    return ("development:" + str(settings.SECRET_KEY),)


@lru_cache(maxsize=32)
def _box(secrets: tuple[str, ...], purpose: str) -> MultiFernet:
    fernets = []
    for secret in secrets:
        raw = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=_SALT, info=purpose.encode("utf-8")
        ).derive(secret.encode("utf-8"))
        fernets.append(Fernet(base64.urlsafe_b64encode(raw)))
    return MultiFernet(fernets)


def seal(value: str, *, purpose: str) -> str:
    """The encrypted form of ``value`` (ASCII text), for ``purpose`` only."""
    return _box(_master_secrets(), purpose).encrypt(value.encode("utf-8")).decode("ascii")


def unseal(token: str, *, purpose: str) -> str:
    """The clear value of a sealed ``token``; :class:`UnsealError` when it cannot be opened."""
    try:
        return _box(_master_secrets(), purpose).decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError) as exc:
        raise UnsealError(
            "A stored secret cannot be decrypted: was CREDENTIALS_KEY changed without keeping "
            "the previous value?"
        ) from exc
