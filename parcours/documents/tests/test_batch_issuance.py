"""A roll call's attestations: one background task for the learners it completed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from parcours.accounts.models import User
from parcours.documents import tasks
from parcours.documents.models import Attestation
from parcours.enrolment.models import Enrolment, Session

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_a_roll_call_enqueues_one_issuance_task_for_everyone_it_completed(
    past_session: Session,
    make_learner: Callable[..., User],
    enrol: Callable[..., Enrolment],
    roll_call: Callable[..., None],
    django_capture_on_commit_callbacks: Any,
) -> None:
    people = [make_learner(i) for i in range(1, 6)]
    enrolments = [enrol(past_session, p) for p in people]
    with override_settings(TASKS=DB_TASKS), django_capture_on_commit_callbacks(execute=True):
        roll_call(past_session, absent={0: enrolments[4:]})  # 3 of 4 slots: not completed
    issuance = DBTaskResult.objects.filter(task_path__endswith=".issue_attestations")
    assert issuance.count() == 1
    (ids,) = issuance.get().args_kwargs["args"]
    assert sorted(ids) == sorted(e.pk for e in enrolments[:4])
    assert not Attestation.objects.exists()  # the worker issues them
    issued = tasks.issue_attestations.call(ids)
    assert sorted(Attestation.objects.values_list("enrolment_id", flat=True)) == sorted(ids)
    assert sorted(issued) == sorted(Attestation.objects.values_list("pk", flat=True))


def test_the_batch_task_skips_who_has_nothing_to_attest_and_issues_the_others(
    past_session: Session,
    make_learner: Callable[..., User],
    enrol: Callable[..., Enrolment],
    roll_call: Callable[..., None],
) -> None:
    present, never_came = enrol(past_session, make_learner(1)), enrol(past_session, make_learner(2))
    roll_call(past_session, absent={i: [never_came] for i in range(4)})
    issued = tasks.issue_attestations.call([never_came.pk, present.pk])
    assert list(Attestation.objects.values_list("enrolment_id", flat=True)) == [present.pk]
    assert issued == list(Attestation.objects.values_list("pk", flat=True))
