"""Home-page panels: "Mes données" for every signed-in person, and the erasure of a learner's
data for the administrators of the current organisation (no query: links only)."""

from __future__ import annotations

from typing import Any

from parcours.accounts import dashboard
from parcours.accounts.models import Role
from parcours.lib.http import AuthedRequest


def my_data(request: AuthedRequest) -> dict[str, Any] | None:
    return {}


def learners_data(request: AuthedRequest) -> dict[str, Any] | None:
    return {"organisation": request.organisation}


def register() -> None:
    dashboard.register(
        dashboard.Panel(
            key="privacy.my_data",
            order=900,
            applies=dashboard.everyone,
            build=my_data,
            template="privacy/dashboard/my_data.html",
        )
    )
    dashboard.register(
        dashboard.Panel(
            key="privacy.learners_data",
            order=910,
            applies=dashboard.with_role(Role.ADMINISTRATOR),
            build=learners_data,
            template="privacy/dashboard/learners_data.html",
        )
    )
