"""Credentials API: issue, revoke, list, get (staff and learners, token or session) and
verify (public)."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.errors import HttpError

from parcours.accounts.api import token_auth
from parcours.accounts.models import User
from parcours.accounts.permissions import Actor
from parcours.credentials import actions, documents, verification
from parcours.credentials.models import Achievement, IssuedCredential
from parcours.credentials.permissions import can_manage
from parcours.credentials.schemas import (
    CredentialDetailOut,
    CredentialOut,
    IssueIn,
    IssueOut,
    RevokeIn,
    VerificationOut,
)
from parcours.lib.ids import MAX_ID

router = Router(tags=["credentials"])
MAX_PAGE = 500
MAX_OFFSET = 10_000_000


def _actor(request: HttpRequest) -> Actor:
    return Actor.of(request.auth)  # type: ignore[attr-defined]


def _message(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _out(credential: IssuedCredential) -> dict[str, Any]:
    return {
        "uuid": credential.uuid,
        "id": credential.credential_id,
        "achievement_id": credential.achievement_id,
        "achievement": credential.achievement.name,
        "organisation": credential.organisation.slug,
        "learner_id": credential.learner_id,
        "issued_at": credential.issued_at,
        "valid_from": credential.valid_from,
        "valid_until": credential.valid_until,
        "status": credential.status,
        "revoked_at": credential.revoked_at,
        "revocation_reason": credential.revocation_reason,
        "verify_url": documents.verify_url(credential.uuid),
        "ob2_assertion_url": documents.ob2_assertion_url(credential.uuid),
    }


def _visible(actor: Actor) -> Any:
    return IssuedCredential.objects.visible_to(actor).select_related("achievement", "organisation")


@router.post(
    "/credentials",
    response={200: IssueOut, 201: IssueOut},
    auth=token_auth,
    summary="Délivrer un badge à un apprenant qui remplit les conditions",
)
def issue(request: HttpRequest, payload: IssueIn) -> Status[dict[str, Any]]:
    actor = _actor(request)
    achievement = (
        Achievement.objects.select_related("organisation", "pathway")
        .filter(pk=payload.achievement_id, organisation_id__in=actor.orgs_with_role("coordinator"))
        .first()
    )
    if achievement is None and actor.is_platform_admin:
        achievement = Achievement.objects.filter(pk=payload.achievement_id).first()
    if achievement is None:
        raise HttpError(404, "Badge introuvable.")
    learner = User.objects.filter(pk=payload.learner_id).first()
    if learner is None:
        raise HttpError(404, "Apprenant introuvable.")
    try:
        result = actions.issue_credential(
            achievement=achievement,
            learner=learner,
            actor=actor,
            source=IssuedCredential.Source.MANUAL,
        )
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except ValidationError as exc:
        raise HttpError(422, _message(exc)) from exc
    body = {**_out(result.credential), "created": result.created}
    return Status(201 if result.created else 200, body)


@router.post(
    "/credentials/{uuid:credential_uuid}/revoke",
    response=CredentialOut,
    auth=token_auth,
    summary="Révoquer un badge (avec une raison)",
)
def revoke(request: HttpRequest, credential_uuid: UUID, payload: RevokeIn) -> dict[str, Any]:
    actor = _actor(request)
    credential = _visible(actor).filter(uuid=credential_uuid).first()
    if credential is None or not can_manage(actor, credential):
        raise HttpError(404, "Badge introuvable.")
    try:
        credential = actions.revoke_credential(
            actor=actor, credential=credential, reason=payload.reason
        )
    except ValidationError as exc:
        raise HttpError(422, _message(exc)) from exc
    return _out(credential)


@router.get(
    "/credentials",
    response=list[CredentialOut],
    auth=token_auth,
    summary="Badges délivrés : les miens, ou ceux de mes organisations",
)
def list_credentials(
    request: HttpRequest,
    achievement: int | None = Query(None, ge=1, le=MAX_ID),
    learner: int | None = Query(None, ge=1, le=MAX_ID),
    status: str | None = Query(None, max_length=10),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
    limit: int = Query(100, ge=1, le=MAX_PAGE),
) -> list[dict[str, Any]]:
    qs = _visible(_actor(request))
    if achievement is not None:
        qs = qs.filter(achievement_id=achievement)
    if learner is not None:
        qs = qs.filter(learner_id=learner)
    if status:
        qs = qs.filter(status=status)
    return [_out(c) for c in qs.order_by("-issued_at", "pk")[offset : offset + limit]]


@router.get(
    "/credentials/{uuid:credential_uuid}",
    response=CredentialDetailOut,
    auth=token_auth,
    summary="Un badge délivré, avec le document signé",
)
def get_credential(request: HttpRequest, credential_uuid: UUID) -> dict[str, Any]:
    credential = _visible(_actor(request)).filter(uuid=credential_uuid).first()
    if credential is None:
        raise HttpError(404, "Badge introuvable.")
    return {**_out(credential), "document": json.loads(credential.document)}


@router.post(
    "/credentials/verify",
    response=VerificationOut,
    summary="Vérifier un badge (public) : signature, émetteur, dates, révocation",
)
def verify(request: HttpRequest) -> dict[str, Any]:
    report = verification.verify_input(request.body)
    actions.record_verification(
        report.stored, channel="api", user_agent=request.headers.get("User-Agent", "")
    )
    return {
        "valid": report.valid,
        "verdict": report.verdict,
        "error": report.error,
        "signature_valid": report.signature_valid,
        "signature_reason": report.signature_reason,
        "revoked": report.revoked,
        "expired": report.expired,
        "not_yet_valid": report.not_yet_valid,
        "issuer_id": report.issuer_id,
        "issuer_name": report.issuer_name,
        "achievement_name": report.achievement_name,
        "credential_id": report.credential_id,
        "valid_from": report.valid_from,
        "valid_until": report.valid_until,
        "checks": [vars(check) for check in report.checks],
    }
