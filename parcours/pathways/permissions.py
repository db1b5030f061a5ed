from __future__ import annotations

from parcours.accounts.models import Membership, Role, User
from parcours.accounts.permissions import Actor
from parcours.pathways.models import Pathway


def can_view_progress(actor: Actor, learner: User, pathway: Pathway) -> bool:
    """The learner themself, or a coordinator of the pathway's organisation or the learner's."""
    if actor.user.pk == learner.pk or actor.is_platform_admin:
        return True
    if actor.has_role(pathway.organisation_id, Role.COORDINATOR):
        return True
    learner_orgs = Membership.objects.filter(user=learner).values_list("organisation_id", flat=True)
    return any(actor.has_role(org_id, Role.COORDINATOR) for org_id in set(learner_orgs))
