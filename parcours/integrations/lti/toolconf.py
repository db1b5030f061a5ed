"""pylti1p3's tool configuration, read from the database (one registration per issuer +
client id, each with its organisation's key pair)."""

from __future__ import annotations

from typing import Any

from pylti1p3.deployment import Deployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config.abstract import ToolConfAbstract

from parcours.integrations.lti import keys
from parcours.integrations.models import LtiRegistration


def as_pylti(registration: LtiRegistration) -> Registration:
    key = keys.tool_key(registration.organisation)
    reg = Registration()
    reg.set_issuer(registration.issuer)
    reg.set_client_id(registration.client_id)
    reg.set_auth_login_url(registration.auth_login_url)
    reg.set_auth_token_url(registration.auth_token_url)
    reg.set_key_set_url(registration.key_set_url)
    if registration.auth_audience:
        reg.set_auth_audience(registration.auth_audience)
    reg.set_tool_private_key(keys.private_pem(key))
    reg.set_tool_public_key(key.public_pem)
    return reg


class DatabaseToolConf(ToolConfAbstract):
    """Active registrations only; the one found is kept in ``self.registration``."""

    def __init__(self) -> None:
        self.registration: LtiRegistration | None = None

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def _find(self, iss: str, client_id: str | None) -> LtiRegistration | None:
        if self.registration is not None and (
            self.registration.issuer == iss and self.registration.client_id == client_id
        ):
            return self.registration
        found = (
            LtiRegistration.objects.select_related("organisation")
            .filter(issuer=iss, client_id=client_id or "", is_active=True)
            .first()
        )
        self.registration = found
        return found

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Registration:
        raise NotImplementedError  # every issuer may have many client ids

    def find_registration_by_params(
        self, iss: str, client_id: str, *args: Any, **kwargs: Any
    ) -> Registration:
        found = self._find(iss, client_id)
        return as_pylti(found) if found is not None else None  # type: ignore[return-value]

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        raise NotImplementedError

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str, *args: Any, **kwargs: Any
    ) -> Deployment | None:
        found = self._find(iss, client_id)
        if found is None or str(deployment_id) not in [str(d) for d in found.deployment_ids]:
            return None
        return Deployment().set_deployment_id(str(deployment_id))
