"""``manage.py run_periodic``: the periodic jobs (see ``parcours.lib.periodic``).

* without options: run the due jobs every ``PERIODIC_INTERVAL`` seconds until stopped (a clock
  process, for a deployment whose task workers run with ``--periodic-interval 0``);
* ``--once``: run the due jobs once and exit (for cron: ``*/5 * * * *``);
* ``--list``: every job, how often it runs, when it last ran and how it ended;
* ``--job NAME``: run that job now, due or not.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from parcours.lib import periodic
from parcours.lib.dates import format_datetime
from parcours.lib.models import PeriodicRun


class Command(BaseCommand):
    help = "Run the periodic jobs (reminders, purges, synchronisations) that are due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run the due jobs once.")
        parser.add_argument("--list", action="store_true", help="List the jobs.")
        parser.add_argument("--job", help="Run this job now, due or not.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            self._list()
        elif options["job"]:
            try:
                job = periodic.job(options["job"])
            except LookupError:
                names = ", ".join(j.name for j in periodic.jobs())
                raise CommandError(f"Unknown job {options['job']!r}. Jobs: {names}") from None
            periodic.claim(job, timezone.now(), force=True)
            self._report([periodic.run(job)])
        elif options["once"]:
            self._report(periodic.run_due())
        else:
            every = periodic.interval()
            self.stdout.write(f"Running the due periodic jobs every {every:g} s (Ctrl-C stops).")
            while True:
                self._report(periodic.run_due())
                time.sleep(every)

    def _report(self, outcomes: list[periodic.Outcome]) -> None:
        for outcome in outcomes:
            state = "ok" if outcome.ok else "FAILED"
            self.stdout.write(f"{outcome.name}: {state}")
            if not outcome.ok:
                self.stderr.write(outcome.output)

    def _list(self) -> None:
        runs = {r.name: r for r in PeriodicRun.objects.all()}
        now = timezone.now()
        for job in periodic.jobs():
            run = runs.get(job.name)
            last = run.started_at if run else None
            when = (
                f"daily at {job.at_hour:02d}:00"
                if job.at_hour is not None
                else f"every {job.every}"
            )
            state = "never run"
            if run and last:
                ended = {True: "ok", False: "FAILED", None: "running"}[run.ok]
                state = f"last {format_datetime(last)} ({ended})"
            due = job.due_at(last, now)
            next_run = "due now" if due <= now else f"next {format_datetime(due)}"
            self.stdout.write(f"{job.name:<32} {job.command:<24} {when:<20} {state}; {next_run}")
