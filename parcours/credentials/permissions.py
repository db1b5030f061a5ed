"""Who may see which credentials (beyond roles)."""

from __future__ import annotations

from parcours.accounts.models import Role
from parcours.accounts.permissions import Actor
from parcours.credentials.models import IssuedCredential


def can_manage(actor: Actor, credential: IssuedCredential) -> bool:
    return actor.is_platform_admin or actor.has_role(credential.organisation_id, Role.COORDINATOR)


def can_view(actor: Actor, credential: IssuedCredential) -> bool:
    """The learner who holds it, and the coordinators of the issuing organisation."""
    return credential.learner_id == actor.user.pk or can_manage(actor, credential)
