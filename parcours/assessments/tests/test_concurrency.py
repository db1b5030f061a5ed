"""Concurrent writers: the same learner handing in twice at once, two trainers passing the same
version at once. Real threads, each with its own connection (SQLite and PostgreSQL)."""

from __future__ import annotations

from functools import partial

import pytest
from django.core.exceptions import ValidationError

from conftest import make_person
from parcours.accounts.models import Role
from parcours.accounts.permissions import Actor
from parcours.assessments import actions
from parcours.assessments.models import Submission, SubmissionStatus
from parcours.pathways.models import Completion
from parcours.pathways.signals import completions_recorded

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_hand_ins_at_once_make_one_version(run_concurrently, enrolled, unit) -> None:
    def hand_in() -> Submission:
        return actions.submit_project(
            actor=Actor.of(enrolled), module=unit, text="Projet", link="https://exemple.test/p"
        )

    run = run_concurrently(hand_in, 6)
    assert len(run.successes) == 1
    assert all(isinstance(e, ValidationError) for e in run.errors)
    assert Submission.objects.count() == 1


def test_two_reviewers_pass_the_same_version_once(
    run_concurrently, org, enrolled, unit, trainer, coordinator
) -> None:
    submission = actions.submit_project(
        actor=Actor.of(enrolled), module=unit, text="Projet", link="https://exemple.test/p"
    )
    other = make_person(org, Role.COORDINATOR, "coord2@exemple.test", "Deux", "Coordinatrice")
    events: list[object] = []

    def listener(sender, **kwargs):
        events.append(kwargs["modules"])

    completions_recorded.connect(listener)
    try:
        run = run_concurrently.each(
            [
                partial(
                    actions.review_submission,
                    actor=Actor.of(person),
                    submission=submission,
                    result=SubmissionStatus.PASSED,
                )
                for person in (trainer, coordinator, other)
            ]
        )
    finally:
        completions_recorded.disconnect(listener)
    assert len(run.successes) == 1
    assert all(isinstance(e, ValidationError) for e in run.errors)
    assert Completion.objects.filter(learner=enrolled, module=unit).count() == 1
    assert len(events) == 1
