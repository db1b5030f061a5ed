"""Settings of the credentials app, read from Django settings with environment fallbacks.

- ``CREDENTIALS_KEY`` (env): the secret that encrypts issuers' private keys at rest. Several
  comma-separated values are accepted: the first encrypts, all decrypt (to rotate it, put the
  new value first, run ``manage.py reencrypt_signing_keys``, then drop the old one). Without it,
  DEBUG / test / demo runs derive a development key from SECRET_KEY (with a loud warning);
  production refuses to sign (system check ``credentials.E001``).
- ``CREDENTIALS_DID_HOST`` (env, optional): the host (and port) used in ``did:web`` identifiers
  of new issuers; defaults to the host of ``SITE_URL`` (in the demo: of the address served,
  see ``parcours.lib.urls``).
- ``CREDENTIALS_SIGNING_PROCESSES`` (env, optional, default 2): processes used to sign a bulk
  issuance batch (1 = sign inline).
"""

from __future__ import annotations

import os
from urllib.parse import quote

from django.conf import settings

from parcours.lib.urls import site_host


def configured_did_host() -> str:
    return str(
        getattr(settings, "CREDENTIALS_DID_HOST", "") or os.environ.get("CREDENTIALS_DID_HOST", "")
    )


def did_host() -> str:
    """The did:web method-specific host: ``example.org`` or ``127.0.0.1%3A8000``."""
    host = configured_did_host() or site_host() or "localhost"
    return quote(host, safe="")


def credentials_keys() -> list[str]:
    raw = getattr(settings, "CREDENTIALS_KEY", "") or os.environ.get("CREDENTIALS_KEY", "")
    return [part.strip() for part in str(raw).split(",") if part.strip()]


def development_mode() -> bool:
    return bool(
        settings.DEBUG
        or getattr(settings, "TESTING", False)
        or os.environ.get("PARCOURS_DEMO", "").lower() in {"1", "true", "yes"}
    )


def signing_processes() -> int:
    raw = getattr(settings, "CREDENTIALS_SIGNING_PROCESSES", None)
    if raw is None:
        raw = os.environ.get("CREDENTIALS_SIGNING_PROCESSES", "2")
    try:
        return max(1, int(raw))
    except (TypeError, ValueError):
        return 1
