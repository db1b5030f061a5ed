"""Who may book, approve, cancel and manage resources.

- Logistics (and administrators) of the organisation that owns the resources manage them, book
  them directly (confirmed at once) and decide on requests.
- Coordinators and trainers of that organisation book directly the resources that do not
  require approval, and request the others.
- School contacts of the organisation request (approval needed).
- Staff of another organisation may request resources of a site that accepts external
  requests. Learners and the public cannot book.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from parcours.accounts.models import STAFF_ROLES, Organisation, Role
from parcours.accounts.permissions import Actor
from parcours.scheduling.states import BookingStatus

if TYPE_CHECKING:
    from parcours.scheduling.models import Booking, Resource

MANAGERS = (Role.LOGISTICS,)
# Sites, their rooms and resources are administered by the organisation itself: its
# administrators and its logistics team (issue #10).
SITE_ADMINS = (Role.ADMINISTRATOR, Role.LOGISTICS)
DIRECT_BOOKERS = (Role.COORDINATOR, Role.TRAINER)


def is_logistics(actor: Actor, organisation: Organisation | int) -> bool:
    return actor.is_platform_admin or actor.has_role(organisation, *MANAGERS)


def booking_status_for(actor: Actor, resources: Iterable[Resource]) -> str:
    """The status a new booking of these resources by this actor starts in, or
    PermissionDenied when the actor may not even ask."""
    items = list(resources)
    if not items:
        raise PermissionDenied(_("Choisissez au moins une ressource."))
    org_id = items[0].organisation_id
    if is_logistics(actor, org_id):
        return BookingStatus.APPROVED
    if actor.has_role(org_id, *DIRECT_BOOKERS):
        if all(not r.requires_approval for r in items):
            return BookingStatus.APPROVED
        return BookingStatus.REQUESTED
    if actor.has_role(org_id, Role.SCHOOL_CONTACT):
        return BookingStatus.REQUESTED
    if actor.orgs_with_role(*STAFF_ROLES) and all(_accepts_external(r) for r in items):
        return BookingStatus.REQUESTED
    raise PermissionDenied(_("Vous ne pouvez pas réserver ces ressources."))


def _accepts_external(resource: Resource) -> bool:
    policy = getattr(resource.site, "policy", None)
    return bool(policy and policy.accepts_external_requests)


def can_decide(actor: Actor, booking: Booking) -> bool:
    return is_logistics(actor, booking.organisation_id)


def can_cancel(actor: Actor, booking: Booking) -> bool:
    return booking.requester_id == actor.user.pk or is_logistics(actor, booking.organisation_id)


def can_change(actor: Actor, booking: Booking) -> bool:
    return can_cancel(actor, booking)


def require_logistics(actor: Actor, organisation: Organisation | int) -> None:
    if not is_logistics(actor, organisation):
        raise PermissionDenied(_("Réservé à la cellule logistique de l'organisation."))


def is_site_admin(actor: Actor, organisation: Organisation | int) -> bool:
    return actor.is_platform_admin or actor.has_role(organisation, *SITE_ADMINS)


def require_site_admin(actor: Actor, organisation: Organisation | int) -> None:
    if not is_site_admin(actor, organisation):
        raise PermissionDenied(
            _("Réservé aux administrateurs et à la logistique de l'organisation.")
        )
