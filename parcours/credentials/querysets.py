"""Reads of the credentials app."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from parcours.accounts.permissions import Actor


class AchievementQuerySet(models.QuerySet):
    def active(self) -> AchievementQuerySet:
        return self.filter(status="active")

    def of_organisation(self, organisation_id: int) -> AchievementQuerySet:
        return self.filter(organisation_id=organisation_id)

    def for_pathway(self, pathway_id: int) -> AchievementQuerySet:
        return self.active().filter(pathway_id=pathway_id)

    def for_module(self, module_id: int) -> AchievementQuerySet:
        return self.active().filter(module_id=module_id)


class IssuedCredentialQuerySet(models.QuerySet):
    def of_learner(self, learner_id: int) -> IssuedCredentialQuerySet:
        return self.filter(learner_id=learner_id)

    def of_organisation(self, organisation_id: int) -> IssuedCredentialQuerySet:
        return self.filter(organisation_id=organisation_id)

    def visible_to(self, actor: Actor) -> IssuedCredentialQuerySet:
        """A learner sees their own; coordinators see their organisations' credentials."""
        from parcours.accounts.models import Role

        if actor.is_platform_admin:
            return self
        orgs = actor.orgs_with_role(Role.COORDINATOR)
        return self.filter(models.Q(learner_id=actor.user.pk) | models.Q(organisation_id__in=orgs))

    def with_display(self) -> IssuedCredentialQuerySet:
        return self.select_related("achievement", "organisation", "learner")


def eligible_learner_ids(achievement: Any, learner_ids: Iterable[int] | None = None) -> set[int]:
    """Learners who satisfy what the achievement requires: its pathway's rule (evaluated for
    the whole population in one streamed query), or the completion of its module."""
    from parcours.pathways.evaluation import evaluate_population
    from parcours.pathways.models import Completion

    if achievement.pathway_id is not None:
        results = evaluate_population(achievement.pathway, learner_ids)
        return {learner_id for learner_id, ok in results.items() if ok}
    qs = Completion.objects.filter(module_id=achievement.module_id)
    if learner_ids is not None:
        wanted = set(learner_ids)
        return {lid for lid in qs.values_list("learner_id", flat=True) if lid in wanted}
    return set(qs.values_list("learner_id", flat=True))


def active_key(issuer_id: int) -> Any:
    """The issuer's signing key: the newest one not retired (None before the first)."""
    from parcours.credentials.models import SigningKey

    return (
        SigningKey.objects.filter(issuer_id=issuer_id, retired_at__isnull=True)
        .order_by("-number")
        .first()
    )
