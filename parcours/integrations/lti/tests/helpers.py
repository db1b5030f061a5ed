from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.test import Client

from parcours.accounts.models import Organisation, User
from parcours.accounts.permissions import Actor
from parcours.integrations.lti import actions
from parcours.integrations.lti.tests.platform import Platform
from parcours.integrations.models import LtiRegistration

LOGIN = "/integrations/lti/connexion/"
LAUNCH = "/integrations/lti/lancement/"


def register(platform: Platform, org: Organisation, admin: User, **changes: Any) -> LtiRegistration:
    data = {"name": "Moodle-Technosphère", **platform.registration_data(), **changes}
    return actions.register_manually(
        actor=Actor.of(admin), organisation=org, data=actions.RegistrationData(**data)
    )


def login_step(client: Client, params: dict[str, str]) -> dict[str, str]:
    """Post the login initiation like the LMS page does; the auth request's parameters."""
    response = client.post(LOGIN, params)
    assert response.status_code == 302, response.content[:500]
    return {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}


def launch(client: Client, platform: Platform, **message: Any) -> Any:
    """The whole launch (login initiation → platform auth → id_token post)."""
    auth = login_step(client, platform.prepare(**message))
    return client.post(LAUNCH, platform.answer_auth(auth))
