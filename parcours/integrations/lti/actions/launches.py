"""Launches: refusals and their log, person matching, role grants, course services."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from functools import partial
from typing import Any

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from parcours.accounts import actions as account_actions
from parcours.accounts.models import STAFF_ROLES, Membership, Organisation, User
from parcours.enrolment.models import Session
from parcours.integrations.lti import roles as role_map
from parcours.integrations.lti import targets
from parcours.integrations.lti.actions._base import (
    _ROLE_OF,
    AGS_CLAIM,
    CLAIM,
    NRPS_CLAIM,
    LaunchRefused,
    logger,
)
from parcours.integrations.lti.signals import lti_launched
from parcours.integrations.models import (
    LtiContext,
    LtiLaunchLog,
    LtiLineItem,
    LtiNonce,
    LtiPersonLink,
    LtiRegistration,
)
from parcours.lib.transactions import write_transaction
from parcours.lib.urls import absolute_url

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


def _names(claims: dict[str, Any]) -> tuple[str, str]:
    """(first, last) name: ``given_name``/``family_name``, else ``name`` split at its first
    space."""
    first = str(claims.get("given_name") or "").strip()
    last = str(claims.get("family_name") or "").strip()
    if not first and not last:
        first, _space, last = str(claims.get("name") or "").strip().partition(" ")
    return first[:150], last.strip()[:150]


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
    try:
        with transaction.atomic():
            if user is None:
                first, last = _names(claims)
                user = account_actions.create_user(
                    email=email or _synthetic_email(registration, sub),
                    password=None,
                    first_name=first,
                    last_name=last,
                )
            LtiPersonLink.objects.create(registration=registration, sub=sub, user=user)
    except IntegrityError as exc:
        # Two first launches of the same person at once (two tabs): the other one made the
        # person and the link first; use them.
        link = (
            LtiPersonLink.objects.select_related("user")
            .filter(registration=registration, sub=sub)
            .first()
        )
        if link is None:
            raise LaunchRefused("account_conflict", f"concurrent account creation: {exc}") from exc
        return link.user
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


NONCE_KEPT = dt.timedelta(days=2)


def _enqueue_line_item(line_item_id: int) -> None:
    from parcours.integrations.lti.tasks import create_line_item

    create_line_item.enqueue(line_item_id)


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
        # pylti1p3 keeps the nonces it issued one day (after that, "Invalid Nonce"): used ones
        # older than two days can go (one indexed delete per launch keeps the table small).
        LtiNonce.objects.filter(used_at__lt=timezone.now() - NONCE_KEPT).delete()
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
                # For the xAPI part's "launched" statement (plain values, stable per launch).
                organisation_id=organisation.pk,
                person_id=user.pk,
                target_url=absolute_url(url),
                title=str(target or registration.name),
                launch_id=f"lti-launch-{log.pk}",
                lms=registration.name,
            )
        )
        if line_item is not None and not line_item.url:
            transaction.on_commit(partial(_enqueue_line_item, line_item.pk))
    return LaunchResult(user=user, url=url, deep_linking=deep_linking, target=target, log=log)
