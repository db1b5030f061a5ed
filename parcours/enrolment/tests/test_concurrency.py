"""Capacity and promotions under REAL concurrent writers (threads, own connections, real
transactions) — on SQLite and on PostgreSQL (scripts/with_postgres.py)."""

from __future__ import annotations

import datetime as dt
import threading
from functools import partial

import pytest

from parcours.accounts.permissions import Actor
from parcours.enrolment import actions
from parcours.enrolment.models import Enrolment, Session
from parcours.enrolment.states import EnrolmentStatus as S


def _enrol_self(session_id: int, learner) -> str:
    session = Session.objects.get(pk=session_id)
    return actions.enrol(actor=Actor.of(learner), session=session, learner=learner).status


def _cancel(enrolment_id: int) -> list[int]:
    enrolment = Enrolment.objects.select_related("learner").get(pk=enrolment_id)
    result = actions.cancel(actor=Actor.of(enrolment.learner), enrolment=enrolment)
    return [e.pk for e in result.promoted]


@pytest.mark.django_db(transaction=True)
def test_64_concurrent_enrolments_into_20_seats_then_10_concurrent_cancellations(
    make_session, make_learner, run_concurrently
) -> None:
    session = make_session(capacity=20)
    learners = [make_learner(i) for i in range(64)]

    run = run_concurrently.each([partial(_enrol_self, session.pk, p) for p in learners])
    assert run.errors == []
    assert sorted(run.results).count(S.CONFIRMED) == 20
    assert sorted(run.results).count(S.WAITLISTED) == 44
    session.refresh_from_db()
    assert session.seats_taken == 20
    assert session.enrolments.filter(status=S.CONFIRMED).count() == 20
    queue = list(session.enrolments.waitlist().values_list("pk", flat=True))
    assert len(queue) == 44

    confirmed = list(session.enrolments.filter(status=S.CONFIRMED).values_list("pk", flat=True))
    run = run_concurrently.each([partial(_cancel, pk) for pk in confirmed[:10]])
    assert run.errors == []
    promoted = [pk for result in run.results for pk in result]
    # Exactly ten promotions, ten different people, the first ten of the queue.
    assert len(promoted) == 10
    assert sorted(promoted) == sorted(queue[:10])
    session.refresh_from_db()
    assert session.seats_taken == 20
    assert session.enrolments.filter(status=S.CONFIRMED).count() == 20
    assert list(session.enrolments.waitlist().values_list("pk", flat=True)) == queue[10:]


@pytest.mark.django_db(transaction=True)
def test_two_racing_cancellations_never_promote_the_same_person_twice(
    make_session, make_learner, run_concurrently
) -> None:
    session = make_session(capacity=2)
    people = [make_learner(i) for i in range(5)]
    for p in people:
        _enrol_self(session.pk, p)
    holders = list(session.enrolments.filter(status=S.CONFIRMED).values_list("pk", flat=True))
    queue = list(session.enrolments.waitlist().values_list("pk", flat=True))
    run = run_concurrently.each([partial(_cancel, pk) for pk in holders])
    run.raise_first()
    promoted = [pk for result in run.results for pk in result]
    assert sorted(promoted) == sorted(queue[:2])
    assert session.enrolments.filter(status=S.CONFIRMED).count() == 2


@pytest.mark.django_db(transaction=True)
def test_one_learner_racing_into_two_overlapping_sessions_gets_one(
    make_session, learner, run_concurrently, org
) -> None:
    from .conftest import make_module

    a = make_session(days=(20,))
    b = make_session(days=(20,), module_=make_module(org, "O9"))
    run = run_concurrently.each(
        [partial(_enrol_self, a.pk, learner), partial(_enrol_self, b.pk, learner)]
    )
    assert len(run.successes) == 1 and len(run.errors) == 1
    assert Enrolment.objects.filter(learner=learner).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_learner_racing_into_one_session_eight_times_gets_one_seat(
    make_session, learner, run_concurrently
) -> None:
    session = make_session(capacity=5)
    run = run_concurrently(_enrol_self, 8, session.pk, learner)
    assert run.successes == [S.CONFIRMED]
    assert {getattr(exc, "code", None) for exc in run.errors} == {"duplicate"}
    session.refresh_from_db()
    assert session.seats_taken == 1
    assert Enrolment.objects.filter(learner=learner).count() == 1


def _roll_call(slot_id: int, trainer_id: int) -> list[int]:
    from parcours.accounts.models import User
    from parcours.enrolment.models import SessionSlot

    slot = SessionSlot.objects.select_related("session").get(pk=slot_id)
    after = slot.end + dt.timedelta(minutes=1)
    actor = Actor.of(User.objects.get(pk=trainer_id))
    return [e.pk for e in actions.record_roll_call(actor=actor, slot=slot, now=after).completed]


@pytest.mark.django_db(transaction=True)
def test_racing_roll_calls_complete_each_learner_once_and_raise_each_event_once(
    make_session, make_learner, trainer, coordinator, org, run_concurrently
) -> None:
    from parcours.pathways import actions as pathway_actions
    from parcours.pathways.models import Completion, Pathway
    from parcours.pathways.signals import pathway_completed

    actor = Actor.of(coordinator)
    pathway = pathway_actions.create_pathway(
        actor=actor,
        organisation=org,
        data=pathway_actions.PathwayData(code="P1", title_fr="Un module", rule_text="M1A"),
    )
    pathway_actions.set_pathway_status(
        actor=actor, pathway=pathway, status=Pathway.Status.PUBLISHED
    )
    # One slot: one roll call completes everyone; four identical roll calls race.
    session = make_session(capacity=10, days=(2,))
    single = session.slots.order_by("start").first()
    session.slots.exclude(pk=single.pk).delete()
    people = [make_learner(i) for i in range(10)]
    for person in people:
        actions.enrol(actor=Actor.of(person), session=session, learner=person)
    received: list[int] = []
    lock = threading.Lock()

    def listener(sender: object, learner_id: int, **kwargs: object) -> None:
        with lock:
            received.append(learner_id)

    pathway_completed.connect(listener, dispatch_uid="test.racing_roll_calls")
    try:
        run = run_concurrently(_roll_call, 4, single.pk, trainer.pk)
    finally:
        pathway_completed.disconnect(dispatch_uid="test.racing_roll_calls")
    run.raise_first()
    completed = [pk for result in run.results for pk in result]
    assert sorted(completed) == sorted(session.enrolments.values_list("pk", flat=True))
    assert Completion.objects.filter(module=session.module).count() == 10
    assert sorted(received) == sorted(p.pk for p in people)
