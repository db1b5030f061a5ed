"""Outreach: school requests for a mobile unit, the team queue, the kit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from parcours.accounts.models import Role
from parcours.accounts.permissions import Actor
from parcours.lib import clock
from parcours.lib.http import AuthedRequest
from parcours.lib.i18n import pick
from parcours.scheduling import actions, core
from parcours.scheduling.actions import BookingConflict
from parcours.scheduling.forms import (
    OutreachActivityForm,
    OutreachForm,
    RefuseForm,
)
from parcours.scheduling.models import (
    OutreachActivity,
    OutreachRequest,
    Reservation,
    Resource,
)
from parcours.scheduling.permissions import can_decide
from parcours.scheduling.states import BookingStatus
from parcours.scheduling.views._common import (
    OUTREACH_REQUESTERS,
    PAGE_SIZE,
    _current_org,
    _form_errors,
    _local,
    _paginate,
)


def _outreach_choices(actor: Actor) -> tuple[list[Resource], list[OutreachActivity]]:
    orgs = actor.orgs_with_role(*OUTREACH_REQUESTERS)
    units = list(
        Resource.objects.active()
        .filter(organisation_id__in=orgs, kind=Resource.Kind.MOBILE_UNIT)
        .order_by("name")
    )
    activities = list(
        OutreachActivity.objects.filter(unit__in=units, is_active=True).order_by(
            "unit__name", "title_fr"
        )
    )
    return units, activities


@login_required
def outreach_request(request: AuthedRequest) -> HttpResponse:
    units, activities = _outreach_choices(request.actor)
    if not units:
        raise PermissionDenied(_("Aucune unité mobile n'est proposée à votre organisation."))
    if request.method == "POST":
        form = OutreachForm(request.POST, units=units, activities=activities)
        if form.is_valid():
            data = form.cleaned_data
            try:
                outreach = actions.request_outreach_checked(
                    actor=request.actor,
                    activity=data["activity"],
                    first_day=data["first_day"],
                    last_day=data["last_day"],
                    school_name=data["school_name"],
                    school_city=data["school_city"],
                    pupil_counts=form.pupil_counts(),
                    school_street=data.get("school_street") or "",
                    school_postcode=data.get("school_postcode") or "",
                    contact_name=data.get("contact_name") or "",
                    contact_email=data.get("contact_email") or "",
                    contact_phone=data.get("contact_phone") or "",
                    notes=data.get("notes") or "",
                )
            except BookingConflict as exc:
                form.add_error("first_day", exc.message)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Demande envoyée : l'équipe de la province vous répondra par e-mail."),
                )
                return redirect("scheduling:outreach_detail", pk=outreach.pk)
        unit_id = form.data.get("unit")
    else:
        unit_id = request.GET.get("unit") or (str(units[0].pk) if len(units) == 1 else None)
        form = OutreachForm(initial={"unit": unit_id}, units=units, activities=activities)
    chosen = int(unit_id) if unit_id and str(unit_id).isdigit() else None
    return render(
        request,
        "scheduling/outreach_request.html",
        {
            "form": form,
            "groups": form.activity_groups(chosen),
            "setup_days": actions.SETUP_DAYS_BEFORE,
        },
        status=400 if form.errors else 200,
    )


@login_required
def outreach_activities(request: AuthedRequest) -> HttpResponse:
    """htmx: the activity list of the chosen unit."""
    units, activities = _outreach_choices(request.actor)
    form = OutreachForm(units=units, activities=activities)
    unit_id = request.GET.get("unit", "")
    chosen = int(unit_id) if unit_id.isdigit() else None
    return render(
        request,
        "scheduling/_outreach_activities.html",
        {"form": form, "groups": form.activity_groups(chosen)},
    )


def _outreach_qs() -> Any:
    return OutreachRequest.objects.select_related(
        "booking", "activity", "activity__unit"
    ).prefetch_related("pupil_counts")


@login_required
def outreach_mine(request: AuthedRequest) -> HttpResponse:
    page = _paginate(
        request, _outreach_qs().filter(booking__requester=request.user).order_by("-booking__start")
    )
    return render(request, "scheduling/outreach_mine.html", {"requests": page, "page_obj": page})


def _visible_outreach(request: AuthedRequest, pk: int) -> OutreachRequest:
    actor = request.actor
    qs = _outreach_qs()
    if not actor.is_platform_admin:
        qs = qs.filter(
            Q(booking__requester=request.user)
            | Q(organisation_id__in=actor.orgs_with_role(Role.LOGISTICS))
        )
    return get_object_or_404(qs, pk=pk)


@login_required
def outreach_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    outreach = _visible_outreach(request, pk)
    booking = outreach.booking
    context = {
        "outreach": outreach,
        "booking": booking,
        "first_day": _local(booking.start).date(),
        "last_day": _local(booking.end - dt.timedelta(seconds=1)).date(),
        "setup_day": _local(booking.blocked_start).date(),
        "may_decide": booking.status == BookingStatus.REQUESTED
        and can_decide(request.actor, booking),
        "refuse_form": RefuseForm(),
        "kit_text": pick(outreach.activity, "description"),
    }
    return render(request, "scheduling/outreach_detail.html", context)


@login_required
def outreach_kit(request: AuthedRequest, pk: int) -> HttpResponse:
    outreach = _visible_outreach(request, pk)
    booking = outreach.booking
    text = render(
        request,
        "scheduling/outreach_kit.txt",
        {
            "outreach": outreach,
            "first_day": _local(booking.start).date(),
            "last_day": _local(booking.end - dt.timedelta(seconds=1)).date(),
            "kit_text": pick(outreach.activity, "description"),
        },
        content_type="text/plain; charset=utf-8",
    )
    text["Content-Disposition"] = (
        f'attachment; filename="kit-{outreach.activity.slug}-{outreach.pk}.txt"'
    )
    return text


@login_required
def outreach_queue(request: AuthedRequest) -> HttpResponse:
    org = _current_org(request, (Role.LOGISTICS,))
    moment = clock.now(request)
    qs = _outreach_qs().filter(organisation=org)
    page = _paginate(
        request, qs.filter(booking__status=BookingStatus.REQUESTED).order_by("booking__start")
    )
    pending = list(page.object_list)
    confirmed = list(
        qs.filter(booking__status=BookingStatus.APPROVED, booking__end__gt=moment).order_by(
            "booking__start"
        )[:PAGE_SIZE]
    )
    # Which pending requests could not be approved as they stand (a confirmed tour is there):
    # one query for every unit and the whole span of the queue.
    clashes: dict[int, str] = {}
    if pending:
        span0 = min(item.booking.blocked_start for item in pending)
        span1 = max(item.booking.blocked_end for item in pending)
        held = list(
            Reservation.objects.active()
            .filter(resource_id__in={item.activity.unit_id for item in pending})
            .overlapping(span0, span1)
            .select_related("booking")
        )
        for item in pending:
            for r in held:
                if (
                    r.resource_id == item.activity.unit_id
                    and r.booking_id != item.booking_id
                    and core.overlaps(
                        r.blocked_start,
                        r.blocked_end,
                        item.booking.blocked_start,
                        item.booking.blocked_end,
                    )
                ):
                    clashes[item.pk] = r.booking.title
                    break
    rows = [(item, clashes.get(item.pk, "")) for item in pending]
    return render(
        request,
        "scheduling/outreach_queue.html",
        {
            "organisation": org,
            "page_obj": page,
            "pending": rows,
            "confirmed": confirmed,
            "refuse_form": RefuseForm(),
            "next": reverse("scheduling:outreach_queue"),
        },
    )


@login_required
def outreach_activity_list(request: AuthedRequest) -> HttpResponse:
    """The activities the organisation's mobile units offer (with the kit text schools get):
    add one; an activity of the same unit and title is updated."""
    org = _current_org(request, (Role.LOGISTICS,))
    units = list(
        Resource.objects.filter(organisation=org, kind=Resource.Kind.MOBILE_UNIT).order_by("name")
    )
    form = OutreachActivityForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activity = actions.create_outreach_activity(
                actor=request.actor,
                unit=data["unit"],
                slug=slugify(data["title_fr"])[:60],
                title_fr=data["title_fr"],
                title_en=data.get("title_en") or "",
                description_fr=data.get("description_fr") or "",
                description_en=data.get("description_en") or "",
                audience=data.get("audience") or "",
                max_pupils_per_day=data.get("max_pupils_per_day"),
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request, _("Animation enregistrée : %(title)s.") % {"title": activity.title}
            )
            return redirect("scheduling:outreach_activity_list")
    activities = _paginate(
        request,
        OutreachActivity.objects.filter(organisation=org)
        .select_related("unit")
        .order_by("unit__name", "title_fr"),
    )
    return render(
        request,
        "scheduling/outreach_activities.html",
        {
            "organisation": org,
            "units": units,
            "form": form,
            "activities": activities,
            "page_obj": activities,
        },
        status=400 if form.errors else 200,
    )
