"""Who may do what. Every staff check goes through these helpers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from parcours.accounts.models import Membership, Organisation, Role, User


@dataclass(frozen=True)
class Actor:
    """The signed-in person and the roles they hold per organisation."""

    user: User
    roles_by_org: dict[int, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, user: User) -> Actor:
        roles: dict[int, set[str]] = {}
        if user.is_authenticated:
            for org_id, role in Membership.objects.filter(user=user).values_list(
                "organisation_id", "role"
            ):
                roles.setdefault(org_id, set()).add(role)
        return cls(user=user, roles_by_org={k: frozenset(v) for k, v in roles.items()})

    def has_role(self, organisation: Organisation | int, *roles: str) -> bool:
        org_id = organisation if isinstance(organisation, int) else organisation.pk
        held = self.roles_by_org.get(org_id, frozenset())
        if Role.ADMINISTRATOR in held:
            return True
        return bool(held.intersection(roles))

    def orgs_with_role(self, *roles: str) -> list[int]:
        return [org_id for org_id in self.roles_by_org if self.has_role(org_id, *roles)]

    @property
    def is_platform_admin(self) -> bool:
        return bool(self.user.is_authenticated and self.user.is_superuser)


def require_role(actor: Actor, organisation: Organisation | int, roles: Iterable[str]) -> None:
    """Raise PermissionDenied unless the actor holds one of the roles in the organisation."""
    if actor.is_platform_admin:
        return
    if not actor.has_role(organisation, *roles):
        raise PermissionDenied(_("Vous n'avez pas le rôle requis dans cette organisation."))


CATALOGUE_EDITORS = (Role.COORDINATOR,)
