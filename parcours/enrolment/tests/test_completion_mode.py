"""The module's completion mode: attendance completes it only when the module says so."""

from __future__ import annotations

import datetime as dt

import pytest

from parcours.accounts.permissions import Actor
from parcours.catalogue.models import Module
from parcours.enrolment import actions
from parcours.enrolment.models import Enrolment
from parcours.enrolment.states import EnrolmentStatus as S
from parcours.pathways import gates
from parcours.pathways.models import Completion


def _full_attendance(session, trainer) -> None:
    slots = list(session.slots.order_by("start"))
    for slot in slots:
        actions.record_roll_call(
            actor=Actor.of(trainer), slot=slot, now=slots[-1].end + dt.timedelta(minutes=5)
        )


@pytest.fixture
def cohort(make_session, make_learner, module):
    def build(mode: str):
        Module.objects.filter(pk=module.pk).update(completion_mode=mode)
        session = make_session(capacity=5, days=(3,))
        people = [make_learner(i) for i in range(2)]
        for person in people:
            actions.enrol(actor=Actor.of(person), session=session, learner=person)
        return session, people

    return build


@pytest.mark.parametrize(
    ("mode", "completed"),
    [
        (Module.CompletionMode.ATTENDANCE, 2),
        (Module.CompletionMode.ASSESSMENT, 0),
        (Module.CompletionMode.BOTH, 0),
    ],
)
def test_attendance_completes_only_in_attendance_mode(cohort, trainer, mode, completed) -> None:
    session, _people = cohort(mode)
    _full_attendance(session, trainer)
    # The enrolment itself is completed (attended enough: the attestation follows) either way.
    assert set(Enrolment.objects.values_list("status", flat=True)) == {S.COMPLETED}
    assert Completion.objects.count() == completed


def test_both_mode_completes_those_whose_assessment_passed(cohort, trainer, monkeypatch) -> None:
    session, people = cohort(Module.CompletionMode.BOTH)
    gate = gates.Gate(key="test.passed", passed=lambda module, ids: {people[0].pk} & set(ids))
    monkeypatch.setattr(gates, "_GATES", {"test.passed": gate})
    _full_attendance(session, trainer)
    assert list(Completion.objects.values_list("learner_id", flat=True)) == [people[0].pk]
