"""Periodic jobs: the work that must happen on a clock (reminder e-mails, retention purges,
the nightly Moodle synchronisation…), run by the task worker itself, so a deployment needs no
crontab to remember.

* Each app registers its jobs from its ``AppConfig.ready()``:
  ``periodic.register(periodic.Job("documents.reminders", "send_reminders", every=HOUR))``.
  A job runs a management command (the same one an operator can run by hand), every
  ``every``, or once a day after ``at_hour`` (local time) for daily jobs.
* ``manage.py task_worker`` runs the due jobs every ``PERIODIC_INTERVAL`` seconds (60 by
  default) beside the tasks; ``manage.py run_periodic`` lists them, runs the due ones once
  (``--once``, for a host that prefers cron) or one by name (``--job``).
* Several workers may run: a job is **claimed** by a compare-and-set on its row
  (:class:`parcours.lib.models.PeriodicRun`), so exactly one of them runs it each time.
  A run whose process died is claimed again once ``stale_after`` has passed.
* ``PERIODIC_DISABLED`` (setting, a list of job names) turns jobs off, e.g. on a host that
  has no Moodle.

Every command run here must be idempotent: a run may be repeated after a crash.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import threading
import traceback
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, close_old_connections, connection
from django.utils import timezone

logger = logging.getLogger(__name__)

MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Job:
    name: str  # "app.what", unique
    command: str  # a management command
    every: dt.timedelta = HOUR
    at_hour: int | None = None  # daily jobs: at this local hour (``every`` is then ignored)
    args: tuple[str, ...] = ()
    description: str = ""
    stale_after: dt.timedelta = field(default=2 * HOUR)

    def __post_init__(self) -> None:
        if self.every < MINUTE:
            raise ValueError(f"{self.name}: a periodic job runs at most once a minute")
        if self.at_hour is not None and not 0 <= self.at_hour <= 23:
            raise ValueError(f"{self.name}: at_hour is an hour of the day")

    def due_at(self, last_started: dt.datetime | None, now: dt.datetime) -> dt.datetime:
        """When this job should run next, given when it last started: ``every`` after it,
        or, for a daily job, the first ``at_hour`` o'clock (local time) after it. A job
        that never ran is due now."""
        if last_started is None:
            return now
        if self.at_hour is None:
            return last_started + self.every
        local = timezone.localtime(last_started)
        slot = local.replace(hour=self.at_hour, minute=0, second=0, microsecond=0)
        return slot if slot > local else slot + DAY


_jobs: dict[str, Job] = {}


def register(job: Job) -> Job:
    if job.name in _jobs and _jobs[job.name] != job:
        raise ValueError(f"periodic job {job.name!r} registered twice")
    _jobs[job.name] = job
    return job


def jobs() -> list[Job]:
    """Every registered job that is not disabled by ``PERIODIC_DISABLED``, by name."""
    disabled = set(getattr(settings, "PERIODIC_DISABLED", ()))
    return [job for name, job in sorted(_jobs.items()) if name not in disabled]


def job(name: str) -> Job:
    try:
        return _jobs[name]
    except KeyError:
        raise LookupError(name) from None


def interval() -> float:
    return float(getattr(settings, "PERIODIC_INTERVAL", 60))


@dataclass
class Outcome:
    name: str
    ok: bool
    output: str


def claim(job: Job, now: dt.datetime, *, force: bool = False) -> bool:
    """Take this run of ``job`` if it is due (or ``force``) and nobody else took it: one
    conditional UPDATE, so two workers never both win."""
    from parcours.lib.models import PeriodicRun

    try:
        row, _created = PeriodicRun.objects.get_or_create(name=job.name)
    except IntegrityError:  # another worker created it at the same moment
        row = PeriodicRun.objects.get(name=job.name)
    if not force:
        started = row.started_at
        running = started is not None and (row.finished_at is None or row.finished_at < started)
        if running and started is not None and now - started < job.stale_after:
            return False
        if job.due_at(row.started_at, now) > now:
            return False
    taken = PeriodicRun.objects.filter(pk=row.pk, started_at=row.started_at).update(
        started_at=now, runs=row.runs + 1
    )
    return taken == 1


def run(job: Job) -> Outcome:
    """Run ``job``'s command now (the caller claimed it) and record how it ended."""
    from parcours.lib.models import PeriodicRun

    out = io.StringIO()
    try:
        call_command(job.command, *job.args, stdout=out, stderr=out, verbosity=1)
        ok = True
    except Exception:
        logger.exception("periodic job %s failed", job.name)
        out.write(traceback.format_exc(limit=5))
        ok = False
    text = out.getvalue()[-4000:]
    PeriodicRun.objects.filter(name=job.name).update(finished_at=timezone.now(), ok=ok, output=text)
    return Outcome(job.name, ok, text)


def run_due(now: dt.datetime | None = None) -> list[Outcome]:
    """Run every due job this process manages to claim, one after the other."""
    outcomes = []
    for each in jobs():
        if claim(each, now or timezone.now()):
            outcomes.append(run(each))
    return outcomes


class PeriodicLoop(threading.Thread):
    """Runs :func:`run_due` every ``interval`` seconds beside a task worker."""

    def __init__(self, every: float) -> None:
        super().__init__(name="periodic-jobs", daemon=True)
        self.every = every
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            close_old_connections()
            try:
                run_due()
            except Exception:  # a failed round must not stop the next ones
                logger.exception("periodic jobs failed")
        connection.close()

    def stop(self) -> None:
        self.stopped.set()
