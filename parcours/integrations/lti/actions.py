"""Every write of the LTI part: registrations, launches, deep links, NRPS enrolment, AGS scores.

Views and tasks call these functions only. Outgoing HTTP calls (the platform's OpenID
configuration, its registration endpoint, NRPS and AGS) never run inside a database
transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import requests
from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts import actions as account_actions
from parcours.accounts import audit
from parcours.accounts.models import STAFF_ROLES, Membership, Organisation, Role, User
from parcours.accounts.permissions import Actor, require_role
from parcours.enrolment.actions import enrol
from parcours.enrolment.models import Enrolment, Session
from parcours.enrolment.states import ACTIVE, EnrolmentStatus
from parcours.integrations.lti import roles as role_map
from parcours.integrations.lti import targets
from parcours.integrations.lti.signals import lti_launched
from parcours.integrations.models import (
    LtiContext,
    LtiLaunchLog,
    LtiLineItem,
    LtiNonce,
    LtiPersonLink,
    LtiRegistration,
    LtiRegistrationToken,
    LtiScore,
    LtiServiceFailure,
)
from parcours.integrations.models.lti import hash_secret
from parcours.lib.transactions import write_transaction

logger = logging.getLogger("parcours.integrations.lti")

TOKEN_LIFETIME = dt.timedelta(hours=24)
HTTP_TIMEOUT = 10  # seconds, every call to a platform
MAX_MEMBERS = 5000  # NRPS: members read at most in one action
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
AGS_SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]
_ROLE_OF = {
    role_map.TRAINER: Role.TRAINER,
    role_map.COORDINATOR: Role.COORDINATOR,
    role_map.LEARNER: Role.LEARNER,
}


class LaunchRefused(Exception):
    """A launch that cannot go on; ``cause`` is one of :data:`CAUSES`."""

    def __init__(self, cause: str, detail: str = "") -> None:
        super().__init__(f"{cause}: {detail}")
        self.cause = cause
        self.detail = detail


def _refuse(message: str, code: str = "invalid") -> ValidationError:
    return ValidationError(message, code=code)


def _check_url(value: str, label: str) -> str:
    value = (value or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError as exc:
        raise _refuse(_("%(label)s : adresse web invalide.") % {"label": label}) from exc
    if len(value) > 500:
        raise _refuse(_("%(label)s : adresse trop longue.") % {"label": label})
    return value


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
    http = session or requests.Session()
    try:
        config = http.get(config_url, timeout=HTTP_TIMEOUT).json()
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
        answer = http.post(endpoint, json=payload, headers=headers, timeout=HTTP_TIMEOUT)
        body = answer.json() if answer.content else {}
    except (requests.RequestException, ValueError) as exc:
        _service_failure(organisation, None, "registration", None, f"{endpoint}: {exc}")
        raise _refuse(_("La plateforme n'a pas accepté l'enregistrement.")) from exc
    if not answer.ok or not isinstance(body, dict) or not body.get("client_id"):
        _service_failure(organisation, None, "registration", answer.status_code, answer.text[:2000])
        raise _refuse(_("La plateforme n'a pas accepté l'enregistrement."))
    tool_config = body.get("https://purl.imsglobal.org/spec/lti-tool-configuration") or {}
    deployment = str(tool_config.get("deployment_id", "") or "")
    platform = config.get("https://purl.imsglobal.org/spec/lti-platform-configuration") or {}
    data = _clean(
        RegistrationData(
            name=str(platform.get("product_family_code") or urlsplit(issuer).netloc)[:120],
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


# --- Launch ----------------------------------------------------------------------------------


CAUSES = (
    "missing_state",
    "bad_state",
    "bad_nonce",
    "replayed",
    "unknown_issuer",
    "unknown_deployment",
    "keyset_unavailable",
    "bad_signature",
    "expired",
    "invalid_message",
    "bad_target",
    "account_conflict",
    "not_staff",
)


def cause_of(message: str) -> str:
    """The cause code of a pylti1p3 refusal message."""
    text = message.lower()
    rules = (
        ("missing state", "missing_state"),
        ("state not found", "bad_state"),
        ("nonce", "bad_nonce"),
        ("registration not found", "unknown_issuer"),
        ("client id not registered", "unknown_issuer"),
        ("could not find registration", "unknown_issuer"),
        ("could not find issuer", "unknown_issuer"),
        ("unable to find deployment", "unknown_deployment"),
        ("error during fetch url", "keyset_unavailable"),
        ("invalid response from", "keyset_unavailable"),
        ("expired", "expired"),
        ("signature", "bad_signature"),
        ("unable to find public key", "bad_signature"),
        ("kid not found", "bad_signature"),
    )
    for needle, cause in rules:
        if needle in text:
            return cause
    return "invalid_message"


def log_refusal(
    *,
    cause: str,
    detail: str,
    registration: LtiRegistration | None = None,
    issuer: str = "",
    client_id: str = "",
) -> LtiLaunchLog:
    """Record a refused launch (its own transaction: the refusal rolled the launch back)."""
    if registration is None and issuer:
        registration = (
            LtiRegistration.objects.filter(issuer=issuer, client_id=client_id).first()
            if client_id
            else LtiRegistration.objects.filter(issuer=issuer).first()
        )
    logger.warning("LTI launch refused (%s) from %s: %s", cause, issuer or "?", detail)
    return LtiLaunchLog.objects.create(
        organisation=registration.organisation if registration else None,
        registration=registration,
        outcome=LtiLaunchLog.Outcome.REFUSED,
        cause=cause,
        detail=detail[:2000],
        issuer=issuer[:300],
    )


def _protected(user: User, organisation: Organisation) -> bool:
    """An account that an e-mail claim of this organisation's LMS may not take over: a
    platform administrator, or staff of another organisation."""
    if user.is_superuser or user.is_staff or not user.is_active or user.erased_at is not None:
        return True
    return (
        Membership.objects.filter(user=user, role__in=STAFF_ROLES)
        .exclude(organisation=organisation)
        .exists()
    )


def _synthetic_email(registration: LtiRegistration, sub: str) -> str:
    digest = hashlib.sha256(
        f"{registration.issuer}|{registration.client_id}|{sub}".encode()
    ).hexdigest()
    return f"lti-{digest[:24]}@lti.invalid"


def match_person(registration: LtiRegistration, claims: dict[str, Any]) -> User:
    """The Parcours person of an LMS user (call inside a transaction).

    1. the link (registration, ``sub``) made by an earlier launch;
    2. else the account with the launch's e-mail, if that address is **verified** in Parcours
       and the account is not protected (a platform administrator, or staff of another
       organisation: an LMS of organisation A cannot sign into A's partner's coordinator);
    3. else a new person, without a usable password (they may set one later by "mot de passe
       oublié"); without an e-mail claim the address is a placeholder ``…@lti.invalid``.
    """
    sub = str(claims.get("sub") or "").strip()
    if not sub or len(sub) > 255:
        raise LaunchRefused("invalid_message", "missing or too long sub")
    link = (
        LtiPersonLink.objects.select_related("user")
        .filter(registration=registration, sub=sub)
        .first()
    )
    if link is not None:
        if not link.user.is_active:
            raise LaunchRefused("account_conflict", "the linked account is deactivated")
        return link.user
    email = str(claims.get("email") or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        email = ""
    user: User | None = None
    if email:
        existing = User.objects.filter(email__iexact=email).first()
        if existing is not None:
            verified = EmailAddress.objects.filter(
                user=existing, email__iexact=email, verified=True
            ).exists()
            if not verified or _protected(existing, registration.organisation):
                raise LaunchRefused(
                    "account_conflict",
                    f"an account with {email} exists and may not be matched "
                    f"({'protected' if verified else 'address not verified'})",
                )
            user = existing
    if user is None:
        user = account_actions.create_user(
            email=email or _synthetic_email(registration, sub),
            password=None,
            first_name=str(claims.get("given_name") or "")[:150],
            last_name=str(claims.get("family_name") or claims.get("name") or "")[:150],
        )
    LtiPersonLink.objects.create(registration=registration, sub=sub, user=user)
    return user


def _context(registration: LtiRegistration, claims: dict[str, Any]) -> LtiContext | None:
    ctx = claims.get(CLAIM + "context")
    if not isinstance(ctx, dict) or not str(ctx.get("id") or "").strip():
        return None
    nrps = claims.get(NRPS_CLAIM) if isinstance(claims.get(NRPS_CLAIM), dict) else {}
    ags = claims.get(AGS_CLAIM) if isinstance(claims.get(AGS_CLAIM), dict) else {}
    values: dict[str, Any] = {"title": str(ctx.get("title") or "")[:255]}
    if nrps and str(nrps.get("context_memberships_url", "")).startswith(("http://", "https://")):
        values["memberships_url"] = str(nrps["context_memberships_url"])[:500]
    if ags and str(ags.get("lineitems", "")).startswith(("http://", "https://")):
        values["lineitems_url"] = str(ags["lineitems"])[:500]
        values["ags_scopes"] = [str(s) for s in ags.get("scope", []) if isinstance(s, str)][:10]
    context, _created = LtiContext.objects.update_or_create(
        registration=registration, context_id=str(ctx["id"])[:255], defaults=values
    )
    return context


@dataclass
class LaunchResult:
    user: User
    url: str
    deep_linking: bool
    target: targets.Target | None
    log: LtiLaunchLog


def complete_launch(
    *, registration: LtiRegistration, claims: dict[str, Any], picker_url: str = ""
) -> LaunchResult:
    """A launch that pylti1p3 validated (state, signature, expiry, registration, deployment):
    refuse a replayed nonce, match or create the person, give the mapped roles, remember the
    course and its services, and say where to go. Raises :class:`LaunchRefused`."""
    organisation = registration.organisation
    message_type = str(claims.get(CLAIM + "message_type") or "")
    nonce = str(claims.get("nonce") or "")
    if not nonce or len(nonce) > 255:
        raise LaunchRefused("bad_nonce", "missing nonce")
    roles = role_map.parcours_roles(
        claims.get(CLAIM + "roles") or [], admin_as_coordinator=registration.admin_as_coordinator
    )
    deep_linking = message_type == "LtiDeepLinkingRequest"
    if deep_linking and not role_map.is_staff(roles):
        raise LaunchRefused("not_staff", "deep linking requested by a learner")
    target = None if deep_linking else targets.parse(claims.get(CLAIM + "custom"))
    with write_transaction():
        try:
            with transaction.atomic():
                LtiNonce.objects.create(nonce=nonce)
        except IntegrityError as exc:
            raise LaunchRefused("replayed", f"nonce {nonce[:16]}… already used") from exc
        resolved = targets.resolve(target, organisation) if target else None
        if target is not None and resolved is None:
            raise LaunchRefused("bad_target", f"{target} is not one of {organisation.slug}'s")
        user = match_person(registration, claims)
        for role in sorted(roles):
            account_actions.grant_role(
                user=user, organisation=organisation, role=_ROLE_OF[role], actor=None
            )
        context = _context(registration, claims)
        obj = resolved[1] if resolved else None
        module = targets.module_of(obj)
        line_item = None
        if context is not None and isinstance(obj, Session) and context.session_id != obj.pk:
            context.session = obj
            context.save(update_fields=["session"])
        if context is not None and module is not None and context.lineitems_url:
            ags = claims.get(AGS_CLAIM) or {}
            line_item, _created = LtiLineItem.objects.get_or_create(context=context, module=module)
            given = str(ags.get("lineitem") or "") if isinstance(ags, dict) else ""
            if given.startswith(("http://", "https://")) and line_item.url != given:
                line_item.url = given[:500]
                line_item.save(update_fields=["url"])
        if deep_linking:
            url = picker_url
        elif resolved:
            url = resolved[0]
        else:
            url = reverse("home")
        log = LtiLaunchLog.objects.create(
            organisation=organisation,
            registration=registration,
            user=user,
            outcome=LtiLaunchLog.Outcome.ACCEPTED,
            issuer=registration.issuer,
            message_type=message_type[:60],
            target=str(target or "")[:60],
        )
        transaction.on_commit(
            partial(
                lti_launched.send,
                sender=LtiRegistration,
                person=user,
                organisation=organisation,
                registration=registration,
                target=target,
            )
        )
        if line_item is not None and not line_item.url:
            transaction.on_commit(partial(_enqueue_line_item, line_item.pk))
    return LaunchResult(user=user, url=url, deep_linking=deep_linking, target=target, log=log)


# --- Platform services (NRPS, AGS) -------------------------------------------------------------


def _service_failure(
    organisation: Organisation,
    registration: LtiRegistration | None,
    kind: str,
    status: int | None,
    detail: str,
) -> LtiServiceFailure:
    logger.warning("LTI %s call failed (%s): %s", kind, status, detail[:500])
    return LtiServiceFailure.objects.create(
        organisation=organisation,
        registration=registration,
        kind=kind,
        status_code=status if status and 0 < status < 1000 else None,
        detail=detail[:2000],
    )


def _connector(registration: LtiRegistration) -> Any:
    from pylti1p3.service_connector import ServiceConnector

    from parcours.integrations.lti.toolconf import as_pylti

    http = requests.Session()
    http.request = partial(http.request, timeout=HTTP_TIMEOUT)  # type: ignore[method-assign]
    return ServiceConnector(as_pylti(registration), requests_session=http)


def courses_for_session(session: Session) -> list[LtiContext]:
    """The LMS courses linked to a session (placed it, or its module) with a member list."""
    from django.db.models import Q

    return list(
        LtiContext.objects.filter(
            registration__organisation_id=session.organisation_id,
            registration__is_active=True,
        )
        .exclude(memberships_url="")
        .filter(Q(session=session) | Q(line_items__module_id=session.module_id))
        .select_related("registration")
        .distinct()
        .order_by("title", "pk")[:20]
    )


@dataclass
class NrpsReport:
    enrolled: int = 0
    waitlisted: int = 0
    already: int = 0
    skipped: int = 0
    reasons: list[str] = field(default_factory=list)


def _is_learner(member: dict[str, Any]) -> bool:
    member_roles = [r for r in member.get("roles", []) if isinstance(r, str)]
    return member_roles == [] or role_map.parcours_roles(
        member_roles, admin_as_coordinator=False
    ) == {role_map.LEARNER}


def enrol_course_members(*, actor: Actor, session: Session, context: LtiContext) -> NrpsReport:
    """Read the course's members (NRPS, every page) and enrol its active learners in the
    session with the enrolment app's rules (capacity, waitlist, overlaps). Coordinators only:
    enrolling others is theirs in Parcours (``enrolment`` checks it again)."""
    require_role(actor, session.organisation_id, (Role.COORDINATOR,))
    registration = context.registration
    if registration.organisation_id != session.organisation_id or not context.memberships_url:
        raise PermissionDenied(_("Ce cours n'est pas relié à votre organisation."))
    from pylti1p3.exception import LtiServiceException
    from pylti1p3.names_roles import NamesRolesProvisioningService

    service = NamesRolesProvisioningService(
        _connector(registration), {"context_memberships_url": context.memberships_url}
    )
    members: list[dict[str, Any]] = []
    url: str | None = context.memberships_url
    try:
        while url and len(members) < MAX_MEMBERS:
            page, url = service.get_members_page(url)
            members.extend(dict(m) for m in page if isinstance(m, dict))
    except (LtiServiceException, requests.RequestException, ValueError, KeyError) as exc:
        status = getattr(getattr(exc, "response", None), "status_code", None)
        _service_failure(session.organisation, registration, "nrps", status, str(exc))
        raise _refuse(
            _("La liste des membres du cours n'a pas pu être lue : %(error)s")
            % {"error": str(exc)[:200]},
            "service",
        ) from exc
    report = NrpsReport()
    for member in members:
        if str(member.get("status", "Active")) != "Active" or not _is_learner(member):
            report.skipped += 1
            continue
        claims = {
            "sub": member.get("user_id"),
            "email": member.get("email"),
            "given_name": member.get("given_name"),
            "family_name": member.get("family_name"),
            "name": member.get("name"),
        }
        try:
            with write_transaction():
                learner = match_person(registration, claims)
                account_actions.grant_role(
                    user=learner, organisation=session.organisation, role=Role.LEARNER, actor=None
                )
        except LaunchRefused as refused:
            report.skipped += 1
            report.reasons.append(refused.detail)
            continue
        if Enrolment.objects.filter(session=session, learner=learner, status__in=ACTIVE).exists():
            report.already += 1
            continue
        try:
            enrolment = enrol(
                actor=actor, session=session, learner=learner, source=Enrolment.Source.COORDINATOR
            )
        except ValidationError as exc:
            report.skipped += 1
            report.reasons.append("; ".join(exc.messages))
            continue
        if enrolment.status == EnrolmentStatus.WAITLISTED:
            report.waitlisted += 1
        else:
            report.enrolled += 1
    audit.record(
        "lti.nrps.enrol",
        actor=actor.user,
        organisation=session.organisation,
        obj=session,
        changes={
            "context": context.context_id,
            "enrolled": report.enrolled,
            "waitlisted": report.waitlisted,
            "already": report.already,
            "skipped": report.skipped,
        },
    )
    return report


def _enqueue_line_item(line_item_id: int) -> None:
    from parcours.integrations.lti.tasks import create_line_item

    create_line_item.enqueue(line_item_id)


def _ags(registration: LtiRegistration, context: LtiContext) -> Any:
    from pylti1p3.assignments_grades import AssignmentsGradesService

    service_data: Any = {
        "scope": context.ags_scopes or AGS_SCOPES,
        "lineitems": context.lineitems_url,
    }
    return AssignmentsGradesService(_connector(registration), service_data)


def ensure_line_item(line_item_id: int) -> LtiLineItem | None:
    """Create the module's line item on the platform (found by its tag if it exists)."""
    from pylti1p3.lineitem import LineItem

    line_item = (
        LtiLineItem.objects.select_related("context__registration__organisation", "module")
        .filter(pk=line_item_id)
        .first()
    )
    if line_item is None or line_item.url:
        return line_item
    context = line_item.context
    wanted = (
        LineItem()
        .set_tag(f"parcours-module-{line_item.module_id}")
        .set_label(line_item.module.title_fr[:200])
        .set_score_maximum(1)
    )
    found = _ags(context.registration, context).find_or_create_lineitem(wanted)
    url = str(found.get_id() or "")
    if url:
        LtiLineItem.objects.filter(pk=line_item.pk, url="").update(url=url[:500])
        line_item.url = url[:500]
    return line_item


# --- Scores (AGS) ----------------------------------------------------------------------------

MAX_SCORE_ATTEMPTS = 5


def queue_scores_for_completion(*, learner_id: int, module_id: int) -> list[int]:
    """A module was completed: one pending score per linked course where the learner has an
    LMS identity; the task that sends it is enqueued after commit. Never raises into the
    caller's attendance or completion."""
    links = {
        link.registration_id: link.sub
        for link in LtiPersonLink.objects.filter(user_id=learner_id, registration__is_active=True)
    }
    if not links:
        return []
    ids = []
    now = timezone.now()
    for line_item in LtiLineItem.objects.filter(
        module_id=module_id, context__registration_id__in=list(links)
    ).select_related("context"):
        score, _created = LtiScore.objects.update_or_create(
            line_item=line_item,
            user_id=learner_id,
            defaults={
                "sub": links[line_item.context.registration_id],
                "score_given": 1,
                "score_maximum": 1,
                "activity_progress": "Completed",
                "grading_progress": "FullyGraded",
                "timestamp": now,
                "state": LtiScore.State.PENDING,
                "attempts": 0,
                "last_error": "",
            },
        )
        ids.append(score.pk)
    if ids:
        transaction.on_commit(partial(_enqueue_scores, ids))
    return ids


def _enqueue_scores(ids: list[int]) -> None:
    from parcours.integrations.lti.tasks import send_score

    for score_id in ids:
        send_score.enqueue(score_id)


def retry_delay(attempts: int) -> dt.timedelta:
    """Back-off between attempts: 1, 2, 4, 8 minutes…"""
    return dt.timedelta(minutes=2 ** max(0, attempts - 1))


def send_score(score_id: int) -> str:
    """Post one score (idempotent: a score already sent is not sent again). A 4xx answer is a
    refusal, recorded and shown, not retried; a 5xx or a network error is retried later with
    back-off, up to :data:`MAX_SCORE_ATTEMPTS`. Returns the new state."""
    from pylti1p3.exception import LtiException, LtiServiceException
    from pylti1p3.grade import Grade

    score = (
        LtiScore.objects.select_related("line_item__context__registration__organisation")
        .filter(pk=score_id)
        .first()
    )
    if score is None or score.state in (LtiScore.State.SENT, LtiScore.State.REFUSED):
        return score.state if score else "missing"
    context = score.line_item.context
    registration = context.registration
    status: int | None = None
    try:
        line_item = ensure_line_item(score.line_item_id)
        if line_item is None or not line_item.url:
            raise LtiException("no line item URL")
        from pylti1p3.lineitem import LineItem

        grade = (
            Grade()
            .set_score_given(float(score.score_given))
            .set_score_maximum(float(score.score_maximum))
            .set_activity_progress(score.activity_progress)
            .set_grading_progress(score.grading_progress)
            .set_timestamp(score.timestamp.isoformat())
            .set_user_id(score.sub)
        )
        _ags(registration, context).put_grade(grade, LineItem({"id": line_item.url}))
    except (LtiServiceException, LtiException, requests.RequestException, ValueError) as exc:
        response = getattr(exc, "response", None)
        status = getattr(response, "status_code", None)
        score.attempts += 1
        score.last_error = str(exc)[:2000]
        refused = status is not None and 400 <= status < 500 and status not in (408, 429)
        if refused or score.attempts >= MAX_SCORE_ATTEMPTS:
            score.state = LtiScore.State.REFUSED if refused else LtiScore.State.FAILED
            _service_failure(registration.organisation, registration, "ags", status, str(exc))
        score.save(update_fields=["attempts", "last_error", "state", "updated_at"])
        return score.state
    score.state = LtiScore.State.SENT
    score.attempts += 1
    score.last_error = ""
    score.save(update_fields=["attempts", "last_error", "state", "updated_at"])
    return score.state
