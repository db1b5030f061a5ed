from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from parcours.accounts.models import AuditEntry, Organisation, User
from parcours.accounts.permissions import Actor
from parcours.catalogue.models import Module
from parcours.pathways import actions
from parcours.pathways.evaluation import evaluate_for_learner, evaluate_population
from parcours.pathways.models import Completion, Pathway
from parcours.pathways.signals import pathway_completed

from .conftest import AI_RULE, complete, make_module


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr"):
        yield


def test_ai_rule_is_stored_as_data_with_its_modules(ai_pathway: Pathway, ai_modules) -> None:
    assert ai_pathway.status == Pathway.Status.PUBLISHED
    rule = ai_pathway.rule
    assert set(rule) == {"all_of"}
    assert {m.code for m in ai_pathway.modules.all()} == set(ai_modules)
    assert AuditEntry.objects.filter(action="pathway.create", object_id=str(ai_pathway.pk)).exists()


@pytest.mark.parametrize(
    ("rule_text", "fragment"),
    [
        ("", "vide"),
        ("M1A & NOPE", "NOPE"),
        ("3 parmi (M1A, M1B)", "3"),
        ("(M1A | ", ""),
    ],
)
def test_bad_rules_are_refused_with_a_message_naming_the_part(
    coordinator: User, org: Organisation, ai_modules, rule_text: str, fragment: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        actions.create_pathway(
            actor=Actor.of(coordinator),
            organisation=org,
            data=actions.PathwayData(code="X", title_fr="X", rule_text=rule_text),
        )
    messages = exc.value.message_dict["rule"]
    assert messages
    assert fragment in " ".join(messages)
    assert not Pathway.objects.filter(code="X").exists()


def test_unpublished_module_is_refused(coordinator: User, org: Organisation, ai_modules) -> None:
    make_module(org, "DRAFT1", "Brouillon", status=Module.Status.DRAFT)
    with pytest.raises(ValidationError) as exc:
        actions.create_pathway(
            actor=Actor.of(coordinator),
            organisation=org,
            data=actions.PathwayData(code="X", title_fr="X", rule_text="M1A & DRAFT1"),
        )
    assert "publié" in " ".join(exc.value.message_dict["rule"])


def test_only_coordinators_of_the_organisation_may_define_pathways(
    trainer: User, learner: User, outsider: User, org: Organisation, ai_modules
) -> None:
    for person in (trainer, learner, outsider):
        with pytest.raises(PermissionDenied):
            actions.create_pathway(
                actor=Actor.of(person),
                organisation=org,
                data=actions.PathwayData(code="X", title_fr="X", rule_text=AI_RULE),
            )
    assert not Pathway.objects.exists()


def test_duplicate_code_is_a_clear_error(coordinator: User, org: Organisation, ai_pathway) -> None:
    with pytest.raises(ValidationError) as exc:
        actions.create_pathway(
            actor=Actor.of(coordinator),
            organisation=org,
            data=actions.PathwayData(code="REF-IA", title_fr="Autre", rule_text="M1A"),
        )
    assert "code" in exc.value.message_dict


def test_learner_progress_explains_what_is_missing(
    ai_pathway: Pathway, ai_modules, learner: User
) -> None:
    complete(learner, ai_modules, "M1A", "O2")
    progress = evaluate_for_learner(ai_pathway, learner.pk)
    assert not progress.satisfied
    assert (progress.evaluation.met, progress.evaluation.total) == (2, 4)
    text = " ".join(progress.explanation)
    assert "Module de clôture" in text
    assert "1 module" in text  # one more optional module


def test_completing_the_last_module_raises_the_event_exactly_once(
    ai_pathway: Pathway, ai_modules, learner: User, django_capture_on_commit_callbacks
) -> None:
    received: list[dict[str, int]] = []

    def receiver(sender: object, **kwargs: int) -> None:
        kwargs.pop("signal", None)
        received.append(kwargs)

    pathway_completed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            complete(learner, ai_modules, "M1B", "O1", "O3")
        assert received == []
        with django_capture_on_commit_callbacks(execute=True):
            result = actions.record_completion(learner=learner, module=ai_modules["CLOT"])
        assert [p.pk for p in result.completed_pathways] == [ai_pathway.pk]
        assert received == [
            {
                "learner_id": learner.pk,
                "pathway_id": ai_pathway.pk,
                "completion_id": result.completion.pk,
            }
        ]
        # Recording it again, or another option, does not raise it again.
        with django_capture_on_commit_callbacks(execute=True):
            again = actions.record_completion(learner=learner, module=ai_modules["CLOT"])
            complete(learner, ai_modules, "O4")
        assert not again.created
        assert len(received) == 1
    finally:
        pathway_completed.disconnect(receiver)
    assert Completion.objects.filter(learner=learner).count() == 5


def test_bulk_evaluation_matches_single_evaluation(
    ai_pathway: Pathway, ai_modules, org: Organisation
) -> None:
    people = []
    scenarios = [
        ("M1A", "O1", "O2", "CLOT"),  # earned
        ("M1B", "O1", "O2", "O3", "CLOT"),  # earned
        ("M1A", "O1", "CLOT"),  # one option short
        ("O1", "O2", "CLOT"),  # no introduction
        ("M1A",),
    ]
    for i, codes in enumerate(scenarios):
        person = User.objects.create_user(email=f"p{i}@test.test")
        complete(person, ai_modules, *codes)
        people.append(person)
    nobody = User.objects.create_user(email="nobody@test.test")
    bulk = evaluate_population(ai_pathway)
    assert bulk == {p.pk: evaluate_for_learner(ai_pathway, p.pk).satisfied for p in people}
    assert [bulk[p.pk] for p in people] == [True, True, False, False, False]
    with_nobody = evaluate_population(ai_pathway, [p.pk for p in people] + [nobody.pk])
    assert with_nobody[nobody.pk] is False


def test_bulk_evaluation_takes_a_constant_number_of_queries(
    ai_pathway: Pathway, ai_modules, django_assert_max_num_queries
) -> None:
    for i in range(30):
        person = User.objects.create_user(email=f"q{i}@test.test")
        complete(person, ai_modules, "M1A", "O1")
    with django_assert_max_num_queries(3):
        result = evaluate_population(ai_pathway)
    assert len(result) == 30


def test_certificate_requires_all_five_units(certificate: Pathway, learner: User) -> None:
    modules = {m.code: m for m in certificate.modules.all()}
    complete(learner, modules, "UE1", "UE2", "UE3", "UE4")
    progress = evaluate_for_learner(certificate, learner.pk)
    assert (progress.satisfied, progress.evaluation.met, progress.evaluation.total) == (
        False,
        4,
        5,
    )
    assert any("Unité d'enseignement 5" in line for line in progress.explanation)
    complete(learner, modules, "UE5")
    assert evaluate_for_learner(certificate, learner.pk).satisfied


def test_publishing_rechecks_that_modules_are_still_published(
    coordinator: User, ai_pathway: Pathway, ai_modules
) -> None:
    actor = Actor.of(coordinator)
    actions.set_pathway_status(actor=actor, pathway=ai_pathway, status=Pathway.Status.DRAFT)
    Module.objects.filter(pk=ai_modules["CLOT"].pk).update(status=Module.Status.ARCHIVED)
    with pytest.raises(ValidationError):
        actions.set_pathway_status(actor=actor, pathway=ai_pathway, status="published")
    ai_pathway.refresh_from_db()
    assert ai_pathway.status == Pathway.Status.DRAFT


def test_bulk_recording_a_cohort_raises_each_event_once_in_constant_queries(
    ai_pathway: Pathway,
    ai_modules,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
) -> None:
    import datetime as dt
    from decimal import Decimal

    from parcours.pathways.signals import module_completed

    people = [User.objects.create_user(email=f"c{i}@test.test") for i in range(12)]
    for person in people:
        complete(person, ai_modules, "M1A", "O1", "O2")
    already = people[0]
    complete(already, ai_modules, "CLOT")
    pathway_events: list[dict[str, int]] = []
    module_events: list[dict[str, int]] = []

    def on_pathway(sender: object, **kwargs: int) -> None:
        pathway_events.append(kwargs)

    def on_module(sender: object, **kwargs: int) -> None:
        module_events.append(kwargs)

    pathway_completed.connect(on_pathway)
    module_completed.connect(on_module)
    try:
        entries = [
            actions.CompletionEntry(
                learner_id=p.pk,
                module=ai_modules["CLOT"],
                hours=Decimal("12"),
                completed_on=dt.date(2026, 11, 20),
            )
            for p in people
        ]
        with (
            django_capture_on_commit_callbacks(execute=True),
            django_assert_max_num_queries(10),
        ):
            results = actions.record_completions(entries + entries[:3])
        assert len(results) == 11  # the one who had it already is left alone, no duplicates
        assert all(r.completed_pathways == [ai_pathway] for r in results)
        assert sorted(e["learner_id"] for e in pathway_events) == sorted(p.pk for p in people[1:])
        assert len(module_events) == 11
        # Again: nothing new, nothing sent.
        with django_capture_on_commit_callbacks(execute=True):
            assert actions.record_completions(entries) == []
        assert len(pathway_events) == 11
    finally:
        pathway_completed.disconnect(on_pathway)
        module_completed.disconnect(on_module)
    assert all(evaluate_for_learner(ai_pathway, p.pk).satisfied for p in people)


def test_a_large_batch_raises_its_events_in_one_background_task(
    ai_pathway: Pathway, ai_modules, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    """A roll call of thousands must not wait for the badges, LMS scores and statements: with
    a task backend that defers, a batch of more than ``INLINE_EVENTS_MAX`` events is one task
    written in the transaction; the worker then raises exactly the events an inline batch
    would have raised."""
    import datetime as dt
    from decimal import Decimal

    from parcours.pathways import tasks
    from parcours.pathways.signals import completions_recorded, module_completed

    people = [User.objects.create_user(email=f"q{i}@test.test") for i in range(4)]
    for person in people[:2]:
        complete(person, ai_modules, "M1A", "O1", "O2")
    queued: list[list[list[object]]] = []

    real_task = tasks.send_completion_events

    class Deferring:  # a backend with workers (django_tasks_db), as in production
        supports_defer = True

    class Queued:
        def get_backend(self) -> Deferring:
            return Deferring()

        def enqueue(self, events: list[list[object]]) -> None:
            queued.append(events)

    monkeypatch.setattr(actions, "INLINE_EVENTS_MAX", 3)
    monkeypatch.setattr(tasks, "send_completion_events", Queued())
    received: list[tuple[str, dict[str, object]]] = []

    def on_module(sender: object, **kwargs: object) -> None:
        received.append(("module", kwargs))

    def on_pathway(sender: object, **kwargs: object) -> None:
        received.append(("pathway", kwargs))

    def on_batch(sender: object, **kwargs: object) -> None:
        received.append(("batch", kwargs))

    module_completed.connect(on_module)
    pathway_completed.connect(on_pathway)
    completions_recorded.connect(on_batch)
    try:
        entries = [
            actions.CompletionEntry(
                learner_id=p.pk,
                module=ai_modules["CLOT"],
                hours=Decimal("12"),
                completed_on=dt.date(2026, 11, 20),
            )
            for p in people
        ]
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            results = actions.record_completions(entries)
        assert len(results) == 4
        assert received == []  # nothing raised in the request
        assert not any("_send_all" in repr(c) for c in callbacks)
        assert len(queued) == 1
        # 4 module events + 2 pathway events (the two who had the other modules).
        assert len(queued[0]) == 6
        # The worker: the same events as inline, then the batch's summary.
        sent = real_task.call(queued[0])
        assert sent == 6
        kinds = [kind for kind, _kwargs in received]
        assert kinds.count("module") == 4 and kinds.count("pathway") == 2
        assert kinds[-1] == "batch"
        modules = {(k["learner_id"], k["module_id"]) for kind, k in received if kind == "module"}
        assert modules == {(p.pk, ai_modules["CLOT"].pk) for p in people}
        pathways = {(k["learner_id"], k["pathway_id"]) for kind, k in received if kind == "pathway"}
        assert pathways == {(p.pk, ai_pathway.pk) for p in people[:2]}
        completion_ids = {r.completion.pk for r in results}
        assert {k["completion_id"] for kind, k in received if kind == "module"} == completion_ids
    finally:
        module_completed.disconnect(on_module)
        pathway_completed.disconnect(on_pathway)
        completions_recorded.disconnect(on_batch)
