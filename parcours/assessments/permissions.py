"""Who may hand in, review and see projects."""

from __future__ import annotations

from django.db.models import Q

from parcours.accounts.models import Role, User
from parcours.accounts.permissions import Actor
from parcours.catalogue.models import Module
from parcours.enrolment.models import Enrolment, Session
from parcours.enrolment.states import ACTIVE
from parcours.pathways.models import Completion, Pathway, PathwayModule

#: Who records a completion by hand and edits a module's criteria.
COORDINATORS = (Role.COORDINATOR,)


def is_coordinator(actor: Actor, organisation_id: int) -> bool:
    return actor.is_platform_admin or actor.has_role(organisation_id, *COORDINATORS)


def trained_module_ids(user: User) -> set[int]:
    """Modules of which the person trains (or trained) a session."""
    return set(Session.objects.filter(trainers=user).values_list("module_id", flat=True))


def may_review(actor: Actor, module: Module) -> bool:
    """The module's trainers (a session of it) and its organisation's coordinators."""
    if is_coordinator(actor, module.organisation_id):
        return True
    if not actor.user.is_authenticated:
        return False
    return Session.objects.filter(module=module, trainers=actor.user).exists()


def reviewable_modules(actor: Actor) -> Q:
    """A filter on ``Submission`` rows the actor may review (any organisation)."""
    coordinated = actor.orgs_with_role(*COORDINATORS)
    return Q(organisation_id__in=coordinated) | Q(
        module_id__in=Session.objects.filter(trainers=actor.user).values("module_id")
    )


def may_submit(user: User, module: Module) -> bool:
    """Enrolled in a session of the module, or following a published pathway that contains it
    (enrolled in or completed another of its modules)."""
    if not user.is_authenticated:
        return False
    if Enrolment.objects.filter(learner=user, session__module=module, status__in=ACTIVE).exists():
        return True
    pathways = Pathway.objects.published().filter(memberships__module=module)
    siblings = PathwayModule.objects.filter(pathway__in=pathways).values("module_id")
    return (
        Enrolment.objects.filter(
            learner=user, session__module_id__in=siblings, status__in=ACTIVE
        ).exists()
        or Completion.objects.filter(learner=user, module_id__in=siblings).exists()
    )


def attendance_met(user_id: int, module: Module) -> bool:
    """The module's attendance rule met (a completed enrolment in one of its sessions)."""
    from parcours.enrolment.states import EnrolmentStatus

    return Enrolment.objects.filter(
        learner_id=user_id, session__module=module, status=EnrolmentStatus.COMPLETED
    ).exists()
