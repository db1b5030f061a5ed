"""Outreach: a school requests a mobile unit (truck, dome) for an activity."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts import audit
from parcours.accounts.permissions import Actor
from parcours.lib.dates import format_date
from parcours.lib.dates import last_day as last_day_of
from parcours.lib.transactions import write_transaction
from parcours.scheduling import core, planning
from parcours.scheduling.actions.base import _Clash, _conflict
from parcours.scheduling.actions.bookings import (
    _create_booking,
    _load_resources,
    _notify,
    _requester_org,
)
from parcours.scheduling.bounds import check_count, check_date
from parcours.scheduling.models import (
    Booking,
    OutreachActivity,
    OutreachPupilCount,
    OutreachRequest,
    Resource,
)
from parcours.scheduling.permissions import (
    booking_status_for,
    is_logistics,
    require_logistics,
)

# --- Outreach ----------------------------------------------------------------------------------


def request_outreach(
    *,
    actor: Actor,
    activity: OutreachActivity | int,
    first_day: dt.date,
    last_day: dt.date,
    school_name: str,
    school_city: str,
    pupil_counts: Mapping[str, int],
    travel_days_before: int = 0,
    travel_days_after: int = 0,
    school_street: str = "",
    school_postcode: str = "",
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    notes: str = "",
) -> OutreachRequest:
    """A school asks for a mobile unit and an activity on some days, with pupil counts per year
    group (counts, never names). The unit is blocked over the days plus the travel / set-up
    days, so it is in one place at a time."""
    check_date(first_day, "first_day")
    check_date(last_day, "last_day")
    found = (
        activity
        if isinstance(activity, OutreachActivity)
        else OutreachActivity.objects.select_related("unit").filter(pk=activity).first()
    )
    if found is None:
        raise ValidationError({"activity": [_("Animation introuvable.")]})
    activity = found
    if not activity.is_active:
        raise ValidationError({"activity": [_("Cette animation n'est plus proposée.")]})
    if last_day < first_day:
        raise ValidationError({"last_day": [_("Le dernier jour doit suivre le premier.")]})
    if (last_day - first_day).days >= MAX_OUTREACH_DAYS:
        raise ValidationError(
            {"last_day": [_("Une animation dure au plus %(n)d jours.") % {"n": MAX_OUTREACH_DAYS}]}
        )
    if not (
        0 <= travel_days_before <= MAX_TRAVEL_DAYS and 0 <= travel_days_after <= MAX_TRAVEL_DAYS
    ):
        raise ValidationError({"first_day": [_("Au plus 14 jours de déplacement.")]})
    counts = {g: int(n) for g, n in pupil_counts.items() if int(n or 0) > 0}
    for n in counts.values():
        check_count(n, "pupil_counts")
    if any(g not in OutreachPupilCount.Grade.values for g in counts):
        raise ValidationError({"pupil_counts": [_("Année scolaire inconnue.")]})
    if not counts:
        raise ValidationError({"pupil_counts": [_("Indiquez le nombre d'élèves par année.")]})
    if not school_name.strip() or not school_city.strip():
        raise ValidationError({"school_name": [_("Indiquez l'école et sa localité.")]})
    start = core.local_datetime(first_day, dt.time(0), planning.TZ)
    end = core.local_datetime(last_day + dt.timedelta(days=1), dt.time(0), planning.TZ)
    before = core.local_datetime(
        first_day - dt.timedelta(days=travel_days_before), dt.time(0), planning.TZ
    )
    after = core.local_datetime(
        last_day + dt.timedelta(days=1 + travel_days_after), dt.time(0), planning.TZ
    )
    setup = int((start - before).total_seconds() // 60)
    cleanup = int((after - end).total_seconds() // 60)
    items = _load_resources([activity.unit_id])
    status = booking_status_for(actor, items)
    if not is_logistics(actor, items[0].organisation_id) and end <= timezone.now():
        raise ValidationError({"first_day": [_("Ces dates sont déjà passées.")]})
    title = f"{activity.title_fr} — {school_name.strip()}"[:200]
    try:
        with write_transaction():
            booking = _create_booking(
                actor=actor,
                resources=items,
                status=status,
                start=start,
                end=end,
                title=title,
                purpose=Booking.Purpose.OUTREACH,
                setup=setup,
                cleanup=cleanup,
                participants=sum(counts.values()),
                notes=notes,
                source="",
                source_id="",
                requester_organisation=_requester_org(actor, items),
            )
            outreach = OutreachRequest.objects.create(
                organisation_id=items[0].organisation_id,
                booking=booking,
                activity=activity,
                school_name=school_name.strip()[:200],
                school_street=school_street[:200],
                school_postcode=school_postcode[:10],
                school_city=school_city.strip()[:100],
                contact_name=contact_name[:150],
                contact_email=contact_email,
                contact_phone=contact_phone[:40],
                travel_days_before=travel_days_before,
                travel_days_after=travel_days_after,
                notes=notes,
            )
            OutreachPupilCount.objects.bulk_create(
                [OutreachPupilCount(request=outreach, grade=g, count=n) for g, n in counts.items()]
            )
            audit.record(
                "outreach.request",
                actor=actor.user,
                organisation=items[0].organisation,
                obj=outreach,
                changes={"pupils": counts, "status": status},
            )
            _notify(booking, None)
    except _Clash as clash:
        raise _conflict(actor, clash, items, start, end, setup, cleanup, None) from None
    return outreach


# A mobile unit travels and is set up the day before the first activity day, so two schools
# are always at least one day apart: the unit is in one place at a time, with travel time.
MAX_OUTREACH_DAYS = 31
MAX_TRAVEL_DAYS = 14
SETUP_DAYS_BEFORE = 1
TRAVEL_DAYS_AFTER = 0


def outreach_blocked_range(
    first_day: dt.date, last_day: dt.date
) -> tuple[dt.datetime, dt.datetime]:
    """What a request blocks on the unit: the set-up day(s) before to the end of the last day
    plus the travel day(s) after."""
    return (
        core.local_datetime(
            first_day - dt.timedelta(days=SETUP_DAYS_BEFORE), dt.time(0), planning.TZ
        ),
        core.local_datetime(
            last_day + dt.timedelta(days=1 + TRAVEL_DAYS_AFTER), dt.time(0), planning.TZ
        ),
    )


def request_outreach_checked(
    *,
    actor: Actor,
    activity: OutreachActivity,
    first_day: dt.date,
    last_day: dt.date,
    school_name: str,
    school_city: str,
    pupil_counts: Mapping[str, int],
    **details: Any,
) -> OutreachRequest:
    """``actions.request_outreach`` with the set-up day and travel time of the house rules,
    and a clear refusal up front when the unit is already confirmed elsewhere then (a request
    holds no slot, so without this check the school would only learn it at approval)."""
    check_date(first_day, "first_day")
    check_date(last_day, "last_day")
    blocked0, blocked1 = outreach_blocked_range(first_day, last_day)
    conflicts = planning.find_conflicts([activity.unit_id], blocked0, blocked1)
    if conflicts:
        first = conflicts[0]
        raise ValidationError(
            {
                "first_day": [
                    _(
                        "L'unité est déjà en déplacement du %(start)s au %(end)s. Elle a besoin "
                        "d'un jour de trajet et de montage avant chaque animation : choisissez "
                        "d'autres dates."
                    )
                    % {
                        "start": format_date(first.blocked_start, "medium"),
                        "end": format_date(last_day_of(first.blocked_end), "medium"),
                    }
                ]
            }
        )
    return request_outreach(
        actor=actor,
        activity=activity,
        first_day=first_day,
        last_day=last_day,
        school_name=school_name,
        school_city=school_city,
        pupil_counts=pupil_counts,
        travel_days_before=SETUP_DAYS_BEFORE,
        travel_days_after=TRAVEL_DAYS_AFTER,
        **details,
    )


def create_outreach_activity(
    *,
    actor: Actor,
    unit: Resource,
    slug: str,
    title_fr: str,
    title_en: str = "",
    description_fr: str = "",
    description_en: str = "",
    audience: str = "",
    max_pupils_per_day: int | None = None,
) -> OutreachActivity:
    """Add (or update) an activity a mobile unit offers, with its teachers' kit text."""
    require_logistics(actor, unit.organisation_id)
    if unit.kind != Resource.Kind.MOBILE_UNIT:
        raise ValidationError({"unit": [_("Seule une unité mobile propose des animations.")]})
    if not title_fr.strip() or not slug.strip():
        raise ValidationError({"title_fr": [_("Donnez un titre à l'animation.")]})
    with transaction.atomic():
        activity, _created = OutreachActivity.objects.update_or_create(
            unit=unit,
            slug=slug,
            defaults={
                "organisation_id": unit.organisation_id,
                "title_fr": title_fr.strip(),
                "title_en": title_en.strip(),
                "description_fr": description_fr,
                "description_en": description_en,
                "audience": audience,
                "max_pupils_per_day": max_pupils_per_day,
                "is_active": True,
            },
        )
        audit.record(
            "outreach_activity.save",
            actor=actor.user,
            organisation=unit.organisation,
            obj=activity,
        )
    return activity
