"""Candidates API: open calls (public), a call's applications and its funnel (staff of the
organisation running the call, organisation-scoped: another tenant's call is a 404)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Path, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from parcours.accounts.api import token_auth
from parcours.accounts.permissions import Actor
from parcours.candidates import actions, funnel
from parcours.candidates.models import Application, Call
from parcours.lib.ids import MAX_ID

router = Router(tags=["candidates"])
ID = Path(..., ge=1, le=MAX_ID)
MAX_LIMIT = 200
T = TypeVar("T")


class QuestionOut(Schema):
    id: int
    label: str
    kind: str
    choices: list[str]
    required: bool


class CallOut(Schema):
    id: int
    organisation: str
    slug: str
    title: str
    description: str
    kind: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    places: int
    audiences: list[str]
    retention_days: int
    url: str
    questions: list[QuestionOut]


class ApplicationOut(Schema):
    id: int
    first_name: str
    last_name: str
    email: str
    stage_id: int
    stage: str
    decision: str
    submitted_at: dt.datetime
    previous_id: int | None


class ApplicationDetailOut(ApplicationOut):
    phone: str
    answers: dict[str, str]
    files: list[str]


class MoveIn(Schema):
    ids: list[int] = Field(..., min_length=1, max_length=actions.MAX_BATCH)
    stage_id: int = Field(..., ge=1, le=MAX_ID)


class FunnelStepOut(Schema):
    key: str
    label: str
    value: int | None
    rate: float | None


class FunnelGroupOut(Schema):
    group: str
    counts: dict[str, int | None]


class FunnelOut(Schema):
    call_id: int
    steps: list[FunnelStepOut]
    by_gender: list[FunnelGroupOut]
    by_age_band: list[FunnelGroupOut]


class CallFilters(Schema):
    organisation: str = Field("", max_length=100, description="Slug de l'organisation.")
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=1_000_000)


class ApplicationFilters(Schema):
    stage_id: int | None = Field(None, ge=1, le=MAX_ID)
    decision: str = Field("", max_length=12)
    limit: int = Field(MAX_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=1_000_000)


def _call_out(call: Call) -> dict[str, Any]:
    from django.urls import reverse

    from parcours.lib.urls import absolute_url

    return {
        "id": call.pk,
        "organisation": call.organisation.slug,
        "slug": call.slug,
        "title": call.title,
        "description": call.description,
        "kind": call.kind,
        "opens_at": call.opens_at,
        "closes_at": call.closes_at,
        "places": call.places,
        "audiences": list(call.audiences or []),
        "retention_days": call.retention_days,
        "url": absolute_url(reverse("candidates:apply", args=[call.organisation.slug, call.slug])),
        "questions": [
            {
                "id": q.pk,
                "label": q.label,
                "kind": q.kind,
                "choices": list(q.choices or []),
                "required": q.required,
            }
            for q in call.questions.all()
        ],
    }


@router.get("/calls", response=list[CallOut], summary="Appels à candidatures ouverts")
def list_calls(request: HttpRequest, filters: Query[CallFilters]) -> list[dict[str, Any]]:
    """Les appels publiés et ouverts maintenant, ``limit`` à la fois."""
    now = timezone.now()
    calls = (
        Call.objects.filter(published=True, opens_at__lte=now, closes_at__gt=now)
        .select_related("organisation")
        .prefetch_related("questions")
        .order_by("closes_at", "pk")
    )
    if filters.organisation:
        calls = calls.filter(organisation__slug=filters.organisation)
    return [_call_out(c) for c in calls[filters.offset : filters.offset + filters.limit]]


@router.get("/calls/{call_id}", response=CallOut, summary="Un appel à candidatures")
def get_call(request: HttpRequest, call_id: int = ID) -> dict[str, Any]:
    call = (
        Call.objects.filter(published=True, pk=call_id)
        .select_related("organisation")
        .prefetch_related("questions")
        .first()
    )
    if call is None:
        raise HttpError(404, "Appel introuvable.")
    return _call_out(call)


def _actor(request: HttpRequest) -> Actor:
    actor = getattr(request, "actor", None)
    if isinstance(actor, Actor) and actor.user.pk == request.user.pk:
        return actor
    return Actor.of(request.user)  # type: ignore[arg-type]


def _staff_call(request: HttpRequest, call_id: int) -> tuple[Actor, Call]:
    """Permission first: only calls of organisations where the caller reads candidates."""
    actor = _actor(request)
    call = (
        Call.objects.filter(actions.staff_calls(actor), pk=call_id)
        .select_related("organisation")
        .first()
    )
    if call is None:
        raise HttpError(404, "Appel introuvable.")
    return actor, call


def _run(fn: Callable[..., T], **kwargs: Any) -> T:
    try:
        return fn(**kwargs)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or "Action non autorisée.") from exc
    except ValidationError as exc:
        status = 409 if getattr(exc, "code", "") in ("duplicate", "state") else 422
        raise HttpError(status, " ".join(str(m) for m in exc.messages)) from exc


def _application_out(a: Application) -> dict[str, Any]:
    return {
        "id": a.pk,
        "first_name": a.first_name,
        "last_name": a.last_name,
        "email": a.email,
        "stage_id": a.stage_id,
        "stage": a.stage.label,
        "decision": a.decision,
        "submitted_at": a.submitted_at,
        "previous_id": a.previous_id,
    }


@router.get(
    "/calls/{call_id}/applications",
    response=list[ApplicationOut],
    auth=token_auth,
    summary="Candidatures d'un appel (personnel)",
)
def list_applications(
    request: HttpRequest, filters: Query[ApplicationFilters], call_id: int = ID
) -> list[dict[str, Any]]:
    _unused, call = _staff_call(request, call_id)
    rows = Application.objects.filter(call=call, purged_at=None).select_related("stage")
    if filters.stage_id:
        rows = rows.filter(stage_id=filters.stage_id)
    if filters.decision:
        rows = rows.filter(decision=filters.decision)
    rows = rows.order_by("submitted_at", "pk")[filters.offset : filters.offset + filters.limit]
    return [_application_out(a) for a in rows]


@router.get(
    "/calls/{call_id}/applications/{application_id}",
    response=ApplicationDetailOut,
    auth=token_auth,
    summary="Dossier d'un candidat (personnel ; lecture journalisée)",
)
def get_application(
    request: HttpRequest, call_id: int = ID, application_id: int = ID
) -> dict[str, Any]:
    actor, call = _staff_call(request, call_id)
    application = (
        Application.objects.filter(call=call, pk=application_id, purged_at=None)
        .select_related("stage", "call__organisation")
        .first()
    )
    if application is None:
        raise HttpError(404, "Candidature introuvable.")
    _run(actions.record_read, actor=actor, application=application)
    out = _application_out(application)
    out["phone"] = application.phone
    out["answers"] = {
        a.question.label: a.value for a in application.answers.select_related("question")
    }
    out["files"] = [f.original_name for f in application.files.all()]
    return out


@router.post(
    "/calls/{call_id}/moves",
    response=list[ApplicationOut],
    auth=token_auth,
    summary="Déplacer des candidatures vers une étape",
)
def move(request: HttpRequest, payload: MoveIn, call_id: int = ID) -> list[dict[str, Any]]:
    actor, call = _staff_call(request, call_id)
    stage = call.stages.filter(pk=payload.stage_id).first()
    if stage is None:
        raise HttpError(422, "Cette étape n'appartient pas à cet appel.")
    rows = _run(actions.move, actor=actor, call=call, application_ids=payload.ids, stage=stage)
    for row in rows:
        row.stage = stage
    return [_application_out(a) for a in rows]


@router.get(
    "/calls/{call_id}/funnel",
    response=FunnelOut,
    auth=token_auth,
    summary="Entonnoir d'un appel (personnel)",
)
def get_funnel(request: HttpRequest, call_id: int = ID) -> dict[str, Any]:
    _unused, call = _staff_call(request, call_id)
    rows = funnel.rows([call.pk])
    total = funnel.counts(rows)
    applied = total["applied"] or 0
    return {
        "call_id": call.pk,
        "steps": [
            {
                "key": key,
                "label": str(label),
                "value": total[key],
                "rate": funnel.rate(total[key], applied),
            }
            for key, label in funnel.STEPS
        ],
        "by_gender": [{"group": g, "counts": c} for g, c in funnel.breakdown(rows, "gender")],
        "by_age_band": [{"group": g, "counts": c} for g, c in funnel.breakdown(rows, "age_band")],
    }
