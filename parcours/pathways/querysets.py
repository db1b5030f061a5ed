from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from parcours.accounts.permissions import Actor


class PathwayQuerySet(models.QuerySet):
    def published(self) -> PathwayQuerySet:
        return self.filter(status="published")

    def visible_to(self, actor: Actor | None) -> PathwayQuerySet:
        """Published pathways, plus every pathway of the organisations where actor is staff
        (drafts and archived pathways never show to the public or to other organisations)."""
        if actor is None or not actor.user.is_authenticated:
            return self.published()
        if actor.is_platform_admin:
            return self.all()
        from parcours.accounts.models import STAFF_ROLES

        staff_orgs = actor.orgs_with_role(*STAFF_ROLES)
        return self.filter(models.Q(status="published") | models.Q(organisation__in=staff_orgs))


class CompletionQuerySet(models.QuerySet):
    def of_learner(self, learner_id: int) -> CompletionQuerySet:
        return self.filter(learner_id=learner_id)

    def hours_by_module(self, learner_id: int) -> dict[int, float]:
        return {
            module_id: float(hours)
            for module_id, hours in self.filter(learner_id=learner_id).values_list(
                "module_id", "hours"
            )
        }
