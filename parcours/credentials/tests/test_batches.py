"""Bulk issuance (resumable), the real database task backend, and concurrency: real
concurrent writers on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from functools import partial

import pytest
from django.core.management import call_command
from django.test import override_settings

from parcours.accounts.permissions import Actor
from parcours.credentials import actions, verification
from parcours.credentials.models import IssuanceBatch, IssuedCredential, StatusList
from parcours.credentials.states import AchievementStatus, BatchStatus
from parcours.credentials.tests.conftest import EARNING, complete, make_achievement

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


@pytest.fixture
def cohort(coordinator, org, ai_pathway, ai_modules, make_learners):
    """Learners who completed the pathway while its badge was still a draft: eligible, and
    nothing issued yet."""
    badge = make_achievement(coordinator, org, pathway=ai_pathway, activate=False)
    learners = make_learners(12)
    for learner in learners:
        complete(learner, ai_modules, *EARNING)
    badge = actions.set_achievement_status(
        actor=Actor.of(coordinator), achievement=badge, status=AchievementStatus.ACTIVE
    )
    assert not IssuedCredential.objects.exists()
    return badge, learners


@pytest.mark.django_db(transaction=True)
def test_bulk_issuance_killed_midway_is_finished_by_running_it_again(
    coordinator, cohort, monkeypatch
):
    badge, learners = cohort
    with override_settings(TASKS=DB_TASKS):
        batch = actions.start_bulk_issuance(actor=Actor.of(coordinator), achievement=badge)
    assert batch.total == len(learners)
    assert not IssuedCredential.objects.exists()  # only enqueued

    real_store = actions._store
    calls = {"n": 0}

    def killed_on_third_chunk(credentials, batch_):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt("worker killed")
        return real_store(credentials, batch_)

    monkeypatch.setattr(actions, "_store", killed_on_third_chunk)
    with pytest.raises(KeyboardInterrupt):
        actions.run_batch(batch.pk, chunk_size=4, processes=1)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED
    assert IssuedCredential.objects.count() == 8  # two chunks committed, the third lost
    assert batch.issued == 8 and batch.percent == 67
    # A SIGKILLed worker leaves the batch "running": resuming must work from there too.
    IssuanceBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.RUNNING)
    monkeypatch.setattr(actions, "_store", real_store)

    with override_settings(TASKS=DB_TASKS):
        actions.resume_batch(actor=Actor.of(coordinator), batch=batch)
        run_worker()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.COMPLETED
    assert batch.issued == len(learners) and batch.percent == 100
    assert IssuedCredential.objects.count() == len(learners)
    assert set(IssuedCredential.objects.values_list("learner_id", flat=True)) == {
        learner.pk for learner in learners
    }
    for credential in IssuedCredential.objects.all()[:3]:
        assert verification.verify_input(credential.document).valid


@pytest.mark.django_db(transaction=True)
def test_automatic_issuance_through_the_database_task_backend(learner, ai_badge, ai_modules):
    with override_settings(TASKS=DB_TASKS):
        complete(learner, ai_modules, *EARNING)
        assert not IssuedCredential.objects.exists()  # enqueued, not run
        run_worker()
    credential = IssuedCredential.objects.get(learner=learner)
    assert verification.verify_input(credential.document).valid


@pytest.mark.django_db(transaction=True)
def test_bulk_issuance_with_a_pool_of_signing_processes(coordinator, cohort):
    badge, learners = cohort
    with override_settings(TASKS=DB_TASKS):
        batch = actions.start_bulk_issuance(actor=Actor.of(coordinator), achievement=badge)
    from parcours.credentials import signing

    signing_threshold = signing.POOL_THRESHOLD
    signing.POOL_THRESHOLD = 2
    try:
        batch = actions.run_batch(batch.pk, chunk_size=6, processes=2)
    finally:
        signing.POOL_THRESHOLD = signing_threshold
    assert batch.status == BatchStatus.COMPLETED
    assert IssuedCredential.objects.count() == len(learners)
    for credential in IssuedCredential.objects.all():
        assert verification.verify_input(credential.document).signature_valid


@pytest.mark.django_db(transaction=True)
def test_two_workers_issuing_the_same_cohort_produce_one_credential_per_learner(
    coordinator, cohort, run_concurrently
):
    badge, learners = cohort
    with override_settings(TASKS=DB_TASKS):
        first = actions.start_bulk_issuance(actor=Actor.of(coordinator), achievement=badge)
        second = actions.start_bulk_issuance(actor=Actor.of(coordinator), achievement=badge)
    run = run_concurrently.each(
        [
            partial(actions.run_batch, first.pk, chunk_size=3, processes=1),
            partial(actions.run_batch, second.pk, chunk_size=3, processes=1),
        ]
    )
    run.raise_first()
    assert IssuedCredential.objects.count() == len(learners)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == BatchStatus.COMPLETED
    assert first.issued + second.issued == len(learners)
    assert first.processed == second.processed == len(learners)
    slots = list(IssuedCredential.objects.values_list("status_list_id", "status_index"))
    assert len(set(slots)) == len(slots)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_completions_issue_exactly_once(
    learner, ai_badge, ai_modules, run_concurrently
):
    # The learner is one module short; four workers then try to issue at the same time.
    complete(learner, ai_modules, "M1A", "O1", "O3")
    complete_last = partial(complete, learner, ai_modules, "CLOT")
    run = run_concurrently.each(
        [complete_last] + [partial(actions.issue_for, ai_badge.pk, learner.pk) for _ in range(3)]
    )
    run.raise_first()
    assert IssuedCredential.objects.filter(learner=learner).count() == 1
    # Whatever ran first, a later run finds the existing credential.
    assert actions.issue_for(ai_badge.pk, learner.pk) == IssuedCredential.objects.get()


@pytest.mark.django_db(transaction=True)
def test_concurrent_revocations_all_reach_the_published_list(coordinator, cohort, run_concurrently):
    badge, _learners = cohort
    actions.issue_to_all_eligible(badge)
    credentials = list(IssuedCredential.objects.all()[:4])
    actor = Actor.of(coordinator)
    run = run_concurrently.each(
        [
            partial(actions.revoke_credential, actor=actor, credential=c, reason="Fraude")
            for c in credentials
        ]
    )
    run.raise_first()
    for credential in credentials:
        report = verification.verify_input(credential.document)
        assert report.revoked is True, credential.status_index
    published = json.loads(StatusList.objects.get().document)
    assert published["credentialSubject"]["encodedList"]
