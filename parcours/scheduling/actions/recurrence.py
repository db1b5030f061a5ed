"""Recurring bookings (a series of occurrences booked together)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from parcours.accounts import audit
from parcours.accounts.permissions import Actor
from parcours.lib.transactions import write_transaction
from parcours.scheduling import core, planning
from parcours.scheduling.actions.base import _Clash, _conflict
from parcours.scheduling.actions.bookings import (
    _check_rules,
    _clean_title,
    _create_booking,
    _load_resources,
    _notify,
    _requester_org,
    cancel_booking,
)
from parcours.scheduling.bounds import check_buffer, check_count, check_date
from parcours.scheduling.models import (
    Booking,
    BookingSeries,
    ClosurePeriod,
    Resource,
)
from parcours.scheduling.permissions import (
    booking_status_for,
)
from parcours.scheduling.states import BookingStatus

MAX_OCCURRENCES = 400


# --- Recurring bookings ------------------------------------------------------------------------


@dataclass
class SeriesResult:
    series: BookingSeries
    bookings: list[Booking]
    skipped: list[dt.date] = field(default_factory=list)  # dates left out by closures/holidays
    conflicted: list[dt.date] = field(default_factory=list)  # with skip_conflicts=True


def book_series(
    *,
    actor: Actor,
    resources: Iterable[Resource | int],
    first_date: dt.date,
    until: dt.date,
    weekdays: Iterable[int],
    start_time: dt.time,
    end_time: dt.time,
    title: str,
    purpose: str = Booking.Purpose.MEETING,
    interval_weeks: int = 1,
    skip_holidays: bool = True,
    except_dates: Iterable[dt.date] = (),
    skip_conflicts: bool = False,
    setup_minutes: int | None = None,
    cleanup_minutes: int | None = None,
    participants: int | None = None,
    notes: str = "",
    source: str = "",
    source_id: str = "",
) -> SeriesResult:
    """A weekly booking ("every Tuesday 9:00-12:00 until June"), one ``Booking`` per date, each
    at the same local times in Europe/Brussels whatever the daylight-saving changes.

    Left out: the site's closed days, its school holidays (``skip_holidays``), and
    ``except_dates``. All or nothing: when an occurrence is taken, ``BookingConflict`` lists
    every conflict and nothing is written — unless ``skip_conflicts``, which books the free
    dates and reports the others in ``SeriesResult.conflicted``.
    """
    items = _load_resources(resources)
    title = _clean_title(title)
    days = sorted(set(weekdays))
    if not days:
        raise ValidationError({"weekdays": [_("Choisissez au moins un jour de la semaine.")]})
    check_date(first_date, "first_date")
    check_date(until, "until")
    if until < first_date:
        raise ValidationError({"until": [_("La date de fin doit suivre la date de début.")]})
    if not 1 <= interval_weeks <= 52:
        raise ValidationError({"interval_weeks": [_("Indiquez entre 1 et 52 semaines.")]})
    if any(not 0 <= d <= 6 for d in days):
        raise ValidationError({"weekdays": [_("Jour de la semaine inconnu.")]})
    check_buffer(setup_minutes, "setup_minutes")
    check_buffer(cleanup_minutes, "cleanup_minutes")
    check_count(participants, "participants", minimum=1)
    if end_time <= start_time:
        raise ValidationError({"end_time": [_("La fin doit être après le début.")]})
    status = booking_status_for(actor, items)
    setup = setup_minutes if setup_minutes is not None else max(r.setup_minutes for r in items)
    cleanup = (
        cleanup_minutes if cleanup_minutes is not None else max(r.cleanup_minutes for r in items)
    )
    site = items[0].site
    calendar = planning.SiteCalendar.load(site, first_date, until)
    all_dates = core.weekly_dates(
        first_date=first_date, until=until, weekdays=days, interval_weeks=interval_weeks
    )
    excluded = set(except_dates)
    skip = {
        d
        for d in all_dates
        if d in excluded
        or calendar.closure_on(d, ClosurePeriod.Kind.CLOSED) is not None
        or (skip_holidays and calendar.closure_on(d, ClosurePeriod.Kind.HOLIDAY) is not None)
    }
    occurrences = core.expand_weekly(
        first_date=first_date,
        until=until,
        weekdays=days,
        start_time=start_time,
        end_time=end_time,
        tz=planning.TZ,
        interval_weeks=interval_weeks,
        skip=skip,
    )
    if not occurrences:
        raise ValidationError({"until": [_("Aucune date ne correspond à cette récurrence.")]})
    if len(occurrences) > MAX_OCCURRENCES:
        raise ValidationError(
            {"until": [_("Au plus %(n)d dates par série.") % {"n": MAX_OCCURRENCES}]}
        )
    for occ in occurrences:
        _check_rules(actor, items, occ.start, occ.end, participants, calendar=calendar)
    requester_org = _requester_org(actor, items)
    clashes: list[tuple[core.Occurrence, _Clash]] = []
    try:
        with write_transaction():
            series = BookingSeries.objects.create(
                organisation_id=items[0].organisation_id,
                title=title,
                weekdays=days,
                interval_weeks=interval_weeks,
                first_date=first_date,
                until=until,
                start_time=start_time,
                end_time=end_time,
                timezone=str(planning.TZ),
                skip_holidays=skip_holidays,
                except_dates=sorted(d.isoformat() for d in excluded),
                created_by=actor.user,
            )
            bookings: list[Booking] = []
            for occ in occurrences:
                try:
                    with transaction.atomic():
                        bookings.append(
                            _create_booking(
                                actor=actor,
                                resources=items,
                                status=status,
                                start=occ.start,
                                end=occ.end,
                                title=title,
                                purpose=purpose,
                                setup=setup,
                                cleanup=cleanup,
                                participants=participants,
                                notes=notes,
                                source=source,
                                source_id=source_id,
                                requester_organisation=requester_org,
                                series=series,
                                occurrence_date=occ.day,
                            )
                        )
                except _Clash as clash:
                    clashes.append((occ, clash))
            if clashes and not skip_conflicts:
                raise _Clash([c for _occ, clash in clashes for c in clash.conflicts])
            if not bookings:
                raise _Clash([c for _occ, clash in clashes for c in clash.conflicts])
            audit.record(
                "booking_series.create",
                actor=actor.user,
                organisation=items[0].organisation,
                obj=series,
                changes={
                    "status": status,
                    "occurrences": len(bookings),
                    "skipped": sorted(d.isoformat() for d in skip),
                    "conflicted": [occ.day.isoformat() for occ, _c in clashes],
                },
            )
            if status == BookingStatus.REQUESTED:
                _notify(bookings[0], None)
    except _Clash as clash:
        first = clashes[0][0] if clashes else occurrences[0]
        raise _conflict(
            actor, clash, items, first.start, first.end, setup, cleanup, participants
        ) from None
    return SeriesResult(
        series=series,
        bookings=bookings,
        skipped=sorted(skip),
        conflicted=[occ.day for occ, _c in clashes],
    )


def cancel_series(
    *, actor: Actor, series: BookingSeries | int, from_date: dt.date | None = None, reason: str = ""
) -> int:
    """Cancel every open occurrence of a series (from a date on). Returns how many."""
    series_id = series if isinstance(series, int) else series.pk
    with write_transaction():
        occurrences = list(Booking.objects.open().filter(series_id=series_id).order_by("start"))
        if from_date is not None:
            occurrences = [
                b for b in occurrences if b.occurrence_date and b.occurrence_date >= from_date
            ]
        for occurrence in occurrences:
            cancel_booking(actor=actor, booking=occurrence, reason=reason)
            Booking.objects.filter(pk=occurrence.pk).update(is_exception=False)
    return len(occurrences)
