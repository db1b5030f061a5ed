"""``manage.py complete_attendance``: complete the enrolments whose attended slots have ended
since their roll call (run it hourly by cron, beside ``send_reminders``). Idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from parcours.enrolment import actions


class Command(BaseCommand):
    help = "Termine les inscriptions dont les créneaux suivis sont terminés depuis l'appel."

    def handle(self, *args: Any, **options: Any) -> None:
        completed = actions.complete_due()
        self.stdout.write(self.style.SUCCESS(f"{len(completed)} enrolment(s) completed"))
