"""Moodle pages, under ``/integrations/moodle/``: the sites (administrators), the modules
delivered as Moodle courses and the sync log (coordinators and administrators).

Thin: the role is checked first, objects are fetched inside the current organisation (another
organisation's id is a 404), writes go through ``integrations.moodle.actions``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcours.accounts.models import Organisation, Role
from parcours.catalogue.models import Module
from parcours.integrations.models import (
    MoodleCourseLink,
    MoodleSite,
    MoodleSyncRun,
    MoodleUnmatchedUser,
)
from parcours.integrations.moodle import actions
from parcours.integrations.moodle.client import Course, MoodleError, describe_logged
from parcours.integrations.moodle.forms import LinkForm, SiteForm, UserLinkForm
from parcours.integrations.permissions import admin_organisation
from parcours.lib.http import AuthedRequest
from parcours.lib.ids import parse_id

RECENT_RUNS = 20
HOME = "integrations:moodle:home"


def _staff_org(request: AuthedRequest) -> Organisation:
    """The current organisation, if the person coordinates or administers it; else 403."""
    organisation = request.organisation
    actor = request.actor
    if organisation is None or not (
        actor.is_platform_admin or actor.has_role(organisation, *actions.LINKERS)
    ):
        raise PermissionDenied(_("Réservé aux coordinateurs et administrateurs de l'organisation."))
    return organisation


def _is_admin(request: AuthedRequest, organisation: Organisation) -> bool:
    actor = request.actor
    return actor.is_platform_admin or actor.has_role(organisation, Role.ADMINISTRATOR)


def _attach(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    organisation = _staff_org(request)
    sites = list(MoodleSite.objects.of_organisation(organisation))
    links = (
        MoodleCourseLink.objects.filter(site__organisation=organisation)
        .select_related("module", "site")
        .order_by("module__code")
    )
    runs = (
        MoodleSyncRun.objects.filter(organisation=organisation)
        .select_related("started_by", "site")
        .annotate(
            total_recorded=Sum("courses__recorded"),
            total_unmatched=Sum("courses__unmatched"),
            total_errors=Count("courses", filter=~Q(courses__error_code="")),
        )[:RECENT_RUNS]
    )
    modules = Module.objects.filter(organisation=organisation, moodle_link__isnull=True).order_by(
        "code"
    )[:500]
    return render(
        request,
        "integrations/moodle/home.html",
        {
            "organisation": organisation,
            "is_admin": _is_admin(request, organisation),
            "sites": sites,
            "active_sites": [s for s in sites if s.is_active],
            "links": links,
            "runs": runs,
            "modules": modules,
        },
    )


# --- Sites (administrators) ------------------------------------------------------------------


def _own_site(organisation: Organisation, pk: int) -> MoodleSite:
    return get_object_or_404(
        MoodleSite.objects.select_related("organisation"), pk=pk, organisation=organisation
    )


@login_required
def site_add(request: AuthedRequest) -> HttpResponse:
    organisation = admin_organisation(request)
    form = SiteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            site = actions.create_site(request.actor, organisation, **form.cleaned_data)
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(
                request,
                _("Site « %(name)s » enregistré. Testez la connexion.") % {"name": site.name},
            )
            return redirect(HOME)
    status = 422 if request.method == "POST" else 200
    return render(
        request, "integrations/moodle/site_form.html", {"form": form, "site": None}, status=status
    )


@login_required
def site_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    organisation = admin_organisation(request)
    site = _own_site(organisation, pk)
    initial = {"name": site.name, "base_url": site.base_url}
    form = SiteForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_site(request.actor, site, **form.cleaned_data)
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _("Site Moodle mis à jour."))
            return redirect(HOME)
    status = 422 if request.method == "POST" else 200
    return render(
        request, "integrations/moodle/site_form.html", {"form": form, "site": site}, status=status
    )


@login_required
@require_POST
def site_test(request: AuthedRequest, pk: int) -> HttpResponse:
    organisation = admin_organisation(request)
    site = _own_site(organisation, pk)
    try:
        info = actions.check_site(request.actor, site)
    except MoodleError as exc:
        messages.error(
            request,
            _("Connexion à « %(name)s » impossible : %(error)s")
            % {"name": site.name, "error": exc.message},
        )
    else:
        missing = [
            f for f in actions.NEEDED_FUNCTIONS if info.functions and f not in info.functions
        ]
        text = _(
            "Connexion réussie : site « %(site)s », utilisateur « %(user)s », Moodle %(release)s."
        ) % {"site": info.sitename, "user": info.username, "release": info.release}
        if missing:
            messages.warning(
                request,
                text
                + " "
                + _("Le service web n'autorise pas encore : %(names)s.")
                % {"names": ", ".join(missing)},
            )
        else:
            messages.success(request, text)
    return redirect(HOME)


@login_required
@require_POST
def site_toggle(request: AuthedRequest, pk: int) -> HttpResponse:
    organisation = admin_organisation(request)
    site = _own_site(organisation, pk)
    actions.set_site_active(request.actor, site, active=not site.is_active)
    if site.is_active:
        messages.success(request, _("Site « %(name)s » réactivé.") % {"name": site.name})
    else:
        messages.success(
            request,
            _("Site « %(name)s » désactivé : il n'est plus synchronisé.") % {"name": site.name},
        )
    return redirect(HOME)


@login_required
def site_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    organisation = admin_organisation(request)
    site = _own_site(organisation, pk)
    if request.method == "POST":
        name = site.name
        actions.delete_site(request.actor, site)
        messages.success(request, _("Site « %(name)s » supprimé.") % {"name": name})
        return redirect(HOME)
    return render(
        request,
        "integrations/moodle/site_delete.html",
        {"site": site, "links": site.course_links.select_related("module").order_by("pk")[:50]},
    )


# --- Module links (coordinators) -------------------------------------------------------------


def _own_module(organisation: Organisation, pk: int) -> Module:
    return get_object_or_404(
        Module.objects.select_related("organisation"), pk=pk, organisation=organisation
    )


@login_required
def module_link(request: AuthedRequest, pk: int) -> HttpResponse:
    """Link a module to a course: pick the site, then a course from its list, or type the id."""
    organisation = _staff_org(request)
    module = _own_module(organisation, pk)
    current = MoodleCourseLink.objects.filter(module=module).select_related("site").first()
    initial: dict[str, Any] = {}
    if current is not None:
        initial = {"site": current.site_id, "course_id": current.course_id}
    form = LinkForm(request.POST or None, organisation=organisation, initial=initial)
    courses: list[Course] | None = None
    courses_error = ""
    browse = parse_id(request.GET.get("site"))
    if request.method == "GET" and browse is not None:
        site = get_object_or_404(MoodleSite, pk=browse, organisation=organisation, is_active=True)
        form = LinkForm(organisation=organisation, initial={**initial, "site": site.pk})
        try:
            courses = actions.list_courses(request.actor, site)[:1000]
        except MoodleError as exc:
            courses_error = exc.message
    if request.method == "POST" and form.is_valid():
        try:
            link = actions.link_module(
                request.actor,
                module,
                form.cleaned_data["site"],
                course_id=form.cleaned_data["course_id"],
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(
                request,
                _("Le module %(code)s est lié au cours « %(course)s ».")
                % {"code": module.code, "course": link.course_name},
            )
            return redirect(HOME)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "integrations/moodle/module_link.html",
        {
            "module": module,
            "current": current,
            "form": form,
            "courses": courses,
            "courses_error": courses_error,
            "sites": MoodleSite.objects.of_organisation(organisation).active(),
        },
        status=status,
    )


@login_required
@require_POST
def module_unlink(request: AuthedRequest, pk: int) -> HttpResponse:
    organisation = _staff_org(request)
    module = _own_module(organisation, pk)
    if actions.unlink_module(request.actor, module):
        messages.success(
            request, _("Le module %(code)s n'est plus lié à Moodle.") % {"code": module.code}
        )
    return redirect(HOME)


# --- Sync ------------------------------------------------------------------------------------


@login_required
@require_POST
def sync_now(request: AuthedRequest) -> HttpResponse:
    organisation = _staff_org(request)
    site = None
    site_id = parse_id(request.POST.get("site"))
    if site_id is not None:
        site = get_object_or_404(MoodleSite, pk=site_id, organisation=organisation)
    try:
        actions.request_sync(request.actor, organisation, site=site)
    except actions.SyncAlreadyRunning as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Synchronisation demandée : son résultat apparaît dans le journal ci-dessous."),
        )
    return redirect(HOME)


@login_required
def run_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    organisation = _staff_org(request)
    run = get_object_or_404(
        MoodleSyncRun.objects.select_related("started_by", "site"),
        pk=pk,
        organisation=organisation,
    )
    courses = list(
        run.courses.select_related("link__site").prefetch_related(
            Prefetch(
                "unmatched_users",
                queryset=MoodleUnmatchedUser.objects.order_by("pk"),
            )
        )
    )
    rows = [(course, describe_logged(course.error_code, course.error)) for course in courses]
    return render(
        request,
        "integrations/moodle/run.html",
        {"run": run, "rows": rows, "form": UserLinkForm()},
    )


@login_required
@require_POST
def user_link(request: AuthedRequest) -> HttpResponse:
    organisation = _staff_org(request)
    form = UserLinkForm(request.POST)
    back = request.POST.get("run", "")
    run_id = parse_id(back)
    target = redirect("integrations:moodle:run", run_id) if run_id else redirect(HOME)
    if not form.is_valid():
        messages.error(request, _("Donnez une adresse e-mail valide."))
        return target
    site = get_object_or_404(MoodleSite, pk=form.cleaned_data["site"], organisation=organisation)
    try:
        link = actions.link_user(
            request.actor,
            site,
            moodle_user_id=form.cleaned_data["moodle_user_id"],
            email=form.cleaned_data["email"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _(
                "L'utilisateur Moodle n° %(id)s est lié à %(person)s : la prochaine "
                "synchronisation reprendra ses achèvements."
            )
            % {"id": link.moodle_user_id, "person": link.person.get_full_name()},
        )
    return target


# --- The module page's section ---------------------------------------------------------------


def module_section(request: HttpRequest, module: Module) -> dict[str, Any] | None:
    """On a module's page: "delivered as a Moodle course", and for its coordinators the link
    to change it."""
    link = MoodleCourseLink.objects.filter(module=module).select_related("site").first()
    actor = getattr(request, "actor", None)
    can_manage = actor is not None and (
        actor.is_platform_admin or actor.has_role(module.organisation_id, *actions.LINKERS)
    )
    if link is None and not can_manage:
        return None
    if link is None and not MoodleSite.objects.of_organisation(module.organisation_id).exists():
        return None
    return {"link": link, "can_manage": can_manage, "module": module}
