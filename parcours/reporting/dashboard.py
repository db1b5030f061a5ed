"""Home-page panel: a link to the reports, for those who may read them (no query)."""

from __future__ import annotations

from typing import Any

from parcours.accounts import dashboard
from parcours.accounts.models import Organisation
from parcours.accounts.permissions import Actor
from parcours.lib.http import AuthedRequest
from parcours.reporting import permissions


def may_read(actor: Actor, organisation: Organisation | None) -> bool:
    return organisation is not None and permissions.may_view_reports(actor, organisation)


def reports(request: AuthedRequest) -> dict[str, Any] | None:
    return {}


def register() -> None:
    dashboard.register(
        dashboard.Panel(
            key="reporting.reports",
            order=800,
            applies=may_read,
            build=reports,
            template="reporting/dashboard/reports.html",
        )
    )
