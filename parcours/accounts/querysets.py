from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from parcours.accounts.models import User


class OrganisationQuerySet(models.QuerySet):
    def active(self) -> OrganisationQuerySet:
        return self.filter(is_active=True)

    def where_member(self, user: User) -> OrganisationQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user).distinct()


class MembershipQuerySet(models.QuerySet):
    def of(self, user: User) -> MembershipQuerySet:
        return self.filter(user=user)

    def with_roles(self, *roles: str) -> MembershipQuerySet:
        return self.filter(role__in=roles)
