"""Reads of the events app: the programme grid and the figures per workshop and per event."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q

from parcours.enrolment.models import Attendance, Enrolment, SessionSlot
from parcours.enrolment.states import SEAT_HOLDING, EnrolmentStatus, SessionStatus
from parcours.events.models import Event, Registration, Track, Workshop
from parcours.lib import dates


@dataclass
class Cell:
    workshop: Workshop
    start: dt.datetime
    end: dt.datetime

    @property
    def seats_left(self) -> int:
        return self.workshop.session.seats_left

    @property
    def cancelled(self) -> bool:
        return self.workshop.session.status == SessionStatus.CANCELLED


@dataclass
class TimeRow:
    start: dt.datetime
    end: dt.datetime
    cells: list[list[Cell]]  # one list per track (column), usually one workshop


@dataclass
class Day:
    day: dt.date
    rows: list[TimeRow] = field(default_factory=list)


NO_TRACK = Track(name="")


def programme(
    event: Event, *, day: dt.date | None = None, track_id: int | None = None
) -> tuple[list[Track], list[Day]]:
    """The programme as a time x track grid, day by day (filtered by day and track)."""
    tracks = list(event.tracks.all())
    workshops = (
        Workshop.objects.filter(event=event)
        .exclude(session__status=SessionStatus.DRAFT)
        .select_related("session", "track")
    )
    if track_id is not None:
        workshops = workshops.filter(track_id=track_id)
        tracks = [t for t in tracks if t.pk == track_id]
    by_session = {w.session_id: w for w in workshops}
    has_free = any(w.track_id is None for w in by_session.values())
    columns = [*tracks, NO_TRACK] if has_free or not tracks else tracks
    index = {t.pk: i for i, t in enumerate(columns)}
    grid: dict[dt.date, dict[tuple[dt.datetime, dt.datetime], list[list[Cell]]]] = defaultdict(dict)
    for session_id, start, end in (
        SessionSlot.objects.filter(session_id__in=list(by_session))
        .order_by("start")
        .values_list("session_id", "start", "end")
    ):
        local_day = dates.local_date(start)
        if day is not None and local_day != day:
            continue
        row = grid[local_day].setdefault((start, end), [[] for _ in columns])
        workshop = by_session[session_id]
        row[index.get(workshop.track_id or 0, len(columns) - 1)].append(Cell(workshop, start, end))
    days = [
        Day(d, [TimeRow(s, e, cells) for (s, e), cells in sorted(grid[d].items())])
        for d in sorted(grid)
    ]
    return columns, days


def event_days(event: Event) -> list[dt.date]:
    count = (event.ends_on - event.starts_on).days + 1
    return [event.starts_on + dt.timedelta(days=i) for i in range(max(0, min(count, 32)))]


@dataclass
class WorkshopFigures:
    workshop: Workshop
    registered: int
    waitlisted: int
    checked_in: int
    capacity: int
    # Of the seats held (``registered``), those of visitors who have not yet confirmed their
    # e-mail: held until the deadline (``actions.expire_pending``).
    pending: int = 0

    @property
    def no_shows(self) -> int:
        return max(0, self.registered - self.checked_in)

    @property
    def fill_rate(self) -> Decimal | None:
        if not self.capacity:
            return None
        return (Decimal(100 * self.registered) / self.capacity).quantize(
            Decimal("0.1"), ROUND_HALF_UP
        )


def workshop_figures(event: Event) -> list[WorkshopFigures]:
    """Per workshop: seats held (registered), of which pending (held for a visitor whose
    e-mail is not yet confirmed), waitlisted, checked in (present at least once), no-shows
    (registered, not checked in), fill rate (registered / places). Three queries."""
    workshops = list(
        Workshop.objects.filter(event=event)
        .select_related("session", "track")
        .order_by("session__starts_at", "track__position", "pk")
        .annotate(
            registered=Count(
                "session__enrolments", filter=Q(session__enrolments__status__in=SEAT_HOLDING)
            ),
            waitlisted=Count(
                "session__enrolments",
                filter=Q(session__enrolments__status=EnrolmentStatus.WAITLISTED),
            ),
        )
    )
    present = dict(
        Attendance.objects.filter(present=True, enrolment__session__workshop__event=event)
        .values("enrolment__session_id")
        .annotate(n=Count("enrolment_id", distinct=True))
        .values_list("enrolment__session_id", "n")
    )
    pending = dict(
        Enrolment.objects.filter(
            session__workshop__event=event,
            status__in=SEAT_HOLDING,
            learner__event_registrations__event=event,
            learner__event_registrations__status=Registration.Status.PENDING,
        )
        .values("session_id")
        .annotate(n=Count("pk", distinct=True))
        .values_list("session_id", "n")
    )
    return [
        WorkshopFigures(
            workshop=w,
            registered=w.registered,
            waitlisted=w.waitlisted,
            checked_in=present.get(w.session_id, 0),
            capacity=w.session.capacity,
            pending=pending.get(w.session_id, 0),
        )
        for w in workshops
    ]


@dataclass
class EventFigures:
    workshops: int
    visitors: int
    registered: int
    waitlisted: int
    checked_in: int
    capacity: int
    pending: int = 0

    @property
    def no_shows(self) -> int:
        return max(0, self.registered - self.checked_in)

    @property
    def fill_rate(self) -> Decimal | None:
        if not self.capacity:
            return None
        return (Decimal(100 * self.registered) / self.capacity).quantize(
            Decimal("0.1"), ROUND_HALF_UP
        )


def event_figures(event: Event, rows: list[WorkshopFigures]) -> EventFigures:
    live = [r for r in rows if r.workshop.session.status != SessionStatus.CANCELLED]
    visitors = (
        Enrolment.objects.filter(session__workshop__event=event, status__in=SEAT_HOLDING)
        .values("learner_id")
        .distinct()
        .count()
    )
    return EventFigures(
        workshops=len(live),
        visitors=visitors,
        registered=sum(r.registered for r in live),
        waitlisted=sum(r.waitlisted for r in live),
        checked_in=sum(r.checked_in for r in live),
        capacity=sum(r.capacity for r in live),
        pending=sum(r.pending for r in live),
    )
