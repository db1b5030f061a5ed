"""iCalendar feeds (RFC 5545) of a resource or a whole site, served at secret-token URLs.

Times are written in UTC (``DTSTART:20310312T080000Z``), which every calendar client shows in
its own zone; confirmed bookings are CONFIRMED, pending requests TENTATIVE. The feed holds the
last 30 days and the next 400.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from icalendar import Calendar, Event

from parcours.scheduling.models import Booking
from parcours.scheduling.querysets import BookingQuerySet
from parcours.scheduling.states import BookingStatus

PAST = dt.timedelta(days=30)
FUTURE = dt.timedelta(days=400)


def feed_bookings(qs: BookingQuerySet, now: dt.datetime | None = None) -> QuerySet[Booking]:
    now = now or timezone.now()
    return (
        qs.open()
        .filter(end__gte=now - PAST, start__lte=now + FUTURE)
        .select_related("site")
        .prefetch_related("resources")
        .order_by("start")
        .distinct()
    )


def render_calendar(name: str, bookings: QuerySet[Booking]) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Parcours//Réservations//FR")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    host = settings.SITE_URL.split("//", 1)[-1].split("/", 1)[0] or "parcours"
    for booking in bookings:
        event = Event()
        event.add("uid", f"booking-{booking.pk}@{host}")
        event.add("dtstamp", booking.updated_at.astimezone(dt.UTC))
        event.add("dtstart", booking.start.astimezone(dt.UTC))
        event.add("dtend", booking.end.astimezone(dt.UTC))
        event.add("summary", booking.title)
        rooms = ", ".join(r.name for r in booking.resources.all())
        event.add("location", f"{booking.site.name} — {rooms}" if rooms else booking.site.name)
        event.add(
            "status",
            "CONFIRMED" if booking.status == BookingStatus.APPROVED else "TENTATIVE",
        )
        event.add("categories", [booking.purpose])
        cal.add_component(event)
    return bytes(cal.to_ical())
