"""Many people enrolled at once by a coordinator: the rules of ``enrol``, in bulk."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parcours.accounts.models import User
from parcours.accounts.permissions import Actor
from parcours.catalogue.models import Module
from parcours.enrolment import actions
from parcours.enrolment.models import Enrolment, LearnerProfile, Session

pytestmark = pytest.mark.django_db


def test_seats_then_waitlist_and_refusals_one_by_one(
    make_session: Callable[..., Session],
    make_learner: Callable[[int], User],
    coordinator: User,
) -> None:
    actor = Actor.of(coordinator)
    session = make_session(capacity=3, days=(10,))
    clashing = make_session(capacity=5, days=(10,))
    people = [make_learner(i) for i in range(6)]
    actions.enrol(actor=actor, session=session, learner=people[0], source="coordinator")
    actions.enrol(actor=actor, session=clashing, learner=people[1], source="coordinator")
    result = actions.enrol_many(actor=actor, session=session, learners=people)
    assert [e.learner_id for e in result.created] == [p.pk for p in people[2:]]
    assert [e.status for e in result.created] == [
        "confirmed",
        "confirmed",
        "waitlisted",
        "waitlisted",
    ]
    assert [pk for pk, _reason in result.refused] == [people[0].pk, people[1].pk]
    session.refresh_from_db()
    assert session.seats_taken == 3
    # The same call again: nobody twice.
    again = actions.enrol_many(actor=actor, session=session, learners=people)
    assert not again.created
    assert Enrolment.objects.filter(session=session).count() == 5


def test_constant_queries_and_audience(
    make_session: Callable[..., Session],
    make_learner: Callable[[int], User],
    coordinator: User,
) -> None:
    actor = Actor.of(coordinator)
    session = make_session(capacity=100, audience=Module.Audience.TEACHERS)
    few = [make_learner(i) for i in range(3)]
    many = [make_learner(i) for i in range(3, 43)]
    LearnerProfile.objects.create(user=many[0], audience=Module.Audience.JOBSEEKERS)
    with CaptureQueriesContext(connection) as small:
        actions.enrol_many(actor=actor, session=session, learners=few, announce=False)
    with CaptureQueriesContext(connection) as large:
        result = actions.enrol_many(actor=actor, session=session, learners=many, announce=False)
    assert len(large) <= len(small) + 2
    assert [pk for pk, _r in result.refused] == [many[0].pk]
    assert set(
        LearnerProfile.objects.filter(user__in=many[1:]).values_list("audience", flat=True)
    ) == {Module.Audience.TEACHERS}


def test_refused_as_a_whole(
    make_session: Callable[..., Session],
    make_learner: Callable[[int], User],
    coordinator: User,
    trainer: User,
) -> None:
    session = make_session()
    with pytest.raises(PermissionDenied):
        actions.enrol_many(actor=Actor.of(trainer), session=session, learners=[make_learner(1)])
    actions.set_session_status(actor=Actor.of(coordinator), session=session, status="cancelled")
    with pytest.raises(ValidationError):
        actions.enrol_many(actor=Actor.of(coordinator), session=session, learners=[make_learner(2)])
    assert not Enrolment.objects.exists()
