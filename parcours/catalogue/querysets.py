from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from parcours.accounts.models import Organisation
    from parcours.accounts.permissions import Actor


class ModuleQuerySet(models.QuerySet):
    def published(self) -> ModuleQuerySet:
        return self.filter(status="published")

    def of_organisation(self, organisation: Organisation | int) -> ModuleQuerySet:
        return self.filter(organisation=organisation)

    def visible_to(self, actor: Actor | None) -> ModuleQuerySet:
        """Published modules, plus every module of the organisations where actor is staff."""
        if actor is None or not actor.user.is_authenticated:
            return self.published()
        if actor.is_platform_admin:
            return self.all()
        from parcours.accounts.models import STAFF_ROLES

        staff_orgs = actor.orgs_with_role(*STAFF_ROLES)
        return self.filter(models.Q(status="published") | models.Q(organisation__in=staff_orgs))
