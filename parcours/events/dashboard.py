"""The coordinators' events panel on the home page (registered in ``apps.py``): the events of
the current organisation still to come, with a link to the events page. One query."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from parcours.accounts import dashboard
from parcours.accounts.models import Organisation
from parcours.accounts.permissions import Actor
from parcours.events import actions
from parcours.events.models import Event
from parcours.lib.http import AuthedRequest


def _applies(actor: Actor, organisation: Organisation | None) -> bool:
    return organisation is not None and actor.has_role(organisation, *actions.MANAGERS)


def upcoming(request: AuthedRequest) -> dict[str, Any] | None:
    org = request.organisation
    if org is None:
        return None
    return {
        "upcoming": Event.objects.filter(
            organisation=org, ends_on__gte=timezone.localdate()
        ).count()
    }


def register() -> None:
    dashboard.register(
        dashboard.Panel(
            key="events.upcoming",
            order=930,
            applies=_applies,
            build=upcoming,
            template="events/dashboard/upcoming.html",
        )
    )
