"""Home-page panel: "Mes données" for every signed-in person (no query)."""

from __future__ import annotations

from typing import Any

from parcours.accounts import dashboard
from parcours.lib.http import AuthedRequest


def my_data(request: AuthedRequest) -> dict[str, Any] | None:
    return {}


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
