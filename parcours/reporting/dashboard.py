"""Home-page panels: a link to the organisation's reports for those who may read them (no
query), and the networks a person reads (one query)."""

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


def networks(request: AuthedRequest) -> dict[str, Any] | None:
    """The networks the person reads (a funder holds no role in the organisations)."""
    readable = list(permissions.networks_for(request.user)[:10])
    return {"networks": readable} if readable else None


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
    dashboard.register(
        dashboard.Panel(
            key="reporting.networks",
            order=810,
            applies=dashboard.everyone,
            build=networks,
            template="reporting/dashboard/networks.html",
        )
    )
