"""Home-page panel of the scheduling app: what the logistics team of the current organisation
has to decide, and how busy today is (one query; see accounts/dashboard.py)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from parcours.accounts import dashboard
from parcours.accounts.models import Role
from parcours.lib.http import AuthedRequest
from parcours.scheduling import planning
from parcours.scheduling.models import Booking
from parcours.scheduling.states import BookingStatus


def logistics_today(request: AuthedRequest) -> dict[str, Any] | None:
    org = request.organisation
    if org is None:
        return None
    now = timezone.now()
    day_start, day_end = planning.day_span(planning.local_day(now))
    today_q = Q(status=BookingStatus.APPROVED, start__lt=day_end, end__gt=day_start)
    pending_q = Q(status=BookingStatus.REQUESTED, end__gt=now)
    return Booking.objects.filter(organisation=org).aggregate(
        pending=Count("pk", filter=pending_q),
        today=Count("pk", filter=today_q),
    )


def register() -> None:
    dashboard.register(
        dashboard.Panel(
            key="scheduling.logistics_today",
            order=2,
            applies=dashboard.with_role(Role.LOGISTICS),
            build=logistics_today,
            template="scheduling/dashboard/logistics_today.html",
        )
    )
