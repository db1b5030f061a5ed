"""Who sees career files.

Career notes are private to the organisation's career managers: the role must be held
explicitly (an administrator who is not a career manager does not see them, nor does a platform
superuser). Coordinators may assign people to a career manager (from an application or a
session's learners) but see no notes.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from parcours.accounts.models import Organisation, Role
from parcours.accounts.permissions import Actor

ASSIGNERS = (Role.CAREER_MANAGER, Role.COORDINATOR)


def _org_id(organisation: Organisation | int) -> int:
    return organisation if isinstance(organisation, int) else organisation.pk


def is_career_manager(actor: Actor, organisation: Organisation | int) -> bool:
    """Holds the career-manager role itself in the organisation (no inheritance)."""
    held = actor.roles_by_org.get(_org_id(organisation), frozenset())
    return bool(actor.user.is_authenticated and actor.user.is_active) and (
        Role.CAREER_MANAGER in held
    )


def require_career_manager(actor: Actor, organisation: Organisation | int) -> None:
    if not is_career_manager(actor, organisation):
        raise PermissionDenied(_("Réservé aux chargé·es de suivi de carrière de l'organisation."))


def may_assign(actor: Actor, organisation: Organisation | int) -> bool:
    return is_career_manager(actor, organisation) or actor.has_role(
        _org_id(organisation), Role.COORDINATOR
    )


def require_assigner(actor: Actor, organisation: Organisation | int) -> None:
    if not may_assign(actor, organisation):
        raise PermissionDenied(
            _("Réservé aux chargé·es de suivi et aux coordinateurs de l'organisation.")
        )


def career_manager_orgs(actor: Actor) -> list[int]:
    return [org_id for org_id in actor.roles_by_org if is_career_manager(actor, org_id)]
