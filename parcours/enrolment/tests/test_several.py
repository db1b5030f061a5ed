"""One person in several sessions at once (an event's workshops): the rules of ``enrol``, all
or nothing, in a constant number of queries."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parcours.accounts.models import AuditEntry, User
from parcours.accounts.permissions import Actor
from parcours.enrolment import actions
from parcours.enrolment.models import Enrolment, Session

pytestmark = pytest.mark.django_db


def test_seats_waitlist_and_one_audit_entry_each(
    make_session: Callable[..., Session],
    make_learner: Callable[[int], User],
    django_capture_on_commit_callbacks,
) -> None:
    full = make_session(capacity=1, days=(10,))
    free = make_session(capacity=5, days=(11,))
    first, person = make_learner(1), make_learner(2)
    actions.enrol(actor=Actor.of(first), session=full, learner=first)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        made = actions.enrol_in_sessions(
            actor=Actor.of(person), learner=person, sessions=[free, full]
        )
    assert {e.session_id: e.status for e in made} == {full.pk: "waitlisted", free.pk: "confirmed"}
    assert Session.objects.get(pk=free.pk).seats_taken == 1
    assert Session.objects.get(pk=full.pk).seats_taken == 1
    audited = AuditEntry.objects.filter(
        action="enrolment.create", object_id__in=[e.pk for e in made]
    )
    assert audited.count() == 2
    # The usual messages, after commit: one per session.
    assert len([m for m in mail.outbox if person.email in m.to]) == 2


def test_all_or_nothing_duplicates_and_clashes(
    make_session: Callable[..., Session],
    make_learner: Callable[[int], User],
) -> None:
    person = make_learner(1)
    actor = Actor.of(person)
    a = make_session(days=(10,))
    b = make_session(days=(11,))
    same_time_as_a = make_session(days=(10,))
    # Two chosen sessions at the same time.
    with pytest.raises(ValidationError) as caught:
        actions.enrol_in_sessions(actor=actor, learner=person, sessions=[a, same_time_as_a])
    assert caught.value.code == "overlap"
    assert not Enrolment.objects.filter(learner=person).exists()
    actions.enrol_in_sessions(actor=actor, learner=person, sessions=[a])
    # Already in ``a``: nothing of ``b`` is written either.
    with pytest.raises(ValidationError) as caught:
        actions.enrol_in_sessions(actor=actor, learner=person, sessions=[b, a])
    assert caught.value.code == "duplicate"
    assert getattr(caught.value, "session_id", None) == a.pk
    assert not Enrolment.objects.filter(learner=person, session=b).exists()
    # A clash with a session the person already holds, naming it.
    with pytest.raises(ValidationError) as caught:
        actions.enrol_in_sessions(actor=actor, learner=person, sessions=[b, same_time_as_a])
    assert caught.value.code == "overlap"
    assert a.code in caught.value.messages[0]
    assert not Enrolment.objects.filter(learner=person, session=b).exists()


def test_closed_sessions_and_unverified_e_mail(
    make_session: Callable[..., Session],
    make_learner: Callable[[int], User],
    coordinator: User,
) -> None:
    from allauth.account.models import EmailAddress

    person = make_learner(1)
    session = make_session(days=(10,))
    other = make_session(days=(11,))
    actions.set_session_status(
        actor=Actor.of(coordinator), session=other, status=Session.Status.CANCELLED
    )
    with pytest.raises(ValidationError) as caught:
        actions.enrol_in_sessions(actor=Actor.of(person), learner=person, sessions=[session, other])
    assert caught.value.code == "closed"
    EmailAddress.objects.update_or_create(
        user=person, email=person.email, defaults={"verified": False}
    )
    with pytest.raises(ValidationError) as caught:
        actions.enrol_in_sessions(actor=Actor.of(person), learner=person, sessions=[session])
    assert caught.value.code == "policy"
    # The caller may stand for the check (seats held pending the e-mail's confirmation).
    made = actions.enrol_in_sessions(
        actor=Actor.of(person), learner=person, sessions=[session], email_checked=True
    )
    assert [e.status for e in made] == ["confirmed"]


def test_queries_do_not_grow_with_the_number_of_sessions(
    make_session: Callable[..., Session],
    make_learner: Callable[[int], User],
) -> None:
    sessions = [make_session(days=(10 + n,)) for n in range(6)]
    one, many = make_learner(1), make_learner(2)
    other = make_session(days=(30,))
    for person in (one, many):  # each active elsewhere: the clash query runs
        actions.enrol(actor=Actor.of(person), session=other, learner=person)
    with CaptureQueriesContext(connection) as small:
        actions.enrol_in_sessions(actor=Actor.of(one), learner=one, sessions=sessions[:1])
    with CaptureQueriesContext(connection) as large:
        actions.enrol_in_sessions(actor=Actor.of(many), learner=many, sessions=sessions)
    assert len(large) == len(small) <= 12
