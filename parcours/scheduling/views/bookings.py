"""Bookings from the planning grid: create, detail, approve, refuse, cancel, move, lobby flag."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcours.accounts.models import Site
from parcours.lib.http import AuthedRequest
from parcours.scheduling import actions, planning
from parcours.scheduling.actions import BookingConflict, CateringRequest
from parcours.scheduling.forms import (
    BookingForm,
    CancelForm,
    CateringChangeForm,
    LobbyVisibilityForm,
    MoveForm,
    RefuseForm,
)
from parcours.scheduling.models import (
    Booking,
    CateringItem,
    CateringLine,
    Resource,
)
from parcours.scheduling.permissions import can_change, can_decide
from parcours.scheduling.states import BookingStatus
from parcours.scheduling.views._common import (
    BOOKER_ROLES,
    PLANNER_ROLES,
    _done,
    _form_errors,
    _local,
    _next_url,
    _render,
    _staff_site,
)

PANEL = "#panneau-contenu"  # the planning grid's dialog


def _site_resources(site: Site) -> list[Resource]:
    return list(Resource.objects.active().at_site(site).order_by("kind", "name"))


def _catering_items(org_id: int) -> list[CateringItem]:
    return list(CateringItem.objects.filter(organisation_id=org_id, is_active=True))


@login_required
def booking_create(request: AuthedRequest, site_id: int) -> HttpResponse:
    site = _staff_site(request, site_id, BOOKER_ROLES)
    resources = _site_resources(site)
    items = _catering_items(site.organisation_id)
    conflict: BookingConflict | None = None
    if request.method == "POST":
        form = BookingForm(request.POST, resources=resources, catering_items=items)
        if form.is_valid():
            data = form.cleaned_data
            try:
                booking = actions.book(
                    actor=request.actor,
                    resources=[data["resource"]],
                    start=form.start,
                    end=form.end,
                    title=data["title"],
                    participants=data.get("participants"),
                    notes=data.get("notes") or "",
                    hide_from_lobby=bool(data.get("hide_from_lobby")),
                    catering=[
                        CateringRequest(item=item, count=count, serve_at=data.get("serve_at"))
                        for item, count in form.catering_lines()
                    ],
                )
            except BookingConflict as exc:
                conflict = exc
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                if booking.status == BookingStatus.APPROVED:
                    messages.success(request, _("Réservation confirmée : %s") % booking.title)
                else:
                    messages.success(request, _("Demande enregistrée, en attente d'approbation."))
                url = reverse("scheduling:planning_day", args=[site.pk])
                return _done(request, f"{url}?date={planning.local_day(booking.start)}")
    else:
        initial: dict[str, Any] = {
            "resource": request.GET.get("resource"),
            "day": request.GET.get("day") or planning.local_day(timezone.now()),
            "start_time": request.GET.get("start_time") or "09:00",
            "end_time": request.GET.get("end_time") or "10:00",
        }
        form = BookingForm(initial=initial, resources=resources, catering_items=items)
    context = {"site": site, "form": form, "conflict": conflict}
    status = 409 if conflict else (400 if form.errors else 200)
    return _render(
        request,
        "scheduling/booking_create.html",
        "scheduling/_booking_create.html",
        context,
        status=status,
        retarget=PANEL,
    )


def _visible_booking(request: AuthedRequest, pk: int) -> Booking:
    qs = Booking.objects.visible_to(request.actor).select_related(
        "site", "requester", "decided_by", "organisation"
    )
    return get_object_or_404(qs, pk=pk)


def _booking_context(
    request: AuthedRequest,
    booking: Booking,
    *,
    move_form: MoveForm | None = None,
    refuse_form: RefuseForm | None = None,
    conflict: BookingConflict | None = None,
    error: str = "",
    catering_form: CateringChangeForm | None = None,
) -> dict[str, Any]:
    actor = request.actor
    resources = list(booking.resources.all())
    open_ = booking.status in (BookingStatus.REQUESTED, BookingStatus.APPROVED)
    may_change = open_ and can_change(actor, booking) and _movable(booking)
    pool: list[Resource] = []
    if may_change and move_form is None:
        kinds = {r.kind for r in resources} or {Resource.Kind.ROOM}
        pool = [r for r in _site_resources(booking.site) if r.kind in kinds]
        s, e = _local(booking.start), _local(booking.end)
        move_form = MoveForm(
            initial={
                "resource": resources[0].pk if resources else None,
                "day": s.date(),
                "start_time": s.time(),
                "end_time": e.time() if e.date() == s.date() else dt.time(23, 55),
            },
            resources=pool,
        )
    return {
        "booking": booking,
        "resources": resources,
        "catering_lines": (lines := list(booking.catering_lines.select_related("item"))),
        "catering_form": catering_form or (_catering_form(booking, lines) if may_change else None),
        "may_decide": booking.status == BookingStatus.REQUESTED and can_decide(actor, booking),
        "may_change": may_change,
        "may_set_lobby": open_ and can_change(actor, booking) and _movable(booking),
        "move_form": move_form,
        "refuse_form": refuse_form or RefuseForm(),
        "cancel_form": CancelForm(),
        "conflict": conflict,
        "error": error,
        "grid_url": reverse("scheduling:planning_day", args=[booking.site_id])
        + f"?date={planning.local_day(booking.start)}",
        "is_planner": actor.is_platform_admin
        or actor.has_role(booking.organisation_id, *PLANNER_ROLES),
    }


def _catering_form(booking: Booking, lines: list[CateringLine]) -> CateringChangeForm | None:
    """The form to change what is ordered (None when the organisation offers nothing)."""
    items = _catering_items(booking.organisation_id)
    ordered = {line.item_id: line for line in lines}
    items += [line.item for line in lines if line.item not in items]
    if not items:
        return None
    initial: dict[str, Any] = {f"catering_{i}": line.count for i, line in ordered.items()}
    if lines:
        initial["serve_at"] = lines[0].serve_at
    return CateringChangeForm(initial=initial, catering_items=items)


@login_required
@require_POST
def booking_catering(request: AuthedRequest, pk: int) -> HttpResponse:
    """Change the catering of a booking after it was made (until the site's cut-off; logistics
    at any time)."""
    booking = _visible_booking(request, pk)
    lines = list(booking.catering_lines.select_related("item"))
    items = _catering_items(booking.organisation_id)
    items += [line.item for line in lines if line.item not in items]
    form = CateringChangeForm(request.POST, catering_items=items)
    if form.is_valid():
        try:
            actions.set_catering(
                actor=request.actor,
                booking=booking,
                lines=[
                    CateringRequest(item=item, count=count, serve_at=form.cleaned_data["serve_at"])
                    for item, count in form.catering_lines()
                ],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Catering modifié : %s") % booking.title)
            return _done(request, reverse("scheduling:booking", args=[booking.pk]))
    return _booking_response(request, booking, status=400, catering_form=form)


def _movable(booking: Booking) -> bool:
    """Loans and outreach tours change on their own pages (their dates live there too)."""
    return booking.purpose not in (Booking.Purpose.LOAN, Booking.Purpose.OUTREACH)


def _booking_response(
    request: AuthedRequest, booking: Booking, status: int = 200, **extra: Any
) -> HttpResponse:
    return _render(
        request,
        "scheduling/booking.html",
        "scheduling/_booking.html",
        _booking_context(request, booking, **extra),
        status=status,
        retarget=PANEL,
    )


@login_required
def booking_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _booking_response(request, _visible_booking(request, pk))


@login_required
@require_POST
def booking_approve(request: AuthedRequest, pk: int) -> HttpResponse:
    booking = _visible_booking(request, pk)
    try:
        actions.approve_booking(actor=request.actor, booking=booking)
    except BookingConflict as exc:
        return _booking_response(request, booking, status=409, conflict=exc)
    except ValidationError as exc:
        return _booking_response(request, booking, status=400, error=" ".join(exc.messages))
    messages.success(request, _("Demande approuvée : %s") % booking.title)
    return _done(request, _next_url(request, _booking_context(request, booking)["grid_url"]))


@login_required
@require_POST
def booking_refuse(request: AuthedRequest, pk: int) -> HttpResponse:
    booking = _visible_booking(request, pk)
    form = RefuseForm(request.POST)
    if form.is_valid():
        try:
            actions.refuse_booking(
                actor=request.actor, booking=booking, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Demande refusée : %s") % booking.title)
            url = _booking_context(request, booking)["grid_url"]
            return _done(request, _next_url(request, url))
    return _booking_response(request, booking, status=400, refuse_form=form)


@login_required
@require_POST
def booking_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    booking = _visible_booking(request, pk)
    if not _movable(booking):
        return _booking_response(
            request,
            booking,
            status=400,
            error=_("Un prêt ou une animation en école se modifie depuis sa propre page."),
        )
    form = CancelForm(request.POST)
    form.is_valid()
    try:
        actions.cancel_booking(
            actor=request.actor, booking=booking, reason=form.cleaned_data.get("reason", "")
        )
    except ValidationError as exc:
        return _booking_response(request, booking, status=400, error=" ".join(exc.messages))
    messages.success(request, _("Réservation annulée : %s") % booking.title)
    return _done(request, _next_url(request, _booking_context(request, booking)["grid_url"]))


@login_required
@require_POST
def booking_lobby(request: AuthedRequest, pk: int) -> HttpResponse:
    """Hide a booking from the lobby screens (its room shows "busy") or show it again."""
    booking = _visible_booking(request, pk)
    form = LobbyVisibilityForm(request.POST)
    form.is_valid()
    hidden = bool(form.cleaned_data.get("hidden"))
    try:
        booking = actions.set_lobby_visibility(actor=request.actor, booking=booking, hidden=hidden)
    except ValidationError as exc:
        return _booking_response(request, booking, status=400, error=" ".join(exc.messages))
    if hidden:
        messages.success(request, _("Masquée sur l'écran d'accueil : %s") % booking.title)
    else:
        messages.success(request, _("Affichée sur l'écran d'accueil : %s") % booking.title)
    return _done(request, _next_url(request, reverse("scheduling:booking", args=[booking.pk])))


@login_required
@require_POST
def booking_move(request: AuthedRequest, pk: int) -> HttpResponse:
    booking = _visible_booking(request, pk)
    if not can_change(request.actor, booking):
        raise PermissionDenied(_("Vous ne pouvez pas modifier cette réservation."))
    if not _movable(booking):
        return _booking_response(
            request,
            booking,
            status=400,
            error=_("Un prêt ou une animation en école se modifie depuis sa propre page."),
        )
    kinds = set(booking.resources.values_list("kind", flat=True)) or {Resource.Kind.ROOM}
    pool = [r for r in _site_resources(booking.site) if r.kind in kinds]
    form = MoveForm(request.POST, resources=pool)
    if form.is_valid():
        try:
            moved = actions.move_booking(
                actor=request.actor,
                booking=booking,
                start=form.start,
                end=form.end,
                resources=[form.cleaned_data["resource"]],
            )
        except BookingConflict as exc:
            return _booking_response(request, booking, status=409, move_form=form, conflict=exc)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Réservation déplacée : %s") % moved.title)
            url = reverse("scheduling:planning_day", args=[moved.site_id])
            return _done(request, f"{url}?date={planning.local_day(moved.start)}")
    return _booking_response(request, booking, status=400, move_form=form)
