"""Pathway pages: public list and detail, the coordinator's editor and progress tables,
and the learner's own progress. Thin: reads via evaluation/querysets, writes via actions."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcours.accounts.models import Organisation, Role, User
from parcours.accounts.permissions import Actor
from parcours.catalogue.bounds import page_number, refuses_out_of_bounds
from parcours.catalogue.models import Module
from parcours.lib.http import AuthedRequest
from parcours.pathways import actions, offers, rules
from parcours.pathways.evaluation import (
    evaluate_for_learner,
    pathway_modules,
    progress_on_pathways,
)
from parcours.pathways.forms import PathwayForm
from parcours.pathways.models import Completion, Pathway
from parcours.pathways.permissions import progress_learners

PROGRESS_PAGE_SIZE = 50
PUBLIC_PAGE_SIZE = 50


def _requirements(pathway: Pathway, modules: list[Module]) -> list[str]:
    """The rule in words: what a learner with nothing done still needs."""
    evaluation = rules.evaluate(pathway.rule, {}, pathway_modules=[m.pk for m in modules])
    return rules.explain(evaluation, {m.pk: m.title for m in modules})


def _rule_text(pathway: Pathway, modules: list[Module]) -> str:
    return rules.format_text(pathway.rule, {m.pk: m.code for m in modules})


def _actor(request: AuthedRequest) -> Actor | None:
    return request.actor if request.user.is_authenticated else None


def _linkable(request: AuthedRequest, modules: Iterable[Module]) -> set[int]:
    """The modules whose catalogue page this viewer may open: a pathway may still require a
    module that was archived since (or a draft of another organisation); it is then named
    without a link instead of a link to a 404."""
    ids = {module.pk for module in modules}
    return set(
        Module.objects.visible_to(_actor(request)).filter(pk__in=ids).values_list("pk", flat=True)
    )


@refuses_out_of_bounds
def public_list(request: AuthedRequest) -> HttpResponse:
    pathways = (
        Pathway.objects.published()
        .select_related("organisation")
        .order_by("organisation__name", "title_fr", "pk")
    )
    page = Paginator(pathways, PUBLIC_PAGE_SIZE).get_page(page_number(request.GET.get("page")))
    return render(
        request, "pathways/public_list.html", {"pathways": page.object_list, "page": page}
    )


def detail(request: AuthedRequest, org_slug: str, code: str) -> HttpResponse:
    """A pathway's page; drafts and archived ones only for their organisation's staff."""
    pathway = get_object_or_404(
        Pathway.objects.visible_to(_actor(request)).select_related("organisation"),
        organisation__slug=org_slug,
        code=code,
    )
    modules = pathway_modules(pathway)
    progress = None
    where: list[offers.ModuleOffers] = []
    if request.user.is_authenticated:
        progress = evaluate_for_learner(pathway, request.user.pk, modules=modules)
        where = offers.where_to_get([progress])[0]
    return render(
        request,
        "pathways/detail.html",
        {
            "pathway": pathway,
            "modules": modules,
            "requirements": _requirements(pathway, modules),
            "progress": progress,
            "where": where,
            "linkable": _linkable(request, modules),
        },
    )


@login_required
def my_progress(request: AuthedRequest) -> HttpResponse:
    done_modules = Completion.objects.filter(learner=request.user).values("module_id")
    pathways = list(
        Pathway.objects.published()
        .filter(memberships__module__in=done_modules)
        .distinct()
        .select_related("organisation")
        .order_by("title_fr", "pk")
    )
    # A fixed number of queries however many pathways: their modules, the completions, and
    # where to get the missing modules (one query per offer provider, for all of them).
    progresses = progress_on_pathways(request.user.pk, pathways)
    progresses.sort(key=lambda p: (p.satisfied, -p.evaluation.progress))
    completions = (
        Completion.objects.filter(learner=request.user)
        .select_related("module", "module__organisation")
        .order_by("-completed_on")
    )
    return render(
        request,
        "pathways/my_progress.html",
        {
            "progresses": list(zip(progresses, offers.where_to_get(progresses), strict=True)),
            "completions": completions,
            "linkable": _linkable(
                request, (state.module for p in progresses for state in p.modules)
            ),
        },
    )


# --- Coordinator pages -------------------------------------------------------------------


def _staff_org(request: AuthedRequest) -> Organisation:
    org = request.organisation
    if org is None or not request.actor.has_role(org, Role.COORDINATOR):
        raise PermissionDenied(_("Réservé aux coordinateurs de l'organisation."))
    return org


def _own_pathway(request: AuthedRequest, pk: int) -> Pathway:
    org = _staff_org(request)
    return get_object_or_404(
        Pathway.objects.select_related("organisation"), pk=pk, organisation=org
    )


@login_required
def manage_list(request: AuthedRequest) -> HttpResponse:
    org = _staff_org(request)
    pathways = Pathway.objects.filter(organisation=org).order_by("status", "title_fr")
    return render(request, "pathways/manage_list.html", {"pathways": pathways, "org": org})


def _form_context(
    org: Organisation, form: PathwayForm, pathway: Pathway | None
) -> dict[str, object]:
    modules = Module.objects.filter(organisation=org).order_by("code")
    return {"form": form, "pathway": pathway, "available_modules": modules, "org": org}


def _data_from(form: PathwayForm) -> actions.PathwayData:
    cd = form.cleaned_data
    return actions.PathwayData(
        code=cd["code"],
        title_fr=cd["title_fr"],
        title_en=cd.get("title_en", ""),
        summary_fr=cd.get("summary_fr", ""),
        summary_en=cd.get("summary_en", ""),
        rule_text=cd["rule_text"],
    )


def _apply_errors(form: PathwayForm, exc: ValidationError) -> None:
    mapping = getattr(exc, "message_dict", None)
    if mapping is None:
        form.add_error(None, exc)
        return
    for field, errors in mapping.items():
        target = "rule_text" if field == "rule" else field
        for error in errors:
            form.add_error(target if target in form.fields else None, error)


@login_required
def manage_create(request: AuthedRequest) -> HttpResponse:
    org = _staff_org(request)
    form = PathwayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pathway = actions.create_pathway(
                actor=request.actor, organisation=org, data=_data_from(form)
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Parcours créé (brouillon)."))
            return redirect("pathways:manage_detail", pk=pathway.pk)
    return render(request, "pathways/manage_form.html", _form_context(org, form, None))


@login_required
def manage_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    pathway = _own_pathway(request, pk)
    modules = pathway_modules(pathway)
    initial = {
        "code": pathway.code,
        "title_fr": pathway.title_fr,
        "title_en": pathway.title_en,
        "summary_fr": pathway.summary_fr,
        "summary_en": pathway.summary_en,
        "rule_text": _rule_text(pathway, modules),
    }
    form = PathwayForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_pathway(actor=request.actor, pathway=pathway, data=_data_from(form))
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Parcours enregistré."))
            return redirect("pathways:manage_detail", pk=pathway.pk)
    return render(
        request, "pathways/manage_form.html", _form_context(pathway.organisation, form, pathway)
    )


@login_required
@require_POST
def rule_preview(request: AuthedRequest) -> HttpResponse:
    """htmx: explain the rule being typed, or list what is wrong with it."""
    org = _staff_org(request)
    text = request.POST.get("rule_text", "")
    context: dict[str, object] = {"errors": [], "requirements": []}
    try:
        data, modules = actions.compile_rule_input(org, rule_text=text, rule=None)
    except ValidationError as exc:
        context["errors"] = exc.message_dict.get("rule", exc.messages)
    else:
        evaluation = rules.evaluate(data, {}, pathway_modules=[m.pk for m in modules])
        context["requirements"] = rules.explain(evaluation, {m.pk: m.title for m in modules})
        context["total"] = evaluation.total
    return render(request, "pathways/_rule_preview.html", context)


@login_required
def manage_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    pathway = _own_pathway(request, pk)
    modules = pathway_modules(pathway)
    return render(
        request,
        "pathways/manage_detail.html",
        {
            "pathway": pathway,
            "modules": modules,
            "rule_text": _rule_text(pathway, modules),
            "requirements": _requirements(pathway, modules),
        },
    )


@login_required
@require_POST
def manage_status(request: AuthedRequest, pk: int) -> HttpResponse:
    pathway = _own_pathway(request, pk)
    status = request.POST.get("status", "")
    try:
        actions.set_pathway_status(actor=request.actor, pathway=pathway, status=status)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Statut du parcours mis à jour."))
    return redirect("pathways:manage_detail", pk=pathway.pk)


@login_required
@refuses_out_of_bounds
def manage_progress(request: AuthedRequest, pk: int) -> HttpResponse:
    """Every learner with at least one module of the pathway: satisfied, progress, one short."""
    pathway = _own_pathway(request, pk)
    modules = pathway_modules(pathway)
    ids = [m.pk for m in modules]
    by_learner: dict[int, dict[int, float]] = {}
    for learner_id, module_id, hours in Completion.objects.filter(module_id__in=ids).values_list(
        "learner_id", "module_id", "hours"
    ):
        by_learner.setdefault(learner_id, {})[module_id] = float(hours)
    rule = rules.parse_rule(pathway.rule)
    evaluations = {
        learner_id: rules.evaluate(rule, done, pathway_modules=ids)
        for learner_id, done in by_learner.items()
    }
    show = request.GET.get("etat", "")
    rows = list(evaluations.items())
    if show == "obtenu":
        rows = [r for r in rows if r[1].satisfied]
    elif show == "en-cours":
        rows = [r for r in rows if not r[1].satisfied]
    elif show == "presque":
        rows = [r for r in rows if not r[1].satisfied and r[1].total - r[1].met == 1]
    rows.sort(key=lambda r: (not r[1].satisfied, -r[1].progress, r[0]))
    page = Paginator(rows, PROGRESS_PAGE_SIZE).get_page(page_number(request.GET.get("page")))
    users = User.objects.in_bulk([learner_id for learner_id, _ in page.object_list])
    table = [
        (users[lid], ev, round(ev.progress * 100)) for lid, ev in page.object_list if lid in users
    ]
    counts = {
        "all": len(evaluations),
        "satisfied": sum(1 for e in evaluations.values() if e.satisfied),
        "one_short": sum(
            1 for e in evaluations.values() if not e.satisfied and e.total - e.met == 1
        ),
    }
    return render(
        request,
        "pathways/manage_progress.html",
        {"pathway": pathway, "page": page, "table": table, "counts": counts, "show": show},
    )


@login_required
def learner_progress(request: AuthedRequest, pk: int, learner_id: int) -> HttpResponse:
    """One learner's progress, for a coordinator (or the learner). The pathway is looked up
    among those the actor may see, the learner among the people whose progress the actor may
    see: anything else is the same 404, whether it exists elsewhere or not."""
    pathway = get_object_or_404(
        Pathway.objects.visible_to(request.actor).select_related("organisation"), pk=pk
    )
    learner = get_object_or_404(progress_learners(request.actor, pathway), pk=learner_id)
    progress = evaluate_for_learner(pathway, learner.pk)
    return render(
        request,
        "pathways/learner_progress.html",
        {
            "pathway": pathway,
            "learner": learner,
            "progress": progress,
            "where": offers.where_to_get([progress])[0],
            "linkable": _linkable(request, (state.module for state in progress.modules)),
        },
    )
