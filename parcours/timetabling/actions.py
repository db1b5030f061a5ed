"""Every write of the timetabling area: trainer profiles, campaigns, solving (start, progress,
stop, result), pins, and the commit that turns a plan into sessions and room bookings."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts import audit
from parcours.accounts.models import Organisation, Role, Site, User
from parcours.accounts.permissions import Actor, require_role
from parcours.catalogue.models import Module
from parcours.enrolment import actions as enrolment_actions
from parcours.lib.transactions import write_transaction
from parcours.pathways.models import Pathway
from parcours.scheduling.models import Feature
from parcours.timetabling import adapter
from parcours.timetabling import campaign as pure
from parcours.timetabling.models import (
    MAX_GAP_DAYS,
    MAX_GROUP_SIZE,
    MAX_GROUPS_PER_SITE,
    MAX_GROUPS_TOTAL,
    MAX_SOLVE_SECONDS,
    MAX_WEIGHT,
    Campaign,
    CampaignModule,
    CampaignStatus,
    CommittedSession,
    TrainerProfile,
)

MANAGERS = (Role.COORDINATOR,)
MAX_MODULES = 40
MAX_SITES = 30
MAX_DATES = 400
HALF_DAY_HOURS = 3.25  # a half-day of training (9:00-12:30, 13:30-16:30)


def half_days_for(module: Module) -> int:
    """A module's length in half-days, from its hours in the catalogue."""
    return max(1, min(20, math.ceil(float(module.duration_hours) / HALF_DAY_HOURS - 0.25)))


# --- Trainer profiles --------------------------------------------------------------------------


def save_trainer_profile(
    *,
    actor: Actor,
    organisation: Organisation,
    user: User,
    modules: Sequence[Module],
    sites: Sequence[Site] = (),
    home_site: Site | None = None,
    max_days_per_week: int | None = None,
    unavailable: Sequence[dt.date] = (),
) -> TrainerProfile:
    """Say what a trainer of the organisation may teach, where, and when they are away."""
    require_role(actor, organisation, MANAGERS)
    errors: dict[str, list[str]] = {}
    if not user.memberships.filter(organisation=organisation, role=Role.TRAINER).exists():
        errors["user"] = [_("Cette personne n'est pas formatrice dans l'organisation.")]
    if any(m.organisation_id != organisation.pk for m in modules):
        errors["modules"] = [_("Un module n'appartient pas à l'organisation.")]
    if any(s.organisation_id != organisation.pk for s in [*sites, home_site] if s):
        errors["sites"] = [_("Un site n'appartient pas à l'organisation.")]
    if max_days_per_week is not None and not 1 <= max_days_per_week <= 7:
        errors["max_days_per_week"] = [_("Entre 1 et 7 jours par semaine.")]
    if len(unavailable) > MAX_DATES:
        errors["unavailable"] = [_("Trop de jours d'absence (au plus 400).")]
    if errors:
        raise ValidationError(errors)
    with write_transaction():
        profile, _created = TrainerProfile.objects.get_or_create(
            organisation=organisation, user=user
        )
        profile.home_site = home_site
        profile.max_days_per_week = max_days_per_week
        profile.unavailable = sorted({d.isoformat() for d in unavailable})
        profile.save()
        profile.modules.set(modules)
        profile.sites.set(sites)
        audit.record(
            "timetabling.trainer_profile",
            actor=actor.user,
            organisation=organisation,
            obj=profile,
            changes={"modules": [m.code for m in modules], "max_days": max_days_per_week},
        )
    return profile


# --- Campaigns ---------------------------------------------------------------------------------


@dataclass
class ModuleChoice:
    module: Module
    phase: int = CampaignModule.Phase.OPTION
    half_days: int | None = None  # None: from the module's hours
    consecutive: bool = True
    features: Sequence[str] = ()


@dataclass
class CampaignData:
    name: str
    code: str
    start: dt.date
    end: dt.date
    sites: Sequence[Site]
    modules: Sequence[ModuleChoice]
    pathway: Pathway | None = None
    groups_per_site: int = 1
    groups_total: int | None = None  # set: groups at the sites the solver chooses
    group_size: int = 12
    one_introduction: bool = False
    options_per_group: int = 0
    weekdays: Sequence[int] = (0, 1, 2, 3, 4)
    mornings: bool = True
    afternoons: bool = True
    holidays: Sequence[dt.date] = ()
    min_gap_days: int = 1
    spread_weight: int = 2
    monthly_weight: int = 3
    trips_weight: int = 1
    preferred_weight: int = 0
    preferred_weekdays: Sequence[int] = field(default_factory=tuple)
    seconds: int = 30


def _validate(organisation: Organisation, data: CampaignData) -> None:
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not data.name.strip() or len(data.name) > 200:
        add("name", _("Donnez un nom à la campagne (200 caractères au plus)."))
    code = data.code.strip()
    if not code or len(code) > 20 or not all(c.isalnum() or c in "-_" for c in code):
        add("code", _("Un préfixe de 20 lettres, chiffres ou tirets au plus."))
    if data.end < data.start:
        add("end", _("La fin de la période précède son début."))
    elif (data.end - data.start).days + 1 > pure.model.MAX_DAYS:
        add("end", _("Une campagne dure au plus 400 jours."))
    if data.start.year < 2000 or data.end.year > 2100:
        add("start", _("Choisissez une période entre 2000 et 2100."))
    if not data.sites or len(data.sites) > MAX_SITES:
        add("sites", _("Choisissez de 1 à 30 sites."))
    if any(s.organisation_id != organisation.pk for s in data.sites):
        add("sites", _("Un site n'appartient pas à l'organisation."))
    if not data.modules or len(data.modules) > MAX_MODULES:
        add("modules", _("Choisissez de 1 à 40 modules."))
    if any(c.module.organisation_id != organisation.pk for c in data.modules):
        add("modules", _("Un module n'appartient pas à l'organisation."))
    if len({c.module.pk for c in data.modules}) != len(data.modules):
        add("modules", _("Un module est choisi deux fois."))
    if any(c.half_days is not None and not 1 <= c.half_days <= 20 for c in data.modules):
        add("modules", _("Un module dure de 1 à 20 demi-journées."))
    if data.pathway is not None and data.pathway.organisation_id != organisation.pk:
        add("pathway", _("Ce parcours n'appartient pas à l'organisation."))
    if not 1 <= data.groups_per_site <= MAX_GROUPS_PER_SITE:
        add("groups_per_site", _("De 1 à 10 groupes par site."))
    if data.groups_total is not None and not 1 <= data.groups_total <= MAX_GROUPS_TOTAL:
        add("groups_total", _("De 1 à 100 groupes en tout."))
    if any(
        not isinstance(f, str) or not f or len(f) > 50 for c in data.modules for f in c.features
    ):
        add("modules", _("Un équipement requis est inconnu."))
    else:
        wanted = {f for c in data.modules for f in c.features}
        if wanted and Feature.objects.filter(slug__in=wanted).count() != len(wanted):
            add("modules", _("Un équipement requis est inconnu."))
    if not 1 <= data.group_size <= MAX_GROUP_SIZE:
        add("group_size", _("De 1 à 200 participants par groupe."))
    if not data.weekdays or any(d not in range(7) for d in data.weekdays):
        add("weekdays", _("Choisissez au moins un jour de la semaine."))
    if any(d not in range(7) for d in data.preferred_weekdays):
        add("preferred_weekdays", _("Jour de la semaine inconnu."))
    if not (data.mornings or data.afternoons):
        add("mornings", _("Permettez les matinées, les après-midi ou les deux."))
    if len(data.holidays) > MAX_DATES:
        add("holidays", _("Trop de jours fériés (au plus 400)."))
    options = sum(1 for c in data.modules if c.phase == CampaignModule.Phase.OPTION)
    if not 0 <= data.options_per_group <= max(0, options):
        add("options_per_group", _("Pas plus d'options par groupe que d'options choisies."))
    if not 0 <= data.min_gap_days <= MAX_GAP_DAYS:
        add("min_gap_days", _("De 0 à 60 jours."))
    for name in ("spread_weight", "monthly_weight", "trips_weight", "preferred_weight"):
        if not 0 <= getattr(data, name) <= MAX_WEIGHT:
            add(name, _("Un poids va de 0 à 100."))
    if not 1 <= data.seconds <= MAX_SOLVE_SECONDS:
        add("seconds", _("De 1 à 600 secondes de calcul."))
    if errors:
        raise ValidationError(errors)


def _apply(campaign: Campaign, data: CampaignData) -> None:
    """What the campaign asks for, from validated ``data`` (its sites and modules apart)."""
    campaign.name = data.name.strip()
    campaign.code = data.code.strip()
    campaign.pathway = data.pathway
    campaign.start, campaign.end = data.start, data.end
    campaign.weekdays = sorted(set(data.weekdays))
    campaign.mornings, campaign.afternoons = data.mornings, data.afternoons
    campaign.holidays = sorted({d.isoformat() for d in data.holidays})
    campaign.groups_per_site = data.groups_per_site
    campaign.groups_total = data.groups_total
    campaign.group_size = data.group_size
    campaign.one_introduction = data.one_introduction
    campaign.options_per_group = data.options_per_group
    campaign.min_gap_days = data.min_gap_days
    campaign.spread_weight = data.spread_weight
    campaign.monthly_weight = data.monthly_weight
    campaign.trips_weight = data.trips_weight
    campaign.preferred_weight = data.preferred_weight
    campaign.preferred_weekdays = sorted(set(data.preferred_weekdays))
    campaign.seconds = data.seconds


def _module_row(row: CampaignModule, choice: ModuleChoice) -> CampaignModule:
    """A module of the campaign and how it runs, from the coordinator's choice."""
    row.module = choice.module
    row.phase = choice.phase
    row.half_days = choice.half_days or half_days_for(choice.module)
    row.consecutive = choice.consecutive
    row.features = sorted(set(choice.features))
    return row


def create_campaign(*, actor: Actor, organisation: Organisation, data: CampaignData) -> Campaign:
    """A campaign to plan: its modules, sites, period, rules and wishes."""
    require_role(actor, organisation, MANAGERS)
    _validate(organisation, data)
    with write_transaction():
        campaign = Campaign(
            organisation=organisation,
            created_by=actor.user if actor.user.is_authenticated else None,
        )
        _apply(campaign, data)
        campaign.save()
        campaign.sites.set(data.sites)
        CampaignModule.objects.bulk_create(
            [_module_row(CampaignModule(campaign=campaign), c) for c in data.modules]
        )
        audit.record(
            "timetabling.campaign.create",
            actor=actor.user,
            organisation=organisation,
            obj=campaign,
            changes={"name": campaign.name, "modules": [c.module.code for c in data.modules]},
        )
    return campaign


def update_campaign(*, actor: Actor, campaign: Campaign, data: CampaignData) -> Campaign:
    """Change what a campaign asks for (modules and how they run, sites, groups, period, rules,
    wishes). The plan computed before no longer answers it: it is dropped with its pins, costs
    and reasons, and the campaign is to plan again. Refused while a calculation runs and once
    its sessions are created."""
    require_role(actor, campaign.organisation_id, MANAGERS)
    _validate(campaign.organisation, data)
    with write_transaction():
        locked = _lock(campaign)
        if locked.status == CampaignStatus.COMMITTED:
            raise ValidationError(
                _("Les sessions de cette campagne sont déjà créées : elle ne se modifie plus.")
            )
        if locked.status == CampaignStatus.SOLVING:
            raise ValidationError(
                _("Un calcul est en cours : arrêtez-le avant de modifier la campagne.")
            )
        had_plan = bool(locked.plan)
        _apply(locked, data)
        # The old plan answered another question.
        locked.status = CampaignStatus.DRAFT
        locked.plan, locked.costs, locked.reasons, locked.pins = [], {}, [], []
        locked.progress = {}
        locked.planned_at = None
        locked.stop_requested = False
        locked.save()
        locked.sites.set(data.sites)
        existing = {m.module_id: m for m in locked.modules.all()}
        kept = {c.module.pk for c in data.modules}
        locked.modules.exclude(module_id__in=kept).delete()
        for c in data.modules:
            _module_row(existing.get(c.module.pk) or CampaignModule(campaign=locked), c).save()
        audit.record(
            "timetabling.campaign.update",
            actor=actor.user,
            organisation=locked.organisation,
            obj=locked,
            changes={
                "name": locked.name,
                "modules": [c.module.code for c in data.modules],
                "plan_dropped": had_plan,
            },
        )
    return locked


def data_of(campaign: Campaign) -> CampaignData:
    """What a campaign asks for now, as the data ``update_campaign`` takes."""
    return CampaignData(
        name=campaign.name,
        code=campaign.code,
        start=campaign.start,
        end=campaign.end,
        sites=list(campaign.sites.all()),
        modules=[
            ModuleChoice(m.module, m.phase, m.half_days, m.consecutive, tuple(m.features))
            for m in campaign.modules.select_related("module")
        ],
        pathway=campaign.pathway,
        groups_per_site=campaign.groups_per_site,
        groups_total=campaign.groups_total,
        group_size=campaign.group_size,
        one_introduction=campaign.one_introduction,
        options_per_group=campaign.options_per_group,
        weekdays=list(campaign.weekdays),
        mornings=campaign.mornings,
        afternoons=campaign.afternoons,
        holidays=[dt.date.fromisoformat(d) for d in campaign.holidays],
        min_gap_days=campaign.min_gap_days,
        spread_weight=campaign.spread_weight,
        monthly_weight=campaign.monthly_weight,
        trips_weight=campaign.trips_weight,
        preferred_weight=campaign.preferred_weight,
        preferred_weekdays=list(campaign.preferred_weekdays),
        seconds=campaign.seconds,
    )


def update_module(
    *,
    actor: Actor,
    campaign: Campaign,
    module_id: int,
    half_days: int,
    consecutive: bool,
    features: Sequence[str],
) -> Campaign:
    """Change how one module of the campaign runs: its length, whether its days follow each
    other, the equipment its room needs (resource features). Drops a stale plan."""
    require_role(actor, campaign.organisation_id, MANAGERS)
    data = data_of(campaign)
    choices = list(data.modules)
    for index, choice in enumerate(choices):
        if choice.module.pk == module_id:
            choices[index] = ModuleChoice(
                choice.module, choice.phase, half_days, consecutive, tuple(features)
            )
            break
    else:
        raise ValidationError(_("Ce module n'est pas dans la campagne."))
    data.modules = choices
    return update_campaign(actor=actor, campaign=campaign, data=data)


def _lock(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


def start_solving(
    *, actor: Actor, campaign: Campaign, seconds: int | None = None, inline: bool = False
) -> Campaign:
    """Queue the planner for this campaign (the page then shows its progress); ``inline``
    runs it now instead, in this process (the demo loader)."""
    require_role(actor, campaign.organisation_id, MANAGERS)
    if seconds is not None and not 1 <= seconds <= MAX_SOLVE_SECONDS:
        raise ValidationError({"seconds": [_("De 1 à 600 secondes de calcul.")]})
    from parcours.timetabling import tasks

    with write_transaction():
        locked = _lock(campaign)
        if locked.status == CampaignStatus.COMMITTED:
            raise ValidationError(_("Les sessions de cette campagne sont déjà créées."))
        if locked.status == CampaignStatus.SOLVING:
            raise ValidationError(_("Un calcul est déjà en cours pour cette campagne."))
        locked.status = CampaignStatus.SOLVING
        locked.run = F("run") + 1
        locked.stop_requested = False
        locked.progress = {}
        if seconds is not None:
            locked.seconds = seconds
        locked.save(update_fields=["status", "run", "stop_requested", "progress", "seconds"])
        locked.refresh_from_db(fields=["run"])
        run = locked.run
        audit.record(
            "timetabling.campaign.solve",
            actor=actor.user,
            organisation=locked.organisation,
            obj=locked,
            changes={"seconds": locked.seconds, "pins": len(locked.pins)},
        )
        if not inline:
            transaction.on_commit(lambda: tasks.solve_campaign.enqueue(locked.pk, run))
    if inline:
        solve_now(locked, run)
        locked.refresh_from_db()
    return locked


def request_stop(*, actor: Actor, campaign: Campaign) -> Campaign:
    """Ask the running planner to stop; it keeps the best plan found so far."""
    require_role(actor, campaign.organisation_id, MANAGERS)
    with write_transaction():
        Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.SOLVING).update(
            stop_requested=True
        )
    campaign.refresh_from_db()
    return campaign


def record_progress(campaign_id: int, run: int, progress: pure.Progress) -> bool:
    """The planner's best plan so far (called by the task). False when the run is over."""
    with write_transaction():
        return bool(
            Campaign.objects.filter(pk=campaign_id, run=run, status=CampaignStatus.SOLVING).update(
                progress={
                    "score": progress.score,
                    "bound": progress.bound,
                    "seconds": round(progress.seconds, 1),
                    "solutions": progress.plan.solutions,
                },
                plan=adapter.plan_to_json(progress.plan.placements),
            )
        )


def stop_requested(campaign_id: int, run: int) -> bool:
    return Campaign.objects.filter(pk=campaign_id, run=run, stop_requested=True).exists()


def store_result(campaign_id: int, run: int, plan: pure.Plan) -> None:
    """The planner's final answer (called by the task)."""
    with write_transaction():
        campaign = Campaign.objects.select_for_update().filter(pk=campaign_id, run=run).first()
        if campaign is None or campaign.status != CampaignStatus.SOLVING:
            return
        campaign.progress = {
            "score": plan.score,
            "bound": plan.bound,
            "seconds": round(plan.seconds, 1),
            "solutions": plan.solutions,
            "stopped": plan.stopped,
            "optimal": plan.status == pure.Status.OPTIMAL,
        }
        if plan.found:
            campaign.status = CampaignStatus.PLANNED
            campaign.plan = adapter.plan_to_json(plan.placements)
            campaign.costs = plan.costs
            campaign.reasons = []
        else:
            campaign.status = CampaignStatus.INFEASIBLE
            campaign.plan = []
            campaign.costs = {}
            campaign.reasons = (
                adapter.reasons_to_json(plan.reasons)
                if plan.status == pure.Status.INFEASIBLE or plan.reasons
                else [{"kind": "timeout", "params": {}}]
            )
        campaign.planned_at = timezone.now()
        campaign.stop_requested = False
        campaign.save()


def solve_now(campaign: Campaign, run: int) -> pure.Plan:
    """Run the planner for ``run`` of this campaign, recording progress (the task's body)."""
    import threading

    description = adapter.describe(campaign)
    hint = pure.Plan(pure.Status.FEASIBLE, adapter.plan_of(campaign)) if campaign.plan else None
    latest: list[pure.Progress] = []
    stop = threading.Event()
    result: list[pure.Plan] = []

    def work() -> None:
        result.append(
            pure.solve(
                description,
                seconds=campaign.seconds,
                workers=2,
                on_progress=latest.append,
                should_stop=stop.is_set,
                hint=hint,
            )
        )

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    written = 0
    while thread.is_alive():
        thread.join(0.5)
        if len(latest) > written:
            written = len(latest)
            if not record_progress(campaign.pk, run, latest[-1]):
                stop.set()
        if not stop.is_set() and stop_requested(campaign.pk, run):
            stop.set()
    plan = result[0] if result else pure.Plan(pure.Status.UNKNOWN)
    store_result(campaign.pk, run, plan)
    return plan


def toggle_pin(*, actor: Actor, campaign: Campaign, session: str) -> Campaign:
    """Keep (or release) a planned session when re-solving the rest."""
    return _change_pins(actor, campaign, lambda pins: pins ^ {session})


def set_pins(*, actor: Actor, campaign: Campaign, sessions: Sequence[str]) -> Campaign:
    """Keep exactly these planned sessions when re-solving the rest (the API's whole list;
    the page toggles one at a time with :func:`toggle_pin`)."""
    return _change_pins(actor, campaign, lambda _pins: set(sessions))


def _change_pins(
    actor: Actor, campaign: Campaign, change: Callable[[set[str]], set[str]]
) -> Campaign:
    require_role(actor, campaign.organisation_id, MANAGERS)
    with write_transaction():
        locked = _lock(campaign)
        if locked.status != CampaignStatus.PLANNED:
            raise ValidationError(_("Épinglez une session d'un plan proposé."))
        planned = {p.session for p in adapter.plan_of(locked)}
        pins = change(set(locked.pins))
        unknown = sorted(pins - planned)
        if len(unknown) == 1:
            raise ValidationError(_("Cette session n'est pas dans le plan."), code="invalid")
        if unknown:
            raise ValidationError(
                _("Ces sessions ne sont pas dans le plan : %(sessions)s")
                % {"sessions": ", ".join(s[:40] for s in unknown[:10])},
                code="invalid",
            )
        locked.pins = sorted(pins)
        locked.save(update_fields=["pins"])
    return locked


@dataclass
class CommitResult:
    sessions: list[Any]
    requested: int  # room bookings waiting for logistics' approval


def commit_plan(*, actor: Actor, campaign: Campaign) -> CommitResult:
    """Create every session of the plan and its room bookings, all or nothing, after checking
    the plan again against the bookings and sessions as they are now."""
    require_role(actor, campaign.organisation_id, MANAGERS)
    with write_transaction():
        locked = _lock(campaign)
        if locked.status != CampaignStatus.PLANNED:
            raise ValidationError(_("Il n'y a pas de plan à valider pour cette campagne."))
        placements = adapter.plan_of(locked)
        description = adapter.describe(locked, with_pins=False)
        violations = pure.check(description, placements)
        if violations:
            raise ValidationError(_conflict_messages(locked, violations, placements))
        modules = {m.module.code: m.module for m in locked.modules.select_related("module")}
        sites = {str(s.pk): s for s in locked.sites.all()}
        created = []
        requested = 0
        n = adapter.names(locked)
        for p in sorted(placements, key=lambda p: (p.starts[0], p.session)):
            module = modules[p.module]
            slots = [
                adapter.half_day_times(h)
                for h in pure.covered(description.module(p.module), p.starts)
            ]
            code = f"{locked.code}-{p.module}-{p.cohort}"[:40]
            try:
                session = enrolment_actions.create_session(
                    actor=actor,
                    organisation=locked.organisation,
                    data=enrolment_actions.SessionData(
                        module_id=module.pk,
                        code=code,
                        capacity=locked.group_size,
                        slots=slots,
                        label=n.cohort(p.cohort, p.site)[:200],
                        site_id=sites[p.site].pk,
                        room_id=int(p.room),
                        trainer_ids=[int(p.trainer)],
                    ),
                )
            except ValidationError as exc:
                raise ValidationError(
                    _("%(session)s : %(error)s")
                    % {"session": code, "error": " ".join(exc.messages)}
                ) from exc
            requested += sum(
                1 for b in enrolment_actions.room_bookings(session) if b.status != "approved"
            )
            CommittedSession.objects.create(
                campaign=locked, plan_session=p.session, session=session
            )
            created.append(session)
        locked.status = CampaignStatus.COMMITTED
        locked.committed_at = timezone.now()
        locked.save(update_fields=["status", "committed_at"])
        audit.record(
            "timetabling.campaign.commit",
            actor=actor.user,
            organisation=locked.organisation,
            obj=locked,
            changes={"sessions": len(created)},
        )
    return CommitResult(created, requested)


def _conflict_messages(
    campaign: Campaign,
    violations: list[pure.Violation],
    placements: tuple[pure.Placement, ...],
) -> list[str]:
    n = adapter.names(campaign)
    by_session = {p.session: p for p in placements}
    lines = []
    for v in violations[:20]:
        p = by_session.get(v.session)
        what = f"{p.module} — {n.cohort(p.cohort, p.site)}" if p is not None else v.session
        if v.kind == "room_busy" and p is not None:
            lines.append(
                _("%(what)s : la salle %(room)s a été réservée entre-temps.")
                % {"what": what, "room": n.rooms.get(p.room, p.room)}
            )
        elif v.kind == "trainer_busy" and p is not None:
            lines.append(
                _("%(what)s : %(trainer)s n'est plus disponible.")
                % {"what": what, "trainer": n.trainers.get(p.trainer, p.trainer)}
            )
        else:
            lines.append(
                _("%(what)s : le plan ne respecte plus une règle (%(rule)s).")
                % {"what": what, "rule": v.kind}
            )
    header = _(
        "Rien n'a été créé : le plan ne tient plus compte de ce qui a changé depuis son calcul. "
        "Relancez le calcul."
    )
    return [header, *lines]
