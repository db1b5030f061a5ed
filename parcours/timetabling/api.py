"""Planning API: list, create and edit campaigns; a campaign's state, the solver's progress and
its plan; start and stop the solver; pin sessions; commit the plan into sessions and room
bookings. Coordinators of the campaign's organisation only (others: 404). Every write goes
through :mod:`parcours.timetabling.actions`, with the same rules as the pages."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema, Status
from ninja.errors import HttpError

from parcours.accounts.api import token_auth
from parcours.accounts.api_scope import call_action, chosen_organisation
from parcours.accounts.models import Organisation, Role, Site
from parcours.accounts.permissions import Actor
from parcours.catalogue.models import Module
from parcours.lib.ids import MAX_ID
from parcours.pathways.models import Pathway
from parcours.timetabling import actions, adapter
from parcours.timetabling.models import Campaign, CampaignModule

router = Router(tags=["timetabling"])
ID = Path(..., ge=1, le=MAX_ID)
PHASES = {"introduction": 0, "option": 1, "closing": 2}
PHASE_NAMES = {number: name for name, number in PHASES.items()}


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


class CampaignModuleIO(Schema):
    module_id: int = Field(..., ge=1, le=MAX_ID)
    phase: str = Field("option", pattern="^(introduction|option|closing)$")
    half_days: int | None = Field(None, ge=1, le=20, description="None: from the module's hours")
    consecutive: bool = True
    features: list[str] = Field(default_factory=list, max_length=20)


class CampaignIn(Schema):
    """What a campaign asks for; the same fields and limits as the campaign form."""

    name: str = Field(..., max_length=200)
    code: str = Field(..., max_length=20, description="prefix of the created sessions' codes")
    start: dt.date
    end: dt.date
    site_ids: list[int] = Field(..., min_length=1, max_length=30)
    modules: list[CampaignModuleIO] = Field(..., min_length=1, max_length=40)
    pathway_id: int | None = Field(None, ge=1, le=MAX_ID)
    groups_per_site: int = Field(1, ge=1, le=10)
    groups_total: int | None = Field(None, ge=1, le=100)
    group_size: int = Field(12, ge=1, le=200)
    one_introduction: bool = False
    options_per_group: int = Field(0, ge=0, le=40)
    weekdays: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4], max_length=7)
    mornings: bool = True
    afternoons: bool = True
    holidays: list[dt.date] = Field(default_factory=list, max_length=400)
    min_gap_days: int = Field(1, ge=0, le=60)
    spread_weight: int = Field(2, ge=0, le=100)
    monthly_weight: int = Field(3, ge=0, le=100)
    trips_weight: int = Field(1, ge=0, le=100)
    preferred_weight: int = Field(0, ge=0, le=100)
    preferred_weekdays: list[int] = Field(default_factory=list, max_length=7)
    seconds: int = Field(30, ge=1, le=600, description="the solver's time limit")


class CampaignSummaryOut(Schema):
    id: int
    organisation: str
    name: str
    code: str
    status: str
    start: dt.date
    end: dt.date


class CampaignOut(Schema):
    id: int
    organisation: str
    name: str
    code: str
    status: str
    start: dt.date
    end: dt.date
    site_ids: list[int]
    modules: list[CampaignModuleIO]
    progress: ProgressOut
    costs: dict[str, int]
    pins: list[str]
    placements: list[PlacementOut]


class PinsIn(Schema):
    sessions: list[str] = Field(..., max_length=2000)


class CommitOut(Schema):
    session_ids: list[int]
    awaiting_approval: int = Field(..., description="room bookings waiting for logistics")


def _actor(request: HttpRequest) -> Actor:
    actor = getattr(request, "actor", None)
    if isinstance(actor, Actor) and actor.user.pk == request.user.pk:
        return actor
    return Actor.of(request.user)  # type: ignore[arg-type]


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    actor = _actor(request)
    orgs = actor.orgs_with_role(Role.COORDINATOR)
    found = (
        Campaign.objects.select_related("organisation")
        .filter(pk=campaign_id, organisation__in=orgs)
        .first()
    )
    if found is None:
        raise HttpError(404, "Campagne introuvable.")
    return found


def _data(organisation: Organisation, body: CampaignIn) -> actions.CampaignData:
    """The request's ids as the organisation's objects; an id of another organisation is
    refused like an unknown one (422, nothing revealed)."""
    site_ids = set(body.site_ids)
    sites = list(Site.objects.filter(organisation=organisation, pk__in=site_ids))
    module_ids = {m.module_id for m in body.modules}
    modules = Module.objects.filter(organisation=organisation, pk__in=module_ids).in_bulk()
    problems = []
    if len(sites) != len(site_ids):
        problems.append("site_ids: Site inconnu.")
    if len(modules) != len(module_ids):
        problems.append("modules: Module inconnu.")
    pathway = None
    if body.pathway_id is not None:
        pathway = Pathway.objects.filter(organisation=organisation, pk=body.pathway_id).first()
        if pathway is None:
            problems.append("pathway_id: Parcours inconnu.")
    if problems:
        raise HttpError(422, " ".join(problems))
    return actions.CampaignData(
        name=body.name,
        code=body.code,
        start=body.start,
        end=body.end,
        sites=sites,
        modules=[
            actions.ModuleChoice(
                module=modules[m.module_id],
                phase=PHASES[m.phase],
                half_days=m.half_days,
                consecutive=m.consecutive,
                features=tuple(m.features),
            )
            for m in body.modules
        ],
        pathway=pathway,
        groups_per_site=body.groups_per_site,
        groups_total=body.groups_total,
        group_size=body.group_size,
        one_introduction=body.one_introduction,
        options_per_group=body.options_per_group,
        weekdays=body.weekdays,
        mornings=body.mornings,
        afternoons=body.afternoons,
        holidays=body.holidays,
        min_gap_days=body.min_gap_days,
        spread_weight=body.spread_weight,
        monthly_weight=body.monthly_weight,
        trips_weight=body.trips_weight,
        preferred_weight=body.preferred_weight,
        preferred_weekdays=body.preferred_weekdays,
        seconds=body.seconds,
    )


def _out(campaign: Campaign) -> CampaignOut:
    progress = campaign.progress or {}
    chosen: list[CampaignModule] = list(campaign.modules.all())
    return CampaignOut(
        id=campaign.pk,
        organisation=campaign.organisation.slug,
        name=campaign.name,
        code=campaign.code,
        status=campaign.status,
        start=campaign.start,
        end=campaign.end,
        site_ids=sorted(s.pk for s in campaign.sites.all()),
        modules=[
            CampaignModuleIO(
                module_id=m.module_id,
                phase=PHASE_NAMES.get(m.phase, "option"),
                half_days=m.half_days,
                consecutive=m.consecutive,
                features=list(m.features),
            )
            for m in chosen
        ],
        pins=list(campaign.pins),
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
    "/planning/campaigns",
    response=list[CampaignSummaryOut],
    auth=token_auth,
    summary="Les campagnes des organisations que je coordonne",
)
def campaign_list(request: HttpRequest) -> list[CampaignSummaryOut]:
    orgs = _actor(request).orgs_with_role(Role.COORDINATOR)
    return [
        CampaignSummaryOut(
            id=c.pk,
            organisation=c.organisation.slug,
            name=c.name,
            code=c.code,
            status=c.status,
            start=c.start,
            end=c.end,
        )
        for c in Campaign.objects.select_related("organisation")
        .filter(organisation__in=orgs)
        .order_by("-start", "pk")[:500]
    ]


@router.post(
    "/planning/campaigns",
    response={201: CampaignOut},
    auth=token_auth,
    summary="Décrire une campagne à planifier",
)
def campaign_create(
    request: HttpRequest, body: CampaignIn, organisation: str | None = None
) -> Status:
    actor = _actor(request)
    org_ids = actor.orgs_with_role(Role.COORDINATOR)
    if not org_ids:
        raise HttpError(403, "Réservé aux coordinateurs.")
    org = chosen_organisation(list(org_ids), organisation)
    campaign = call_action(
        actions.create_campaign, actor=actor, organisation=org, data=_data(org, body)
    )
    return Status(201, _out(_campaign(request, campaign.pk)))


@router.put(
    "/planning/campaigns/{campaign_id}",
    response=CampaignOut,
    auth=token_auth,
    summary="Modifier une campagne (son plan est abandonné ; refusé pendant un calcul et après "
    "la création des sessions)",
)
def campaign_update(request: HttpRequest, body: CampaignIn, campaign_id: int = ID) -> CampaignOut:
    campaign = _campaign(request, campaign_id)
    call_action(
        actions.update_campaign,
        actor=_actor(request),
        campaign=campaign,
        data=_data(campaign.organisation, body),
    )
    return _out(_campaign(request, campaign_id))


@router.put(
    "/planning/campaigns/{campaign_id}/pins",
    response=CampaignOut,
    auth=token_auth,
    summary="Les sessions du plan gardées au prochain calcul (la liste complète)",
)
def campaign_pins(request: HttpRequest, body: PinsIn, campaign_id: int = ID) -> CampaignOut:
    campaign = _campaign(request, campaign_id)
    call_action(actions.set_pins, actor=_actor(request), campaign=campaign, sessions=body.sessions)
    return _out(_campaign(request, campaign_id))


@router.post(
    "/planning/campaigns/{campaign_id}/commit",
    response={201: CommitOut},
    auth=token_auth,
    summary="Créer les sessions et les réservations du plan, tout ou rien",
)
def campaign_commit(request: HttpRequest, campaign_id: int = ID) -> Status:
    campaign = _campaign(request, campaign_id)
    result = call_action(actions.commit_plan, actor=_actor(request), campaign=campaign)
    return Status(
        201,
        CommitOut(session_ids=[s.pk for s in result.sessions], awaiting_approval=result.requested),
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
    call_action(actions.start_solving, actor=_actor(request), campaign=campaign)
    return Status(202, _out(_campaign(request, campaign_id)))


@router.post(
    "/planning/campaigns/{campaign_id}/stop",
    response=CampaignOut,
    auth=token_auth,
    summary="Arrêter le calcul (le meilleur plan est gardé)",
)
def campaign_stop(request: HttpRequest, campaign_id: int = ID) -> CampaignOut:
    campaign = _campaign(request, campaign_id)
    call_action(actions.request_stop, actor=_actor(request), campaign=campaign)
    return _out(_campaign(request, campaign_id))
