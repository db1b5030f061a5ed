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

    def has(*wanted: str) -> bool:
        return bool(org) and actor.has_role(org, *wanted)

    return {
        "current_organisation": org,
        "current_roles": roles,
        "is_coordinator": has(Role.COORDINATOR),
        "is_trainer": has(Role.TRAINER),
        "is_logistics": has(Role.LOGISTICS),
        "is_school_contact": has(Role.SCHOOL_CONTACT),
        "is_staff_member": has(Role.COORDINATOR, Role.TRAINER, Role.LOGISTICS, Role.SCHOOL_CONTACT),
        # Read-only agents look at room occupancy and the plannings, and change nothing.
        "is_agent": has(Role.AGENT),
        "has_several_orgs": len(actor.roles_by_org) > 1,
    }
