"""``manage.py requeue_stale_tasks``: put back in the queue the tasks whose worker died.

``task_worker`` does it by itself; run this from a clock (e.g. every 10 minutes) when the
workers are plain ``db_worker`` processes, or by hand after a crash.
"""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from parcours.lib import tasks


class Command(BaseCommand):
    help = "Re-queue RUNNING tasks whose worker died (or that ran longer than --older-than)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            default=None,
            metavar="SECONDS",
            help="A task claimed this long ago by a worker whose life cannot be checked is "
            "stale (default: TASKS_STALE_AFTER, 3600).",
        )

    def handle(self, *args: Any, older_than: int | None, **options: Any) -> None:
        if older_than is not None and older_than < 0:
            raise CommandError("--older-than must be zero or more seconds.")
        recovery = tasks.requeue_stale_tasks(
            older_than=None if older_than is None else timedelta(seconds=older_than)
        )
        self.stdout.write(
            f"{len(recovery.requeued)} task(s) re-queued, {len(recovery.failed)} failed "
            "(their workers kept dying)."
        )
