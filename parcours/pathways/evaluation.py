"""Evaluate pathways for one learner or a whole population (adapters around rules.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery

from parcours.catalogue.models import Module
from parcours.pathways import rules
from parcours.pathways.models import Completion, Pathway


@dataclass(frozen=True)
class ModuleState:
    module: Module
    done: bool
    hours: float


@dataclass(frozen=True)
class LearnerProgress:
    pathway: Pathway
    evaluation: rules.Evaluation
    explanation: list[str]
    modules: list[ModuleState]

    @property
    def satisfied(self) -> bool:
        return self.evaluation.satisfied

    @property
    def percent(self) -> int:
        return round(self.evaluation.progress * 100)


def pathway_modules(pathway: Pathway) -> list[Module]:
    return [m.module for m in pathway.memberships.select_related("module", "module__organisation")]


#: What a learner's progress shows of each module (``ModuleState.module``: code, title, the
#: link to its page) and what the rule needs: read instead of whole modules, whose long texts
#: (and search vector) made up most of an evaluation's time. "pathway" is the foreign key the
#: related manager fills in: deferring it would cost a query per row.
_PROGRESS_FIELDS = (
    "pathway",
    "position",
    "module__id",
    "module__code",
    "module__title_fr",
    "module__title_en",
    "module__duration_hours",
    "module__status",
    "module__organisation__id",
    "module__organisation__slug",
    "module__organisation__name",
)


def _progress_modules(
    pathway: Pathway, learner_id: int | None
) -> tuple[list[Module], dict[int, float] | None]:
    """The pathway's modules (``_PROGRESS_FIELDS``) and, for a learner, their completions among
    them ({module id: hours}), in one query."""
    memberships = pathway.memberships.select_related("module__organisation").only(*_PROGRESS_FIELDS)
    if learner_id is None:
        return [m.module for m in memberships], None
    completion = Completion.objects.filter(learner_id=learner_id, module_id=OuterRef("module_id"))
    rows = list(memberships.annotate(learner_hours=Subquery(completion.values("hours")[:1])))
    completed = {
        row.module_id: float(row.learner_hours) for row in rows if row.learner_hours is not None
    }
    return [row.module for row in rows], completed


def evaluate_for_learner(
    pathway: Pathway,
    learner_id: int,
    *,
    completed: dict[int, float] | None = None,
    modules: list[Module] | None = None,
) -> LearnerProgress:
    """Where one learner stands on one pathway, with a human explanation of what is missing.

    One query: the pathway's modules with the learner's completions among them. A caller that
    has the modules already (a page that lists them: ``pathway_modules``) passes ``modules``,
    and then only the completions are read; with ``completed`` too, nothing is.
    """
    if modules is None:
        modules, read = _progress_modules(pathway, None if completed is not None else learner_id)
        completed = completed if completed is not None else read
    ids = [m.pk for m in modules]
    if completed is None:
        completed = {
            module_id: float(hours)
            for module_id, hours in Completion.objects.filter(
                learner_id=learner_id, module_id__in=ids
            ).values_list("module_id", "hours")
        }
    rule = rules.parse_rule(pathway.rule)
    evaluation = rules.evaluate(rule, completed, pathway_modules=ids)
    names = {m.pk: m.title for m in modules}
    return LearnerProgress(
        pathway=pathway,
        evaluation=evaluation,
        explanation=rules.explain(evaluation, names),
        modules=[ModuleState(m, m.pk in completed, completed.get(m.pk, 0.0)) for m in modules],
    )


def evaluate_population(
    pathway: Pathway, learner_ids: Iterable[int] | None = None, *, chunk_size: int = 50_000
) -> dict[int, bool]:
    """``{learner id: satisfied}`` for every learner with a completion among the pathway's modules.

    One streamed query over the completions of the pathway's modules (no query per learner);
    learners given in ``learner_ids`` without any completion are reported as not satisfied.
    """
    memberships = list(pathway.memberships.values_list("module_id", "module__duration_hours"))
    module_hours = {module_id: float(hours) for module_id, hours in memberships}
    ids = list(module_hours)
    done: dict[int, dict[int, float]] = defaultdict(dict)
    qs = Completion.objects.filter(module_id__in=ids)
    wanted: set[int] | None = None
    if learner_ids is not None:
        wanted = set(learner_ids)
        if len(wanted) <= 5_000:
            qs = qs.filter(learner_id__in=wanted)
    rows = qs.values_list("learner_id", "module_id", "hours").iterator(chunk_size=chunk_size)
    for learner_id, module_id, hours in rows:
        if wanted is None or learner_id in wanted:
            done[learner_id][module_id] = float(hours)
    result = rules.evaluate_many(pathway.rule, done, module_hours=module_hours, pathway_modules=ids)
    if wanted is not None:
        for learner_id in wanted:
            result.setdefault(learner_id, False)
    return result


def known_modules(modules: Iterable[Module]) -> dict[int, rules.ModuleInfo]:
    return {
        m.pk: rules.ModuleInfo(
            id=m.pk,
            code=m.code,
            title=m.title,
            hours=float(m.duration_hours),
            published=m.status == Module.Status.PUBLISHED,
        )
        for m in modules
    }
