"""``manage.py send_reminders``: enqueue the reminder e-mails that are due (run it hourly by
cron). Idempotent: a reminder already sent for an enrolment and session start is never sent
again, whatever the number of runs or workers."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from parcours.documents.querysets import due_reminders
from parcours.documents.tasks import send_reminder


class Command(BaseCommand):
    help = "Envoie les rappels des sessions qui commencent dans les 48 heures."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List what is due without enqueuing."
        )

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        ids = list(due_reminders().values_list("pk", flat=True))
        if dry_run:
            self.stdout.write(f"{len(ids)} reminder(s) due")
            return
        for done, enrolment_id in enumerate(ids, start=1):
            send_reminder.enqueue(enrolment_id)
            if done % 500 == 0:
                self.stdout.write(f"  {done}/{len(ids)} enqueued")
        self.stdout.write(self.style.SUCCESS(f"{len(ids)} reminder(s) enqueued"))
