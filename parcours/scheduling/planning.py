"""Composite reads: opening windows, conflicts, suggestions, availability search and the
planning grids. Nothing here writes; the actions and the pages both call these.

Service functions for the pages built on top of this app:

- ``week_grid(site, monday) -> Grid`` and ``day_grid(site, day) -> Grid``: every active
  resource of the site with its bookings (confirmed and pending) per local day.
- ``search_availability(actor=..., day=..., start_time=..., end_time=..., ...) -> Availability``:
  free resources first, then near misses (other times that day, other sites nearby).
- ``find_conflicts(...)`` and ``suggest_alternatives(...)``: what ``actions.book`` uses to
  explain a refusal.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet

from parcours.accounts.models import Site
from parcours.scheduling import core
from parcours.scheduling.models import (
    Booking,
    ClosurePeriod,
    OpeningHours,
    Reservation,
    Resource,
)
from parcours.scheduling.querysets import LONG_SPAN
from parcours.scheduling.states import OPEN, BookingStatus

if TYPE_CHECKING:
    from parcours.accounts.permissions import Actor

TZ = ZoneInfo(settings.TIME_ZONE)
# When a site has no opening hours configured, suggestions stay within these local hours.
DEFAULT_DAY = (dt.time(7, 0), dt.time(22, 0))
NEARBY_SITES = 5


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(TZ).date()


def day_span(day: dt.date) -> core.Interval:
    """Local midnight to the next local midnight (23 or 25 hours on DST days)."""
    return (
        core.local_datetime(day, dt.time(0), TZ),
        core.local_datetime(day + dt.timedelta(days=1), dt.time(0), TZ),
    )


# --- Opening hours and closures ------------------------------------------------------------


@dataclass
class SiteCalendar:
    """A site's opening hours and closure periods, loaded once, asked per day."""

    hours: dict[int, tuple[dt.time, dt.time]]
    closures: list[ClosurePeriod]

    @classmethod
    def load(cls, site: Site | int, first: dt.date, last: dt.date) -> SiteCalendar:
        return cls.load_many([site], first, last)[site if isinstance(site, int) else site.pk]

    @classmethod
    def load_many(
        cls, sites: Iterable[Site | int], first: dt.date, last: dt.date
    ) -> dict[int, SiteCalendar]:
        ids = [s if isinstance(s, int) else s.pk for s in sites]
        out = {sid: cls(hours={}, closures=[]) for sid in ids}
        # order_by(): the models' default orderings would join the sites and organisations.
        for site_id, weekday, opens, closes in (
            OpeningHours.objects.filter(site_id__in=ids)
            .order_by()
            .values_list("site_id", "weekday", "opens", "closes")
        ):
            out[site_id].hours[weekday] = (opens, closes)
        closures = ClosurePeriod.objects.filter(site_id__in=ids, start__lte=last, end__gte=first)
        for cp in closures.order_by("start"):
            out[cp.site_id].closures.append(cp)
        return out

    @property
    def configured(self) -> bool:
        return bool(self.hours)

    def closure_on(self, day: dt.date, kind: str | None = None) -> ClosurePeriod | None:
        for cp in self.closures:
            if cp.start <= day <= cp.end and (kind is None or cp.kind == kind):
                return cp
        return None

    def is_closed(self, day: dt.date) -> bool:
        if self.closure_on(day, ClosurePeriod.Kind.CLOSED) is not None:
            return True
        return self.configured and day.weekday() not in self.hours

    def windows(self, day: dt.date, *, default: bool = True) -> list[core.Interval]:
        """The local opening window(s) of the day, as aware datetimes ([] when closed)."""
        if self.is_closed(day):
            return []
        if self.configured:
            opens, closes = self.hours[day.weekday()]
        elif default:
            opens, closes = DEFAULT_DAY
        else:
            return [day_span(day)]
        return [(core.local_datetime(day, opens, TZ), core.local_datetime(day, closes, TZ))]

    def allows(self, start: dt.datetime, end: dt.datetime) -> bool:
        """Whether ``[start, end)`` lies within opening hours (always true if none are set,
        except on closed days)."""
        day = local_day(start)
        if self.is_closed(day):
            return False
        if not self.configured:
            return True
        return any(w0 <= start and end <= w1 for w0, w1 in self.windows(day))


# --- Conflicts -------------------------------------------------------------------------------


def overlapping_parts(
    base: QuerySet[Reservation], start: dt.datetime, end: dt.datetime
) -> list[QuerySet[Reservation]]:
    """``base`` narrowed to rows whose blocked range meets ``[start, end)``, as two querysets
    whose rows together are the answer (read both).

    A btree can only bound ``blocked_start`` from above, which would scan a resource's whole
    past; rows are therefore split on ``long_span``: short rows (at most ``LONG_SPAN``) also get
    ``blocked_start >= start - LONG_SPAN`` (a tight range on the (resource, blocked_start)
    index, on SQLite and PostgreSQL alike, pending rows included), and the few long rows (loans,
    outreach tours) are read through their own partial index.
    """
    return [
        base.filter(
            long_span=False,
            blocked_start__gte=start - LONG_SPAN,
            blocked_start__lt=end,
            blocked_end__gt=start,
        ),
        base.filter(long_span=True, blocked_start__lt=end, blocked_end__gt=start),
    ]


def overlapping_values(
    base: QuerySet[Reservation], start: dt.datetime, end: dt.datetime, *fields: str
) -> list[tuple[Any, ...]]:
    """``values_list(*fields)`` of the rows of ``overlapping_parts`` in one round trip (UNION
    ALL: each half keeps its own index range), in no particular order."""
    short, long = (
        part.order_by().values_list(*fields) for part in overlapping_parts(base, start, end)
    )
    return list(short.union(long, all=True))


def overlapping_reservations(
    resource_ids: Iterable[int] | QuerySet[Resource], start: dt.datetime, end: dt.datetime
) -> QuerySet[Reservation]:
    """Active reservations of these resources whose blocked range meets ``[start, end)``, as one
    queryset (for the fastest reads use ``overlapping_parts``)."""
    return Reservation.objects.active().filter(resource_id__in=resource_ids).overlapping(start, end)


@dataclass(frozen=True)
class Conflict:
    """One existing booking that blocks one requested resource."""

    resource_id: int
    resource_name: str
    booking_id: int
    title: str
    start: dt.datetime
    end: dt.datetime
    blocked_start: dt.datetime
    blocked_end: dt.datetime


def _overlap_probe_sql(n_resources: int, exclude: bool) -> str:
    """One statement for both halves of ``overlapping_parts`` (short rows on a tight
    ``blocked_start`` range, long rows through their partial index), ids only, at most 50 of
    each. Plain SQL on purpose: this runs inside every booking's write transaction (under the
    SQLite write lock), where building the two ORM queries cost more than running them."""
    table = Reservation._meta.db_table
    marks = ", ".join(["%s"] * n_resources)
    common = f"active AND resource_id IN ({marks})" + (" AND booking_id <> %s" if exclude else "")
    # Only placeholders and the model's own table name are interpolated: no user input.
    return (
        f"SELECT id FROM (SELECT id FROM {table} WHERE {common} AND NOT long_span"  # noqa: S608
        " AND blocked_start >= %s AND blocked_start < %s AND blocked_end > %s"
        f" LIMIT 50) AS short_rows UNION ALL SELECT id FROM (SELECT id FROM {table} WHERE {common}"
        " AND long_span AND blocked_start < %s AND blocked_end > %s LIMIT 50) AS long_rows"
    )


def overlapping_ids(
    resource_ids: Sequence[int],
    blocked_start: dt.datetime,
    blocked_end: dt.datetime,
    *,
    exclude_booking_id: int | None = None,
) -> list[int]:
    """Ids of the active reservations of these resources whose blocked range meets
    ``[blocked_start, blocked_end)`` (at most 100), in one query."""
    ids = list(resource_ids)
    if not ids:
        return []
    ops = connection.ops
    start = ops.adapt_datetimefield_value(blocked_start)
    end = ops.adapt_datetimefield_value(blocked_end)
    floor = ops.adapt_datetimefield_value(blocked_start - LONG_SPAN)
    head: list[Any] = [*ids] + ([exclude_booking_id] if exclude_booking_id is not None else [])
    params = [*head, floor, end, start, *head, end, start]
    with connection.cursor() as cursor:
        cursor.execute(_overlap_probe_sql(len(ids), exclude_booking_id is not None), params)
        return [row[0] for row in cursor.fetchall()]


def find_conflicts(
    resource_ids: Iterable[int],
    blocked_start: dt.datetime,
    blocked_end: dt.datetime,
    *,
    exclude_booking_id: int | None = None,
) -> list[Conflict]:
    # The common answer is "none": ask for ids first, load the details only when needed.
    found = overlapping_ids(
        list(resource_ids), blocked_start, blocked_end, exclude_booking_id=exclude_booking_id
    )
    if not found:
        return []
    qs = Reservation.objects.filter(pk__in=found).select_related("booking", "resource")
    return [
        Conflict(
            resource_id=r.resource_id,
            resource_name=r.resource.name,
            booking_id=r.booking_id,
            title=r.booking.title,
            start=r.booking.start,
            end=r.booking.end,
            blocked_start=r.blocked_start,
            blocked_end=r.blocked_end,
        )
        for r in qs.order_by("blocked_start", "resource_id")
    ]


def busy_by_resource(
    resource_ids: Iterable[int] | QuerySet[Any, Any],
    start: dt.datetime,
    end: dt.datetime,
    *,
    exclude_booking_id: int | None = None,
) -> dict[int, list[core.Interval]]:
    base = Reservation.objects.active().filter(resource_id__in=resource_ids)
    if exclude_booking_id is not None:
        base = base.exclude(booking_id=exclude_booking_id)
    busy: dict[int, list[core.Interval]] = defaultdict(list)
    for rid, b0, b1 in overlapping_values(
        base, start, end, "resource_id", "blocked_start", "blocked_end"
    ):
        busy[rid].append((b0, b1))
    return busy


# --- Suggestions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """Another way to get what was asked: the same resource at another time, or another
    resource (same kind, enough room, the same features) at the same time."""

    kind: str  # "time" | "resource"
    resource_id: int
    resource_name: str
    site_id: int
    site_name: str
    start: dt.datetime
    end: dt.datetime
    distance_km: float | None = None
    capacity: int | None = None


def _features_of(resources: Sequence[Resource]) -> set[str]:
    slugs: set[str] = set()
    for r in resources:
        slugs.update(f.slug for f in r.features.all())
    return slugs


def _distance(a: Site, b: Site) -> float | None:
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    return core.haversine_km(
        float(a.latitude),  # type: ignore[arg-type]
        float(a.longitude),  # type: ignore[arg-type]
        float(b.latitude),  # type: ignore[arg-type]
        float(b.longitude),  # type: ignore[arg-type]
    )


def suggest_alternatives(
    *,
    resources: Sequence[Resource],
    start: dt.datetime,
    end: dt.datetime,
    setup: dt.timedelta,
    cleanup: dt.timedelta,
    participants: int | None = None,
    exclude_booking_id: int | None = None,
    times: int = 3,
    others: int = 5,
) -> list[Suggestion]:
    """Nearest free slots the same day for the same resources, then other free resources of
    the same kind, capacity and features at the same site, then at the nearest other sites of
    the same organisation."""
    if not resources:
        return []
    site = resources[0].site
    day = local_day(start)
    calendar = SiteCalendar.load(site, day, day)
    windows = calendar.windows(day)
    suggestions: list[Suggestion] = []
    ids = [r.pk for r in resources]
    span0, span1 = day_span(day)
    busy = busy_by_resource(
        ids,
        span0 - setup - dt.timedelta(days=1),
        span1 + cleanup + dt.timedelta(days=1),
        exclude_booking_id=exclude_booking_id,
    )
    all_busy = [i for rid in ids for i in busy.get(rid, [])]
    names = ", ".join(r.name for r in resources)
    for s0, s1 in core.nearest_free_slots(
        wanted_start=start,
        duration=end - start,
        busy=all_busy,
        windows=windows,
        setup=setup,
        cleanup=cleanup,
        limit=times,
    ):
        if (s0, s1) == (start, end):
            continue
        suggestions.append(Suggestion("time", resources[0].pk, names, site.pk, site.name, s0, s1))
    # Other resources, for the first (main) resource: same kind, enough capacity, features.
    main = resources[0]
    need = max(participants or 0, 0) or None
    wanted_features = _features_of([main])
    pool = (
        Resource.objects.active()
        .filter(organisation_id=main.organisation_id, kind=main.kind)
        .exclude(pk__in=ids)
        .with_capacity(need)
        .with_features(wanted_features)
        .select_related("site")
    )
    candidates = list(pool)
    blocked0, blocked1 = start - setup, end + cleanup
    taken = busy_by_resource([c.pk for c in candidates], blocked0, blocked1)
    calendars = SiteCalendar.load_many({c.site_id for c in candidates}, day, day)
    free: list[tuple[float, int, Resource]] = []
    for c in candidates:
        if taken.get(c.pk):
            continue
        if not calendars[c.site_id].allows(start, end):
            continue
        distance = 0.0 if c.site_id == site.pk else _distance(site, c.site)
        free.append((distance if distance is not None else 1e9, c.capacity or 0, c))
    free.sort(key=lambda t: (t[0], t[1], t[2].name))
    near_sites: list[int] = []
    for distance, _cap, c in free:
        if c.site_id != site.pk and c.site_id not in near_sites:
            if len(near_sites) >= NEARBY_SITES:
                continue
            near_sites.append(c.site_id)
        suggestions.append(
            Suggestion(
                "resource",
                c.pk,
                c.name,
                c.site_id,
                c.site.name,
                start,
                end,
                None if distance >= 1e9 else round(distance, 1),
                c.capacity,
            )
        )
        if sum(1 for s in suggestions if s.kind == "resource") >= others:
            break
    return suggestions


# --- Availability search ----------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    resource: Resource
    start: dt.datetime
    end: dt.datetime
    distance_km: float | None = None


@dataclass
class Availability:
    """Free resources first (at the asked site and times), then near misses: the same
    resources at other times that day, then free resources at other sites nearby."""

    free: list[Option] = field(default_factory=list)
    other_times: list[Option] = field(default_factory=list)
    other_sites: list[Option] = field(default_factory=list)

    @property
    def near_misses(self) -> list[Option]:
        return self.other_times + self.other_sites


def search_availability(
    *,
    actor: Actor | None,
    day: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    site: Site | None = None,
    capacity: int | None = None,
    features: Iterable[str] = (),
    kind: str = Resource.Kind.ROOM,
    accessible: bool = False,
    limit: int = 20,
) -> Availability:
    """ "A room for 20 with a projector at Liège on 12 March, 9:00-16:30"."""
    start = core.local_datetime(day, start_time, TZ)
    end = core.local_datetime(day, end_time, TZ)
    result = Availability()
    if end <= start:
        return result
    base = (
        Resource.objects.visible_to(actor)
        .active()
        .of_kind(kind)
        .with_capacity(capacity)
        .with_features(features)
    )
    if accessible:
        base = base.filter(accessible=True)
    # The sites with a matching resource (one query, a few dozen rows at most).
    site_objects = Site.objects.in_bulk(set(base.values_list("site_id", flat=True).distinct()))
    if site is not None:
        # The asked site, then only its nearest neighbours for the "other sites" near misses.
        others = sorted(
            (
                (distance, other.pk)
                for other in site_objects.values()
                if other.pk != site.pk and (distance := _distance(site, other)) is not None
            ),
        )[:NEARBY_SITES]
        keep = {site.pk} | {pk for _d, pk in others}
        site_objects = {pk: obj for pk, obj in site_objects.items() if pk in keep}
        base = base.filter(site_id__in=list(site_objects))
    # Light rows first; model instances only for the resources that end up in the answer.
    candidates = [
        _Candidate(*row)
        for row in base.order_by("capacity", "name", "pk").values_list(
            "pk", "site_id", "setup_minutes", "cleanup_minutes"
        )
    ]
    if not candidates:
        return result
    span0, span1 = day_span(day)
    max_setup = dt.timedelta(minutes=max(c.setup for c in candidates))
    max_cleanup = dt.timedelta(minutes=max(c.cleanup for c in candidates))
    # Only what overlaps the asked times decides "free": a short read for every candidate.
    busy = busy_by_resource([c.pk for c in candidates], start - max_setup, end + max_cleanup)
    calendars = SiteCalendar.load_many(site_objects, day, day)
    here = [c for c in candidates if site is None or c.site_id == site.pk]
    elsewhere = [c for c in candidates if site is not None and c.site_id != site.pk]

    def fits(c: _Candidate) -> bool:
        b0 = start - dt.timedelta(minutes=c.setup)
        b1 = end + dt.timedelta(minutes=c.cleanup)
        return calendars[c.site_id].allows(start, end) and core.is_free(b0, b1, busy.get(c.pk, []))

    free = [c for c in here if fits(c)][:limit]
    other_times: list[tuple[_Candidate, dt.datetime, dt.datetime]] = []
    if len(free) < limit:
        free_ids = {c.pk for c in free}
        taken = [c for c in here if c.pk not in free_ids][: limit * 2]
        # The whole day, but only for the rooms whose other times we propose.
        day_busy = busy_by_resource(
            [c.pk for c in taken],
            min(span0, start) - max_setup,
            max(span1, end) + max_cleanup,
        )
        for c in taken:
            if len(other_times) >= limit:
                break
            for s0, s1 in core.nearest_free_slots(
                wanted_start=start,
                duration=end - start,
                busy=day_busy.get(c.pk, []),
                windows=calendars[c.site_id].windows(day),
                setup=dt.timedelta(minutes=c.setup),
                cleanup=dt.timedelta(minutes=c.cleanup),
                limit=1,
            ):
                other_times.append((c, s0, s1))
    other_sites: list[tuple[float | None, _Candidate]] = []
    if site is not None and elsewhere:
        ranked = []
        for order, c in enumerate(elsewhere):
            if fits(c):
                distance = _distance(site, site_objects[c.site_id])
                ranked.append((distance if distance is not None else 1e9, order, c))
        ranked.sort(key=lambda t: t[:2])
        other_sites = [(None if d >= 1e9 else round(d, 1), c) for d, _o, c in ranked[:limit]]
    wanted = {c.pk for c in free} | {c.pk for c, _s, _e in other_times}
    wanted |= {c.pk for _d, c in other_sites}
    models = Resource.objects.in_bulk(wanted)
    for model in models.values():
        model.site = site_objects[model.site_id]
    result.free = [Option(models[c.pk], start, end) for c in free]
    result.other_times = sorted(
        (Option(models[c.pk], s0, s1) for c, s0, s1 in other_times),
        key=lambda o: (abs((o.start - start).total_seconds()), o.resource.name),
    )
    result.other_sites = [Option(models[c.pk], start, end, d) for d, c in other_sites]
    return result


@dataclass(frozen=True)
class _Candidate:
    pk: int
    site_id: int
    setup: int
    cleanup: int


# --- Planning grids ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GridEntry:
    booking_id: int
    title: str
    status: str
    purpose: str
    start: dt.datetime
    end: dt.datetime
    blocked_start: dt.datetime
    blocked_end: dt.datetime
    participants: int | None
    requester_name: str
    hide_from_lobby: bool = False  # the lobby screen shows the room busy, without the title

    @property
    def is_pending(self) -> bool:
        return self.status == BookingStatus.REQUESTED


@dataclass
class GridRow:
    resource: Resource
    days: list[list[GridEntry]]  # one list per day of the grid, sorted by start


@dataclass
class Grid:
    site: Site
    days: list[dt.date]
    rows: list[GridRow]
    windows: list[list[core.Interval]]  # opening window(s) per day ([] = closed)
    closures: list[ClosurePeriod | None]  # the closure or holiday of each day, if any

    @property
    def start(self) -> dt.datetime:
        return day_span(self.days[0])[0]

    @property
    def end(self) -> dt.datetime:
        return day_span(self.days[-1])[1]


def _grid(site: Site, first: dt.date, n_days: int, kinds: Sequence[str] | None) -> Grid:
    days = [first + dt.timedelta(days=i) for i in range(n_days)]
    start, end = day_span(days[0])[0], day_span(days[-1])[1]
    resources_qs = Resource.objects.active().at_site(site)
    if kinds:
        resources_qs = resources_qs.filter(kind__in=kinds)
    resources = list(resources_qs.order_by("kind", "name"))
    rows = {r.pk: GridRow(r, [[] for _ in days]) for r in resources}
    index = {d: i for i, d in enumerate(days)}
    base = Reservation.objects.filter(resource_id__in=list(rows), booking__status__in=list(OPEN))
    # Plain tuples, not model instances: a busy week has hundreds of entries. The blocked
    # range is the booking's (start - set-up, end + clean-up: what its reservations hold),
    # computed here rather than read: parsing datetimes is most of this function's CPU.
    fields = (
        "resource_id",
        "booking__start",
        "booking__end",
        "booking__setup_minutes",
        "booking__cleanup_minutes",
        "booking_id",
        "booking__title",
        "booking__status",
        "booking__purpose",
        "booking__participants",
        "booking__requester__first_name",
        "booking__requester__last_name",
        "booking__requester__email",
        "booking__hide_from_lobby",
    )
    rows_data = sorted(
        overlapping_values(base, start, end, *fields),
        key=lambda row: row[1] - dt.timedelta(minutes=row[3]),
    )
    first_day, last_day = days[0], days[-1]
    for (
        resource_id,
        bstart,
        bend,
        setup,
        cleanup,
        booking_id,
        title,
        status,
        purpose,
        participants,
        first_name,
        last_name,
        email,
        hide_from_lobby,
    ) in rows_data:
        if resource_id not in rows:
            continue
        b0 = bstart - dt.timedelta(minutes=setup)
        b1 = bend + dt.timedelta(minutes=cleanup)
        entry = GridEntry(
            booking_id=booking_id,
            title=title,
            status=status,
            purpose=purpose,
            start=bstart,
            end=bend,
            blocked_start=b0,
            blocked_end=b1,
            participants=participants,
            requester_name=f"{first_name} {last_name}".strip() or email,
            hide_from_lobby=bool(hide_from_lobby),
        )
        # A booking shows on every grid day it touches.
        day = max(local_day(b0), first_day)
        last = min(local_day(b1 - dt.timedelta(microseconds=1)), last_day)
        row_days = rows[resource_id].days
        while day <= last:
            row_days[index[day]].append(entry)
            day += dt.timedelta(days=1)
    calendar = SiteCalendar.load(site, days[0], days[-1])
    return Grid(
        site=site,
        days=days,
        rows=list(rows.values()),
        windows=[calendar.windows(d, default=False) for d in days],
        closures=[calendar.closure_on(d) for d in days],
    )


def week_grid(site: Site, monday: dt.date, *, kinds: Sequence[str] | None = None) -> Grid:
    """The planning grid of a site for the week starting on ``monday`` (any date is moved back
    to its Monday): each active resource (optionally only some kinds) with its confirmed and
    pending bookings per local day, the opening windows and closures of each day. 4 queries."""
    monday = monday - dt.timedelta(days=monday.weekday())
    return _grid(site, monday, 7, kinds)


def day_grid(site: Site, day: dt.date, *, kinds: Sequence[str] | None = None) -> Grid:
    """The same for one day (the lobby screen's "now / next", the occupancy portal)."""
    return _grid(site, day, 1, kinds)


def bookings_of_day(site: Site, day: dt.date) -> QuerySet[Booking]:
    """Confirmed bookings of a site that touch a local day, with their catering lines (for the
    daily catering list)."""
    start, end = day_span(day)
    return (
        Booking.objects.approved()
        .filter(site=site)
        .between(start, end)
        .prefetch_related("catering_lines__item", "resources")
        .order_by("start")
    )
