"""Catch up the xAPI statements lost between a business commit and its after-commit callback
(enrolments, attendance, module completions): every event of the last ``--hours`` hours (48
by default) is recorded again; the ones already in the outbox are left as they are."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from parcours.integrations.xapi.outbox import reconcile


class Command(BaseCommand):
    help = "Record again the recent xAPI statements that a dying process may have lost."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hours", type=int, default=48)

    def handle(self, *args: Any, **options: Any) -> None:
        hours = options["hours"]
        if not 1 <= hours <= 24 * 366:
            raise CommandError("--hours must be between 1 and 8784.")
        counts = reconcile(timezone.now() - dt.timedelta(hours=hours))
        self.stdout.write(", ".join(f"{name} {count}" for name, count in counts.items()))
