"""Evaluate pathways for one learner or a whole population (adapters around rules.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import OuterRef, Subquery
from django.db.models.sql.compiler import SQLCompiler

from parcours.accounts.models import Organisation
from parcours.catalogue.models import Module
from parcours.pathways import rules
from parcours.pathways.models import Completion, Pathway, PathwayModule


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
#: link to its page) and what the rule needs, read instead of whole modules (their long texts
#: and search vector made up most of an evaluation's time); the other fields are deferred.
_MODULE_FIELDS = ("id", "code", "title_fr", "title_en", "duration_hours", "status")
_ORGANISATION_FIELDS = ("id", "slug", "name")

#: Stand-ins for the two parameters of the progress statement (see ``_progress_statement``).
_PATHWAY_SENTINEL = -7_000_000_001
_LEARNER_SENTINEL = -7_000_000_002


@dataclass(frozen=True)
class _Statement:
    sql: str
    params: tuple[Any, ...]
    pathway_at: int
    learner_at: int
    compiler: SQLCompiler
    converters: dict[int, tuple[list[Any], Any]]

    def rows(self, alias: str, pathway_id: int, learner_id: int) -> list[Sequence[Any]]:
        params: list[Any] = list(self.params)
        params[self.pathway_at] = pathway_id
        params[self.learner_at] = learner_id
        with connections[alias].cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if not self.converters:
            return rows
        # The ORM's own conversions (e.g. decimals stored as floats or text on SQLite).
        return list(self.compiler.apply_converters(rows, self.converters))


_statements: dict[str, _Statement] = {}


def _progress_statement(alias: str) -> _Statement:
    """The SQL of "a pathway's modules (with their organisation) in order, and one learner's
    hours for each", compiled by the ORM once per database and kept: building and compiling
    the queryset cost more than running it. Only the two ids change between calls."""
    statement = _statements.get(alias)
    if statement is None:
        hours = Completion.objects.filter(
            learner_id=_LEARNER_SENTINEL, module_id=OuterRef("module_id")
        ).values("hours")[:1]
        rows = (
            PathwayModule.objects.using(alias)
            .filter(pathway_id=_PATHWAY_SENTINEL)
            .annotate(learner_hours=Subquery(hours))
            # Position, then the row id: the order of the pathway's memberships.
            .order_by("position", "pk")
            .values_list(
                *(f"module__{name}" for name in _MODULE_FIELDS),
                *(f"module__organisation__{name}" for name in _ORGANISATION_FIELDS),
                "learner_hours",
            )
        )
        compiler = rows.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        pathway_at = [i for i, p in enumerate(params) if p == _PATHWAY_SENTINEL]
        learner_at = [i for i, p in enumerate(params) if p == _LEARNER_SENTINEL]
        if len(pathway_at) != 1 or len(learner_at) != 1:  # pragma: no cover - defensive
            raise RuntimeError("unexpected parameters in the progress statement")
        statement = _Statement(
            sql=sql,
            params=tuple(params),
            pathway_at=pathway_at[0],
            learner_at=learner_at[0],
            compiler=compiler,
            converters=compiler.get_converters([col for col, _sql, _alias in compiler.select]),
        )
        _statements[alias] = statement
    return statement


def _progress_modules(
    pathway: Pathway, learner_id: int | None
) -> tuple[list[Module], dict[int, float] | None]:
    """The pathway's modules (``_MODULE_FIELDS`` and their organisation) and, for a learner,
    their completions among them ({module id: hours}), in one query.

    Every call reads the modules afresh (a renamed or archived module shows as such at once);
    only the SQL text is reused.
    """
    alias = router.db_for_read(PathwayModule, instance=pathway) or DEFAULT_DB_ALIAS
    # Without a learner: an id no user has (ids are positive), so no completion matches.
    rows = _progress_statement(alias).rows(
        alias, pathway.pk, learner_id if learner_id is not None else 0
    )
    modules: list[Module] = []
    completed: dict[int, float] = {}
    split = len(_MODULE_FIELDS)
    end = split + len(_ORGANISATION_FIELDS)
    for row in rows:
        module = Module.from_db(alias, _MODULE_FIELDS, row[:split])
        module.organisation = Organisation.from_db(alias, _ORGANISATION_FIELDS, row[split:end])
        modules.append(module)
        if row[end] is not None:
            completed[module.pk] = float(row[end])
    return modules, (completed if learner_id is not None else None)


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


def progress_on_pathways(learner_id: int, pathways: Sequence[Pathway]) -> list[LearnerProgress]:
    """Where one learner stands on each of these pathways (same order), in two queries
    whatever their number: the pathways' modules, then the learner's completions among them."""
    modules: dict[int, list[Module]] = defaultdict(list)
    memberships = (
        PathwayModule.objects.filter(pathway__in=[p.pk for p in pathways])
        .select_related("module", "module__organisation")
        .only(
            "pathway_id",
            *(f"module__{name}" for name in _MODULE_FIELDS),
            *(f"module__organisation__{name}" for name in _ORGANISATION_FIELDS),
        )
        .order_by("pathway_id", "position", "pk")
    )
    for membership in memberships:
        modules[membership.pathway_id].append(membership.module)
    ids = {m.pk for members in modules.values() for m in members}
    completed = {
        module_id: float(hours)
        for module_id, hours in Completion.objects.filter(
            learner_id=learner_id, module_id__in=ids
        ).values_list("module_id", "hours")
    }
    return [
        evaluate_for_learner(
            pathway,
            learner_id,
            modules=modules[pathway.pk],
            completed={m.pk: completed[m.pk] for m in modules[pathway.pk] if m.pk in completed},
        )
        for pathway in pathways
    ]


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
