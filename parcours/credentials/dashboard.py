"""Home-page panel of the credentials app: how many badges the person holds (one query)."""

from __future__ import annotations

from typing import Any

from parcours.accounts import dashboard
from parcours.credentials.models import IssuedCredential
from parcours.credentials.states import CredentialStatus
from parcours.lib.http import AuthedRequest


def my_badges(request: AuthedRequest) -> dict[str, Any] | None:
    count = (
        IssuedCredential.objects.of_learner(request.user.pk)
        .filter(status=CredentialStatus.ISSUED)
        .count()
    )
    if not count and dashboard.holds_staff_role(request.actor, request.organisation):
        return None
    return {"count": count}


def register() -> None:
    dashboard.register(
        dashboard.Panel(
            key="credentials.my_badges",
            order=30,
            applies=dashboard.everyone,
            build=my_badges,
            template="credentials/dashboard/my_badges.html",
        )
    )
