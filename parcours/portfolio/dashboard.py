"""Home-page panel: links to the portfolio, the projects, and (for trainers and coordinators of
the current organisation) the projects to review. No query: the roles are already loaded."""

from __future__ import annotations

from typing import Any

from parcours.accounts import dashboard
from parcours.accounts.models import Role
from parcours.lib.http import AuthedRequest


def links(request: AuthedRequest) -> dict[str, Any] | None:
    org = request.organisation
    reviewer = org is not None and request.actor.has_role(org, Role.TRAINER, Role.COORDINATOR)
    return {"reviewer": reviewer}


def register() -> None:
    dashboard.register(
        dashboard.Panel(
            key="portfolio.links",
            order=920,
            applies=dashboard.everyone,
            build=links,
            template="portfolio/dashboard/links.html",
        )
    )
