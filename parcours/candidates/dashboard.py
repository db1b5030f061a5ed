"""The home-page panel of calls for applications (registered in ``apps.py``): the open calls of
the current organisation with their number of applications. One query."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.utils import timezone

from parcours.accounts import dashboard
from parcours.accounts.models import Organisation
from parcours.accounts.permissions import Actor
from parcours.candidates.actions import READERS
from parcours.candidates.models import Call
from parcours.lib.http import AuthedRequest

SHOWN = 5


def _applies(actor: Actor, organisation: Organisation | None) -> bool:
    return organisation is not None and actor.has_role(organisation, *READERS)


def open_calls(request: AuthedRequest) -> dict[str, Any] | None:
    org = request.organisation
    if org is None:
        return None
    now = timezone.now()
    calls = list(
        Call.objects.filter(organisation=org, opens_at__lte=now, closes_at__gt=now)
        .annotate(received=Count("applications"))
        .order_by("closes_at", "pk")[:SHOWN]
    )
    return {"calls": calls}


def register() -> None:
    dashboard.register(
        dashboard.Panel(
            key="candidates.open_calls",
            order=3,
            applies=_applies,
            build=open_calls,
            template="candidates/dashboard/open_calls.html",
        )
    )
