"""Completions recorded by REAL concurrent writers (threads, own connections, real
transactions), on SQLite and on PostgreSQL (scripts/with_postgres.py): each completion is
recorded once and each pathway event is raised exactly once."""

from __future__ import annotations

import threading
from functools import partial
from typing import Any

import pytest

from parcours.accounts.models import Organisation, User
from parcours.accounts.permissions import Actor
from parcours.pathways import actions
from parcours.pathways.models import Completion, Pathway
from parcours.pathways.signals import module_completed, pathway_completed

from .conftest import make_module


class Events:
    """What the pathway signals delivered, from any thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.modules: list[dict[str, Any]] = []
        self.pathways: list[dict[str, Any]] = []

    def on_module(self, sender: object, **kwargs: Any) -> None:
        with self.lock:
            self.modules.append({k: v for k, v in kwargs.items() if k != "signal"})

    def on_pathway(self, sender: object, **kwargs: Any) -> None:
        with self.lock:
            self.pathways.append({k: v for k, v in kwargs.items() if k != "signal"})


@pytest.fixture
def events():
    seen = Events()
    module_completed.connect(seen.on_module, dispatch_uid="test.concurrency.module")
    pathway_completed.connect(seen.on_pathway, dispatch_uid="test.concurrency.pathway")
    yield seen
    module_completed.disconnect(dispatch_uid="test.concurrency.module")
    pathway_completed.disconnect(dispatch_uid="test.concurrency.pathway")


@pytest.fixture
def two_module_pathway(coordinator: User, org: Organisation):
    first, last = make_module(org, "A1", "Premier"), make_module(org, "Z9", "Dernier")
    pathway = actions.create_pathway(
        actor=Actor.of(coordinator),
        organisation=org,
        data=actions.PathwayData(code="AZ", title_fr="A et Z", rule_text="A1 & Z9"),
    )
    actions.set_pathway_status(
        actor=Actor.of(coordinator), pathway=pathway, status=Pathway.Status.PUBLISHED
    )
    return pathway, first, last


def _record(learner_id: int, module) -> bool:
    learner = User.objects.get(pk=learner_id)
    return actions.record_completion(learner=learner, module=module).created


@pytest.mark.django_db(transaction=True)
def test_eight_writers_of_the_same_completion_create_it_once(
    two_module_pathway, learner: User, events: Events, run_concurrently
) -> None:
    pathway, first, last = two_module_pathway
    actions.record_completion(learner=learner, module=first)
    run = run_concurrently(_record, 8, learner.pk, last)
    run.raise_first()
    assert sorted(run.results) == [False] * 7 + [True]
    assert Completion.objects.filter(learner=learner, module=last).count() == 1
    assert [e["module_id"] for e in events.modules] == [first.pk, last.pk]
    assert [(e["learner_id"], e["pathway_id"]) for e in events.pathways] == [
        (learner.pk, pathway.pk)
    ]


@pytest.mark.django_db(transaction=True)
def test_the_two_last_modules_recorded_at_once_raise_the_pathway_event_once(
    two_module_pathway, org: Organisation, events: Events, run_concurrently
) -> None:
    pathway, first, last = two_module_pathway
    people = [User.objects.create_user(email=f"duo{i}@exemple.test") for i in range(6)]
    calls = [partial(_record, p.pk, m) for p in people for m in (first, last)]
    run = run_concurrently.each(calls)
    run.raise_first()
    assert all(run.results)
    assert Completion.objects.filter(learner__in=people).count() == 12
    # Whoever wrote second saw the first's completion: each learner's event, exactly once.
    assert sorted(e["learner_id"] for e in events.pathways) == sorted(p.pk for p in people)
    assert {e["pathway_id"] for e in events.pathways} == {pathway.pk}
