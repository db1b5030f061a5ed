"""Periodic jobs: due when they should be, run once however many workers look, and a failure
is recorded without stopping the others."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import partial
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from conftest import ConcurrentRunner
from parcours.lib import periodic
from parcours.lib.dates import platform_zone
from parcours.lib.models import PeriodicRun

BRUSSELS = platform_zone()


@pytest.fixture
def only(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, periodic.Job]]:
    """The registry holds only the jobs a test puts in it."""
    registry: dict[str, periodic.Job] = {}
    monkeypatch.setattr(periodic, "_jobs", registry)
    yield registry


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=BRUSSELS)


def test_every_app_job_is_registered_with_an_existing_command() -> None:
    from django.core.management import get_commands

    commands = get_commands()
    names = {job.name for job in periodic.jobs()}
    assert {"documents.reminders", "privacy.retention", "integrations.moodle"} <= names
    assert all(job.command in commands for job in periodic.jobs())


def test_interval_jobs_are_due_every_interval_and_daily_jobs_at_their_hour() -> None:
    hourly = periodic.Job("t.hourly", "check", every=periodic.HOUR)
    now = at(2026, 3, 10, 12, 30)
    assert hourly.due_at(None, now) == now
    assert hourly.due_at(at(2026, 3, 10, 12, 0), now) == at(2026, 3, 10, 13, 0)

    nightly = periodic.Job("t.nightly", "check", at_hour=2)
    assert nightly.due_at(None, now) == now  # never ran: at once
    assert nightly.due_at(at(2026, 3, 10, 1, 0), now) == at(2026, 3, 10, 2, 0)
    assert nightly.due_at(at(2026, 3, 10, 2, 0), now) == at(2026, 3, 11, 2, 0)
    assert nightly.due_at(at(2026, 3, 10, 9, 0), now) == at(2026, 3, 11, 2, 0)
    # Across the spring-forward night (29 March 2026), still 02:00 local... which does not
    # exist: the next run is the first instant after it, never a day late.
    due = nightly.due_at(at(2026, 3, 28, 3, 0), now)
    assert dt.timedelta(0) < due - at(2026, 3, 28, 3, 0) <= dt.timedelta(hours=24)


@pytest.mark.django_db
def test_a_due_job_runs_once_and_records_its_end(only: dict[str, periodic.Job]) -> None:
    periodic.register(periodic.Job("t.check", "check", every=periodic.HOUR))
    first = periodic.run_due()
    assert [(o.name, o.ok) for o in first] == [("t.check", True)]
    assert periodic.run_due() == []  # not due again for an hour
    later = timezone.now() + dt.timedelta(hours=1, minutes=1)
    assert [o.name for o in periodic.run_due(later)] == ["t.check"]
    row = PeriodicRun.objects.get(name="t.check")
    assert row.runs == 2 and row.ok is True and row.finished_at is not None


@pytest.mark.django_db
def test_a_failing_job_is_recorded_and_the_next_jobs_still_run(
    only: dict[str, periodic.Job],
) -> None:
    periodic.register(periodic.Job("a.broken", "no_such_command_here"))
    periodic.register(periodic.Job("b.check", "check"))
    outcomes = periodic.run_due()
    assert [(o.name, o.ok) for o in outcomes] == [("a.broken", False), ("b.check", True)]
    broken = PeriodicRun.objects.get(name="a.broken")
    assert broken.ok is False and "no_such_command_here" in broken.output


@pytest.mark.django_db
def test_disabled_jobs_do_not_run(only: dict[str, periodic.Job], settings: Any) -> None:
    periodic.register(periodic.Job("t.moodle", "check"))
    settings.PERIODIC_DISABLED = ["t.moodle"]
    assert periodic.run_due() == []
    assert not PeriodicRun.objects.exists()


@pytest.mark.django_db
def test_a_run_whose_worker_died_is_taken_again_after_its_stale_delay(
    only: dict[str, periodic.Job],
) -> None:
    job = periodic.register(
        periodic.Job("t.slow", "check", every=periodic.MINUTE, stale_after=periodic.HOUR)
    )
    now = timezone.now()
    assert periodic.claim(job, now)  # claimed, and the process dies before finishing
    assert not periodic.claim(job, now + dt.timedelta(minutes=30))  # still "running"
    assert periodic.claim(job, now + dt.timedelta(minutes=61))


@pytest.mark.django_db(transaction=True)
def test_two_workers_looking_at_the_same_moment_run_a_job_once(
    only: dict[str, periodic.Job], run_concurrently: ConcurrentRunner
) -> None:
    job = periodic.register(periodic.Job("t.once", "check", every=periodic.HOUR))
    now = timezone.now()
    run = run_concurrently.each([partial(periodic.claim, job, now) for _ in range(4)])
    assert run.exceptions == [None] * 4
    assert sorted(run.results) == [False, False, False, True]
    assert PeriodicRun.objects.get(name="t.once").runs == 1


@pytest.mark.django_db
def test_the_command_lists_runs_one_job_and_refuses_an_unknown_one(
    only: dict[str, periodic.Job],
) -> None:
    periodic.register(periodic.Job("t.check", "check", at_hour=3))
    out = StringIO()
    call_command("run_periodic", "--list", stdout=out)
    assert "t.check" in out.getvalue() and "never run" in out.getvalue()
    out = StringIO()
    call_command("run_periodic", "--job", "t.check", stdout=out)
    assert "t.check: ok" in out.getvalue()
    with pytest.raises(Exception, match="Unknown job"):
        call_command("run_periodic", "--job", "nope")
