"""System checks: production needs CREDENTIALS_KEY (``manage.py check --deploy``), and an
https domain name as its public address (every run with DEBUG off, outside tests and demo)."""

from __future__ import annotations

from typing import Any

from django.core import checks

from parcours.credentials import conf
from parcours.lib import urls


@checks.register(checks.Tags.security, deploy=True)
def credentials_key_is_set(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if conf.credentials_keys():
        return []
    return [
        checks.Error(
            "CREDENTIALS_KEY is not set: issuers' private signing keys cannot be encrypted.",
            hint="Set CREDENTIALS_KEY to a long random secret kept outside the repository.",
            id="credentials.E001",
        )
    ]


@checks.register(checks.Tags.security)
def site_url_can_issue(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Badges carry links and a did:web built from SITE_URL, for years: refuse to run a
    production site whose address is http, an IP address or a local name."""
    if conf.development_mode():
        return []
    errors: list[checks.CheckMessage] = []
    site_url = urls.configured_site_url()
    reason = urls.insecure_site_url_reason(site_url)
    if reason:
        errors.append(
            checks.Error(
                f"SITE_URL {site_url!r} cannot be the address of issued badges ({reason}).",
                hint="Set SITE_URL to the site's public https address, e.g. "
                "https://parcours.example.org (DEBUG or PARCOURS_DEMO for a local demo).",
                id="credentials.E002",
            )
        )
    did_host = conf.configured_did_host()
    if did_host and urls.insecure_site_url_reason(f"https://{did_host}"):
        errors.append(
            checks.Error(
                f"CREDENTIALS_DID_HOST {did_host!r} is not a domain name others can resolve.",
                hint="Leave CREDENTIALS_DID_HOST empty (SITE_URL's host) or set a domain name.",
                id="credentials.E003",
            )
        )
    return errors
