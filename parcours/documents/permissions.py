"""Who may see / do what with attestations and calendar subscriptions, beyond roles."""

from __future__ import annotations

from parcours.accounts.models import Role
from parcours.accounts.permissions import Actor
from parcours.documents.models import Attestation
from parcours.enrolment.models import Enrolment

ATTESTATION_MANAGERS = (Role.COORDINATOR,)
SITE_FEED_MANAGERS = (Role.COORDINATOR, Role.LOGISTICS)


def can_manage_attestations(actor: Actor, organisation_id: int) -> bool:
    return actor.is_platform_admin or actor.has_role(organisation_id, *ATTESTATION_MANAGERS)


def can_download(actor: Actor, attestation: Attestation) -> bool:
    """The learner it names, and the coordinators of the organisation that issued it."""
    if attestation.learner_id == actor.user.pk:
        return True
    return can_manage_attestations(actor, attestation.organisation_id)


def can_request(actor: Actor, enrolment: Enrolment, organisation_id: int) -> bool:
    return enrolment.learner_id == actor.user.pk or can_manage_attestations(actor, organisation_id)


def is_trainer(actor: Actor) -> bool:
    return bool(actor.orgs_with_role(Role.TRAINER))


def site_feed_organisations(actor: Actor) -> list[int]:
    """Organisations whose sites' agendas this person may publish."""
    return actor.orgs_with_role(*SITE_FEED_MANAGERS)
