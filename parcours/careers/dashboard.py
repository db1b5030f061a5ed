"""The career manager's panel on the home page (registered in ``apps.py``): their caseload and
the next actions overdue. Two queries, current organisation only."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from parcours.accounts import dashboard
from parcours.accounts.models import Organisation
from parcours.accounts.permissions import Actor
from parcours.careers import permissions
from parcours.careers.models import CareerFile, FollowUp
from parcours.lib.http import AuthedRequest


def _applies(actor: Actor, organisation: Organisation | None) -> bool:
    return organisation is not None and permissions.is_career_manager(actor, organisation)


def caseload(request: AuthedRequest) -> dict[str, Any] | None:
    org = request.organisation
    if org is None:
        return None
    today = timezone.localdate()
    mine = CareerFile.objects.of_organisation(org.pk).active(today).filter(manager=request.user)
    return {
        "followed": mine.count(),
        "overdue": FollowUp.objects.open_actions()
        .filter(file__in=mine, next_due__lt=today)
        .count(),
    }


def register() -> None:
    dashboard.register(
        dashboard.Panel(
            key="careers.caseload",
            order=2,
            applies=_applies,
            build=caseload,
            template="careers/dashboard/caseload.html",
        )
    )
