"""Recurring bookings: book a series from the planning (every chosen weekday until a date),
see its occurrences, cancel what is left of it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from parcours.accounts.models import Role
from parcours.lib import clock
from parcours.lib.http import AuthedRequest
from parcours.scheduling import actions, planning
from parcours.scheduling.actions import BookingConflict
from parcours.scheduling.forms import CancelForm, SeriesForm
from parcours.scheduling.models import Booking, BookingSeries
from parcours.scheduling.permissions import is_logistics
from parcours.scheduling.views._common import (
    BOOKER_ROLES,
    _form_errors,
    _paginate,
    _staff_site,
)
from parcours.scheduling.views.bookings import _site_resources


@login_required
def series_create(request: AuthedRequest, site_id: int) -> HttpResponse:
    site = _staff_site(request, site_id, BOOKER_ROLES)
    resources = _site_resources(site)
    form = SeriesForm(request.POST or None, resources=resources, initial={"skip_holidays": True})
    conflict: BookingConflict | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = actions.book_series(
                actor=request.actor,
                resources=[data["resource"]],
                first_date=data["first_date"],
                until=data["until"],
                weekdays=data["weekdays"],
                start_time=data["start_time"],
                end_time=data["end_time"],
                title=data["title"],
                interval_weeks=data.get("interval_weeks") or 1,
                skip_holidays=bool(data.get("skip_holidays")),
                skip_conflicts=bool(data.get("skip_conflicts")),
                participants=data.get("participants"),
            )
        except BookingConflict as exc:
            conflict = exc
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            n = len(result.bookings)
            messages.success(
                request,
                ngettext("Série enregistrée : %(n)d date.", "Série enregistrée : %(n)d dates.", n)
                % {"n": n},
            )
            return redirect("scheduling:series", pk=result.series.pk)
    status = 409 if conflict else (400 if form.errors else 200)
    return render(
        request,
        "scheduling/series_form.html",
        {"site": site, "form": form, "conflict": conflict},
        status=status,
    )


def _visible_series(request: AuthedRequest, pk: int) -> BookingSeries:
    actor = request.actor
    qs = BookingSeries.objects.select_related("organisation")
    if not actor.is_platform_admin:
        planners = actor.orgs_with_role(Role.LOGISTICS, Role.COORDINATOR, Role.TRAINER)
        qs = qs.filter(Q(organisation_id__in=planners) | Q(created_by=actor.user))
    return get_object_or_404(qs, pk=pk)


@login_required
def series_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    series = _visible_series(request, pk)
    occurrences = _paginate(
        request,
        Booking.objects.filter(series=series).select_related("site").order_by("start"),
    )
    now = clock.now(request)
    may_cancel = series.created_by_id == request.user.pk or is_logistics(
        request.actor, series.organisation_id
    )
    context: dict[str, Any] = {
        "series": series,
        "occurrences": occurrences,
        "page_obj": occurrences,
        "open_ahead": Booking.objects.filter(series=series, end__gt=now).open().count(),
        "may_cancel": may_cancel,
        "cancel_form": CancelForm(),
        "today": planning.local_day(now),
    }
    return render(request, "scheduling/series.html", context)


@login_required
@require_POST
def series_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    series = _visible_series(request, pk)
    form = CancelForm(request.POST)
    form.is_valid()
    try:
        n = actions.cancel_series(
            actor=request.actor,
            series=series,
            from_date=planning.local_day(clock.now(request)),
            reason=form.cleaned_data.get("reason", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            ngettext("%(n)d date annulée.", "%(n)d dates annulées.", n) % {"n": n},
        )
    return redirect("scheduling:series", pk=series.pk)
