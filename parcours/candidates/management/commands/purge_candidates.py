"""``manage.py purge_candidates [--dry-run]``: remove the personal data and files of the
candidates not selected once their call's retention period has passed (closing day +
``retention_days``). The applications stay, anonymous, so the funnel counts do not change.

It prints application ids and calls, never names or addresses. Run it daily (cron, systemd timer).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from parcours.candidates import actions

CHUNK = 500


class Command(BaseCommand):
    help = "Efface les données des candidats non retenus au-delà de la durée de conservation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Liste qui serait effacé, sans rien changer."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        due = actions.purgeable()
        if options["dry_run"]:
            self.stdout.write(_("Simulation : %(n)d candidature(s) à effacer.") % {"n": len(due)})
            for application in due:
                self.stdout.write(
                    _("candidature %(id)s — appel « %(call)s » (clos le %(day)s)")
                    % {
                        "id": application.pk,
                        "call": application.call.slug,
                        "day": application.call.closes_at.date().isoformat(),
                    }
                )
            return
        done = 0
        for start in range(0, len(due), CHUNK):
            done += actions.purge(applications=due[start : start + CHUNK])
        self.stdout.write(_("%(n)d candidature(s) effacée(s).") % {"n": done})
