from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from parcours.accounts.models import Role


def membership(request: HttpRequest) -> dict[str, Any]:
    """Expose the current organisation and the roles held there to every template."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    actor = request.actor  # type: ignore[attr-defined]
    org = request.organisation  # type: ignore[attr-defined]
    roles = actor.roles_by_org.get(org.pk, frozenset()) if org else frozenset()
    return {
        "current_organisation": org,
        "current_roles": roles,
        "is_coordinator": bool(org) and actor.has_role(org, Role.COORDINATOR),
        "has_several_orgs": len(actor.roles_by_org) > 1,
    }
