"""Logistics figures (room occupancy, parking, catering, loans) and outreach (pupils reached by
the mobile units, with the historical baseline). Reads scheduling; writes nothing."""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
from collections import Counter, defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django.core.cache import cache
from django.db.models import QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.lib import dates
from parcours.lib.figures import Contribution, Figure, Table
from parcours.reporting import facts
from parcours.reporting.models import OutreachBaseline
from parcours.reporting.periods import Filters, Period
from parcours.scheduling.models import (
    Booking,
    CateringLine,
    Loan,
    OutreachPupilCount,
    OutreachRequest,
    Reservation,
    Resource,
)
from parcours.scheduling.planning import SiteCalendar
from parcours.scheduling.states import BookingStatus

OCCUPANCY_TTL = 24 * 3600  # s

D = {
    "occupancy": _(
        "Heures réservées (réservations confirmées, sans les temps d'installation et de "
        "rangement) pendant les heures d'ouverture, divisées par les heures d'ouverture des "
        "salles sur la période (jours de fermeture exclus ; site sans horaires : 8 h à 18 h)."
    ),
    "parking": _("Réservations confirmées de places de parking commençant dans la période."),
    "catering": _(
        "Quantités commandées avec des réservations confirmées commençant dans la période, "
        "par mois et par article."
    ),
    "loans": _("Prêts de matériel commencés dans la période."),
    "overdue": _(
        "Prêts commencés dans la période rendus après la date prévue, ou pas encore rendus "
        "alors que la date prévue est passée."
    ),
    "length": _("Durée moyenne, en jours, des prêts commencés dans la période et déjà rendus."),
    "pupils": _(
        "Élèves des animations confirmées dont le premier jour tombe dans la période et est "
        "passé (comptes par année d'études, jamais de noms)."
    ),
    "visits": _("Animations confirmées dont le premier jour tombe dans la période et est passé."),
    "since": _(
        "Élèves atteints depuis le début : l'historique saisi par l'organisation avant "
        "Parcours, plus les élèves de toutes les animations confirmées passées jusqu'au "
        "dernier jour de la période."
    ),
}

Interval = tuple[dt.datetime, dt.datetime]


def _hours(seconds: float) -> Decimal:
    return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.01"))


def _percent(part: float, whole: float) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def _approved(ids: Sequence[int], filters: Filters) -> QuerySet[Booking]:
    qs = Booking.objects.filter(organisation_id__in=ids, status=BookingStatus.APPROVED)
    if filters.site:
        qs = qs.filter(site_id=filters.site)
    return qs


def _windows(calendar: SiteCalendar, period: Period) -> list[Interval]:
    out: list[Interval] = []
    day = period.first
    while day <= period.last:
        out += calendar.windows(day)
        day += dt.timedelta(days=1)
    return out


def _overlap_seconds(windows: list[Interval], starts: list[dt.datetime], span: Interval) -> float:
    """Seconds of ``span`` inside the (sorted, disjoint) windows."""
    start, end = span
    total = 0.0
    i = max(0, bisect.bisect_right(starts, start) - 1)
    while i < len(windows) and windows[i][0] < end:
        w0, w1 = windows[i]
        lo, hi = max(w0, start), min(w1, end)
        if hi > lo:
            total += (hi - lo).total_seconds()
        i += 1
    return total


def occupancy_rows(ids: Sequence[int], period: Period, filters: Filters) -> list[tuple]:
    """(site, room, booked hours, opening hours, rate) per active room of the organisations.

    Kept in the cache under ``facts.raw_generation()``: a token the database triggers renew
    whenever a booking, reservation, room, opening hours, closure or site row changes."""
    key = (
        "reporting:occupancy:"
        + hashlib.sha256(
            f"{facts.raw_generation()}|{sorted(ids)}|{period.first}|{period.last}|{filters.site}".encode()
        ).hexdigest()
    )
    found = cache.get(key)
    if isinstance(found, list):
        return found
    rows = _occupancy_rows(ids, period, filters)
    cache.set(key, rows, OCCUPANCY_TTL)
    return rows


def _occupancy_rows(ids: Sequence[int], period: Period, filters: Filters) -> list[tuple]:
    start, end = period.bounds()
    rooms = Resource.objects.filter(
        organisation_id__in=ids, kind=Resource.Kind.ROOM, is_active=True
    )
    if filters.site:
        rooms = rooms.filter(site_id=filters.site)
    rooms_list = list(rooms.select_related("site").order_by("site__name", "name"))
    calendars = SiteCalendar.load_many({r.site_id for r in rooms_list}, period.first, period.last)
    windows = {site_id: _windows(cal, period) for site_id, cal in calendars.items()}
    booked: dict[int, float] = defaultdict(float)
    spans = (
        Reservation.objects.filter(
            resource__in=[r.pk for r in rooms_list],
            booking__status=BookingStatus.APPROVED,
            booking__start__lt=end,
            booking__end__gt=start,
        )
        .order_by()
        .values_list("resource_id", "resource__site_id", "booking__start", "booking__end")
    )
    starts = {site_id: [w[0] for w in ws] for site_id, ws in windows.items()}
    for resource_id, site_id, b_start, b_end in spans.iterator(chunk_size=5_000):
        booked[resource_id] += _overlap_seconds(windows[site_id], starts[site_id], (b_start, b_end))
    rows = []
    for room in rooms_list:
        opening = sum((w1 - w0).total_seconds() for w0, w1 in windows[room.site_id])
        rows.append(
            (
                room.site.name,
                room.name,
                _hours(booked[room.pk]),
                _hours(opening),
                _percent(booked[room.pk], opening),
            )
        )
    return rows


def parking_and_catering(
    ids: Sequence[int], period: Period, filters: Filters
) -> tuple[int, Counter[str], Counter[tuple[str, str]]]:
    """Parking places reserved, per site, and catering quantities per month and item, for the
    approved bookings starting in the period; cached like the occupancy (the triggers also
    note catering lines and items)."""
    key = (
        "reporting:parking:"
        + hashlib.sha256(
            f"{facts.raw_generation()}|{sorted(ids)}|{period.first}|{period.last}|{filters.site}".encode()
        ).hexdigest()
    )
    found = cache.get(key)
    if isinstance(found, tuple):
        return found
    start, end = period.bounds()
    approved = _approved(ids, filters).filter(start__gte=start, start__lt=end)
    parking = Reservation.objects.filter(booking__in=approved, resource__kind=Resource.Kind.PARKING)
    parking_by_site = Counter(parking.values_list("resource__site__name", flat=True))
    zone = dates.platform_zone()
    catering: Counter[tuple[str, str]] = Counter()
    lines = CateringLine.objects.filter(booking__in=approved).values_list(
        "booking__start", "item__label_fr", "count"
    )
    for served, item, count in lines.iterator(chunk_size=5_000):
        local = served.astimezone(zone)
        catering[(f"{local.year}-{local.month:02d}", item)] += count
    result = (sum(parking_by_site.values()), parking_by_site, catering)
    cache.set(key, result, OCCUPANCY_TTL)
    return result


def logistics(ids: Sequence[int], period: Period, filters: Filters) -> Contribution:
    start, end = period.bounds()
    now = timezone.now()
    rooms = occupancy_rows(ids, period, filters)
    booked = sum(Decimal(r[2]) for r in rooms)
    opening = sum(Decimal(r[3]) for r in rooms)

    parking_count, parking_by_site, catering = parking_and_catering(ids, period, filters)
    catering_total = sum(catering.values())

    loans = Loan.objects.filter(organisation_id__in=ids, start__gte=start, start__lt=end)
    if filters.site:
        loans = loans.filter(resource__site_id=filters.site)
    loan_rows = list(loans.values_list("start", "due", "returned_at"))
    overdue = sum(
        1
        for _start, due, returned in loan_rows
        if (returned is not None and returned > due) or (returned is None and due < now)
    )
    lengths = [(r - s).total_seconds() / 86400 for s, _d, r in loan_rows if r is not None]
    average = (
        (Decimal(sum(lengths)) / Decimal(len(lengths))).quantize(Decimal("0.1"))
        if lengths
        else None
    )

    loans_link = reverse("scheduling:loans")
    figures = (
        Figure(
            "logistics.room_occupancy",
            _("Occupation des salles"),
            _percent(float(booked), float(opening)),
            "percent",
            D["occupancy"],
        ),
        Figure(
            "logistics.room_hours", _("Heures de salle réservées"), booked, "hours", D["occupancy"]
        ),
        Figure(
            "logistics.parking", _("Réservations de parking"), parking_count, "count", D["parking"]
        ),
        Figure(
            "logistics.catering",
            _("Articles de catering commandés"),
            catering_total,
            "count",
            D["catering"],
        ),
        Figure(
            "logistics.loans",
            _("Prêts de matériel"),
            len(loan_rows),
            "count",
            D["loans"],
            link=loans_link,
        ),
        Figure(
            "logistics.loans_overdue",
            _("Prêts en retard"),
            overdue,
            "count",
            D["overdue"],
            link=loans_link,
        ),
        Figure("logistics.loan_days", _("Durée moyenne d'un prêt"), average, "days", D["length"]),
    )
    tables = (
        Table(
            key="logistics.rooms",
            title=_("Occupation par site et par salle"),
            columns=(
                _("Site"),
                _("Salle"),
                _("Heures réservées"),
                _("Heures d'ouverture"),
                _("Taux (%)"),
            ),
            rows=tuple(rooms),
            chart="bar",
            definition=D["occupancy"],
        ),
        Table(
            key="logistics.parking_by_site",
            title=_("Réservations de parking par site"),
            columns=(_("Site"), _("Réservations")),
            rows=tuple(sorted(parking_by_site.items())),
            chart="bar",
            definition=D["parking"],
        ),
        Table(
            key="logistics.catering",
            title=_("Catering par mois et par article"),
            columns=(_("Mois"), _("Article"), _("Quantité")),
            rows=tuple((month, item, n) for (month, item), n in sorted(catering.items())),
            definition=D["catering"],
        ),
    )
    return Contribution(figures=figures, tables=tables)


def _outreach_counts(ids: Sequence[int], filters: Filters) -> QuerySet[OutreachPupilCount]:
    qs = OutreachPupilCount.objects.filter(
        request__organisation_id__in=ids, request__booking__status=BookingStatus.APPROVED
    )
    if filters.site:
        qs = qs.filter(request__booking__site_id=filters.site)
    return qs


def outreach(ids: Sequence[int], period: Period, filters: Filters) -> Contribution:
    start, end = period.bounds()
    now = timezone.now()
    upto = min(end, now)
    counts = _outreach_counts(ids, filters).filter(
        request__booking__start__gte=start, request__booking__start__lt=upto
    )
    pupils = counts.aggregate(n=Sum("count"))["n"] or 0
    visits = OutreachRequest.objects.filter(
        organisation_id__in=ids,
        booking__status=BookingStatus.APPROVED,
        booking__start__gte=start,
        booking__start__lt=upto,
    )
    if filters.site:
        visits = visits.filter(booking__site_id=filters.site)
    since = _outreach_counts(ids, filters).filter(request__booking__start__lt=upto)
    baselines = OutreachBaseline.objects.filter(organisation_id__in=ids)
    if filters.site:
        baselines = baselines.filter(unit__site_id=filters.site)
    baseline = baselines.aggregate(n=Sum("pupils"))["n"] or 0
    total_since = baseline + (since.aggregate(n=Sum("count"))["n"] or 0)

    def breakdown(*fields: str) -> list[tuple]:
        return [
            (*(row[f] for f in fields), row["n"])
            for row in counts.values(*fields).annotate(n=Sum("count")).order_by(*fields)
        ]

    by_unit = breakdown("request__activity__unit__name")
    by_activity = breakdown("request__activity__unit__name", "request__activity__title_fr")
    by_school = breakdown("request__school_name", "request__school_city")
    grades = dict(breakdown("grade"))
    figures = (
        Figure("outreach.pupils", _("Élèves atteints"), pupils, "people", D["pupils"], True),
        Figure("outreach.visits", _("Animations réalisées"), visits.count(), "count", D["visits"]),
        Figure(
            "outreach.pupils_since_start",
            _("Élèves atteints depuis le début"),
            total_since,
            "people",
            D["since"],
            True,
        ),
    )
    tables = (
        Table(
            key="outreach.by_unit",
            title=_("Élèves atteints par unité mobile"),
            columns=(_("Unité"), _("Élèves")),
            rows=tuple(by_unit),
            people_columns=(1,),
            chart="bar",
            definition=D["pupils"],
        ),
        Table(
            key="outreach.by_activity",
            title=_("Élèves atteints par animation"),
            columns=(_("Unité"), _("Animation"), _("Élèves")),
            rows=tuple(by_activity),
            people_columns=(2,),
        ),
        Table(
            key="outreach.by_school",
            title=_("Élèves atteints par école"),
            columns=(_("École"), _("Localité"), _("Élèves")),
            rows=tuple(by_school),
            people_columns=(2,),
        ),
        Table(
            key="outreach.by_grade",
            title=_("Élèves atteints par année d'études"),
            columns=(_("Année"), _("Élèves")),
            rows=tuple(
                (str(label), grades.get(value, 0))
                for value, label in OutreachPupilCount.Grade.choices
            ),
            people_columns=(1,),
            chart="bar",
        ),
    )
    return Contribution(figures=figures, tables=tables)
