"""Several people (or clicks) asking for the same yearly report at the same moment make one
job: the database keeps one pending job per organisation and period, whatever the timing."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.db import IntegrityError

from parcours.accounts.models import Organisation, User
from parcours.accounts.permissions import Actor
from parcours.reporting import jobs, tasks
from parcours.reporting.models import ReportJob
from parcours.reporting.periods import Period


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_for_one_period_make_one_job(
    org: Organisation, coordinator: User, run_concurrently: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Queued, not produced (the threads would each render a PDF).
    monkeypatch.setattr(tasks, "produce_report", SimpleNamespace(enqueue=lambda job_id: None))
    actor = Actor.of(coordinator)
    period = Period.calendar_year(2025)
    run = run_concurrently(jobs.request_report, 8, actor=actor, organisation=org, period=period)
    assert run.errors == []
    assert len({job.pk for job in run.successes}) == 1
    assert ReportJob.objects.count() == 1
    # Another period is another job; a finished job does not block a new one.
    jobs.request_report(actor=actor, organisation=org, period=Period.calendar_year(2024))
    ReportJob.objects.update(status=ReportJob.Status.DONE)
    again = jobs.request_report(actor=actor, organisation=org, period=period)
    assert ReportJob.objects.count() == 3 and again.status == ReportJob.Status.QUEUED


@pytest.mark.django_db
def test_the_database_refuses_a_second_pending_job_for_a_period(
    org: Organisation, coordinator: User
) -> None:
    period = Period.calendar_year(2025)
    ReportJob.objects.create(organisation=org, first=period.first, last=period.last)
    with pytest.raises(IntegrityError):
        ReportJob.objects.create(organisation=org, first=period.first, last=period.last)
