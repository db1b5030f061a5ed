"""The home-page webinars panel for the current organisation's coordinators and trainers: the
webinars still to come and the way to the list, the replays and their viewing figures. One
query."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from parcours.accounts import dashboard
from parcours.accounts.models import Role
from parcours.lib.http import AuthedRequest
from parcours.webinars.models import Webinar


def upcoming(request: AuthedRequest) -> dict[str, Any] | None:
    org = request.organisation
    if org is None:
        return None
    count = Webinar.objects.filter(organisation=org, session__ends_at__gte=timezone.now()).count()
    manager = request.actor.has_role(org, Role.COORDINATOR)
    return {"upcoming": count, "manager": manager, "org": org}


def register() -> None:
    dashboard.register(
        dashboard.Panel(
            key="webinars.upcoming",
            order=940,
            applies=dashboard.with_role(Role.COORDINATOR, Role.TRAINER),
            build=upcoming,
            template="webinars/dashboard/upcoming.html",
        )
    )
