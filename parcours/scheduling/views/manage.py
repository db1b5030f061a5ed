"""Resource management (logistics): resources, site settings, closures."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcours.accounts.models import Site
from parcours.lib.http import AuthedRequest
from parcours.scheduling import actions
from parcours.scheduling.forms import (
    ClosureForm,
    OpeningHoursForm,
    ResourceForm,
    SiteForm,
    SitePolicyForm,
)
from parcours.scheduling.models import (
    ClosurePeriod,
    OpeningHours,
    Resource,
    SitePolicy,
)
from parcours.scheduling.permissions import is_logistics
from parcours.scheduling.views._common import _form_errors, _site_admin_org


@login_required
def manage(request: AuthedRequest) -> HttpResponse:
    org = _site_admin_org(request)
    sites = (
        Site.objects.filter(organisation=org)
        .prefetch_related(
            Prefetch(
                "resources",
                queryset=Resource.objects.prefetch_related("features").order_by("kind", "name"),
            )
        )
        .order_by("name")
    )
    return render(request, "scheduling/manage.html", {"org": org, "sites": sites})


@login_required
def site_form(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    """Create a site, or change its name and address."""
    org = _site_admin_org(request)
    site = None if pk is None else get_object_or_404(Site, pk=pk, organisation=org)
    initial = {} if site is None else {k: getattr(site, k) for k in actions.SITE_FIELDS}
    form = SiteForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if site is None:
                site = actions.add_site(actor=request.actor, organisation=org, **form.cleaned_data)
                messages.success(
                    request,
                    _("Site créé : %(name)s. Réglez ses heures, son Wi-Fi et son écran.")
                    % {"name": site.name},
                )
                return redirect("scheduling:site_settings", pk=site.pk)
            actions.update_site(actor=request.actor, site=site, **form.cleaned_data)
            messages.success(request, _("Site enregistré."))
            return redirect("scheduling:manage")
        except ValidationError as exc:
            _form_errors(form, exc)
    status = 400 if form.errors else 200
    return render(
        request,
        "scheduling/site_form.html",
        {"form": form, "site": site, "org": org},
        status=status,
    )


@login_required
def resource_form(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    org = _site_admin_org(request)
    resource = None
    if pk is not None:
        resource = get_object_or_404(Resource, pk=pk, organisation=org)
    sites = Site.objects.filter(organisation=org).order_by("name")
    initial = {}
    if resource is None and request.GET.get("site"):
        initial["site"] = request.GET["site"]
    form = ResourceForm(request.POST or None, instance=resource, sites=sites, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        site = data.pop("site")
        features = [f.slug for f in data.pop("features")]
        try:
            if resource is None:
                resource = actions.create_resource(
                    actor=request.actor,
                    site=site,
                    features=features,
                    **data,
                )
                messages.success(request, _("Ressource créée."))
            else:
                actions.update_resource(
                    actor=request.actor,
                    resource=Resource.objects.get(pk=resource.pk),
                    site=site,
                    features=features,
                    **data,
                )
                messages.success(request, _("Ressource enregistrée."))
            return redirect("scheduling:manage")
        except ValidationError as exc:
            _form_errors(form, exc)
    return render(
        request, "scheduling/resource_form.html", {"form": form, "resource": resource, "org": org}
    )


@login_required
def site_settings(request: AuthedRequest, pk: int) -> HttpResponse:
    org = _site_admin_org(request)
    site = get_object_or_404(Site, pk=pk, organisation=org)
    policy, _created = SitePolicy.objects.get_or_create(site=site)
    current = {oh.weekday: oh for oh in OpeningHours.objects.filter(site=site)}
    which = request.POST.get("form") if request.method == "POST" else None
    hours_form = OpeningHoursForm(request.POST if which == "hours" else None, current=current)
    policy_form = SitePolicyForm(request.POST if which == "policy" else None, instance=policy)
    closure_form = ClosureForm(request.POST if which == "closure" else None)
    try:
        if which == "hours" and hours_form.is_valid():
            actions.set_opening_hours(actor=request.actor, site=site, hours=hours_form.hours())
            messages.success(request, _("Heures d'ouverture enregistrées."))
            return redirect("scheduling:site_settings", pk=site.pk)
        if which == "policy" and policy_form.is_valid():
            actions.update_site_policy(
                actor=request.actor,
                site=site,
                **{name: policy_form.cleaned_data[name] for name in actions.POLICY_FIELDS},
            )
            messages.success(request, _("Règles du site enregistrées."))
            return redirect("scheduling:site_settings", pk=site.pk)
        if which == "closure" and closure_form.is_valid():
            actions.add_closure(actor=request.actor, site=site, **closure_form.cleaned_data)
            messages.success(request, _("Période ajoutée."))
            return redirect("scheduling:site_settings", pk=site.pk)
    except ValidationError as exc:
        _form_errors(closure_form if which == "closure" else hours_form, exc)
    closures = ClosurePeriod.objects.filter(
        site=site, end__gte=timezone.localdate() - dt.timedelta(days=30)
    ).order_by("start")
    feed_url = request.build_absolute_uri(reverse("scheduling:site_feed", args=[policy.feed_token]))
    return render(
        request,
        "scheduling/site_settings.html",
        {
            "site": site,
            "hours_form": hours_form,
            "policy_form": policy_form,
            "closure_form": closure_form,
            "closures": closures,
            "feed_url": feed_url,
        },
    )


@login_required
@require_POST
def closure_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    org = _site_admin_org(request)
    closure = get_object_or_404(ClosurePeriod, pk=pk, site__organisation=org)
    site_id = closure.site_id
    actions.remove_closure(actor=request.actor, closure=closure)
    messages.success(request, _("Période supprimée."))
    return redirect("scheduling:site_settings", pk=site_id)


# --- Booking requests --------------------------------------------------------------------------


def can_manage(request: AuthedRequest) -> bool:
    org = request.organisation
    return org is not None and is_logistics(request.actor, org)
