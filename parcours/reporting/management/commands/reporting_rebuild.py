"""``manage.py reporting_rebuild``: rebuild every reporting fact from the raw rows, set-based.

After a bulk import (rows loaded outside the actions, e.g. a migration from another system):

    manage.py reporting_rebuild --suspend-triggers   # before the import: no per-row trigger
    ... bulk import ...
    manage.py reporting_rebuild                      # triggers back, every fact rebuilt

``--dirty`` rebuilds only the sessions marked dirty (what a read would do; the task worker runs
it every five minutes, job ``reporting.refresh_facts``). ``--background`` queues the full
rebuild as a task (``manage.py task_worker`` runs it) instead of running it here. While a full
rebuild runs, report pages show the facts as they were and say so.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from parcours.reporting import facts, tasks, triggers


class Command(BaseCommand):
    help = "Rebuild every reporting fact from the raw rows (after a bulk import)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--suspend-triggers",
            action="store_true",
            help="Drop the facts' triggers before a bulk import (the next rebuild restores them).",
        )
        parser.add_argument(
            "--dirty", action="store_true", help="Rebuild only the sessions marked dirty."
        )
        parser.add_argument(
            "--background", action="store_true", help="Queue the rebuild as a background task."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["suspend_triggers"]:
            names = triggers.suspend()
            self.stdout.write(f"{len(names)} triggers dropped; run reporting_rebuild afterwards.")
            return
        if options["dirty"]:
            if facts.rebuilding():
                self.stdout.write("A full rebuild is running; nothing to do.")
                return
            self.stdout.write(f"Facts of {facts.refresh(None)} dirty sessions rebuilt.")
            return
        if options["background"]:
            tasks.refresh_facts.enqueue(True)
            self.stdout.write("Rebuild queued.")
            return
        started = time.perf_counter()
        sessions = facts.rebuild_all()
        self.stdout.write(
            f"Facts of {sessions} sessions rebuilt in {time.perf_counter() - started:.1f} s."
        )
