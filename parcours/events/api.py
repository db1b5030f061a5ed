"""Events API: an event's public programme, and its registrations for the organisation's
coordinators."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Path, Query, Router
from ninja.errors import HttpError

from parcours.accounts.api import token_auth
from parcours.accounts.permissions import Actor
from parcours.enrolment.models import Enrolment
from parcours.enrolment.states import SessionStatus
from parcours.events import actions
from parcours.events.models import Event, Registration, Workshop
from parcours.events.schemas import ProgrammeOut, RegistrationOut
from parcours.lib.ids import MAX_ID

router = Router(tags=["events"])
MAX_ROWS = 500


@router.get(
    "/events/{organisation}/{slug}/programme",
    response=ProgrammeOut,
    auth=None,
    summary="Programme public d'un événement (ateliers, places restantes)",
)
def programme(
    request: HttpRequest,
    organisation: str = Path(..., max_length=100),
    slug: str = Path(..., max_length=80),
) -> dict[str, Any]:
    event = get_object_or_404(
        Event.objects.select_related("organisation").filter(is_public=True),
        organisation__slug=organisation,
        slug=slug,
    )
    workshops = (
        Workshop.objects.filter(event=event)
        .exclude(session__status=SessionStatus.DRAFT)
        .select_related("session", "track")
        .order_by("session__starts_at", "track__position", "pk")
    )
    return {
        "title": event.title,
        "organisation": event.organisation.name,
        "starts_on": event.starts_on,
        "ends_on": event.ends_on,
        "allows_light_registration": event.allows_light_registration,
        "max_workshops_per_visitor": event.max_workshops_per_visitor,
        "workshops": [
            {
                "id": w.session_id,
                "title": w.title,
                "track": w.track.name if w.track else "",
                "start": w.session.starts_at,
                "end": w.session.ends_at,
                "capacity": w.session.capacity,
                "seats_left": w.session.seats_left,
                "cancelled": w.session.status == SessionStatus.CANCELLED,
            }
            for w in workshops
        ],
    }


@router.get(
    "/events/{event_id}/registrations",
    response=list[RegistrationOut],
    auth=token_auth,
    summary="Inscriptions à un événement (coordinateurs de l'organisation)",
)
def registrations(
    request: HttpRequest,
    event_id: int = Path(..., ge=1, le=MAX_ID),
    limit: int = Query(100, ge=1, le=MAX_ROWS),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> list[dict[str, Any]]:
    actor = Actor.of(request.user)  # type: ignore[arg-type]
    orgs = actor.orgs_with_role(*actions.MANAGERS)
    if not orgs and not actor.is_platform_admin:
        raise HttpError(403, "Réservé aux coordinateurs.")
    event = Event.objects.filter(pk=event_id, organisation_id__in=orgs).first()
    if event is None:
        raise HttpError(404, "Événement inconnu.")
    rows = list(
        Registration.objects.filter(event=event)
        .select_related("person")
        .order_by("pk")[offset : offset + limit]
    )
    seats: dict[int, list[dict[str, Any]]] = {}
    for learner_id, session_id, status in Enrolment.objects.filter(
        session__workshop__event=event, learner_id__in=[r.person_id for r in rows]
    ).values_list("learner_id", "session_id", "status"):
        seats.setdefault(learner_id, []).append({"workshop": session_id, "status": status})
    return [
        {
            "ticket_code": r.ticket_code,
            "first_name": r.person.first_name,
            "last_name": r.person.last_name,
            "email": r.person.email,
            "status": r.status,
            "created_at": r.created_at,
            "confirmed_at": r.confirmed_at,
            "seats": seats.get(r.person_id, []),
        }
        for r in rows
    ]
