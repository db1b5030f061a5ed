"""Career API, for the organisation's career managers: their caseload and the outcomes at six
months (counts only; the follow-up notes never leave the pages)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router
from ninja.errors import HttpError

from parcours.accounts.api import token_auth
from parcours.accounts.api_scope import chosen_organisation
from parcours.accounts.models import Organisation
from parcours.accounts.permissions import Actor
from parcours.careers import permissions
from parcours.careers.figures import outcome_counts, rate
from parcours.careers.models import CareerFile, Milestone, Outcome, OutcomeStatus
from parcours.careers.schemas import CaseloadOut, OutcomesOut

router = Router(tags=["careers"])
MAX_ROWS = 200


def _actor(request: HttpRequest) -> Actor:
    actor = getattr(request, "actor", None)
    if isinstance(actor, Actor) and actor.user.pk == request.user.pk:
        return actor
    return Actor.of(request.user)  # type: ignore[arg-type]


def _organisation(request: HttpRequest, slug: str | None) -> Organisation:
    """The organisation asked (by slug) among those where the caller is a career manager; the
    only one when there is one. 403 when the caller manages no caseload; 404 for another."""
    actor = _actor(request)
    orgs = permissions.career_manager_orgs(actor)
    if not orgs:
        raise HttpError(403, "Réservé aux chargé·es de suivi de carrière.")
    return chosen_organisation(orgs, slug)


@router.get(
    "/careers/caseload",
    response=list[CaseloadOut],
    auth=token_auth,
    summary="Ma file active de suivi de carrière (actions en retard d'abord)",
)
def caseload(
    request: HttpRequest,
    organisation: str | None = Query(None, max_length=100),
    everyone: bool = False,
    limit: int = Query(100, ge=1, le=MAX_ROWS),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> list[dict[str, Any]]:
    org = _organisation(request, organisation)
    today = timezone.localdate()
    files = CareerFile.objects.of_organisation(org.pk).active(today)
    if not everyone:
        files = files.filter(manager=request.user)
    files = (
        files.with_next_due(today)
        .caseload_order()
        .select_related("person", "session")
        .prefetch_related(
            Prefetch(
                "outcomes",
                queryset=Outcome.objects.filter(milestone=Milestone.M6),
                to_attr="six_months",
            )
        )[offset : offset + limit]
    )
    return [
        {
            "id": f.pk,
            "organisation": org.slug,
            "person_id": f.person_id,
            "name": f.person.get_full_name(),
            "email": f.person.email,
            "manager_id": f.manager_id,
            "session_code": f.session.code if f.session else None,
            "training_start": f.training_start,
            "training_end": f.training_end,
            "next_due": f.next_due,
            "overdue": bool(f.overdue),
            "outcome_6m": f.six_months[0].status if f.six_months else None,
        }
        for f in files
    ]


@router.get(
    "/careers/outcomes",
    response=OutcomesOut,
    auth=token_auth,
    summary="Situation à 6 mois après la formation, par type, avec les taux",
)
def outcomes(
    request: HttpRequest,
    organisation: str | None = Query(None, max_length=100),
    first: dt.date | None = None,
    last: dt.date | None = None,
) -> dict[str, Any]:
    org = _organisation(request, organisation)
    today = timezone.localdate()
    last = last or today
    first = first or dt.date(last.year, 1, 1)
    if last < first:
        raise HttpError(422, "La fin de la période doit suivre son début.")
    if (last - first).days > 366 * 10:
        raise HttpError(422, "Une période de dix ans au plus.")
    people, counts = outcome_counts([org.pk], first, last)
    employed = counts[OutcomeStatus.EMPLOYED] + counts[OutcomeStatus.SELF_EMPLOYED]
    return {
        "organisation": org.slug,
        "first": first,
        "last": last,
        "people": people,
        "employed": employed,
        "employment_rate": rate(employed, people),
        "by_status": [
            {
                "status": value,
                "label": str(label),
                "people": counts[value],
                "rate": rate(counts[value], people),
            }
            for value, label in OutcomeStatus.choices
        ],
    }
