"""Who may see whose progress.

Permission comes first, then the look-up inside the actor's scope: ``progress_learners`` is the
set of people an actor may look at, and a learner id outside it is answered exactly like an id
nobody has (404), so that no page or API tells a coordinator which accounts exist elsewhere.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from parcours.accounts.models import Membership, Role, User
from parcours.accounts.permissions import Actor
from parcours.pathways.models import Completion, Pathway, PathwayModule


def progress_learners(actor: Actor, pathway: Pathway) -> QuerySet[User]:
    """The people whose progress on ``pathway`` the actor may see: themself; for a coordinator,
    the members of the organisations they coordinate and, when they coordinate the pathway's
    organisation, everyone with a completed module of the pathway; everyone for a platform
    administrator."""
    users = User.objects.all()
    if actor.is_platform_admin:
        return users
    scope = Q(pk=actor.user.pk)
    coordinated = actor.orgs_with_role(Role.COORDINATOR)
    if coordinated:
        scope |= Q(
            Exists(Membership.objects.filter(user=OuterRef("pk"), organisation_id__in=coordinated))
        )
        if pathway.organisation_id in coordinated:
            modules = PathwayModule.objects.filter(pathway=pathway).values("module_id")
            scope |= Q(
                Exists(Completion.objects.filter(learner=OuterRef("pk"), module_id__in=modules))
            )
    return users.filter(scope)


def can_view_progress(actor: Actor, learner: User, pathway: Pathway) -> bool:
    """Whether ``learner`` is among ``progress_learners(actor, pathway)``."""
    if actor.user.pk == learner.pk or actor.is_platform_admin:
        return True
    return progress_learners(actor, pathway).filter(pk=learner.pk).exists()
