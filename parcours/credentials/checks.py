"""System checks: production needs CREDENTIALS_KEY (``manage.py check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.core import checks

from parcours.credentials import conf


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
