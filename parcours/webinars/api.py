"""Webinar API, for the organisation's coordinators: its webinars, the minutes imported for
one webinar, the replays' viewing hours over a period. Reads only: reports are imported
through the pages (preview, then confirm)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.http import HttpRequest
from django.utils import timezone
from ninja import Path, Query, Router
from ninja.errors import HttpError

from parcours.accounts.api import token_auth
from parcours.accounts.api_scope import chosen_organisation
from parcours.accounts.models import Organisation, Role
from parcours.accounts.permissions import Actor
from parcours.lib.ids import MAX_ID
from parcours.webinars import actions
from parcours.webinars.models import ParticipantMinutes, Replay, ReplayView, Webinar
from parcours.webinars.schemas import AttendanceOut, ViewingHoursOut, WebinarOut

router = Router(tags=["webinars"])
MAX_ROWS = 500


def _actor(request: HttpRequest) -> Actor:
    actor = getattr(request, "actor", None)
    if isinstance(actor, Actor) and actor.user.pk == request.user.pk:
        return actor
    return Actor.of(request.user)  # type: ignore[arg-type]


def _organisation(request: HttpRequest, slug: str | None) -> Organisation:
    """The organisation asked (by slug) among those where the caller coordinates; the only
    one when there is one. 403 when the caller coordinates none; 404 for another."""
    actor = _actor(request)
    orgs = actor.orgs_with_role(Role.COORDINATOR)
    if actor.is_platform_admin and slug:
        orgs = list(Organisation.objects.filter(slug=slug[:100]).values_list("pk", flat=True))
    if not orgs:
        raise HttpError(403, "Réservé aux coordinateurs.")
    return chosen_organisation(orgs, slug)


@router.get(
    "/webinars",
    response=list[WebinarOut],
    auth=token_auth,
    summary="Les webinaires de l'organisation (les plus récents d'abord)",
)
def webinar_list(
    request: HttpRequest,
    organisation: str | None = Query(None, max_length=100),
    limit: int = Query(100, ge=1, le=MAX_ROWS),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> list[dict[str, Any]]:
    org = _organisation(request, organisation)
    webinars = (
        Webinar.objects.filter(organisation=org)
        .select_related("session__module")
        .annotate(report_count=Count("reports"))
        .order_by("-session__starts_at", "-pk")[offset : offset + limit]
    )
    default = actions.presence_percent(Webinar(organisation=org))
    return [
        {
            "id": w.pk,
            "session_id": w.session_id,
            "session_code": w.session.code,
            "title": w.session.title,
            "provider": w.provider,
            "starts_at": w.session.starts_at,
            "ends_at": w.session.ends_at,
            "capacity": w.session.capacity,
            "seats_taken": w.session.seats_taken,
            "presence_percent": w.presence_percent or default,
            "reports": w.report_count,
        }
        for w in webinars
    ]


@router.get(
    "/webinars/{webinar_id}/attendance",
    response=list[AttendanceOut],
    auth=token_auth,
    summary="Les minutes de présence importées pour un webinaire, par personne",
)
def webinar_attendance(
    request: HttpRequest,
    webinar_id: int = Path(..., ge=1, le=MAX_ID),
    organisation: str | None = Query(None, max_length=100),
    limit: int = Query(MAX_ROWS, ge=1, le=MAX_ROWS),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> list[dict[str, Any]]:
    org = _organisation(request, organisation)
    webinar = Webinar.objects.filter(pk=webinar_id, organisation=org).first()
    if webinar is None:
        raise HttpError(404, "Webinaire inconnu.")
    rows = (
        ParticipantMinutes.objects.filter(webinar=webinar)
        .select_related("learner")
        .order_by("pk")[offset : offset + limit]
    )
    return [
        {
            "enrolment_id": m.enrolment_id,
            "learner_id": m.learner_id,
            "email": m.learner.email,
            "minutes": m.minutes,
            "present": m.present,
        }
        for m in rows
    ]


def _hours(seconds: int | None) -> Decimal:
    return (Decimal(seconds or 0) / Decimal(3600)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@router.get(
    "/replays/viewing-hours",
    response=ViewingHoursOut,
    auth=token_auth,
    summary="Heures de rediffusion visionnées sur une période, par rediffusion",
)
def viewing_hours(
    request: HttpRequest,
    organisation: str | None = Query(None, max_length=100),
    first: dt.date | None = None,
    last: dt.date | None = None,
) -> dict[str, Any]:
    org = _organisation(request, organisation)
    last = last or timezone.localdate()
    first = first or dt.date(last.year, 1, 1)
    if last < first:
        raise HttpError(422, "La fin de la période doit suivre son début.")
    if (last - first).days > 366 * 10:
        raise HttpError(422, "Une période de dix ans au plus.")
    in_period = Q(views__viewed_on__gte=first, views__viewed_on__lte=last)
    replays = (
        Replay.objects.filter(organisation=org)
        .annotate(
            player=Sum("views__seconds", filter=in_period & Q(views__source="player")),
            imported=Sum("views__seconds", filter=in_period & Q(views__source="import")),
        )
        .order_by("pk")[:MAX_ROWS]
    )
    total = ReplayView.objects.filter(
        replay__organisation=org, viewed_on__gte=first, viewed_on__lte=last
    ).aggregate(seconds=Sum("seconds"))
    return {
        "organisation": org.slug,
        "first": first,
        "last": last,
        "hours": _hours(total["seconds"]),
        "replays": [
            {
                "replay_id": r.pk,
                "title": r.title,
                "hours_player": _hours(r.player),
                "hours_imported": _hours(r.imported),
            }
            for r in replays
        ],
    }
