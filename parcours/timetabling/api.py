"""Planning API: a campaign's state, the solver's progress and its plan; start and stop the
solver. Coordinators of the campaign's organisation only (others: 404)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Path, Router, Schema, Status
from ninja.errors import HttpError

from parcours.accounts.api import token_auth
from parcours.accounts.models import Role
from parcours.accounts.permissions import Actor
from parcours.lib.ids import MAX_ID
from parcours.timetabling import actions, adapter
from parcours.timetabling.models import Campaign

router = Router(tags=["timetabling"])
ID = Path(..., ge=1, le=MAX_ID)


class ProgressOut(Schema):
    score: int | None = None
    bound: int | None = None
    seconds: float | None = None
    solutions: int | None = None


class PlacementOut(Schema):
    session: str
    module: str
    site_id: int
    room_id: int
    trainer_id: int
    days: list[dt.date]


class CampaignOut(Schema):
    id: int
    name: str
    status: str
    start: dt.date
    end: dt.date
    progress: ProgressOut
    costs: dict[str, int]
    placements: list[PlacementOut]


def _actor(request: HttpRequest) -> Actor:
    actor = getattr(request, "actor", None)
    if isinstance(actor, Actor) and actor.user.pk == request.user.pk:
        return actor
    return Actor.of(request.user)  # type: ignore[arg-type]


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    actor = _actor(request)
    orgs = actor.orgs_with_role(Role.COORDINATOR)
    found = Campaign.objects.filter(pk=campaign_id, organisation__in=orgs).first()
    if found is None:
        raise HttpError(404, "Campagne introuvable.")
    return found


def _out(campaign: Campaign) -> CampaignOut:
    progress = campaign.progress or {}
    return CampaignOut(
        id=campaign.pk,
        name=campaign.name,
        status=campaign.status,
        start=campaign.start,
        end=campaign.end,
        progress=ProgressOut(
            score=progress.get("score"),
            bound=progress.get("bound"),
            seconds=progress.get("seconds"),
            solutions=progress.get("solutions"),
        ),
        costs={str(k): int(v) for k, v in (campaign.costs or {}).items()},
        placements=[
            PlacementOut(
                session=p.session,
                module=p.module,
                site_id=int(p.site),
                room_id=int(p.room),
                trainer_id=int(p.trainer),
                days=sorted({s.day for s in p.starts}),
            )
            for p in adapter.plan_of(campaign)
        ],
    )


@router.get(
    "/planning/campaigns/{campaign_id}",
    response=CampaignOut,
    auth=token_auth,
    summary="Une campagne : état, progression du calcul, plan",
)
def campaign_detail(request: HttpRequest, campaign_id: int = ID) -> CampaignOut:
    return _out(_campaign(request, campaign_id))


@router.post(
    "/planning/campaigns/{campaign_id}/solve",
    response={202: CampaignOut},
    auth=token_auth,
    summary="Lancer le calcul du plan",
)
def campaign_solve(request: HttpRequest, campaign_id: int = ID) -> Status:
    campaign = _campaign(request, campaign_id)
    try:
        campaign = actions.start_solving(actor=_actor(request), campaign=campaign)
    except ValidationError as exc:
        raise HttpError(409, " ".join(exc.messages)) from exc
    campaign.refresh_from_db()
    return Status(202, _out(campaign))


@router.post(
    "/planning/campaigns/{campaign_id}/stop",
    response=CampaignOut,
    auth=token_auth,
    summary="Arrêter le calcul (le meilleur plan est gardé)",
)
def campaign_stop(request: HttpRequest, campaign_id: int = ID) -> CampaignOut:
    campaign = _campaign(request, campaign_id)
    return _out(actions.request_stop(actor=_actor(request), campaign=campaign))
