"""The home-page panel of class mode (registered in ``apps.py``): for the staff of an
organisation that has worlds to show, the way to open a class visit and to curate the worlds.
One query (does the organisation have a world?)."""

from __future__ import annotations

from typing import Any

from parcours.accounts import dashboard
from parcours.accounts.models import STAFF_ROLES, Organisation
from parcours.accounts.permissions import Actor
from parcours.lib.http import AuthedRequest
from parcours.orientation import class_actions
from parcours.orientation.models import World


def _applies(actor: Actor, organisation: Organisation | None) -> bool:
    return organisation is not None and actor.has_role(organisation, *STAFF_ROLES)


def class_mode(request: AuthedRequest) -> dict[str, Any] | None:
    org = request.organisation
    if org is None or not World.objects.filter(organisation=org).exists():
        return None
    return {
        "organisation": org,
        "may_curate": request.actor.has_role(org, *class_actions.CONTENT_EDITORS),
    }


def register() -> None:
    dashboard.register(
        dashboard.Panel(
            key="orientation.class_mode",
            order=40,
            applies=_applies,
            build=class_mode,
            template="orientation/dashboard/class_mode.html",
        )
    )
