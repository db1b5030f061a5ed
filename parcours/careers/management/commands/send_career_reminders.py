"""``manage.py send_career_reminders``: enqueue the e-mails of the career follow-up that are
due (run it daily by cron): the reminders of next actions due today or earlier, and the
outcome survey of people whose training ended six months ago. Idempotent: a reminder goes out
once per action, a survey once per file."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.utils import timezone

from parcours.careers import actions, tasks
from parcours.careers.models import FollowUp


class Command(BaseCommand):
    help = "Envoie les rappels du suivi de carrière et les enquêtes à six mois."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List what is due without enqueuing."
        )

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        today = timezone.localdate()
        reminders = list(FollowUp.objects.reminders_due(today).values_list("pk", flat=True))
        surveys = actions.surveys_due(today)
        if dry_run:
            self.stdout.write(f"{len(reminders)} reminder(s) due, {len(surveys)} survey(s) due")
            return
        for followup_id in reminders:
            tasks.send_followup_reminder.enqueue(followup_id)
        sent = 0
        for file in surveys:
            try:
                actions.request_survey(actor=None, file=file)
            except ValidationError:
                continue
            sent += 1
        self.stdout.write(
            self.style.SUCCESS(f"{len(reminders)} reminder(s), {sent} survey(s) enqueued")
        )
