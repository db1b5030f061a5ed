"""How many queries an enrolment and a roll call take: constant, whatever the size of the group
(counts are deterministic; timings are not). Ceilings hold on SQLite and PostgreSQL (which adds
the learner's row lock)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import TypeVar

from django.db import connection
from django.test.utils import CaptureQueriesContext

from parcours.accounts.permissions import Actor
from parcours.enrolment import actions
from parcours.enrolment.models import Enrolment
from parcours.enrolment.states import EnrolmentStatus as S
from parcours.pathways import actions as pathway_actions
from parcours.pathways.models import Completion, Pathway

from .conftest import make_module

T = TypeVar("T")

# PostgreSQL also locks the learner's row (the enrolment; the completions of a roll call).
LEARNER_LOCK = 1 if connection.features.has_select_for_update else 0
# One enrolment: lock the session, the learner's active sessions (duplicate and overlap), the
# overlap query (active elsewhere), insert, seat counter, audit, the sign-up policy's check of a
# confirmed address (one query under the open policy), plus the test's savepoint pair.
ENROL_MAX = 9 + LEARNER_LOCK
# One roll call: lock the session (with the module's rule, and whether the actor trains it),
# its slots, the roll, the marks, insert the marks, audit, plus the savepoint pair.
ROLL_CALL_MAX = 8
# The roll call that completes: + status updates and the completions (pathways, the learners'
# completions, insert, audit).
COMPLETING_ROLL_CALL_MAX = 13 + LEARNER_LOCK


def _queries(fn: Callable[[], T]) -> tuple[int, T]:
    with CaptureQueriesContext(connection) as captured:
        result = fn()
    return len(captured), result


def test_an_enrolment_takes_a_constant_number_of_queries(
    make_session, make_learner, django_capture_on_commit_callbacks
) -> None:
    session = make_session(capacity=2)
    other = make_session(days=(30,))  # active elsewhere: the overlap query runs too
    counts = []
    for i in range(4):  # two confirmed, two waitlisted
        person = make_learner(i)
        actions.enrol(actor=Actor.of(person), session=other, learner=person)
        actor = Actor.of(person)
        with django_capture_on_commit_callbacks(execute=False):
            n, enrolment = _queries(
                partial(actions.enrol, actor=actor, session=session, learner=person)
            )
        counts.append((n, enrolment.status))
    assert [status for _n, status in counts] == [S.CONFIRMED] * 2 + [S.WAITLISTED] * 2
    assert all(n <= ENROL_MAX for n, _status in counts), counts


def _roll_call_counts(make_session, make_learner, trainer, size: int, first: int) -> list[int]:
    session = make_session(capacity=size, days=(3, 4))
    people = [make_learner(first + i) for i in range(size)]
    for person in people:
        actions.enrol(actor=Actor.of(person), session=session, learner=person)
    actor = Actor.of(trainer)
    counts = []
    for slot in session.slots.order_by("start"):
        after = slot.end + dt.timedelta(minutes=1)
        n, _result = _queries(partial(actions.record_roll_call, actor=actor, slot=slot, now=after))
        counts.append(n)
    assert session.enrolments.filter(status=S.COMPLETED).count() == size
    return counts


def test_a_roll_call_takes_the_same_queries_for_3_or_15_learners(
    make_session, make_learner, trainer, org, coordinator, django_capture_on_commit_callbacks
) -> None:
    closing = make_module(org, "CLOT")
    module = make_session(days=(40,)).module
    actor = Actor.of(coordinator)
    pathway = pathway_actions.create_pathway(
        actor=actor,
        organisation=org,
        data=pathway_actions.PathwayData(code="P", title_fr="P", rule_text="M1A & CLOT"),
    )
    pathway_actions.set_pathway_status(
        actor=actor, pathway=pathway, status=Pathway.Status.PUBLISHED
    )
    with django_capture_on_commit_callbacks(execute=False):
        small = _roll_call_counts(make_session, make_learner, trainer, 3, first=0)
        large = _roll_call_counts(make_session, make_learner, trainer, 15, first=100)
    assert small == large, (small, large)
    *before_last, last = large
    assert all(n <= ROLL_CALL_MAX for n in before_last), large
    assert last <= COMPLETING_ROLL_CALL_MAX, large
    assert Completion.objects.filter(module=module).count() == 18
    assert not Completion.objects.filter(module=closing).exists()
    assert Enrolment.objects.filter(status=S.COMPLETED).count() == 18
