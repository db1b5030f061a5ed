"""Calendar (iCalendar) feeds of a resource or a site, opened by a secret token."""

from __future__ import annotations

from django.http import Http404, HttpResponse

from parcours.lib.http import AuthedRequest
from parcours.scheduling import ical
from parcours.scheduling.models import (
    Booking,
    Resource,
    SitePolicy,
)


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=300"
    return response


def resource_feed(request: AuthedRequest, token: str) -> HttpResponse:
    resource = Resource.objects.filter(feed_token=token).select_related("site").first()
    if resource is None or not token:
        raise Http404
    bookings = ical.feed_bookings(Booking.objects.filter(resources=resource))
    return _ics(
        ical.render_calendar(f"{resource.name} ({resource.site.name})", bookings),
        f"{resource.code}.ics",
    )


def site_feed(request: AuthedRequest, token: str) -> HttpResponse:
    policy = SitePolicy.objects.filter(feed_token=token).select_related("site").first()
    if policy is None or not token:
        raise Http404
    bookings = ical.feed_bookings(Booking.objects.filter(site=policy.site))
    return _ics(ical.render_calendar(policy.site.name, bookings), f"{policy.site.slug}.ics")
