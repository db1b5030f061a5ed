"""Booking requests: the form with inline conflicts, approvals, my requests, availability."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcours.accounts.models import STAFF_ROLES, Site
from parcours.lib.http import AuthedRequest
from parcours.scheduling import actions, core, planning
from parcours.scheduling.actions import BookingConflict
from parcours.scheduling.forms import (
    AvailabilityForm,
    BookingRequestForm,
    RefuseForm,
)
from parcours.scheduling.models import (
    Booking,
    CateringItem,
    Resource,
)
from parcours.scheduling.views._common import (
    BOOKABLE_KINDS,
    _ctx,
    _form_errors,
    _next_url,
    _paginate,
    _render,
)


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
            _form_errors(form, exc)
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
    status = 409 if conflict else (400 if form.errors else 200)
    return _render(
        request,
        "scheduling/request_form.html",
        "scheduling/_request_result.html",
        context,
        status=status,
        retarget="#request-area",
    )


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
        {
            "pending": (page := _paginate(request, pending)),
            "page_obj": page,
            "refuse_form": RefuseForm(),
        },
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
    page = _paginate(request, bookings)
    return render(
        request, "scheduling/my_requests.html", _ctx(request, bookings=page, page_obj=page)
    )


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
    return redirect(_next_url(request, reverse("scheduling:my_requests")))


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
