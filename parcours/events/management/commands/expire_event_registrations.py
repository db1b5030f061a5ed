"""``manage.py expire_event_registrations [--dry-run]``: release the seats of the event
registrations whose e-mail was not confirmed in time (``EVENTS_PENDING_HOURS``, 48 by default,
or the event's start if sooner). Periodic job ``events.expire_pending`` (every 15 minutes,
``lib.periodic``); idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from parcours.events import actions


class Command(BaseCommand):
    help = "Libère les places des inscriptions à un événement dont l'e-mail n'a pas été confirmé."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List what is due without releasing it."
        )

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        due = actions.expire_pending(dry_run=dry_run)
        if dry_run:
            self.stdout.write(f"{len(due)} pending registration(s) past their deadline")
            return
        self.stdout.write(self.style.SUCCESS(f"{len(due)} pending registration(s) released"))
