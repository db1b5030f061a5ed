"""The planning pages under /planification/: campaigns (describe, solve with progress, stop,
review per site, trainer or room, pin, commit) and trainers' profiles. Thin: reads here,
writes through actions."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from parcours.accounts.models import Organisation, Role, User
from parcours.enrolment.actions.sessions import ROOM_SOURCE
from parcours.lib.http import AuthedRequest
from parcours.pathways.models import PathwayModule
from parcours.scheduling.models import Booking, Resource
from parcours.scheduling.states import BookingStatus
from parcours.timetabling import actions, adapter
from parcours.timetabling import campaign as pure
from parcours.timetabling.forms import CampaignForm, CampaignModuleForm, TrainerProfileForm
from parcours.timetabling.models import Campaign, CampaignStatus, TrainerProfile

VIEWS = {"site": "site", "formateur": "trainer", "salle": "room"}
WISHES = ("spread", "monthly", "trips", "preferred_days")


def _org(request: AuthedRequest) -> Organisation:
    """The current organisation, for its coordinators only (checked before any look-up)."""
    org = request.organisation
    if org is None or not request.actor.has_role(org, Role.COORDINATOR):
        raise PermissionDenied(_("Réservé aux coordinateurs de l'organisation."))
    return org


def _campaign(request: AuthedRequest, pk: int) -> Campaign:
    return get_object_or_404(Campaign, pk=pk, organisation=_org(request))


def _error_text(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


@login_required
@require_GET
def campaign_list(request: AuthedRequest) -> HttpResponse:
    org = _org(request)
    campaigns = Campaign.objects.filter(organisation=org).prefetch_related("sites")[:100]
    return render(request, "timetabling/campaign_list.html", {"campaigns": campaigns})


def _campaign_data(
    d: dict[str, Any], existing: dict[int, actions.ModuleChoice], consecutive_changed: bool
) -> actions.CampaignData:
    """The form's answers as the actions' data. Modules already in the campaign keep their
    length, days and equipment (``existing``), unless "days follow each other" was changed."""
    choices: list[actions.ModuleChoice] = []
    seen: set[int] = set()

    def choose(module: Any, phase: int) -> None:
        before = existing.get(module.pk)
        if before is None:
            choices.append(actions.ModuleChoice(module, phase, consecutive=d["consecutive"]))
        else:
            consecutive = d["consecutive"] if consecutive_changed else before.consecutive
            choices.append(
                actions.ModuleChoice(
                    module, phase, before.half_days, consecutive, tuple(before.features)
                )
            )
        seen.add(module.pk)

    for name, phase in (("introduction", 0), ("options", 1), ("closing", 2)):
        for module in d[name]:
            choose(module, phase)
    if d.get("pathway") is not None and not existing:
        for pm in (
            PathwayModule.objects.filter(pathway=d["pathway"])
            .select_related("module")
            .order_by("position", "pk")
        ):
            if pm.module_id not in seen:
                choose(pm.module, 1)
    return actions.CampaignData(
        name=d["name"],
        code=d["code"],
        start=d["start"],
        end=d["end"],
        sites=list(d["sites"]),
        modules=choices,
        pathway=d.get("pathway"),
        groups_per_site=d["groups_per_site"],
        groups_total=d.get("groups_total"),
        group_size=d["group_size"],
        one_introduction=d["one_introduction"],
        options_per_group=d["options_per_group"],
        weekdays=d["weekdays"],
        mornings=d["mornings"],
        afternoons=d["afternoons"],
        holidays=d["holidays"],
        min_gap_days=d["min_gap_days"],
        spread_weight=d["spread_weight"],
        monthly_weight=d["monthly_weight"],
        trips_weight=d["trips_weight"],
        preferred_weight=d["preferred_weight"],
        preferred_weekdays=d["preferred_weekdays"],
        seconds=d["seconds"],
    )


def _form_errors(form: CampaignForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def campaign_create(request: AuthedRequest) -> HttpResponse:
    org = _org(request)
    form = CampaignForm(request.POST or None, organisation=org)
    if request.method == "POST" and form.is_valid():
        data = _campaign_data(form.cleaned_data, {}, False)
        try:
            campaign = actions.create_campaign(actor=request.actor, organisation=org, data=data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Campagne enregistrée : lancez le calcul du plan."))
            return redirect("timetabling:detail", campaign.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "timetabling/campaign_form.html", {"form": form}, status=status)


@login_required
def campaign_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    if campaign.status in (CampaignStatus.COMMITTED, CampaignStatus.SOLVING):
        messages.error(
            request,
            _("Les sessions de cette campagne sont déjà créées : elle ne se modifie plus.")
            if campaign.status == CampaignStatus.COMMITTED
            else _("Un calcul est en cours : arrêtez-le avant de modifier la campagne."),
        )
        return redirect("timetabling:detail", campaign.pk)
    current = actions.data_of(campaign)
    existing = {c.module.pk: c for c in current.modules}
    by_phase = {p: [c.module for c in current.modules if c.phase == p] for p in (0, 1, 2)}
    initial = {
        "name": current.name,
        "code": current.code,
        "pathway": current.pathway,
        "introduction": by_phase[0],
        "options": by_phase[1],
        "closing": by_phase[2],
        "consecutive": all(c.consecutive for c in current.modules),
        "one_introduction": current.one_introduction,
        "options_per_group": current.options_per_group,
        "sites": current.sites,
        "groups_per_site": current.groups_per_site,
        "groups_total": current.groups_total,
        "group_size": current.group_size,
        "start": current.start,
        "end": current.end,
        "weekdays": current.weekdays,
        "mornings": current.mornings,
        "afternoons": current.afternoons,
        "holidays": "\n".join(d.isoformat() for d in current.holidays),
        "min_gap_days": current.min_gap_days,
        "spread_weight": current.spread_weight,
        "monthly_weight": current.monthly_weight,
        "trips_weight": current.trips_weight,
        "preferred_weight": current.preferred_weight,
        "preferred_weekdays": current.preferred_weekdays,
        "seconds": current.seconds,
    }
    form = CampaignForm(request.POST or None, organisation=campaign.organisation, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = _campaign_data(form.cleaned_data, existing, "consecutive" in form.changed_data)
        try:
            actions.update_campaign(actor=request.actor, campaign=campaign, data=data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("Campagne modifiée : le plan précédent est écarté, relancez le calcul.")
                if campaign.plan
                else _("Campagne modifiée : lancez le calcul du plan."),
            )
            return redirect("timetabling:detail", campaign.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "timetabling/campaign_form.html",
        {"form": form, "campaign": campaign},
        status=status,
    )


@login_required
@require_POST
def campaign_module(request: AuthedRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    form = CampaignModuleForm(request.POST)
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            for error in errors:
                messages.error(request, f"{label} : {error}" if label else str(error))
        return redirect("timetabling:detail", campaign.pk)
    d = form.cleaned_data
    try:
        actions.update_module(
            actor=request.actor,
            campaign=campaign,
            module_id=d["module"],
            half_days=d["half_days"],
            consecutive=d["consecutive"],
            features=d["features"],
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Module modifié : relancez le calcul du plan."))
    return redirect("timetabling:detail", campaign.pk)


@dataclass
class Row:
    placement: pure.Placement
    start: dt.datetime
    end: dt.datetime
    days: list[dt.date]
    module: str
    cohort: str
    site: str
    room: str
    trainer: str
    pinned: bool
    needs_approval: bool = False  # the room's bookings wait for logistics' approval


def _rows(
    campaign: Campaign, names: adapter.Names, approval: frozenset[str] = frozenset()
) -> list[Row]:
    description_modules = {
        m.module.code: pure.Module(m.module.code, half_days=m.half_days, consecutive=m.consecutive)
        for m in campaign.modules.select_related("module")
    }
    pins = set(campaign.pins)
    rows = []
    for p in adapter.plan_of(campaign):
        module = description_modules.get(p.module)
        if module is None:
            continue
        half_days = pure.covered(module, p.starts)
        start = adapter.half_day_times(half_days[0])[0]
        end = adapter.half_day_times(half_days[-1])[1]
        rows.append(
            Row(
                p,
                start,
                end,
                sorted({h.day for h in half_days}),
                f"{p.module} — {names.modules.get(p.module, '')}",
                names.cohort(p.cohort, p.site),
                names.sites.get(p.site, p.site),
                names.rooms.get(p.room, p.room),
                names.trainers.get(p.trainer, p.trainer),
                p.session in pins,
                p.room in approval,
            )
        )
    return sorted(rows, key=lambda r: (r.start, r.placement.session))


def _context(campaign: Campaign, view: str) -> dict[str, Any]:
    names = adapter.names(campaign)
    places = adapter.rooms_of(campaign)
    approval = frozenset(str(r.pk) for r in places if r.requires_approval)
    units = sum(1 for r in places if r.kind == Resource.Kind.MOBILE_UNIT)
    rows = _rows(campaign, names, approval)
    modules = list(campaign.modules.select_related("module"))
    pending = 0
    if campaign.status == CampaignStatus.COMMITTED:
        pending = Booking.objects.filter(
            source=ROOM_SOURCE,
            source_id__in=[str(pk) for pk in campaign.created.values_list("session_id", flat=True)],
            status=BookingStatus.REQUESTED,
        ).count()
    groups: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        groups[getattr(row, VIEWS.get(view, "site"))].append(row)
    reasons = [
        adapter.reason_text(str(r.get("kind")), dict(r.get("params") or {}), names)
        for r in campaign.reasons
    ]
    if any(r.get("kind") == "timeout" for r in campaign.reasons):
        reasons = [
            _(
                "Aucun plan trouvé dans le temps imparti : allongez le temps de calcul ou "
                "relâchez des contraintes."
            )
        ]
    weights = {
        "spread": campaign.spread_weight,
        "monthly": campaign.monthly_weight,
        "trips": campaign.trips_weight,
        "preferred_days": campaign.preferred_weight,
    }
    labels = {
        "spread": _(
            "Étaler les groupes sur la période "
            "(semaine la plus chargée au-delà d'un étalement égal)"
        ),
        "monthly": _("Au moins un groupe par site et par mois (mois sans session)"),
        "trips": _("Moins de déplacements (sessions hors du site d'attache)"),
        "preferred_days": _("Jours préférés (parties commençant un autre jour)"),
    }
    costs = [
        (labels[k], campaign.costs.get(k, 0), weights[k], campaign.costs.get(k, 0) * weights[k])
        for k in WISHES
        if k in campaign.costs
    ]
    return {
        "campaign": campaign,
        "modules": modules,
        "module_forms": [
            (
                m,
                CampaignModuleForm(
                    initial={
                        "module": m.module_id,
                        "half_days": m.half_days,
                        "consecutive": m.consecutive,
                        "features": m.features,
                    },
                    auto_id=f"id_m{m.pk}_%s",
                ),
            )
            for m in modules
        ],
        "editable": campaign.status
        in (CampaignStatus.DRAFT, CampaignStatus.PLANNED, CampaignStatus.INFEASIBLE),
        "approval_count": sum(1 for r in rows if r.needs_approval),
        "pending_count": pending,
        "sites": campaign.sites.all(),
        "view": view if view in VIEWS else "site",
        "groups": sorted(groups.items()),
        "rows": rows,
        "reasons": reasons,
        "costs": costs,
        "solving": campaign.status == CampaignStatus.SOLVING,
        "trainer_count": len(names.trainers),
        "room_count": len(places) - units,
        "unit_count": units,
    }


@login_required
@require_GET
def campaign_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    view = request.GET.get("vue", "site")
    return render(request, "timetabling/campaign_detail.html", _context(campaign, view))


@login_required
@require_GET
def campaign_progress(request: AuthedRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    response = render(request, "timetabling/_progress.html", {"campaign": campaign})
    if campaign.status != CampaignStatus.SOLVING and request.htmx:
        # The calculation ended: reload the page to show the plan.
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def campaign_solve(request: AuthedRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    try:
        actions.start_solving(actor=request.actor, campaign=campaign)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("timetabling:detail", campaign.pk)


@login_required
@require_POST
def campaign_stop(request: AuthedRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    actions.request_stop(actor=request.actor, campaign=campaign)
    messages.info(request, _("Arrêt demandé : le meilleur plan trouvé est gardé."))
    return redirect("timetabling:detail", campaign.pk)


@login_required
@require_POST
def campaign_pin(request: AuthedRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    session = str(request.POST.get("session", ""))[:120]
    try:
        actions.toggle_pin(actor=request.actor, campaign=campaign, session=session)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    view = request.POST.get("vue", "site")
    response = redirect("timetabling:detail", campaign.pk)
    if view in VIEWS:
        response["Location"] += f"?vue={view}"
    return response


@login_required
@require_POST
def campaign_commit(request: AuthedRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    try:
        result = actions.commit_plan(actor=request.actor, campaign=campaign)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("timetabling:detail", campaign.pk)
    text = ngettext(
        "%(n)s session créée avec ses réservations de salle.",
        "%(n)s sessions créées avec leurs réservations de salle.",
        len(result.sessions),
    ) % {"n": len(result.sessions)}
    if result.requested:
        text += " " + ngettext(
            "%(n)s réservation attend l'accord de la logistique.",
            "%(n)s réservations attendent l'accord de la logistique.",
            result.requested,
        ) % {"n": result.requested}
    messages.success(request, text)
    return redirect("timetabling:detail", campaign.pk)


# --- Trainers ----------------------------------------------------------------------------


@login_required
@require_GET
def trainer_list(request: AuthedRequest) -> HttpResponse:
    org = _org(request)
    trainers = (
        User.objects.filter(memberships__organisation=org, memberships__role=Role.TRAINER)
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )
    profiles = {
        p.user_id: p
        for p in TrainerProfile.objects.filter(organisation=org).prefetch_related(
            "modules", "sites"
        )
    }
    rows = [(t, profiles.get(t.pk)) for t in trainers[:500]]
    return render(request, "timetabling/trainer_list.html", {"rows": rows})


@login_required
def trainer_edit(request: AuthedRequest, user_id: int) -> HttpResponse:
    org = _org(request)
    trainer = (
        User.objects.filter(
            pk=user_id, memberships__organisation=org, memberships__role=Role.TRAINER
        )
        .distinct()
        .first()
    )
    if trainer is None:
        raise Http404
    profile = TrainerProfile.objects.filter(organisation=org, user=trainer).first()
    initial: dict[str, Any] = {}
    if profile is not None:
        initial = {
            "modules": list(profile.modules.all()),
            "sites": list(profile.sites.all()),
            "home_site": profile.home_site,
            "max_days_per_week": profile.max_days_per_week,
            "unavailable": "\n".join(profile.unavailable),
        }
    form = TrainerProfileForm(request.POST or None, organisation=org, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            actions.save_trainer_profile(
                actor=request.actor,
                organisation=org,
                user=trainer,
                modules=list(d["modules"]),
                sites=list(d["sites"]),
                home_site=d["home_site"],
                max_days_per_week=d["max_days_per_week"],
                unavailable=d["unavailable"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Profil du formateur enregistré."))
            return redirect("timetabling:trainers")
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "timetabling/trainer_form.html",
        {"form": form, "trainer": trainer},
        status=status,
    )
