"""Orientation pages: the public explorer (no account) and the curators' pages.

Public: ``/orientation/`` (the organisations with published worlds), an organisation's worlds,
a world's job sheets, a job sheet (with its ESCO occupation, study routes and the upcoming
sessions of its modules), and the ESCO occupation search. Staff (coordinators, administrators
of the current organisation): worlds and job sheets, their study routes and links. Thin views:
reads here, writes through ``actions``.
"""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcours.accounts.models import Organisation
from parcours.catalogue.models import Module
from parcours.enrolment.models import Session
from parcours.lib.http import AuthedRequest, is_htmx
from parcours.orientation import actions
from parcours.orientation.class_models import GameItem, QuizStatement
from parcours.orientation.forms import JobSheetForm, StudyRouteForm, WorldForm
from parcours.orientation.models import ESCO_ATTRIBUTION, JobSheet, Occupation, StudyRoute, World
from parcours.orientation.search import search_occupations
from parcours.pathways.models import Pathway

SESSIONS_PER_SHEET = 6
SEARCH_RESULTS = 20


# --- Public explorer ---------------------------------------------------------------------


def _published_worlds(organisation: Organisation) -> Any:
    return World.objects.filter(organisation=organisation, is_published=True).annotate(
        sheet_count=Count("job_sheets", filter=Q(job_sheets__is_published=True))
    )


def index(request: HttpRequest) -> HttpResponse:
    organisations = (
        Organisation.objects.filter(orientation_worlds__is_published=True)
        .distinct()
        .order_by("name")
    )
    if len(organisations) == 1:
        return redirect("orientation:worlds", org_slug=organisations[0].slug)
    return render(request, "orientation/index.html", {"organisations": organisations})


def worlds(request: HttpRequest, org_slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=org_slug)
    found = list(_published_worlds(organisation))
    if not found:
        raise_404()
    actor = getattr(request, "actor", None)
    may_curate = actor is not None and (
        actor.is_platform_admin or actor.has_role(organisation, *actions.CURATORS)
    )
    context = {
        "organisation": organisation,
        "worlds": found,
        "may_curate": may_curate,
        # The quiz across worlds, offered once there is something to answer.
        "has_quiz": QuizStatement.objects.filter(world__in=found).exists(),
    }
    return render(request, "orientation/worlds.html", context)


def raise_404() -> None:
    from django.http import Http404

    raise Http404(_("Rien à explorer ici."))


def world(request: HttpRequest, org_slug: str, slug: str) -> HttpResponse:
    current = get_object_or_404(
        World.objects.select_related("organisation"),
        organisation__slug=org_slug,
        slug=slug,
        is_published=True,
    )
    sheets = current.job_sheets.filter(is_published=True).order_by("order", "title_fr")
    others = _published_worlds(current.organisation).exclude(pk=current.pk)
    return render(
        request,
        "orientation/world.html",
        {
            "world": current,
            "sheets": sheets,
            "others": others,
            "organisation": current.organisation,
            "has_game": GameItem.objects.filter(world=current).exists(),
        },
    )


def sheet(request: HttpRequest, org_slug: str, slug: str) -> HttpResponse:
    current = get_object_or_404(
        JobSheet.objects.select_related("organisation", "world", "occupation__isco_group"),
        organisation__slug=org_slug,
        slug=slug,
        is_published=True,
        world__is_published=True,
    )
    modules = list(current.modules.published().select_related("organisation").order_by("title_fr"))
    now = timezone.now()
    sessions = list(
        Session.objects.public()
        .upcoming(now)
        .filter(module__in=[m.pk for m in modules])
        .select_related("module", "site")[:SESSIONS_PER_SHEET]
    )
    pathways = current.pathways.filter(status=Pathway.Status.PUBLISHED).order_by("title_fr")
    others = (
        current.world.job_sheets.filter(is_published=True)
        .exclude(pk=current.pk)
        .order_by("order", "title_fr")
    )
    context = {
        "sheet": current,
        "world": current.world,
        "organisation": current.organisation,
        "occupation": current.occupation,
        "routes": list(current.routes.all()),
        "modules": modules,
        "sessions": sessions,
        "pathways": list(pathways),
        "others": others,
        "attribution": ESCO_ATTRIBUTION,
    }
    return render(request, "orientation/sheet.html", context)


def occupations(request: HttpRequest) -> HttpResponse:
    """The ESCO occupation search (public; also the curators' picker with ``?choisir=1``)."""
    query = request.GET.get("q", "")[:200]
    found = search_occupations(query, SEARCH_RESULTS, labels_only=True) if query.strip() else []
    picker = request.GET.get("choisir") == "1"
    context = {"query": query, "occupations": found, "attribution": ESCO_ATTRIBUTION}
    if picker or is_htmx(request):
        template = (
            "orientation/_occupation_picker.html" if picker else "orientation/_occupations.html"
        )
        return render(request, template, context)
    return render(request, "orientation/occupations.html", context)


# --- Staff: curation ---------------------------------------------------------------------


def _curator_organisation(request: AuthedRequest) -> Organisation:
    organisation = request.organisation
    actor = request.actor
    if organisation is None or not (
        actor.is_platform_admin or actor.has_role(organisation, *actions.CURATORS)
    ):
        raise PermissionDenied(
            _("Seuls les coordinateurs de l'organisation gèrent ses mondes et fiches métier.")
        )
    return organisation


@login_required
def manage(request: AuthedRequest) -> HttpResponse:
    organisation = _curator_organisation(request)
    all_worlds = World.objects.filter(organisation=organisation).prefetch_related(
        Prefetch(
            "job_sheets",
            queryset=JobSheet.objects.select_related("occupation").order_by("order", "title_fr"),
        )
    )
    return render(
        request,
        "orientation/manage.html",
        {"organisation": organisation, "worlds": all_worlds},
    )


def _apply_errors(form: Any, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, errors in error.message_dict.items():
        if name == "illustration":
            name = "illustration_file"
        form.add_error(name if name in form.fields else None, errors)


@login_required
def world_form(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    organisation = _curator_organisation(request)
    current = None
    if pk is not None:
        current = get_object_or_404(World, pk=pk, organisation=organisation)
    instance = copy.copy(current) if current else World(organisation=organisation)
    form = WorldForm(
        request.POST or None, request.FILES or None, instance=instance, organisation=organisation
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in form.Meta.fields}
            try:
                saved = actions.save_world(
                    actor=request.actor,
                    organisation=organisation,
                    data=data,
                    world=current,
                    illustration=form.cleaned_data.get("illustration_file"),
                    remove_illustration=form.cleaned_data.get("remove_illustration", False),
                    activity_ids=[a.pk for a in form.cleaned_data["outreach_activities"]],
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("Monde enregistré."))
                return redirect("orientation:world_edit", pk=saved.pk)
        status = 400
    return render(
        request,
        "orientation/world_form.html",
        {"form": form, "world": current, "organisation": organisation},
        status=status,
    )


@login_required
@require_POST
def world_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    organisation = _curator_organisation(request)
    current = get_object_or_404(World, pk=pk, organisation=organisation)
    try:
        actions.delete_world(actor=request.actor, world=current)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("orientation:world_edit", pk=pk)
    messages.success(request, _("Monde supprimé."))
    return redirect("orientation:manage")


@login_required
def sheet_form(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    organisation = _curator_organisation(request)
    current = None
    if pk is not None:
        current = get_object_or_404(
            JobSheet.objects.select_related("occupation__isco_group"),
            pk=pk,
            organisation=organisation,
        )
    instance = copy.copy(current) if current else JobSheet(organisation=organisation)
    if current is None and request.GET.get("monde"):
        instance.world = World.objects.filter(
            organisation=organisation, slug=request.GET["monde"][:60]
        ).first()  # type: ignore[assignment]
    form = JobSheetForm(
        request.POST or None, request.FILES or None, instance=instance, organisation=organisation
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data: dict[str, Any] = {
                name: form.cleaned_data[name] for name in form.Meta.fields if name != "world"
            }
            data["world"] = form.cleaned_data["world"].pk
            data["occupation"] = form.cleaned_data.get("occupation")
            try:
                saved = actions.save_job_sheet(
                    actor=request.actor,
                    organisation=organisation,
                    data=data,
                    sheet=current,
                    links=actions.SheetLinks(
                        module_ids=[m.pk for m in form.cleaned_data["modules"]],
                        pathway_ids=[p.pk for p in form.cleaned_data["pathways"]],
                        activity_ids=[a.pk for a in form.cleaned_data["outreach_activities"]],
                    ),
                    illustration=form.cleaned_data.get("illustration_file"),
                    remove_illustration=form.cleaned_data.get("remove_illustration", False),
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("Fiche métier enregistrée."))
                return redirect("orientation:sheet_edit", pk=saved.pk)
        status = 400
    chosen_id = form["occupation"].value() if form.is_bound else instance.occupation_id
    chosen = None
    if chosen_id:
        try:
            chosen = (
                Occupation.objects.select_related("isco_group").filter(pk=int(chosen_id)).first()
            )
        except (TypeError, ValueError):
            chosen = None
    return render(
        request,
        "orientation/sheet_form.html",
        {
            "form": form,
            "sheet": current,
            "organisation": organisation,
            "chosen_occupation": chosen,
            "routes": list(current.routes.all()) if current else [],
            "route_form": StudyRouteForm(prefix="route"),
        },
        status=status,
    )


@login_required
@require_POST
def sheet_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    organisation = _curator_organisation(request)
    current = get_object_or_404(JobSheet, pk=pk, organisation=organisation)
    actions.delete_job_sheet(actor=request.actor, sheet=current)
    messages.success(request, _("Fiche métier supprimée."))
    return redirect("orientation:manage")


@login_required
@require_POST
def route_add(request: AuthedRequest, pk: int) -> HttpResponse:
    organisation = _curator_organisation(request)
    current = get_object_or_404(JobSheet, pk=pk, organisation=organisation)
    form = StudyRouteForm(request.POST, prefix="route")
    if form.is_valid():
        try:
            actions.save_route(actor=request.actor, sheet=current, data=form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
    if form.errors:
        if is_htmx(request):
            context = {"sheet": current, "routes": list(current.routes.all()), "route_form": form}
            # htmx swaps 2xx only (the form fails in place): the region carries the errors.
            return render(request, "orientation/_routes.html", context)
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(
                request,
                f"{label} : {' '.join(str(e) for e in errors)}"
                if label
                else " ".join(str(e) for e in errors),
            )
        return redirect("orientation:sheet_edit", pk=pk)
    if is_htmx(request):
        context = {
            "sheet": current,
            "routes": list(current.routes.all()),
            "route_form": StudyRouteForm(prefix="route"),
        }
        return render(request, "orientation/_routes.html", context)
    messages.success(request, _("Filière ajoutée."))
    return redirect("orientation:sheet_edit", pk=pk)


@login_required
@require_POST
def route_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    organisation = _curator_organisation(request)
    route = get_object_or_404(
        StudyRoute.objects.select_related("job_sheet"), pk=pk, job_sheet__organisation=organisation
    )
    sheet_pk = route.job_sheet_id
    actions.delete_route(actor=request.actor, route=route)
    if is_htmx(request):
        current = route.job_sheet
        context = {
            "sheet": current,
            "routes": list(current.routes.all()),
            "route_form": StudyRouteForm(prefix="route"),
        }
        return render(request, "orientation/_routes.html", context)
    messages.success(request, _("Filière retirée."))
    return redirect("orientation:sheet_edit", pk=sheet_pk)


# --- Sections shown on other apps' pages (lib.sections) ----------------------------------


def module_occupations(request: HttpRequest, module: Module) -> dict[str, Any] | None:
    """On a module's page: the published job sheets it prepares for."""
    sheets = list(
        JobSheet.objects.filter(modules=module, is_published=True, world__is_published=True)
        .select_related("organisation", "occupation")
        .order_by("title_fr")[:12]
    )
    return {"sheets": sheets} if sheets else None


def outreach_orientation(request: HttpRequest, activity: Any) -> dict[str, Any] | None:
    """On an outreach activity's page: its worlds and occupations."""
    found_worlds = list(World.objects.filter(outreach_activities=activity).order_by("order"))
    sheets = list(
        JobSheet.objects.filter(outreach_activities=activity)
        .select_related("world", "organisation")
        .order_by("world__order", "order", "title_fr")[:40]
    )
    if not found_worlds and not sheets:
        return None
    return {"worlds": found_worlds, "sheets": sheets}


def catalogue_occupation_filter(value: str) -> tuple[str, set[int]] | None:
    """``?metier=<org slug>/<job sheet slug>``: the modules that prepare for a job sheet."""
    org_slug, _sep, slug = value.partition("/")
    if not org_slug or not slug:
        return None
    found = JobSheet.objects.filter(
        organisation__slug=org_slug[:60], slug=slug[:80], is_published=True
    ).first()
    if found is None:
        return None
    ids = set(found.modules.values_list("pk", flat=True))
    return _("Modules qui préparent au métier : %(title)s") % {"title": found.title}, ids
