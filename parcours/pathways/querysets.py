from __future__ import annotations

from django.db import models


class PathwayQuerySet(models.QuerySet):
    def published(self) -> PathwayQuerySet:
        return self.filter(status="published")


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
