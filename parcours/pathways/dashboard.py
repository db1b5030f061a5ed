"""Home-page panel of the pathways app: the learner's pathways with their progress (top 3).

Three queries whatever the number of pathways: the candidate pathways, their modules, the
learner's completions; each pathway is then evaluated in memory (``evaluate_for_learner`` with
``modules`` and ``completed`` given reads nothing).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count

from parcours.accounts import dashboard
from parcours.catalogue.models import Module
from parcours.lib.http import AuthedRequest
from parcours.pathways import rules
from parcours.pathways.evaluation import LearnerProgress, evaluate_for_learner
from parcours.pathways.models import Completion, Pathway, PathwayModule

SHOWN = 3
#: Pathways evaluated to pick the SHOWN ones (those with the most completed modules).
CANDIDATES = 20


@dataclass(frozen=True)
class PathwaySummary:
    progress: LearnerProgress
    modules_left: int | None
    next_step: str


def modules_left(missing: Iterable[rules.Missing]) -> int | None:
    """The fewest modules that would satisfy what is missing; None when hours are involved
    (then the explanation says it better)."""
    total = 0
    for item in missing:
        if item.kind == "module":
            total += 1
        elif item.kind == "choice":
            total += item.needed
        elif item.kind == "alternatives":
            costs = sorted(
                cost
                for cost in (modules_left(option) for option in item.options)
                if cost is not None
            )
            if len(costs) < item.needed:
                return None
            total += sum(costs[: item.needed])
        else:
            return None
    return total


def my_pathways(request: AuthedRequest) -> dict[str, Any] | None:
    learner_id = request.user.pk
    completed = Completion.objects.hours_by_module(learner_id)
    if not completed:
        if dashboard.holds_staff_role(request.actor, request.organisation):
            return None
        return {"pathways": [], "more": 0, "satisfied": 0}
    pathways = list(
        Pathway.objects.published()
        .filter(memberships__module_id__in=list(completed))
        .annotate(done=Count("memberships"))
        .select_related("organisation")
        .order_by("-done", "title_fr")[:CANDIDATES]
    )
    modules: dict[int, list[Module]] = defaultdict(list)
    for membership in (
        PathwayModule.objects.filter(pathway__in=pathways)
        .select_related("module")
        .only("pathway_id", "module__id", "module__code", "module__title_fr", "module__title_en")
        .order_by("pathway_id", "position", "pk")
    ):
        modules[membership.pathway_id].append(membership.module)
    progresses = [
        evaluate_for_learner(
            pathway,
            learner_id,
            modules=modules[pathway.pk],
            completed={m.pk: completed[m.pk] for m in modules[pathway.pk] if m.pk in completed},
        )
        for pathway in pathways
    ]
    progresses.sort(key=lambda p: (p.satisfied, -p.evaluation.progress, p.pathway.title))
    summaries = [
        PathwaySummary(
            progress=p,
            modules_left=modules_left(p.evaluation.missing),
            next_step=p.explanation[0] if p.explanation else "",
        )
        for p in progresses[:SHOWN]
    ]
    return {
        "pathways": summaries,
        "more": max(0, len(progresses) - SHOWN),
        "satisfied": sum(1 for p in progresses if p.satisfied),
    }


def register() -> None:
    dashboard.register(
        dashboard.Panel(
            key="pathways.my_pathways",
            order=20,
            applies=dashboard.everyone,
            build=my_pathways,
            template="pathways/dashboard/my_pathways.html",
        )
    )
