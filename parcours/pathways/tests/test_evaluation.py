"""One learner's evaluation: what it reads, and that its result does not depend on how."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from parcours.accounts.models import User
from parcours.catalogue.models import Module
from parcours.pathways.evaluation import evaluate_for_learner, pathway_modules
from parcours.pathways.models import Pathway

from .conftest import complete


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr"):
        yield


def test_one_learner_costs_one_query_and_the_page_none_more(
    ai_pathway: Pathway,
    ai_modules: dict[str, Module],
    learner: User,
    django_assert_num_queries: Any,
) -> None:
    complete(learner, ai_modules, "M1A", "O2")
    pathway = Pathway.objects.get(pk=ai_pathway.pk)
    with django_assert_num_queries(1):  # the pathway's modules with the learner's completions
        progress = evaluate_for_learner(pathway, learner.pk)
        linkable = {module.pk for module in ai_modules.values()}  # what the view computes
        html = render_to_string(
            "pathways/_progress.html", {"progress": progress, "linkable": linkable}
        )
    assert "M1A — Introduction à l&#x27;IA (enseignants)" in html
    assert f"/catalogue/{ai_modules['M1A'].organisation.slug}/M1A/" in html
    assert [s.module.code for s in progress.modules if s.done] == ["M1A", "O2"]


def test_modules_given_by_the_caller_are_not_read_again(
    ai_pathway: Pathway,
    ai_modules: dict[str, Module],
    learner: User,
    django_assert_num_queries: Any,
) -> None:
    complete(learner, ai_modules, "M1B", "O1", "O3", "CLOT")
    modules = pathway_modules(ai_pathway)
    with django_assert_num_queries(1):
        given = evaluate_for_learner(ai_pathway, learner.pk, modules=modules)
    with django_assert_num_queries(0):
        both = evaluate_for_learner(
            ai_pathway, learner.pk, modules=modules, completed={m.pk: 12.0 for m in modules}
        )
    read = evaluate_for_learner(ai_pathway, learner.pk)
    assert given.satisfied and read.satisfied and both.satisfied
    assert given.explanation == read.explanation == []
    assert [s.module.pk for s in given.modules] == [s.module.pk for s in read.modules]
    assert [(s.done, s.hours) for s in given.modules] == [(s.done, s.hours) for s in read.modules]


def test_the_explanation_names_the_missing_modules(
    ai_pathway: Pathway, ai_modules: dict[str, Module], learner: User
) -> None:
    complete(learner, ai_modules, "O4")
    progress = evaluate_for_learner(ai_pathway, learner.pk)
    text = " ".join(progress.explanation)
    assert "Module de clôture" in text
    assert "Introduction à l'IA (enseignants)" in text
    assert (progress.evaluation.met, progress.evaluation.total) == (1, 4)  # one of "2 of 8"


def test_each_evaluation_reads_the_modules_afresh(
    ai_pathway: Pathway, ai_modules: dict[str, Module], learner: User
) -> None:
    """The statement is compiled once and kept; the modules and completions are not."""
    complete(learner, ai_modules, "M1A")
    before = evaluate_for_learner(ai_pathway, learner.pk)
    assert "Module de clôture" in " ".join(before.explanation)
    Module.objects.filter(pk=ai_modules["CLOT"].pk).update(
        title_fr="Séance de clôture", duration_hours="3.50"
    )
    complete(learner, ai_modules, "O1")
    after = evaluate_for_learner(ai_pathway, learner.pk)
    assert "Séance de clôture" in " ".join(after.explanation)
    states = {s.module.code: s for s in after.modules}
    assert [code for code, s in states.items() if s.done] == ["M1A", "O1"]
    assert states["CLOT"].module.duration_hours == Decimal("3.50")
    assert states["M1A"].hours == float(ai_modules["M1A"].duration_hours)
    assert [s.module.code for s in after.modules] == [s.module.code for s in before.modules]
    other = User.objects.create_user(email="autre@exemple.test", password="x")
    assert not any(s.done for s in evaluate_for_learner(ai_pathway, other.pk).modules)
