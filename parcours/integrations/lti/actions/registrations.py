"""Registrations of platforms: dynamic (LTI Dynamic Registration), manual, changes."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts import audit
from parcours.accounts.models import Organisation, Role, User
from parcours.accounts.permissions import Actor, require_role
from parcours.integrations.lti import outbound
from parcours.integrations.lti.actions._base import (
    AGS_SCOPES,
    HTTP_TIMEOUT,
    NRPS_SCOPE,
    TOKEN_LIFETIME,
    _check_url,
    _refuse,
    _service_failure,
)
from parcours.integrations.models import (
    LtiRegistration,
    LtiRegistrationToken,
)
from parcours.integrations.models.lti import hash_secret

# --- Registrations ---------------------------------------------------------------------------


def _require_admin(actor: Actor, organisation: Organisation) -> None:
    require_role(actor, organisation, (Role.ADMINISTRATOR,))


def create_registration_token(
    *, actor: Actor, organisation: Organisation, now: dt.datetime | None = None
) -> tuple[LtiRegistrationToken, str]:
    """A single-use Dynamic Registration secret, valid 24 hours; returns (row, secret)."""
    _require_admin(actor, organisation)
    secret = secrets.token_urlsafe(32)
    now = now or timezone.now()
    with transaction.atomic():
        row = LtiRegistrationToken.objects.create(
            organisation=organisation,
            secret_hash=hash_secret(secret),
            created_by=actor.user,
            expires_at=now + TOKEN_LIFETIME,
        )
        audit.record("lti.token.create", actor=actor.user, organisation=organisation, obj=row)
    return row, secret


@dataclass
class RegistrationData:
    name: str
    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    key_set_url: str
    deployment_ids: list[str]
    auth_audience: str = ""


def _clean(data: RegistrationData) -> RegistrationData:
    name = data.name.strip()[:120]
    client_id = data.client_id.strip()
    if not name:
        raise _refuse(_("Donnez un nom à la plateforme."))
    if not client_id or len(client_id) > 200:
        raise _refuse(_("Identifiant client manquant ou trop long (200 caractères au plus)."))
    deployments = [d.strip() for d in data.deployment_ids if d.strip()]
    if not deployments or len(deployments) > 50 or any(len(d) > 255 for d in deployments):
        raise _refuse(_("Indiquez de 1 à 50 identifiants de déploiement."))
    return RegistrationData(
        name=name,
        issuer=_check_url(data.issuer, _("Émetteur")),
        client_id=client_id,
        auth_login_url=_check_url(data.auth_login_url, _("URL d'authentification")),
        auth_token_url=_check_url(data.auth_token_url, _("URL des jetons d'accès")),
        key_set_url=_check_url(data.key_set_url, _("URL du jeu de clés")),
        deployment_ids=list(dict.fromkeys(deployments)),
        auth_audience=data.auth_audience.strip()[:300],
    )


def _create(
    organisation: Organisation, data: RegistrationData, *, source: str, actor: User | None
) -> LtiRegistration:
    try:
        with transaction.atomic():
            registration = LtiRegistration.objects.create(
                organisation=organisation,
                name=data.name,
                issuer=data.issuer,
                client_id=data.client_id,
                auth_login_url=data.auth_login_url,
                auth_token_url=data.auth_token_url,
                key_set_url=data.key_set_url,
                auth_audience=data.auth_audience,
                deployment_ids=data.deployment_ids,
                source=source,
                created_by=actor,
            )
            audit.record(
                "lti.registration.create",
                actor=actor,
                organisation=organisation,
                obj=registration,
                changes={"issuer": data.issuer, "client_id": data.client_id, "source": source},
            )
    except IntegrityError as exc:
        raise _refuse(
            _("Cette plateforme (émetteur et identifiant client) est déjà enregistrée."),
            "duplicate",
        ) from exc
    return registration


def register_manually(
    *, actor: Actor, organisation: Organisation, data: RegistrationData
) -> LtiRegistration:
    _require_admin(actor, organisation)
    return _create(
        organisation, _clean(data), source=LtiRegistration.Source.MANUAL, actor=actor.user
    )


def update_registration(
    *,
    actor: Actor,
    registration: LtiRegistration,
    is_active: bool | None = None,
    admin_as_coordinator: bool | None = None,
) -> LtiRegistration:
    _require_admin(actor, registration.organisation)
    changes: dict[str, Any] = {}
    if is_active is not None and is_active != registration.is_active:
        registration.is_active = changes["is_active"] = is_active
    if (
        admin_as_coordinator is not None
        and admin_as_coordinator != registration.admin_as_coordinator
    ):
        registration.admin_as_coordinator = changes["admin_as_coordinator"] = admin_as_coordinator
    if changes:
        with transaction.atomic():
            registration.save(update_fields=list(changes))
            audit.record(
                "lti.registration.update",
                actor=actor.user,
                organisation=registration.organisation,
                obj=registration,
                changes=changes,
            )
    return registration


def delete_registration(*, actor: Actor, registration: LtiRegistration) -> None:
    _require_admin(actor, registration.organisation)
    with transaction.atomic():
        audit.record(
            "lti.registration.delete",
            actor=actor.user,
            organisation=registration.organisation,
            changes={"issuer": registration.issuer, "client_id": registration.client_id},
        )
        registration.delete()


# --- Dynamic Registration --------------------------------------------------------------------


@dataclass(frozen=True)
class ToolUrls:
    """Parcours' absolute URLs that the platform is told about."""

    login: str
    launch: str
    jwks: str
    domain: str


def usable_token(secret: str, now: dt.datetime | None = None) -> LtiRegistrationToken | None:
    now = now or timezone.now()
    if not secret or len(secret) > 200:
        return None
    row = (
        LtiRegistrationToken.objects.select_related("organisation")
        .filter(secret_hash=hash_secret(secret))
        .first()
    )
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    return row


def _same_origin(a: str, b: str) -> bool:
    pa, pb = urlsplit(a), urlsplit(b)
    return (pa.scheme, pa.netloc.lower()) == (pb.scheme, pb.netloc.lower())


def registration_payload(organisation: Organisation, urls: ToolUrls) -> dict[str, Any]:
    """The client registration Parcours posts to the platform (LTI Dynamic Registration)."""
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": urls.login,
        "redirect_uris": [urls.launch],
        "client_name": f"Parcours — {organisation.name}",
        "jwks_uri": urls.jwks,
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join([*AGS_SCOPES, NRPS_SCOPE]),
        "https://purl.imsglobal.org/spec/lti-tool-configuration": {
            "domain": urls.domain,
            "target_link_uri": urls.launch,
            "claims": ["iss", "sub", "name", "given_name", "family_name", "email"],
            "messages": [
                {"type": "LtiResourceLinkRequest", "target_link_uri": urls.launch},
                {
                    "type": "LtiDeepLinkingRequest",
                    "target_link_uri": urls.launch,
                    "label": "Parcours",
                },
            ],
            "description": _("Modules, parcours, sessions et badges de %(org)s.")
            % {"org": organisation.name},
        },
    }


def _address_refused(url: str) -> str:
    return _(
        "L'adresse %(host)s désigne une machine interne (adresse privée, locale ou réservée) : "
        "Parcours ne s'y connecte pas. Si la plateforme est sur votre réseau local, "
        "l'administrateur du serveur peut l'autoriser (réglage LTI_ALLOW_PRIVATE_ADDRESSES)."
    ) % {"host": urlsplit(url).hostname or url}


def register_dynamically(
    *,
    secret: str,
    openid_configuration: str,
    registration_token: str,
    urls: ToolUrls,
    session: requests.Session | None = None,
) -> LtiRegistration:
    """Run LTI Dynamic Registration for the organisation of a usable token: read the
    platform's OpenID configuration, post Parcours' client registration, store the returned
    client id and deployment id. The token is spent only when everything succeeded."""
    row = usable_token(secret)
    if row is None:
        raise PermissionDenied(_("Ce lien d'enregistrement est inconnu, expiré ou déjà utilisé."))
    organisation = row.organisation
    config_url = _check_url(openid_configuration, _("Configuration OpenID"))
    http = session or outbound.guarded_session()
    try:
        config = outbound.read_json(http.get(config_url, timeout=HTTP_TIMEOUT, stream=True))
    except outbound.AddressRefused as exc:
        _service_failure(organisation, None, "registration", None, f"{config_url}: {exc}")
        raise _refuse(_address_refused(config_url)) from exc
    except (requests.RequestException, ValueError) as exc:
        _service_failure(organisation, None, "registration", None, f"{config_url}: {exc}")
        raise _refuse(_("La configuration de la plateforme est illisible ou injoignable.")) from exc
    if not isinstance(config, dict):
        raise _refuse(_("La configuration de la plateforme est illisible ou injoignable."))
    issuer = str(config.get("issuer", ""))
    if not issuer or not _same_origin(issuer, config_url):
        raise _refuse(_("L'émetteur annoncé ne correspond pas à l'adresse de la configuration."))
    endpoint = _check_url(str(config.get("registration_endpoint", "")), _("Enregistrement"))
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if registration_token:
        headers["Authorization"] = f"Bearer {registration_token}"
    payload = registration_payload(organisation, urls)
    try:
        answer = http.post(
            endpoint, json=payload, headers=headers, timeout=HTTP_TIMEOUT, stream=True
        )
        body = outbound.read_json(answer)
    except outbound.AddressRefused as exc:
        _service_failure(organisation, None, "registration", None, f"{endpoint}: {exc}")
        raise _refuse(_address_refused(endpoint)) from exc
    except (requests.RequestException, ValueError) as exc:
        _service_failure(organisation, None, "registration", None, f"{endpoint}: {exc}")
        raise _refuse(_("La plateforme n'a pas accepté l'enregistrement.")) from exc
    if not answer.ok or not isinstance(body, dict) or not body.get("client_id"):
        _service_failure(
            organisation, None, "registration", answer.status_code, json.dumps(body)[:2000]
        )
        raise _refuse(_("La plateforme n'a pas accepté l'enregistrement."))
    tool_config = body.get("https://purl.imsglobal.org/spec/lti-tool-configuration") or {}
    deployment = str(tool_config.get("deployment_id", "") or "")
    platform = config.get("https://purl.imsglobal.org/spec/lti-platform-configuration") or {}
    data = _clean(
        RegistrationData(
            name=(
                f"{str(platform.get('product_family_code') or 'LTI').title()} — "
                f"{urlsplit(issuer).netloc}"
            )[:120],
            issuer=issuer,
            client_id=str(body["client_id"]),
            auth_login_url=str(config.get("authorization_endpoint", "")),
            auth_token_url=str(config.get("token_endpoint", "")),
            key_set_url=str(config.get("jwks_uri", "")),
            deployment_ids=[deployment] if deployment else ["1"],
            auth_audience=str(config.get("authorization_server", "") or ""),
        )
    )
    with transaction.atomic():
        locked = LtiRegistrationToken.objects.select_for_update().get(pk=row.pk)
        if locked.used_at is not None:
            raise PermissionDenied(_("Ce lien d'enregistrement a déjà été utilisé."))
        registration = _create(
            organisation, data, source=LtiRegistration.Source.DYNAMIC, actor=row.created_by
        )
        locked.used_at = timezone.now()
        locked.registration = registration
        locked.save(update_fields=["used_at", "registration"])
    return registration
