"""Who may read which figures. Checked before anything is looked up or computed.

- An organisation's figures: its administrators, coordinators, logistics staff and agents
  (read-only role), and the platform operator (superuser). Trainers, school contacts, career
  managers and learners see none; another organisation's staff get a 404 from the pages and API.
- A network's figures: the platform operator, and the network's members (e.g. a funder), who
  need no role in the organisations themselves.
"""

from __future__ import annotations

from django.db.models import QuerySet

from parcours.accounts.models import Organisation, Role, User
from parcours.accounts.permissions import Actor
from parcours.reporting.models import Network

REPORT_READERS = (Role.ADMINISTRATOR, Role.COORDINATOR, Role.LOGISTICS, Role.AGENT)


def may_view_reports(actor: Actor | None, organisation: Organisation | int) -> bool:
    """Whether the actor may read the organisation's figures (pages, exports, API)."""
    if actor is None or not actor.user.is_authenticated:
        return False
    if actor.is_platform_admin:
        return True
    return actor.has_role(organisation, *REPORT_READERS)


def report_organisations(actor: Actor | None) -> QuerySet[Organisation]:
    """The organisations whose figures the actor may read."""
    if actor is None or not actor.user.is_authenticated:
        return Organisation.objects.none()
    if actor.is_platform_admin:
        return Organisation.objects.filter(is_active=True)
    return Organisation.objects.filter(pk__in=actor.orgs_with_role(*REPORT_READERS))


def networks_for(user: User | None) -> QuerySet[Network]:
    """The networks whose summed figures the user may read (all of them for the operator)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Network.objects.none()
    if user.is_superuser:
        return Network.objects.all()
    return Network.objects.filter(members=user)


def may_view_network(user: User | None, network: Network) -> bool:
    return networks_for(user).filter(pk=network.pk).exists()
