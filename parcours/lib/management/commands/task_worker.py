"""``manage.py task_worker``: django-tasks-db's ``db_worker`` that recovers from dead workers.

Same options as ``db_worker``. Differences: the worker id defaults to
``host:boot:pid:process-start`` (see ``parcours.lib.tasks``), and stale RUNNING tasks (their
worker died) are re-queued when the worker starts and every ``TASKS_RECOVERY_INTERVAL``
seconds while it runs (``--recovery-interval 0`` turns the periodic step off), and the due
periodic jobs (``parcours.lib.periodic``: reminders, purges, synchronisations) run every
``PERIODIC_INTERVAL`` seconds (``--periodic-interval 0`` turns them off, e.g. when a separate
``manage.py run_periodic`` process or cron runs them).
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from parcours.lib import periodic, tasks


class Command(DbWorkerCommand):
    help = "Run a database task worker that re-queues the tasks of dead workers."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(worker_id=tasks.worker_identity())
        parser.add_argument(
            "--recovery-interval",
            type=float,
            default=None,
            help="Seconds between two searches for stale tasks (default: TASKS_RECOVERY_INTERVAL).",
        )
        parser.add_argument(
            "--periodic-interval",
            type=float,
            default=None,
            help="Seconds between two runs of the due periodic jobs (default: PERIODIC_INTERVAL; "
            "0: this worker runs none).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        every = options.pop("periodic_interval")
        every = periodic.interval() if every is None else every
        interval = options.pop("recovery_interval")
        interval = tasks.recovery_interval() if interval is None else interval
        recovery = tasks.requeue_stale_tasks()
        if options["verbosity"] and (recovery.requeued or recovery.failed):
            self.stdout.write(
                f"Stale tasks: {len(recovery.requeued)} re-queued, {len(recovery.failed)} failed."
            )
        loop = tasks.RecoveryLoop(interval) if interval > 0 else None
        clock = periodic.PeriodicLoop(every) if every > 0 else None
        for thread in (loop, clock):
            if thread is not None:
                thread.start()
        try:
            super().handle(*args, **options)
        finally:
            for thread in (loop, clock):
                if thread is not None:
                    thread.stop()
