"""Scheduling pages: resource management (logistics), the booking request form with inline
conflicts, the approvals queue, "my requests", availability search, calendar feeds.
Thin: reads via querysets/planning, writes via actions."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.forms import BaseForm
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcours.accounts.models import STAFF_ROLES, Organisation, Site
from parcours.lib.http import AuthedRequest
from parcours.scheduling import actions, core, ical, planning
from parcours.scheduling.actions import BookingConflict
from parcours.scheduling.forms import (
    AvailabilityForm,
    BookingRequestForm,
    ClosureForm,
    OpeningHoursForm,
    RefuseForm,
    ResourceForm,
    SitePolicyForm,
)
from parcours.scheduling.models import (
    Booking,
    CateringItem,
    ClosurePeriod,
    OpeningHours,
    Resource,
    SitePolicy,
)
from parcours.scheduling.permissions import is_logistics, require_logistics

BOOKABLE_KINDS = (Resource.Kind.ROOM, Resource.Kind.PARKING)


def _ctx(request: AuthedRequest, **context: object) -> dict[str, object]:
    """Context with what the scheduling navigation needs."""
    actor = request.actor
    context["show_logistics"] = actor.is_platform_admin or bool(actor.orgs_with_role("logistics"))
    return context


def _add_form_errors(form: BaseForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _logistics_org(request: AuthedRequest) -> Organisation:
    org = request.organisation
    if org is None:
        raise PermissionDenied(_("Réservé à la cellule logistique de l'organisation."))
    require_logistics(request.actor, org)
    return org


# --- Resource management (logistics) --------------------------------------------------------


@login_required
def manage(request: AuthedRequest) -> HttpResponse:
    org = _logistics_org(request)
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
def resource_form(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    org = _logistics_org(request)
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
            _add_form_errors(form, exc)
    return render(
        request, "scheduling/resource_form.html", {"form": form, "resource": resource, "org": org}
    )


@login_required
def site_settings(request: AuthedRequest, pk: int) -> HttpResponse:
    org = _logistics_org(request)
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
        _add_form_errors(closure_form if which == "closure" else hours_form, exc)
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
    org = _logistics_org(request)
    closure = get_object_or_404(ClosurePeriod, pk=pk, site__organisation=org)
    site_id = closure.site_id
    actions.remove_closure(actor=request.actor, closure=closure)
    messages.success(request, _("Période supprimée."))
    return redirect("scheduling:site_settings", pk=site_id)


# --- Booking requests --------------------------------------------------------------------------


def _request_form(request: AuthedRequest, data: QueryDict | None) -> BookingRequestForm:
    resources = Resource.objects.visible_to(request.actor).active().filter(kind__in=BOOKABLE_KINDS)
    org_ids = set(resources.values_list("organisation_id", flat=True).distinct())
    items = list(
        CateringItem.objects.filter(organisation_id__in=org_ids, is_active=True).order_by(
            "label_fr"
        )
    )
    initial = {}
    for key in ("resource", "day", "start_time", "end_time", "participants"):
        if key in request.GET:
            initial[key] = request.GET[key]
    return BookingRequestForm(data, resources=resources, catering_items=items, initial=initial)


@login_required
def request_booking(request: AuthedRequest) -> HttpResponse:
    if not request.actor.orgs_with_role(*STAFF_ROLES) and not request.actor.is_platform_admin:
        raise PermissionDenied(_("Vous ne pouvez pas réserver de ressources."))
    form = _request_form(request, request.POST if request.method == "POST" else None)
    conflict: BookingConflict | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        resource: Resource = data["resource"]
        day: dt.date = data["day"]
        catering = [
            actions.CateringRequest(item_id, count)
            for item_id, count in form.catering_counts().items()
            if any(
                i.pk == item_id and i.organisation_id == resource.organisation_id
                for i in form.catering_items
            )
        ]
        try:
            booking = actions.book(
                actor=request.actor,
                resources=[resource],
                start=core.local_datetime(day, data["start_time"], planning.TZ),
                end=core.local_datetime(day, data["end_time"], planning.TZ),
                title=data["title"],
                purpose=(
                    Booking.Purpose.MEETING
                    if resource.organisation_id in request.actor.roles_by_org
                    else Booking.Purpose.EXTERNAL
                ),
                participants=data.get("participants"),
                notes=data.get("notes") or "",
                catering=catering,
            )
        except BookingConflict as exc:
            conflict = exc
        except ValidationError as exc:
            _add_form_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            if booking.status == Booking.Status.APPROVED:
                messages.success(request, _("Réservation confirmée : %(t)s.") % {"t": booking})
            else:
                messages.success(
                    request,
                    _("Demande envoyée : %(t)s. La logistique vous répondra par e-mail.")
                    % {"t": booking},
                )
            target = reverse("scheduling:my_requests")
            if request.htmx:
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            return redirect(target)
    context = _ctx(request, form=form, conflict=conflict, carry=_carry(form))
    if request.htmx:
        return render(request, "scheduling/_request_result.html", context)
    return render(request, "scheduling/request_form.html", context)


def _carry(form: BookingRequestForm) -> list[tuple[str, str]]:
    """The submitted values to repeat in each "take this suggestion" form."""
    if not form.is_bound:
        return []
    keep = ["title", "participants", "notes"] + [f"catering_{i.pk}" for i in form.catering_items]
    return [(k, form.data.get(k, "")) for k in keep if form.data.get(k, "")]


# --- Approvals and my requests ---------------------------------------------------------------


@login_required
def approvals(request: AuthedRequest) -> HttpResponse:
    if not (request.actor.is_platform_admin or request.actor.orgs_with_role("logistics")):
        raise PermissionDenied(_("Réservé à la cellule logistique de l'organisation."))
    pending = (
        Booking.objects.pending()
        .decidable_by(request.actor)
        .upcoming()
        .select_related("requester", "requester_organisation", "site")
        .prefetch_related("resources", "catering_lines__item")
        .order_by("start")
    )
    return render(
        request,
        "scheduling/approvals.html",
        {"pending": pending, "refuse_form": RefuseForm()},
    )


def _decidable(request: AuthedRequest, pk: int) -> Booking:
    booking = Booking.objects.filter(pk=pk).visible_to(request.actor).first()
    if booking is None:
        raise Http404
    return booking


@login_required
@require_POST
def approve(request: AuthedRequest, pk: int) -> HttpResponse:
    booking = _decidable(request, pk)
    try:
        actions.approve_booking(actor=request.actor, booking=booking)
        messages.success(request, _("Demande approuvée : %(t)s.") % {"t": booking})
    except BookingConflict as exc:
        messages.error(request, _("Impossible d'approuver : %(m)s") % {"m": exc.message})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("scheduling:approvals")


@login_required
@require_POST
def refuse(request: AuthedRequest, pk: int) -> HttpResponse:
    booking = _decidable(request, pk)
    form = RefuseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Indiquez le motif du refus."))
        return redirect("scheduling:approvals")
    try:
        actions.refuse_booking(
            actor=request.actor, booking=booking, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("Demande refusée : %(t)s.") % {"t": booking})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("scheduling:approvals")


@login_required
def my_requests(request: AuthedRequest) -> HttpResponse:
    since = timezone.now() - dt.timedelta(days=30)
    bookings = (
        Booking.objects.filter(requester=request.user, end__gte=since)
        .select_related("site")
        .prefetch_related("resources")
        .order_by("start")
    )
    return render(request, "scheduling/my_requests.html", _ctx(request, bookings=bookings))


@login_required
@require_POST
def cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    booking = Booking.objects.filter(pk=pk).visible_to(request.actor).first()
    if booking is None:
        raise Http404
    try:
        actions.cancel_booking(actor=request.actor, booking=booking)
        messages.success(request, _("Réservation annulée : %(t)s.") % {"t": booking})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(request.POST.get("next") or reverse("scheduling:my_requests"))


# --- Availability search -----------------------------------------------------------------------


@login_required
def availability(request: AuthedRequest) -> HttpResponse:
    resources = Resource.objects.visible_to(request.actor)
    sites = Site.objects.filter(pk__in=resources.values("site_id")).order_by("name")
    form = AvailabilityForm(request.GET or None, sites=sites)
    result = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        result = planning.search_availability(
            actor=request.actor,
            day=data["day"],
            start_time=data["start_time"],
            end_time=data["end_time"],
            site=data.get("site"),
            capacity=data.get("capacity"),
            features=[f.slug for f in data.get("features") or []],
            accessible=bool(data.get("accessible")),
        )
    template = (
        "scheduling/_availability_results.html"
        if request.htmx
        else ("scheduling/availability.html")
    )
    return render(request, template, _ctx(request, form=form, result=result))


# --- Calendar feeds (secret-token URLs, no login) ---------------------------------------------


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=300"
    return response


def resource_feed(request: AuthedRequest, token: str) -> HttpResponse:
    resource = Resource.objects.filter(feed_token=token).select_related("site").first()
    if resource is None or not token:
        raise Http404
    bookings = ical.feed_bookings(Booking.objects.filter(resources=resource))
    return _ics(
        ical.render_calendar(f"{resource.name} ({resource.site.name})", bookings),
        f"{resource.code}.ics",
    )


def site_feed(request: AuthedRequest, token: str) -> HttpResponse:
    policy = SitePolicy.objects.filter(feed_token=token).select_related("site").first()
    if policy is None or not token:
        raise Http404
    bookings = ical.feed_bookings(Booking.objects.filter(site=policy.site))
    return _ics(ical.render_calendar(policy.site.name, bookings), f"{policy.site.slug}.ics")


def can_manage(request: AuthedRequest) -> bool:
    org = request.organisation
    return org is not None and is_logistics(request.actor, org)
