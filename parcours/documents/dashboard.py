"""Home-page panel of the documents app: how many attestations the person holds (one query)."""

from __future__ import annotations

from typing import Any

from parcours.accounts import dashboard
from parcours.documents.models import Attestation
from parcours.lib.http import AuthedRequest


def my_attestations(request: AuthedRequest) -> dict[str, Any] | None:
    count = Attestation.objects.valid().of_learner(request.user.pk).count()
    if not count and dashboard.holds_staff_role(request.actor, request.organisation):
        return None
    return {"count": count}


def register() -> None:
    dashboard.register(
        dashboard.Panel(
            key="documents.my_attestations",
            order=31,
            applies=dashboard.everyone,
            build=my_attestations,
            template="documents/dashboard/my_attestations.html",
        )
    )
