"""The "Administration" panel of "Mon espace", for the administrators of the current
organisation (registered from ``AccountsConfig.ready``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone

from parcours.accounts import dashboard
from parcours.accounts.models import Invitation, Role

if TYPE_CHECKING:
    from parcours.lib.http import AuthedRequest


def build(request: AuthedRequest) -> dict[str, Any] | None:
    organisation = request.organisation
    if not organisation:
        return None
    pending = Invitation.objects.filter(
        organisation=organisation,
        accepted_at=None,
        revoked_at=None,
        expires_at__gt=timezone.now(),
    ).count()
    return {"pending": pending}


def register() -> None:
    dashboard.register(
        dashboard.Panel(
            key="accounts.administration",
            order=90,
            applies=dashboard.with_role(Role.ADMINISTRATOR),
            build=build,
            template="accounts/admin/dashboard_panel.html",
        )
    )
